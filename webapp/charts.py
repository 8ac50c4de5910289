"""Inline SVG charts (no JavaScript, no network): the evaluation radar and the staff's town map.
Each chart has a <title> and a <desc> text alternative; colours are backed by text and a legend."""
from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

# Rough text widths in SVG user units at the sizes used below (CJK glyphs are about 1 em wide).
RADAR_FONT = 13
MAP_FONT = 12


def _text_width(text: str, font: float) -> float:
    return sum(font if ord(c) > 0x2E80 else font * 0.6 for c in text)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def radar_svg(rows, *, size: int = 360, title: str = "7つの視点") -> Markup:
    """A radar chart of the seven principles, citizens' side against the city's. The viewBox is
    widened to fit the longest label, so labels such as 「相互認識・理解」 are never cut."""
    cx = cy = size / 2
    radius = size / 2 - 70
    n = len(rows)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * value / 5
        return round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)

    labels, left, right = [], 0.0, float(size)
    for i, row in enumerate(rows):
        lx, ly = point(i, 6.1)
        text = row.principle.label + (" ⚠" if row.flagged else "")
        width = _text_width(text, RADAR_FONT)
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        start = lx - width / 2 if anchor == "middle" else (lx if anchor == "start" else lx - width)
        left, right = min(left, start - 4), max(right, start + width + 4)
        labels.append((lx, ly, anchor, text, row.flagged))
    box = f"{round(left, 1)} 0 {round(right - left, 1)} {size}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}" role="img" '
             f'aria-labelledby="radar-title radar-desc" class="radar">',
             f'<title id="radar-title">{escape(title)}</title>',
             '<desc id="radar-desc">' + escape("、".join(
                 f"{r.principle.label}: 市民側 {_fmt(r.citizen)}・市側 {_fmt(r.city)}" for r in rows)) + "</desc>"]
    for level in range(1, 6):
        ring = " ".join(f"{x},{y}" for x, y in (point(i, level) for i in range(n)))
        parts.append(f'<polygon points="{ring}" class="radar-grid"/>')
    for i, (lx, ly, anchor, text, flagged) in enumerate(labels):
        x, y = point(i, 5)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x}" y2="{y}" class="radar-axis"/>')
        css = "radar-label flagged" if flagged else "radar-label"
        parts.append(f'<text x="{lx}" y="{ly}" text-anchor="{anchor}" class="{css}">{escape(text)}</text>')
    for side, css in (("citizen", "radar-citizen"), ("city", "radar-city")):
        values = [getattr(r, side) for r in rows]
        if all(v is not None for v in values):
            shape = " ".join(f"{x},{y}" for x, y in (point(i, v) for i, v in enumerate(values)))
            parts.append(f'<polygon points="{shape}" class="{css}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


# The town map's colour classes by open issues that no 協議体 works on (the gaps to act on).
GAP_CLASSES = [(0, "gap-0", "0件"), (1, "gap-1", "1件"), (2, "gap-2", "2〜3件"), (4, "gap-4", "4件以上")]


def _gap_class(unserved: int) -> str:
    return [css for low, css, _ in GAP_CLASSES if unserved >= low][-1]


@dataclass
class _Label:
    x: float
    y: float
    width: float

    def box(self) -> tuple[float, float, float, float]:
        return (self.x - self.width / 2, self.y - MAP_FONT, self.x + self.width / 2, self.y + 2)


def _overlaps(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def _place_labels(circles: list[tuple[float, float, float]], names: list[str]) -> list[tuple[float, float]]:
    """Put each name above, below, right or left of its circle, at the first spot that overlaps
    neither an earlier label nor another circle (greedy, largest circles first)."""
    placed: list[tuple[float, float, float, float]] = []
    out: list[tuple[float, float]] = [(0.0, 0.0)] * len(names)
    for i in sorted(range(len(names)), key=lambda i: -circles[i][2]):
        cx, cy, r = circles[i]
        width = _text_width(names[i], MAP_FONT)
        spots = [(cx, cy - r - 4), (cx, cy + r + MAP_FONT + 2), (cx + r + 4 + width / 2, cy + 4),
                 (cx - r - 4 - width / 2, cy + 4), (cx, cy - r - 4 - MAP_FONT - 2), (cx, cy + r + 2 * MAP_FONT + 4)]
        chosen = spots[0]
        for spot in spots:
            box = _Label(spot[0], spot[1], width).box()
            hits_label = any(_overlaps(box, other) for other in placed)
            hits_circle = any(j != i and _overlaps(box, (x - rr, y - rr, x + rr, y + rr))
                              for j, (x, y, rr) in enumerate(circles))
            if not hits_label and not hits_circle:
                chosen = spot
                break
        placed.append(_Label(chosen[0], chosen[1], width).box())
        out[i] = chosen
    return out


def town_map_svg(points, *, width: int = 720, height: int = 560) -> Markup:
    """Towns at their real centroids (equirectangular, scaled by cos(latitude)); circle area grows
    with open issues, colour with how many of them no 協議体 works on (legend included)."""
    if not points:
        return Markup("")
    lat0 = sum(p.area.lat for p in points) / len(points)
    xs = [p.area.lng * math.cos(math.radians(lat0)) for p in points]
    ys = [p.area.lat for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    pad, legend_h = 60, 40
    scale = min((width - 2 * pad) / (max(xs) - min(xs) or span),
                (height - legend_h - 2 * pad) / (max(ys) - min(ys) or span))
    circles = [(round(pad + (x - min(xs)) * scale, 1), round(height - legend_h - pad - (y - min(ys)) * scale, 1),
                round(6 + 6 * math.sqrt(p.open_issues), 1)) for p, x, y in zip(points, xs, ys)]
    names = [p.area.name for p in points]
    spots = _place_labels(circles, names)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             'aria-labelledby="map-title map-desc" class="town-map">',
             '<title id="map-title">町ごとの受付中の地域課題と、協議体がまだない課題</title>',
             '<desc id="map-desc">' + escape("、".join(
                 f"{p.area.name}: 受付中の課題{p.open_issues}件（うち協議体なし{p.unserved}件）・団体{p.organizations}"
                 for p in points)) + "</desc>"]
    for p, (cx, cy, r) in zip(points, circles):
        parts.append(f'<g class="town {_gap_class(p.unserved)}"><circle cx="{cx}" cy="{cy}" r="{r}"/>'
                     f'<text x="{cx}" y="{round(cy + 4, 1)}" text-anchor="middle" class="count">{p.open_issues}</text></g>')
    for name, (x, y) in zip(names, spots):
        parts.append(f'<text x="{round(x, 1)}" y="{round(y, 1)}" text-anchor="middle" class="name">{escape(name)}</text>')
    parts.append(f'<g class="legend" transform="translate(12,{height - legend_h + 8})">'
                 f'<text x="0" y="14">協議体がまだない課題:</text>')
    for n, (_, css, label) in enumerate(GAP_CLASSES):
        x = 150 + n * 100
        parts.append(f'<g class="{css}"><circle cx="{x}" cy="10" r="8"/><text x="{x + 14}" y="14">{label}</text></g>')
    parts.append("</g></svg>")
    return Markup("".join(parts))

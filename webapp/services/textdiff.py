"""Character-level differences between two texts, marked with <ins>/<del> for a page."""
from __future__ import annotations

import difflib

from markupsafe import Markup, escape


def mark(old: str, new: str) -> tuple[Markup, bool]:
    """The new text with what was removed in <del> and what was added in <ins>, and whether it changed."""
    # Character level: Japanese has no spaces to split words at.
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    parts = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(new[b0:b1]))
            continue
        if a1 > a0:
            parts.append(Markup("<del>") + escape(old[a0:a1]) + Markup("</del>"))
        if b1 > b0:
            parts.append(Markup("<ins>") + escape(new[b0:b1]) + Markup("</ins>"))
    return Markup("").join(parts), old != new

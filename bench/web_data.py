"""Builds the web benchmark's database: 東久留米市, the demo data, and N synthetic organizations.

    .venv/bin/python bench/web_data.py --orgs 5000 --out bench/out/web.sqlite3
    .venv/bin/python bench/web_data.py --orgs 5000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kyodo_bench

Synthetic organizations recombine the sentences of the 70 fictional demo organizations (so their
words are the words civic groups really write) with random real towns, names and capacities.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import select  # noqa: E402

from webapp.cities import resolve_city  # noqa: E402
from webapp.db import create_engine_for, session_scope  # noqa: E402
from webapp.migrate import upgrade  # noqa: E402
from webapp.models import Area, OrganizationCreate, OrgCategory, OrgKind, RecordSource, Theme  # noqa: E402
from webapp.services import organizations, seeding  # noqa: E402

SUFFIXES = {"territorial": ["自治会", "町内会", "管理組合", "老人クラブ", "子ども会"],
            "thematic": ["の会", "ネット", "サークル", "ボランティア", "くらぶ", "ラボ"]}
CATEGORY = {"自治会": OrgCategory.JICHIKAI, "町内会": OrgCategory.CHONAIKAI, "管理組合": OrgCategory.KANRI_KUMIAI,
            "老人クラブ": OrgCategory.ROJIN_CLUB, "子ども会": OrgCategory.KODOMOKAI}


def _sentences(text: str) -> list[str]:
    return [s + "。" for s in re.split(r"。", text) if s.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--out", default="bench/out/web.sqlite3")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", help="an empty database to fill instead of --out (e.g. PostgreSQL)")
    args = parser.parse_args()
    out = Path(args.out)
    if args.database_url:
        url = out = args.database_url
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            out.unlink()
        url = f"sqlite:///{out.resolve()}"
    started = time.perf_counter()
    upgrade(url)
    city = resolve_city("東久留米市")
    engine = create_engine_for(url)
    rng = random.Random(args.seed)
    demo = [json.loads(line) for line in (city.demo_directory / "organizations.jsonl").read_text(encoding="utf-8").splitlines()]
    pools = {kind: {field: [s for o in demo if o["kind"] == kind for s in _sentences(o[field])]
                    for field in ("description", "offers", "needs")} for kind in ("territorial", "thematic")}
    with session_scope(engine) as session:
        seeding.load_themes(session)
        seeding.load_city(session, city=city)
        seeding.load_demo(session, city=city)
    with session_scope(engine) as session:
        area_ids = [a.id for a in session.exec(select(Area))]
        area_names = {a.id: a.name for a in session.exec(select(Area))}
        theme_ids = [t.id for t in session.exec(select(Theme))]
        for n in range(args.orgs):
            kind = "territorial" if rng.random() < 0.35 else "thematic"
            suffix = rng.choice(SUFFIXES[kind])
            towns = rng.sample(area_ids, 1 if kind == "territorial" else rng.choice([1, 2, 4, 8, 23]))
            name = f"{area_names[towns[0]]}{rng.choice('あかさたなはまやらわ')}{n:05d}{suffix}"
            pool = pools[kind]
            data = OrganizationCreate(
                kind=OrgKind(kind),
                category=CATEGORY.get(suffix, OrgCategory.VOLUNTARY),
                name=name,
                description="".join(rng.sample(pool["description"], 3)),
                offers="".join(rng.sample(pool["offers"], 1)),
                needs="".join(rng.sample(pool["needs"], 1)),
                capacity=rng.choice([1, 2, 3]),
                area_ids=towns,
                theme_ids=rng.sample(theme_ids, rng.choice([0, 1, 2])),
            )
            organizations.create_organization(session, data=data, creator=None, source=RecordSource.IMPORT)
    engine.dispose()
    print(f"{out}: demo + {args.orgs} synthetic organizations in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

"""Builds the web benchmark's database: 東久留米市, the demo data, and N synthetic organizations.

    .venv/bin/python bench/web_data.py --orgs 5000 --out bench/out/web.sqlite3
    .venv/bin/python bench/web_data.py --orgs 5000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kyodo_bench
    nice -n 19 .venv/bin/python bench/web_data.py --orgs 300000 --bulk --out /tmp/web300k.sqlite3

Synthetic organizations recombine the sentences of the 70 fictional demo organizations (so their
words are the words civic groups really write) with random real towns, names and capacities.
They are all in the city's own towns: the matching index reads the `area` rows (the city's towns)
and each organization's links to them, so every organization is a candidate for every issue (the
worst case for ranking; the start time does not depend on it).

Through the services (the default) 5,000 organizations take minutes, 300,000 would take hours.
`--bulk` writes the same rows with SQLAlchemy core (executemany, 10,000 rows a statement): the
organizations, their town and theme links, and one change-log version listing them all (what
`kyodo seed` logs for many rows at once), so that a server already holding an index replays them.
Nothing else is written per organization by an import (no owner, no audit entry).
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import select  # noqa: E402

from webapp.cities import resolve_city  # noqa: E402
from webapp.db import create_engine_for, session_scope  # noqa: E402
from webapp.migrate import upgrade  # noqa: E402
from webapp.models import (  # noqa: E402
    Area,
    ChangeLogVersion,
    IndexChange,
    Organization,
    OrganizationArea,
    OrganizationCreate,
    OrganizationTheme,
    OrgCategory,
    OrgKind,
    OrgStatus,
    RecordSource,
    Theme,
)
from webapp.services import changes, organizations, seeding  # noqa: E402
from webapp.models.base import utcnow  # noqa: E402

BULK_ROWS = 10_000

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
    parser.add_argument("--bulk", action="store_true",
                        help="insert with SQLAlchemy core instead of the services (300,000 in minutes)")
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
    made = (_synthetic(rng, n, pools, area_ids, area_names, theme_ids) for n in range(args.orgs))
    if args.bulk:
        _insert_bulk(engine, made)
    else:
        with session_scope(engine) as session:
            for data in made:
                organizations.create_organization(session, data=data, creator=None, source=RecordSource.IMPORT)
    engine.dispose()
    print(f"{out}: demo + {args.orgs} synthetic organizations in {time.perf_counter() - started:.1f} s")


def _synthetic(rng, n, pools, area_ids, area_names, theme_ids) -> OrganizationCreate:
    kind = "territorial" if rng.random() < 0.35 else "thematic"
    suffix = rng.choice(SUFFIXES[kind])
    towns = rng.sample(area_ids, 1 if kind == "territorial" else rng.choice([1, 2, 4, 8, 23]))
    name = f"{area_names[towns[0]]}{rng.choice('あかさたなはまやらわ')}{n:05d}{suffix}"
    pool = pools[kind]
    return OrganizationCreate(
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


def _insert_bulk(engine, made) -> None:
    """Insert validated OrganizationCreate rows as an import would, without the ORM: explicit ids,
    then their links, then one change-log version naming them all."""
    orgs, areas, themes = (t.__table__ for t in (Organization, OrganizationArea, OrganizationTheme))
    with engine.begin() as connection:
        next_id = (connection.execute(sa.select(sa.func.max(orgs.c.id))).scalar() or 0) + 1
        ids = []
        while batch := list(itertools.islice(made, BULK_ROWS)):
            now = utcnow()
            rows, area_rows, theme_rows = [], [], []
            for data in batch:
                org_id = next_id + len(ids)
                ids.append(org_id)
                rows.append({**data.model_dump(exclude={"area_ids", "theme_ids"}), "id": org_id,
                             "status": OrgStatus.ACTIVE, "source": RecordSource.IMPORT, "verified": False,
                             "created_at": now, "updated_at": now})
                area_rows += [{"organization_id": org_id, "area_id": a} for a in data.area_ids]
                theme_rows += [{"organization_id": org_id, "theme_id": t} for t in data.theme_ids]
            connection.execute(orgs.insert(), rows)
            connection.execute(areas.insert(), area_rows)
            if theme_rows:
                connection.execute(themes.insert(), theme_rows)
            print(f"  {len(ids)} organizations", file=sys.stderr, flush=True)
        counter = ChangeLogVersion.__table__
        version = connection.execute(
            sa.update(counter).where(counter.c.id == 1).values(version=counter.c.version + 1)
            .returning(counter.c.version)).scalar_one()
        now = utcnow()
        for start in range(0, len(ids), BULK_ROWS):
            connection.execute(IndexChange.__table__.insert(), [
                {"version": version, "entity": changes.ORGANIZATION, "entity_id": i, "created_at": now}
                for i in ids[start: start + BULK_ROWS]])


if __name__ == "__main__":
    main()

"""`kyodo rank issues` and `kyodo rank partners` (shared/eval/README.md): JSON Lines in and out,
all matching done by the `matching` library."""
from __future__ import annotations

import csv
import json
import os

import click

from ..cities import resolve_city
from ..config import DEFAULT_CITY
from .evaluation import rank


def _read_jsonl(path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _towns():
    from matching import Town

    city = resolve_city(os.environ.get("KYODO_CITY") or DEFAULT_CITY)
    with open(city.directory / "towns.csv", encoding="utf-8", newline="") as f:
        return [Town(r["name"], float(r["lat"]), float(r["lng"]), r.get("district", ""))
                for r in csv.DictReader(f)]


def _org(row: dict):
    from matching import OrgProfile

    return OrgProfile(id=row["id"], kind=row["kind"], name=row.get("name", ""),
                      description=row.get("description", ""), offers=row.get("offers", ""),
                      needs=row.get("needs", ""), towns=tuple(row.get("areas", ())),
                      themes=tuple(row.get("themes", ())))


def _issue(row: dict):
    from matching import IssueProfile

    return IssueProfile(id=row["id"], title=row.get("title", ""), body=row.get("body", ""),
                        town=row.get("area", ""), themes=tuple(row.get("themes", ())))


def _emit(query, matches) -> None:
    click.echo(json.dumps({"query": query, "ranked": [m.id for m in matches]}, ensure_ascii=False))


@rank.command("issues")
@click.option("--orgs", "orgs_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--issues", "issues_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--k", default=10, show_default=True, type=click.IntRange(min=1))
def issues(orgs_path: str, issues_path: str, k: int) -> None:
    """課題ごとに目的型団体を順位づけ / rank thematic organizations for each issue."""
    from matching import MatchingIndex

    orgs = [_org(r) for r in _read_jsonl(orgs_path)]
    issue_list = [_issue(r) for r in _read_jsonl(issues_path)]
    index = MatchingIndex(n_jobs=2).fit(orgs, issue_list, _towns())
    for issue in issue_list:
        _emit(issue.id, index.rank_thematic(issue, k, explain=False))


@rank.command("partners")
@click.option("--orgs", "orgs_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--k", default=10, show_default=True, type=click.IntRange(min=1))
def partners(orgs_path: str, k: int) -> None:
    """地縁型団体ごとに目的型の連携先を順位づけ / rank thematic partners for each territorial org."""
    from matching import TERRITORIAL, MatchingIndex

    orgs = [_org(r) for r in _read_jsonl(orgs_path)]
    index = MatchingIndex(n_jobs=2).fit(orgs, (), _towns())
    for org in orgs:
        if org.kind == TERRITORIAL:
            _emit(org.id, index.rank_partners(org, k, explain=False))

import json

import pytest
from click.testing import CliRunner

from .conftest import ISSUES, ORGS

pytestmark = pytest.mark.sudachi

# Town names of the default city (東久留米市), so the CLI finds their coordinates.
TOWN_OF = {"東町": "滝山", "西町": "下里", "南町": "南沢", "北町": "本町", "中町": "中央町"}


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path):
    orgs = [{"id": o.id, "name": o.name, "kind": o.kind, "description": o.description,
             "offers": o.offers, "needs": o.needs, "areas": [TOWN_OF[t] for t in o.towns]}
            for o in ORGS]
    issues = [{"id": i.id, "title": i.title, "body": i.body, "area": TOWN_OF[i.town]} for i in ISSUES]
    return _write(tmp_path / "orgs.jsonl", orgs), _write(tmp_path / "issues.jsonl", issues)


def _lines(result):
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_rank_issues_prints_one_line_per_issue_with_thematic_ids(files):
    from webapp.cli import main

    orgs, issues = files
    lines = _lines(CliRunner().invoke(main, ["rank", "issues", "--orgs", orgs, "--issues", issues,
                                             "--k", "3"]))
    assert [line["query"] for line in lines] == ["i1", "i2", "i3"]
    thematic = {o.id for o in ORGS if o.kind == "thematic"}
    assert all(len(line["ranked"]) == 3 and set(line["ranked"]) <= thematic for line in lines)
    assert [line["ranked"][0] for line in lines] == ["p1", "p2", "p3"]


def test_rank_partners_ranks_thematic_groups_for_each_territorial_one(files):
    from webapp.cli import main

    orgs, _ = files
    lines = _lines(CliRunner().invoke(main, ["rank", "partners", "--orgs", orgs]))
    assert [line["query"] for line in lines] == ["t1", "t2", "t3"]
    assert lines[0]["ranked"][0] == "p1" and lines[2]["ranked"][0] == "p3"
    assert all(len(line["ranked"]) == 5 for line in lines)

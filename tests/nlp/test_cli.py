import json

import pytest
from click.testing import CliRunner

from webapp.cli import main

pytestmark = pytest.mark.sudachi


def _run(args):
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_similarity_scores_each_pair(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"sentence_pair_id": "p1", "sentence1": "お年寄りの見守り", "sentence2": "高齢者の安否確認"},
        {"id": "p2", "a": "お年寄りの見守り", "b": "公園の花壇の手入れ"},
    ]), encoding="utf-8")
    out = _run(["similarity", "--pairs", str(pairs)])
    assert [r["id"] for r in out] == ["p1", "p2"]
    assert out[0]["score"] > out[1]["score"]


def test_rank_docs_lists_other_documents(tmp_path):
    docs = tmp_path / "docs.jsonl"
    rows = [{"id": f"d{i}", "title": t, "body": t * 3} for i, t in enumerate(
        ["高齢者の見守り", "お年寄りの見守り", "公園の清掃", "公園のごみ拾い", "日本語教室"])]
    docs.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = _run(["rank", "docs", "--docs", str(docs), "--k", "2"])
    assert [r["query"] for r in out] == [r["id"] for r in rows]
    for r in out:
        assert len(r["ranked"]) == 2 and r["query"] not in r["ranked"]
    assert out[2]["ranked"][0] == "d3"


def test_bad_json_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["similarity", "--pairs", str(bad)])
    assert result.exit_code != 0 and "not JSON" in result.output


def test_evaluation_commands_leave_the_database_layer_unloaded(tmp_path):
    # It would cost the `kyodo similarity` process about 50 MB (the budget is 400 MB).
    import subprocess
    import sys

    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"id": "p", "a": "見守り", "b": "安否確認"}), encoding="utf-8")
    code = ("import sys; from webapp.cli import main\n"
            f"main(['similarity', '--pairs', {str(pairs)!r}], standalone_mode=False)\n"
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'flask_login') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "[]"
    assert json.loads(out.stdout.splitlines()[0])["id"] == "p"

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from nlp import TextVectorizer, wordvectors


def test_the_vectors_ship_with_the_package_and_similar_words_are_close():
    assert wordvectors.vectors_dir() == wordvectors.PACKAGED or os.environ.get(wordvectors.ENV)
    wv = wordvectors.load_word_vectors()
    rows = wv.rows_of(["高齢者", "年寄り", "自転車", "語彙にない語ｑｘｚ"])
    assert (rows[:3] >= 0).all() and rows[3] == -1
    v = wv.vectors(["高齢者", "年寄り", "自転車"])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    assert v[0] @ v[1] > 0.6 > v[0] @ v[2]


def test_missing_vectors_fail_with_one_message(monkeypatch, tmp_path):
    monkeypatch.setenv(wordvectors.ENV, str(tmp_path))
    assert not wordvectors.available()
    with pytest.raises(wordvectors.VectorsUnavailable, match="単語ベクトルが見つかりません"):
        wordvectors.load_word_vectors()
    # No quiet fallback: "auto" needs the vectors as much as True does.
    for semantic in ("auto", True):
        with pytest.raises(wordvectors.VectorsUnavailable, match="単語ベクトルが見つかりません"):
            TextVectorizer(semantic=semantic).fit(["見守りの活動", "公園の清掃"])


@pytest.mark.sudachi
@pytest.mark.parametrize("args", [["similarity", "--pairs"], ["rank", "partners", "--orgs"]])
def test_commands_stop_with_the_same_message_without_vectors(tmp_path, args):
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"id": 1, "a": "公園の清掃", "b": "公園の掃除", "name": "会",
                                "kind": "territorial", "description": "見守り", "offers": "",
                                "needs": "", "areas": []}, ensure_ascii=False) + "\n")
    env = dict(os.environ, **{wordvectors.ENV: str(tmp_path / "none")})
    code = "import sys; from webapp.cli import main; sys.argv[0] = 'kyodo'; main()"
    run = subprocess.run([sys.executable, "-c", code, *args, str(data)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "単語ベクトルが見つかりません" in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""

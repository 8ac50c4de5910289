import pytest

from nlp.analyzer import GLOSSARY_PREFIX, Analyzer
from nlp.glossary import default_path, read_groups


def test_format_comments_tabs_and_width(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("# comment line\n\n"
                    "見守り\t安否確認\t声かけ  # trailing comment\n"
                    "ｺﾐｭﾆﾃｨ\tまちづくり\n", encoding="utf-8")
    groups = read_groups(path)
    assert groups == {"見守り": ["見守り", "安否確認", "声かけ"],
                      "コミュニティ": ["コミュニティ", "まちづくり"]}


@pytest.mark.parametrize("line", ["見守り\n", "見 守り\t安否確認\n", "gl:見守り\t安否確認\n"])
def test_malformed_lines_say_where(tmp_path, line):
    path = tmp_path / "bad.tsv"
    path.write_text("# ok\n" + line, encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:2"):
        read_groups(path)


def test_the_shipped_glossary_parses_and_covers_the_civic_words():
    groups = read_groups(default_path())
    members = {t for terms in groups.values() for t in terms}
    for word in ("見守り", "安否確認", "声かけ", "防災", "災害への備え", "空き家", "空家", "子ども食堂",
                 "こども食堂", "地域食堂", "ごみ出し", "分別", "自治会", "町内会"):
        assert word in members, word


@pytest.mark.sudachi
def test_a_city_can_use_its_own_glossary(tmp_path):
    path = tmp_path / "city.tsv"
    path.write_text("湧水\t湧き水\t清水\n", encoding="utf-8")
    analyzer = Analyzer(glossary=str(path))
    assert GLOSSARY_PREFIX + "湧水" in analyzer("湧き水を守る")
    assert GLOSSARY_PREFIX + "見守り" not in analyzer("見守り")  # the default glossary is not used

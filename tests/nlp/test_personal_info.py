"""The personal-information guard: what residents really write, both ways."""
import pytest

from nlp.personal_info import ADDRESS, EMAIL, PHONE, describe, find_personal_info

# (text, kind, the part that must be reported)
FOUND = [
    ("何かあれば042-471-1234までお電話ください", PHONE, "042-471-1234"),
    ("連絡先：０４２－４７１－１２３４（田中）", PHONE, "０４２－４７１－１２３４"),
    ("携帯は090-1234-5678です", PHONE, "090-1234-5678"),
    ("田中（０９０－１２３４－５６７８）まで", PHONE, "０９０－１２３４－５６７８"),
    ("携帯 ０９０ １２３４ ５６７８ まで", PHONE, "０９０ １２３４ ５６７８"),
    ("夜は09012345678に連絡を", PHONE, "09012345678"),
    ("自治会長(042)471-1234", PHONE, "(042)471-1234"),
    ("電話 042(471)1234", PHONE, "042(471)1234"),
    ("電話は〇四二‐四七一‐一二三四です", PHONE, "〇四二‐四七一‐一二三四"),
    ("〇九〇の一二三四の五六七八に電話して", PHONE, "〇九〇の一二三四の五六七八"),
    ("フリーダイヤル0120-123-456で受付", PHONE, "0120-123-456"),
    ("０１２０−１２−３４５６（無料）", PHONE, "０１２０−１２−３４５６"),
    ("TEL：471-1234（平日のみ）", PHONE, "471-1234"),
    ("電話番号は４７１ー１２３４です", PHONE, "４７１ー１２３４"),
    ("海外からは+81-90-1234-5678", PHONE, "+81-90-1234-5678"),
    ("090一1234一5678（山田）", PHONE, "090一1234一5678"),
    ("℡０４２ー４７１ー１２３４", PHONE, "０４２ー４７１ー１２３４"),
    ("042.471.1234 へどうぞ", PHONE, "042.471.1234"),
    ("メールはtanaka@example.comへ", EMAIL, "tanaka@example.com"),
    ("ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ に送ってください", EMAIL, "ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ"),
    ("tanaka (at) example.co.jp まで", EMAIL, "tanaka (at) example.co.jp"),
    ("yamada.hanako@gmail.com に返信を", EMAIL, "yamada.hanako@gmail.com"),
    ("佐藤さんの家は滝山1-2-3です", ADDRESS, "滝山1-2-3"),
    ("滝山一丁目2番3号の前の道路", ADDRESS, "滝山一丁目2番3号"),
    ("３丁目５番地の１０の空き家", ADDRESS, "３丁目５番地の１０"),
    ("東久留米市滝山２－３－４の角", ADDRESS, "東久留米市滝山２－３－４"),
    ("本町 2-3-4 の家の前", ADDRESS, "本町 2-3-4"),
    ("南町3丁目14-2のお宅", ADDRESS, "南町3丁目14-2"),
    ("滝山団地2-3-405に住む方", ADDRESS, "滝山団地2-3-405"),
    ("中央町5-12の家の塀", ADDRESS, "中央町5-12"),
    ("大字小川123番地の4", ADDRESS, "大字小川123番地の4"),
    ("山田様方 鈴木", ADDRESS, "山田様方"),
    ("〇〇様方に住んでいます", ADDRESS, "〇〇様方"),
    ("コーポ滝山203号室の方", ADDRESS, "滝山203号室"),
    ("滝山二丁目十五番八号", ADDRESS, "滝山二丁目十五番八号"),
    ("滝山1の2の3の角", ADDRESS, "滝山1の2の3"),
    ("上の原１ー２ー３の空き地", ADDRESS, "上の原１ー２ー３"),
    ("夜は090 - 1234 - 5678へ", PHONE, "090 - 1234 - 5678"),
    ("03(1234)5678（自宅）", PHONE, "03(1234)5678"),
    ("電話：０４２（４７１）１２３４", PHONE, "０４２（４７１）１２３４"),
    ("自宅は2-15-8です", ADDRESS, "2-15-8"),
    ("滝山団地4-205の前", ADDRESS, "滝山団地4-205"),
    ("tanaka あっとまーく example.com", EMAIL, "tanaka あっとまーく example.com"),
    ("東久留米市滝山四丁目一番十号", ADDRESS, "東久留米市滝山四丁目一番十号"),
    ("佐藤様方の塀が壊れている", ADDRESS, "佐藤様方"),
    ("滝山一丁目一番地の3", ADDRESS, "滝山一丁目一番地の3"),
    ("東京都目黒区鷹番3-4-18八雲ビル", ADDRESS, "東京都目黒区鷹番3-4-18"),
    ("六本木6-10-1の前", ADDRESS, "六本木6-10-1"),
    ("ひばりが丘団地1-3-102号室", ADDRESS, "丘団地1-3-102号室"),
    ("鈴木 様方", ADDRESS, "鈴木 様方"),
    ("下里七丁目十番地の五", ADDRESS, "下里七丁目十番地の五"),
    ("携帯電話：０９０（１２３４）５６７８", PHONE, "０９０（１２３４）５６７８"),
    ("ＴＥＬ ０４２４７１１２３４", PHONE, "０４２４７１１２３４"),
]

PASSED = [
    "2024年4月1日に開催します",
    "10時〜12時まで集会所で",
    "参加費は1,200円です",
    "3人で見回りをしました",
    "滝山2丁目の交差点が危ない",
    "第3回の会議で話し合いました",
    "賛成は65%でした",
    "4-5月ごろに草が伸びます",
    "2024/04/01から",
    "3丁目5番付近のバス停",
    "国道16号沿いの歩道",
    "110番通報しました",
    "119番に電話した",
    "一番困っているのはごみ出しです",
    "一番地域に近い公園",
    "一人暮らしの高齢者が増えています",
    "電話で相談しました",
    "メールで連絡ください",
    "参加費@500円",
    "第2土曜日の朝",
    "3-4人のグループで",
    "2-3日おきに",
    "滝山団地の3号棟の前",
    "令和6年度の予算",
    "12/25のクリスマス会",
    "7:30集合",
    "0.5km先の公園",
    "約1000世帯が住んでいます",
    "〒203-0033の地域",
    "地域の皆様方にお願いします",
    "皆さん方のご協力を",
    "午前9時-午後3時",
    "2024-04-01に実施",
    "平成30-31年度の事業",
    "1号線のバスが減った",
    "5番目の議題",
    "1丁目から3丁目まで",
    "電話受付 10:00-17:00",
    "平日9-17時",
    "20-30代の子育て世帯",
    "気温30-35度の日が続く",
    "500-1000円の寄付",
    "会員番号0012345678",
    "小学1-3年生が対象",
    "町内会の1-2-3班",
    "子育て支援は市政の一丁目一番地です",
    "資料3-2-1を参照してください",
    "第5条1-2項のとおり",
    "近所の奥様方が集まって",
    "保護者様方へのお知らせ",
    "電話番号は090-〇〇〇〇-〇〇〇〇のように書きます",
    "2番地区の集会",
    "南沢５丁目１７番のバス停",
    "滝山1-3丁目で回覧",
    "ステップ1-2-3で体操",
    "3丁目1番のバス停付近",
    "1号棟と2号棟の間",
    "１２月２４日（日）午前１０時",
    "1-2ヶ月に一度",
    "県道234号線",
]


@pytest.mark.parametrize("text, kind, part", FOUND)
def test_finds_personal_information(text, kind, part):
    found = find_personal_info(text)
    assert [(f.kind, f.text) for f in found] == [(kind, part)]
    assert text[found[0].start:found[0].end] == part


@pytest.mark.parametrize("text", PASSED)
def test_passes_ordinary_text(text):
    assert find_personal_info(text) == []


def test_tables_are_large_enough_both_ways():
    assert len(FOUND) >= 30 and len(PASSED) >= 30


def test_several_findings_in_text_order_with_japanese_labels_and_explanations():
    text = "住所は滝山1-2-3、電話は042-471-1234、メールはa.b@example.jpです"
    found = find_personal_info(text)
    assert [f.kind for f in found] == [ADDRESS, PHONE, EMAIL]
    assert [f.label for f in found] == ["番地までの住所", "電話番号", "メールアドレス"]
    assert all(f.explanation.endswith("。") for f in found)
    message = describe(found)
    assert "電話番号（042-471-1234）" in message and "番地までの住所（滝山1-2-3）" in message


def test_describe_empty_and_limited():
    assert describe([]) == ""
    text = " ".join(f"090-1234-567{i}" for i in range(5))
    assert describe(find_personal_info(text), limit=2).count("電話番号") == 2
    assert "ほか3件" in describe(find_personal_info(text), limit=2)


def test_empty_text():
    assert find_personal_info("") == []


# ---------------------------------------------------------------- NGワード (find_words)
WORDS = ["バカ", "ＳＰＡＭ", "死ね", "パチンコ"]
WORD_FOUND = [
    ("あいつはバカだ", "バカ"),
    ("あいつはばかだ", "ばか"),
    ("あいつはﾊﾞｶだ", "ﾊﾞｶ"),
    ("spamの広告", "spam"),
    ("Ｓｐａｍです", "Ｓｐａｍ"),
    ("お前なんか死ね", "死ね"),
    ("ﾊﾟﾁﾝｺ店の新装開店", "ﾊﾟﾁﾝｺ"),
    ("ぱちんこ屋の宣伝", "ぱちんこ"),
]
WORD_PASSED = ["見守りをお願いします", "しねん（思念）", "スパムではありません", "パチパチと拍手", "ばら園"]


@pytest.mark.parametrize("text, part", WORD_FOUND)
def test_listed_words_are_found_in_any_width_or_kana(text, part):
    from nlp.personal_info import NG_WORD, find_words, normalize_word

    found = find_words(text, [normalize_word(w) for w in WORDS])
    assert [(f.kind, f.text) for f in found] == [(NG_WORD, part)]
    assert found[0].label == "NGワード"


@pytest.mark.parametrize("text", WORD_PASSED)
def test_other_text_passes_the_word_list(text):
    from nlp.personal_info import find_words, normalize_word

    assert find_words(text, [normalize_word(w) for w in WORDS]) == []


def test_no_words_no_findings():
    from nlp.personal_info import find_words

    assert find_words("なんでも", []) == [] and find_words("", ["ばか"]) == []

import pytest

from webapp.models import OrgKind

pytestmark = pytest.mark.sudachi


@pytest.fixture
def corpus(factory):
    reporter = factory.user()
    welfare = factory.theme("health_welfare")
    return dict(
        shokudo=factory.organization(name="みんなの食堂", description="子供たちに温かいごはんを出す食堂です。",
                                     towns=("滝山",), theme_ids=[factory.theme("child_development").id]),
        cafe=factory.organization(name="えんがわ", description="誰でも立ち寄れるコミュニティカフェを開いています。",
                                  towns=("南沢",)),
        jichikai=factory.organization(name="滝山自治会", kind=OrgKind.TERRITORIAL,
                                      description="お年寄りの見守りを続けている自治会です。", towns=("滝山",),
                                      theme_ids=[welfare.id]),
        issue=factory.issue(reporter=reporter, title="こどもが遊べる場所がほしい", town="南沢",
                            body="公園が少なく、放課後に集まれる場所がありません。"),
    )


def _titles(client, query, **params):
    from urllib.parse import urlencode

    html = client.get("/search/?" + urlencode({"q": query, **params})).get_data(as_text=True)
    return html


def test_kana_kanji_variants_find_each_other(client, corpus):
    html = _titles(client, "子ども")
    assert "みんなの食堂" in html  # written 子供
    assert "こどもが遊べる場所がほしい" in html  # written こども


def test_half_width_katakana_finds_full_width(client, corpus):
    assert "えんがわ" in _titles(client, "ｺﾐｭﾆﾃｨ")


def test_words_must_all_match(client, corpus):
    html = _titles(client, "子供 カフェ")
    assert "みんなの食堂" not in html and "えんがわ" not in html  # each has only one of the words
    assert "見つかりませんでした" in _titles(client, "子供 詐欺")


def test_synonyms_and_the_glossary_bridge_words(client, corpus):
    assert "滝山自治会" in _titles(client, "高齢者")  # written お年寄り


def test_filters_by_kind_town_and_theme(client, corpus, factory):
    assert "こどもが遊べる" not in _titles(client, "子ども", type="organization")
    assert "みんなの食堂" not in _titles(client, "子ども", type="issue")
    assert "みんなの食堂" not in _titles(client, "子ども", area=factory.area("南沢").id)
    assert "滝山自治会" not in _titles(client, "見守り", kind="thematic")
    assert "滝山自治会" in _titles(client, "見守り", theme=factory.theme("health_welfare").id)


def test_an_edited_profile_is_found_on_the_next_search(client, corpus, factory, db):
    from webapp.models import OrganizationCreate
    from webapp.services import organizations as org_service

    assert "えんがわ" not in _titles(client, "防災")
    data = org_service.profile_form_data(db, org_id=corpus["cafe"].id)
    org_service.update_organization(db, org_id=corpus["cafe"].id,
                                    data=OrganizationCreate(**{**data.model_dump(), "offers": "防災の勉強会も開きます。"}))
    db.commit()
    assert "えんがわ" in _titles(client, "防災")


def test_empty_and_hostile_queries_are_harmless(client, corpus):
    for query in ["", "   ", "<script>alert(1)</script>", "％", "\x00", "a" * 100]:
        response = client.get("/search/", query_string={"q": query})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_results_are_paginated(client, factory):
    for n in range(23):
        factory.organization(name=f"防災の会{n:02d}", description="防災訓練をしています。")
    first = _titles(client, "防災")
    assert "全23件" in first and first.count('class="card"') == 20


def test_readings_find_each_other_below_matches_as_written(client, factory):
    reporter = factory.user()
    factory.issue(reporter=reporter, title="ゴミ置き場が荒らされる", body="カラスが袋を破る。")
    factory.issue(reporter=reporter, title="ごみの分別がわからない", body="引っ越してきたばかりです。")
    factory.issue(reporter=reporter, title="雪かきの人手", body="坂道が凍って危ない。")
    html = _titles(client, "ごみ")
    assert "ゴミ置き場が荒らされる" in html and "ごみの分別がわからない" in html
    assert html.index("ごみの分別がわからない") < html.index("ゴミ置き場が荒らされる")  # as written first
    html = _titles(client, "ゴミ")
    assert html.index("ゴミ置き場が荒らされる") < html.index("ごみの分別がわからない")
    assert "雪かきの人手" in _titles(client, "ゆきかき")
    assert "雪かきの人手" not in _titles(client, "ゆきだるま")


def test_an_overlong_query_is_refused_in_japanese_next_to_the_field(client, corpus):
    response = client.get("/search/", query_string={"q": "子ども" * 34})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "100文字以内で入力してください（いま102文字）" in html and 'id="q-error"' in html
    assert 'maxlength="100"' in html


@pytest.mark.slow
def test_a_url_too_long_for_the_server_gets_the_apps_japanese_page(live_server):
    import urllib.error
    import urllib.request
    from urllib.parse import quote

    for url, headers, status in [(live_server + "/search/?q=" + quote("ご" * 1000), {}, 414),
                                 (live_server + "/", {"Cookie": "x=" + "a" * 9000}, 431)]:
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == status
            html = error.read().decode("utf-8")
            assert "<html lang=\"ja\">" in html and f"エラーコード: {status}" in html
        else:
            raise AssertionError(f"{status} expected")
    # 600 characters still reach the app, which explains the limit itself.
    try:
        urllib.request.urlopen(live_server + "/search/?q=" + quote("ご" * 600), timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 422 and "100文字以内" in error.read().decode("utf-8")
    else:
        raise AssertionError("422 expected")

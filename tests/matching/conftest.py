"""A small fictional city for matching tests: towns on a line 1 km apart, a few organizations and
issues written for these tests (not the evaluation data)."""
from __future__ import annotations

import pytest

from matching import IssueProfile, OrgProfile, Town

# Towns along a parallel: 0.009° of latitude is about 1 km.
TOWNS = [Town(name, 35.75 + 0.009 * i, 139.52) for i, name in
         enumerate(["東町", "西町", "南町", "北町", "中町"])]

ORGS = [
    OrgProfile("t1", "territorial", "東町自治会", "東町の約300世帯の自治会です。高齢の一人暮らしが増えました。",
               "集会所を貸し出せます。", "高齢者の見守りをしてくれる団体を探しています。", ("東町",)),
    OrgProfile("t2", "territorial", "西町町内会", "西町の町内会。子どもの数が減り、祭りの担い手がいません。",
               "会館の和室を使えます。", "子どもの登下校を見守ってくれる団体を求めています。", ("西町",)),
    OrgProfile("t3", "territorial", "中町団地自治会", "中町の団地。外国籍の住民が増えています。",
               "集会所の会議室を無料で提供します。", "通訳や日本語教室を紹介してほしいです。", ("中町",)),
    OrgProfile("p1", "thematic", "見守りボランティアの会", "一人暮らしのお年寄りを訪問し、安否確認と話し相手をしています。",
               "訪問ボランティアの派遣。", "集会所を貸してくれる自治会を探しています。", ("東町", "西町")),
    OrgProfile("p2", "thematic", "子ども食堂ひまわり", "月に2回、子どもたちに温かい夕食を出しています。",
               "食事の提供と居場所づくり。", "調理ボランティアと会場。", ("西町", "南町")),
    OrgProfile("p3", "thematic", "日本語教室ことば", "外国人住民のための日本語教室を開いています。",
               "日本語の学習支援と通訳。", "会場を提供してくれる団体。", ("東町", "西町", "南町", "北町", "中町")),
    OrgProfile("p4", "thematic", "通学路見守り隊", "小学生の登下校を交差点で見守っています。",
               "見守りボランティアの派遣。", "一緒に立ってくれる担い手。", ("西町",)),
    OrgProfile("p5", "thematic", "防災ネット", "防災訓練の企画と備蓄の点検を手伝います。",
               "防災講座の講師。", "訓練に参加してくれる自治会。", ("北町",)),
]

ISSUES = [
    IssueProfile("i1", "一人暮らしの祖母が心配", "東町で一人暮らしをしている祖母の様子を、ときどき見に来てくれる人はいませんか。", "東町"),
    IssueProfile("i2", "子どもの夕飯", "西町で、夜に子どもだけでごはんを食べている家があります。食堂のような場所はありますか。", "西町"),
    IssueProfile("i3", "隣の外国人家族", "中町の団地で、隣のベトナム人の家族が日本語を勉強したいと言っています。", "中町"),
]


@pytest.fixture(scope="session")
def fitted_index():
    from matching import MatchingIndex

    return MatchingIndex().fit(ORGS, ISSUES, TOWNS)

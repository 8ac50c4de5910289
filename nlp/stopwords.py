"""Content words too common to tell two civic texts apart (compared as Sudachi normalized forms)."""
from __future__ import annotations

# Kept as one block of text so the list stays easy to read and extend.
STOP_WORDS = frozenset(
    """
    する ある いる なる できる おる 居る 成る 出来る 思う 言う 行う 為る 有る 致す 下さる くださる 頂く
    貰う 見る 来る 行く 良い 好い 無い 多い 少ない 宜しい 欲しい 考える 持つ 使う 分かる
    こと 事 もの 物 者 ため 為 よう 様 ところ 所 とき 時 方 人 皆 皆さん 方々 的 等 など 他 ほか
    中 内 上 下 前 後 間 際 場合 感じ 辺り 方法 自分 今 今回 最近 毎日 毎週 現在 以上 以下
    一つ 二つ 一 二 三 何 誰 ここ そこ これ それ あれ 本当 大変 非常 とても 全て 全部 色々 様々
    お願い 是非 ぜひ 何卒 予定 思い 気 点 形 面 件 回 度 月 日 年 週 毎 頃
    """.split()  # noqa: SIM905
)

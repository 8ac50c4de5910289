"""What the analyzer knows of each word, worked out once per process and word, and the loop that
runs once per morpheme.

The analyzer tokenizes with only the part-of-speech field (`sudachi.FAST_FIELDS`): reading the
normalized form, synonyms and split of every morpheme made Sudachi's own `tokenize` take 23–30 %
longer (docs/BENCHMARKS.md), and all
three are properties of the word, the same at every occurrence. So a word's entry is built the
first time its word id is met, from the dictionary's own record of it (`Dictionary.lookup`), and
reused afterwards (docs/NLP.md, "Speed").
"""
from __future__ import annotations

from typing import NamedTuple

from . import sudachi
from .stopwords import STOP_WORDS

SYNONYM_PREFIX = "syn:"

# Kinds of word, as bits of an entry's `kind`; 0 (particles, symbols, numerals, stop words) is
# the common case.
CONTENT = 1  # a content word: its features go out
NOUN = 2     # may continue a noun compound
PREFIX = 4   # may start a noun compound


class Entry(NamedTuple):
    """What the analyzer needs of one word: its normalized form, kind and features (the word,
    its synonym groups, its mode-A parts) and how many of the features are parts."""

    norm: str
    kind: int
    features: tuple[str, ...]
    n_parts: int


class PosClasses:
    """Part-of-speech ids sorted into the classes the analyzer needs, built once per process."""

    def __init__(self):
        table = sudachi.pos_table()
        content, noun_like, prefix, numeral = set(), set(), set(), set()
        for pid, pos in enumerate(table):
            head, sub = pos[0], pos[1]
            if (head == "名詞" and sub in ("普通名詞", "固有名詞")) or (
                head in ("動詞", "形容詞") and sub == "一般"
            ) or (head == "形状詞" and sub in ("一般", "タリ")):
                content.add(pid)
            if head == "名詞" and sub in ("普通名詞", "固有名詞") or pos[:2] == ("接尾辞", "名詞的"):
                noun_like.add(pid)
            if head == "接頭辞":
                prefix.add(pid)
            if pos[:2] == ("名詞", "数詞"):
                numeral.add(pid)
        self.content = frozenset(content)
        self.noun_like = frozenset(noun_like)
        self.prefix = frozenset(prefix)
        self.numeral = frozenset(numeral)
        self.table = table


_pos_cache: dict[int, PosClasses] = {}


def pos_classes() -> PosClasses:
    d = sudachi.dictionary()
    classes = _pos_cache.get(id(d))
    if classes is None:
        _pos_cache.clear()
        classes = _pos_cache[id(d)] = PosClasses()
    return classes


def content_parts(m, norm: str, classes: PosClasses) -> list:
    """The mode-A parts of a content word worth a feature of their own (障害者 → 障害, 通学路 →
    通学: they lift recall measurably). `m` must carry its split (a full-field morpheme)."""
    if len(norm) <= 2:
        return []
    return [s for s in m.split(sudachi.split_mode("A"))
            if s.part_of_speech_id() in classes.content and s.normalized_form() not in STOP_WORDS
            and s.normalized_form() != norm]


class Lexicon:
    """The entries of the words met so far, by Sudachi word id, for one set of options.

    Words the dictionary lacks share one word id per part of speech, so they are kept apart, by
    surface, in a smaller table.
    """

    LIMIT = 1_000_000
    OOV_LIMIT = 100_000

    def __init__(self, parts: bool, synonyms: bool):
        self.parts = parts
        self.synonyms = synonyms
        self.entries: dict[int, Entry] = {}
        self.oov: dict[tuple[int, str], Entry] = {}
        # Part-of-speech ids, like word ids, belong to the dictionary file: kept across forks.
        self.classes: PosClasses | None = None

    def build(self, m) -> Entry:
        """Return the entry of a morpheme that `entries` lacks (and remember it)."""
        if m.is_oov():
            key = (m.word_id(), m.surface())
            entry = self.oov.get(key)
            if entry is None:
                if len(self.oov) > self.OOV_LIMIT:
                    self.oov.clear()
                entry = self.oov[key] = self._entry(m.part_of_speech_id(), _oov_norm(m), None)
            return entry
        if len(self.entries) > self.LIMIT:
            self.entries.clear()
        record = _dictionary_record(m)
        if record is None:  # not found again: no synonyms or parts, but never a wrong word
            entry = self._entry(m.part_of_speech_id(), sudachi.text_normalizer().normalize(
                m.surface()), None)
        else:
            entry = self._entry(record.part_of_speech_id(), record.normalized_form(), record)
        self.entries[m.word_id()] = entry
        return entry

    def _entry(self, pid: int, norm: str, record) -> Entry:
        classes = self.classes
        if classes is None:
            classes = self.classes = pos_classes()
        kind = (NOUN if pid in classes.noun_like else 0) | (PREFIX if pid in classes.prefix else 0)
        feats: list[str] = []
        n_parts = 0
        if pid in classes.content and norm not in STOP_WORDS:
            kind |= CONTENT
            feats.append(norm)
            if record is not None:
                if self.synonyms:
                    feats.extend(SYNONYM_PREFIX + str(g) for g in record.synonym_group_ids())
                if self.parts:
                    parts = [s.normalized_form() for s in content_parts(record, norm, classes)]
                    feats.extend(parts)
                    n_parts = len(parts)
        return Entry(norm, kind, tuple(feats), n_parts)


def _dictionary_record(m):
    """The dictionary's full record (normalized form, synonyms, split) of an in-text morpheme read
    with the part-of-speech field only; None if the dictionary does not give it back."""
    word_id = m.word_id()
    for record in sudachi.dictionary().lookup(m.surface()):
        if record.word_id() == word_id:
            return record
    alone = _read_alone(m.surface())
    return alone if alone is not None and alone.word_id() == word_id else None


def _oov_norm(m) -> str:
    """The normalized form Sudachi gives a word it does not know: its input normalization
    (ＡＢＣ → abc), and for numerals their value (二十 → 20, as a glossary term 20代 needs)."""
    surface = m.surface()
    if m.part_of_speech_id() in pos_classes().numeral:
        alone = _read_alone(surface)
        if alone is not None:
            return alone.normalized_form()
    return sudachi.text_normalizer().normalize(surface)


def _read_alone(surface: str):
    """`surface` read on its own with every field, if Sudachi reads it as one morpheme."""
    full = sudachi.tokenizer("C").tokenize(surface)
    return full[0] if len(full) == 1 else None


_lexicons: dict[tuple, Lexicon] = {}


def lexicon(parts: bool = True, synonyms: bool = True) -> Lexicon:
    # Word ids depend only on the dictionary file (always sudachidict-core here), not on the
    # Dictionary object, so a forked child keeps its parent's warm cache.
    key = (parts, synonyms)
    found = _lexicons.get(key)
    if found is None:
        found = _lexicons[key] = Lexicon(parts, synonyms)
    return found


def collect(morpheme_lists, words: Lexicon, compounds: bool, out: list, norms: list) -> None:
    """Append the features of the morphemes in `morpheme_lists` to `out` and every morpheme's
    normalized form to `norms`."""
    run: list[str] = []  # normalized forms of the current noun compound
    get, build = words.entries.get, words.build
    append_norm = norms.append
    extend = out.extend
    for morphemes in morpheme_lists:
        for m in morphemes:
            entry = get(m.word_id())
            if entry is None:
                entry = build(m)
            norm = entry[0]
            append_norm(norm)
            kind = entry[1]
            if not kind:
                if run:
                    if len(run) > 1:
                        out.append("".join(run))
                    run.clear()
                continue
            if compounds:
                if kind & NOUN or (kind & PREFIX and not run):
                    run.append(norm)
                elif run:
                    if len(run) > 1:
                        out.append("".join(run))
                    run.clear()
            if kind & CONTENT:
                extend(entry[2])
    if len(run) > 1:
        out.append("".join(run))


def norms(text: str, mode: str = "C") -> list[tuple[int, int, str]]:
    """`(begin, end, normalized form)` of every morpheme of `text`, exactly as the analyzer sees
    them (the glossary registers its terms with this)."""
    found = lexicon(False, False)
    get, build = found.entries.get, found.build
    out = []
    for m in sudachi.tokenizer(mode, sudachi.FAST_FIELDS).tokenize(text):
        entry = get(m.word_id()) or build(m)
        out.append((m.begin(), m.end(), entry.norm))
    return out

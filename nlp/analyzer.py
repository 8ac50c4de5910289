"""Sudachi analysis: content words as normalized forms, compounds and their parts, synonym ids."""
from __future__ import annotations

from typing import NamedTuple

from . import sudachi
from .normalize import DEFAULT_MAX_LENGTH, clean
from .stopwords import STOP_WORDS

SYNONYM_PREFIX = "syn:"
GLOSSARY_PREFIX = "gl:"
# Features that are not words the author wrote start with one of these prefixes. Sudachi never
# yields ":" inside a word, so no written word can collide with them.
EXPANSION_PREFIXES = (SYNONYM_PREFIX, GLOSSARY_PREFIX)


class Token(NamedTuple):
    """One content word as written (`surface`) and as compared (`normalized`)."""

    surface: str
    normalized: str
    pos: tuple[str, ...]
    synonym_ids: tuple[int, ...]


class _PosClasses:
    """Part-of-speech ids sorted into the classes the analyzer needs, built once per process."""

    def __init__(self):
        table = sudachi.pos_table()
        content, noun_like, prefix = set(), set(), set()
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
        self.content = frozenset(content)
        self.noun_like = frozenset(noun_like)
        self.prefix = frozenset(prefix)
        self.table = table


_pos_cache: dict[int, _PosClasses] = {}


def _pos_classes() -> _PosClasses:
    d = sudachi.dictionary()
    classes = _pos_cache.get(id(d))
    if classes is None:
        _pos_cache.clear()
        classes = _pos_cache[id(d)] = _PosClasses()
    return classes


class Analyzer:
    """Picklable callable `text -> list[str]` of features for vectorizers.

    Features are content words (Sudachi normalized form), noun compounds joined whole, their
    mode-A parts, and with `synonyms=True` the Sudachi synonym groups (`syn:ID`) and city-glossary
    groups (`gl:NAME`). The dictionary loads on first call; copies are safe after fork.
    """

    def __init__(self, *, mode="C", compounds=True, parts=True, synonyms=True, glossary="default",
                 max_length=DEFAULT_MAX_LENGTH):
        self.mode = mode
        self.compounds = compounds
        self.parts = parts
        self.synonyms = synonyms
        self.glossary = glossary
        self.max_length = max_length

    def __repr__(self) -> str:
        return (f"Analyzer(mode={self.mode!r}, compounds={self.compounds}, parts={self.parts}, "
                f"synonyms={self.synonyms}, glossary={self.glossary!r})")

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash(repr(self))

    def _glossary(self):
        from .glossary import load_glossary

        return None if self.glossary is None else load_glossary(self.glossary)

    def __call__(self, text: str) -> list[str]:
        return self._run(text, None)

    def features(self, text: str, *, normalized: bool = False) -> list[str]:
        """Same as calling the analyzer; `normalized=True` promises `text` is already the output
        of `nlp.normalize` (as in the vectorizer), which skips cleaning it again."""
        return self._run(text, None, normalized)

    def tokens(self, text: str) -> list[Token]:
        """Return the content words of `text` in order, with surface, normalized form and POS."""
        classes = _pos_classes()
        morphemes = sudachi.SudachiTokenizer(self.mode)(clean(text, max_length=self.max_length))
        table = classes.table
        return [
            Token(m.surface(), m.normalized_form(), table[m.part_of_speech_id()],
                  tuple(m.synonym_group_ids()))
            for m in morphemes
            if m.part_of_speech_id() in classes.content and m.normalized_form() not in STOP_WORDS
        ]

    def features_with_surfaces(self, text: str) -> list[tuple[str, str]]:
        """Return `(feature, surface as written)` pairs: what `__call__` yields, with their source."""
        surfaces: list[str] = []
        feats = self._run(text, surfaces)
        return list(zip(feats, surfaces))

    def _run(self, text: str, surfaces: list[str] | None, normalized: bool = False) -> list[str]:
        # Sudachi folds width and NFKC itself, so only what would break or mislead it is removed;
        # surfaces then stay as written.
        if not normalized:
            text = clean(text, max_length=self.max_length)
        if not text:
            return []
        lexicon = _lexicon(self.parts, self.synonyms)
        lookup, build = lexicon.get, _Entry.build
        glossary = self._glossary() if self.synonyms else None
        want_compounds = self.compounds
        out: list[str] = []
        extend = out.extend
        run: list[str] = []       # normalized forms of the current noun compound
        run_surface: list[str] = []
        norms: list[str] = []
        offsets: list[int] = []
        norms_append = norms.append
        for chunk_start, morphemes in _tokenized(self.mode, text):
            for m in morphemes:
                entry = lookup(m.word_id())
                if entry is None:
                    entry = build(m, lexicon, self.parts, self.synonyms)
                norm = entry[0]
                norms_append(norm)
                kind = entry[1]
                if surfaces is not None:
                    surface = m.surface()
                    offsets.append(chunk_start + m.begin())
                if not kind:  # particles, symbols, numerals, stop words: the common case
                    if run:
                        if len(run) > 1:
                            out.append("".join(run))
                            if surfaces is not None:
                                surfaces.append("".join(run_surface))
                        run.clear()
                        run_surface.clear()
                    continue
                if want_compounds:
                    if kind & _NOUN or (kind & _PREFIX and not run):
                        run.append(norm)
                        if surfaces is not None:
                            run_surface.append(surface)
                    elif run:
                        if len(run) > 1:
                            out.append("".join(run))
                            if surfaces is not None:
                                surfaces.append("".join(run_surface))
                        run.clear()
                        run_surface.clear()
                if kind & _CONTENT:
                    feats = entry[2]
                    extend(feats)
                    if surfaces is not None:
                        part_surfaces = entry[3]
                        surfaces.extend([surface] * (len(feats) - len(part_surfaces)))
                        surfaces.extend(part_surfaces)
        if len(run) > 1:
            out.append("".join(run))
            if surfaces is not None:
                surfaces.append("".join(run_surface))
        if glossary is not None:
            for group, start, end in glossary.find(norms):
                out.append(GLOSSARY_PREFIX + group)
                if surfaces is not None:
                    stop = offsets[end] if end < len(offsets) else len(text)
                    surfaces.append(text[offsets[start]:stop].strip())
        return out


def _tokenized(mode, text):
    tokenize = sudachi.tokenizer(mode).tokenize
    start = 0
    for piece in sudachi.chunks(text):
        yield start, tokenize(piece)
        start += len(piece)


_CONTENT, _NOUN, _PREFIX = 1, 2, 4


class _Entry(NamedTuple):
    """What the analyzer needs of one dictionary word, computed once per process."""

    norm: str
    kind: int
    features: tuple[str, ...]
    part_surfaces: tuple[str, ...]

    @staticmethod
    def build(m, lexicon: dict, parts: bool, synonyms: bool) -> _Entry:
        classes = _pos_classes()
        pid = m.part_of_speech_id()
        norm = m.normalized_form()
        kind = (_NOUN if pid in classes.noun_like else 0) | (_PREFIX if pid in classes.prefix else 0)
        feats: list[str] = []
        part_surfaces: list[str] = []
        if pid in classes.content and norm not in STOP_WORDS:
            kind |= _CONTENT
            feats.append(norm)
            if synonyms:
                feats.extend(SYNONYM_PREFIX + str(g) for g in m.synonym_group_ids())
            # Mode-A parts of long words (障害者 → 障害, 通学路 → 通学) lift recall measurably.
            if parts and len(norm) > 2:
                for s in m.split(sudachi.split_mode("A")):
                    snorm = s.normalized_form()
                    if (s.part_of_speech_id() in classes.content and snorm not in STOP_WORDS
                            and snorm != norm):
                        part_surfaces.append(s.surface())
                        feats.append(snorm)
        entry = _Entry(norm, kind, tuple(feats), tuple(part_surfaces))
        if not m.is_oov():
            if len(lexicon) > _LEXICON_LIMIT:
                lexicon.clear()
            lexicon[m.word_id()] = entry
        return entry


_LEXICON_LIMIT = 1_000_000
_lexicons: dict[tuple, dict] = {}


def _lexicon(parts: bool, synonyms: bool) -> dict:
    # Word ids depend only on the dictionary file (always sudachidict-core here), not on the
    # Dictionary object, so a forked child keeps its parent's warm cache.
    key = (parts, synonyms)
    lexicon = _lexicons.get(key)
    if lexicon is None:
        lexicon = _lexicons[key] = {}
    return lexicon

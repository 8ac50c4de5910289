"""Sudachi analysis: content words as normalized forms, compounds and their parts, synonym ids."""
from __future__ import annotations

from typing import NamedTuple

from . import sudachi
from .lexicon import (
    CONTENT,
    NOUN,
    PREFIX,
    SYNONYM_PREFIX,
    collect,
    content_parts,
    lexicon,
    pos_classes,
)
from .normalize import DEFAULT_MAX_LENGTH, clean
from .stopwords import STOP_WORDS

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
        classes = pos_classes()
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
        words = lexicon(self.parts, self.synonyms)
        tokenize = sudachi.tokenizer(self.mode, sudachi.FAST_FIELDS).tokenize
        chunks = list(sudachi.chunks(text))
        pieces = [tokenize(chunk) for chunk in chunks]
        out: list[str] = []
        norms: list[str] = []
        if surfaces is None:
            collect(pieces, words, self.compounds, out, norms)
            offsets: list[int] = []
        else:
            offsets = self._collect_with_surfaces(chunks, pieces, words, out, norms, surfaces)
        glossary = self._glossary() if self.synonyms else None
        if glossary is not None:
            for group, start, end in glossary.find(norms):
                out.append(GLOSSARY_PREFIX + group)
                if surfaces is not None:
                    stop = offsets[end] if end < len(offsets) else len(text)
                    surfaces.append(text[offsets[start]:stop].strip())
        return out

    def _collect_with_surfaces(self, chunks, pieces, words, out, norms, surfaces) -> list[int]:
        """`collect` that also records where each feature was written, for explanations (not
        bulk analysis); returns each morpheme's offset in the text."""
        run: list[str] = []
        run_surface: list[str] = []
        offsets: list[int] = []
        chunk_start = 0
        full_tokenize = sudachi.tokenizer(self.mode).tokenize
        classes = pos_classes()

        def flush():
            if len(run) > 1:
                out.append("".join(run))
                surfaces.append("".join(run_surface))
            run.clear()
            run_surface.clear()

        for chunk, morphemes in zip(chunks, pieces):
            written = None  # the same chunk with every field, for the parts as written
            for m in morphemes:
                entry = words.entries.get(m.word_id()) or words.build(m)
                norm, kind, feats, n_parts = entry
                norms.append(norm)
                surface = m.surface()
                offsets.append(chunk_start + m.begin())
                if self.compounds:
                    if kind & NOUN or (kind & PREFIX and not run):
                        run.append(norm)
                        run_surface.append(surface)
                    else:
                        flush()
                if kind & CONTENT:
                    out.extend(feats)
                    surfaces.extend([surface] * (len(feats) - n_parts))
                    if n_parts:
                        if written is None:
                            written = {(w.begin(), w.end()): w for w in full_tokenize(chunk)}
                        surfaces.extend(_part_surfaces(written.get((m.begin(), m.end())),
                                                       feats[-n_parts:], classes))
            chunk_start += len(chunk)
        flush()
        return offsets


def _part_surfaces(m, part_norms, classes) -> list[str]:
    """The mode-A parts of `m` as written (ＦＭ放送 → ＦＭ), or their normalized forms if the
    full reading of the text segments it otherwise."""
    if m is not None:
        found = [s.surface() for s in content_parts(m, m.normalized_form(), classes)]
        if len(found) == len(part_norms):
            return found
    return list(part_norms)

"""The text vectorizer: written words, their synonym groups, character n-grams and word vectors."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

from .analyzer import Analyzer
from .bulk import analyze_many
from .charngrams import CharNgramCounter
from .lsa import LSA
from .normalize import normalize
from .saved_vectorizer import BLOCKS
from .saved_vectorizer import dense_to_csr as _dense_to_csr
from .saved_vectorizer import split_expansions as _split


def _identity(features):
    return features


class TextVectorizer(TransformerMixin, BaseEstimator):
    """Japanese text → one row per text; the dot product of two rows is their similarity.

    Each row joins four blocks, each of unit length and scaled by the square root of its weight,
    so `X @ Y.T` is the weighted sum of the blocks' cosines (weights are normalized to sum to 1):
    word TF-IDF over Sudachi content words, TF-IDF over synonym and glossary groups (expanded
    terms, weighted below written words), character n-gram TF-IDF, and the idf-weighted mean of
    chiVe word vectors (centered). With `n_components`, the rows are instead projected by LSA
    (`nlp.lsa.LSA`) to that many dense dimensions, normalized to unit length.
    """

    def __init__(self, *, analyzer=None, word_weight=0.2, synonym_weight=0.2, char_weight=0.35,
                 semantic_weight=0.35, char_ngram_range=(1, 2), min_df=1, max_df=1.0,
                 sublinear_tf=True, semantic="auto", n_components=None, n_jobs=1,
                 progress=False, random_state=0):
        self.analyzer = analyzer
        self.word_weight = word_weight
        self.synonym_weight = synonym_weight
        self.char_weight = char_weight
        self.semantic_weight = semantic_weight
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.semantic = semantic
        self.n_components = n_components
        self.n_jobs = n_jobs
        self.progress = progress
        self.random_state = random_state

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, raw_documents, y=None):
        """Learn vocabularies, idf and the projection from `raw_documents` (an iterable of str)."""
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        texts = self._texts(raw_documents)
        weights = self._weights()
        analyzed = self._analyze(texts) if weights["word"] or weights["synonym"] \
            or weights["semantic"] else [[] for _ in texts]
        split = [_split(f) for f in analyzed]
        self.word_vectorizer_ = self._tfidf().fit([w for w, _ in split]) if weights["word"] \
            or weights["semantic"] else None
        self.synonym_vectorizer_ = self._tfidf().fit([e for _, e in split]) \
            if weights["synonym"] else None
        if weights["char"]:
            self.char_counter_ = CharNgramCounter(self.char_ngram_range, self.min_df, self.max_df)
            counts = self.char_counter_.fit_transform(texts)
            self.char_tfidf_ = TfidfTransformer(sublinear_tf=self.sublinear_tf).fit(counts)
        else:
            self.char_counter_ = self.char_tfidf_ = None
            counts = None
        self.semantic_ = self._semantic_available() if weights["semantic"] else False
        self.word_vectors_ = None
        self.semantic_mean_ = None
        if self.semantic_:
            from .wordvectors import load_word_vectors

            vocab = self.word_vectorizer_.get_feature_names_out()
            self.word_vectors_ = load_word_vectors().vectors(vocab)
            raw = self._semantic_raw(split)
            self.semantic_mean_ = raw.mean(axis=0) if len(raw) else np.zeros(raw.shape[1])
        self.weights_ = {k: (v if k != "semantic" or self.semantic_ else 0.0)
                         for k, v in weights.items()}
        total = sum(self.weights_.values()) or 1.0
        self.weights_ = {k: v / total for k, v in self.weights_.items()}
        X = self._combine(split, counts)
        self.lsa_ = None
        if self.n_components:
            self.lsa_ = LSA(self.n_components, random_state=self.random_state).fit(X)
            return self.lsa_.transform(X)
        return X

    def transform(self, raw_documents):
        """Return the rows for `raw_documents`: a CSR matrix, or a dense array with `n_components`."""
        check_is_fitted(self, "weights_")
        texts = self._texts(raw_documents)
        if not texts:
            # scikit-learn's transformers refuse zero rows; keep the column count.
            return self.transform([""])[:0]
        w = self.weights_
        analyzed = self._analyze(texts) if w["word"] or w["synonym"] or w["semantic"] \
            else [[] for _ in texts]
        split = [_split(f) for f in analyzed]
        counts = self.char_counter_.transform(texts) if self.char_counter_ is not None else None
        X = self._combine(split, counts)
        if self.lsa_ is not None:
            return self.lsa_.transform(X)
        return X

    def get_feature_names_out(self, input_features=None):
        """Feature names, prefixed by block (`word:`, `syn:`/`gl:`, `char:`, `semantic:`)."""
        check_is_fitted(self, "weights_")
        if self.lsa_ is not None:
            return np.array([f"lsa{i}" for i in range(self.lsa_.n_components_)], dtype=object)
        names = []
        if self.weights_["word"]:
            names += ["word:" + n for n in self.word_vectorizer_.get_feature_names_out()]
        if self.weights_["synonym"]:
            names += list(self.synonym_vectorizer_.get_feature_names_out())
        if self.weights_["char"]:
            names += ["char:" + n for n in self.char_counter_.get_feature_names_out()]
        if self.weights_["semantic"]:
            names += [f"semantic:{i}" for i in range(self.word_vectors_.shape[1])]
        return np.array(names, dtype=object)

    # -- saving ------------------------------------------------------------------------------
    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The fitted vectorizer as JSON-able values and named numpy arrays (nothing pickled), for
        `from_state`. Supported without character n-grams and LSA, with the default analyzer
        (the theme models' configuration)."""
        check_is_fitted(self, "weights_")
        if self.char_counter_ is not None or self.lsa_ is not None or self.analyzer is not None:
            raise ValueError("only a vectorizer without char n-grams, LSA or a custom analyzer can be saved")
        params = self.get_params()
        params["char_ngram_range"] = list(params["char_ngram_range"])
        state = {"params": params, "weights_": self.weights_, "semantic_": bool(self.semantic_)}
        arrays = {}
        for block in ("word", "synonym"):
            tfidf = getattr(self, f"{block}_vectorizer_")
            if tfidf is not None:
                vocabulary = tfidf.vocabulary_
                state[block] = sorted(vocabulary, key=vocabulary.__getitem__)
                arrays[f"{block}.idf"] = tfidf.idf_
        if self.semantic_:
            arrays["word_vectors"] = self.word_vectors_
            arrays["semantic_mean"] = self.semantic_mean_
        return state, arrays

    @classmethod
    def from_state(cls, state: dict, arrays) -> TextVectorizer:
        """The vectorizer `to_state` described; it transforms exactly as the one saved."""
        params = dict(state["params"])
        params["char_ngram_range"] = tuple(params["char_ngram_range"])
        self = cls(**params)
        self.weights_ = {k: float(state["weights_"][k]) for k in BLOCKS}
        self.semantic_ = bool(state["semantic_"])
        for block in ("word", "synonym"):
            tfidf = None
            if block in state:
                tfidf = self._tfidf()
                tfidf.vocabulary_ = {term: i for i, term in enumerate(state[block])}
                tfidf.fixed_vocabulary_ = False
                tfidf.idf_ = arrays[f"{block}.idf"]  # checks the length against the vocabulary
                tfidf._tfidf.n_features_in_ = len(tfidf.vocabulary_)
            setattr(self, f"{block}_vectorizer_", tfidf)
        self.char_counter_ = self.char_tfidf_ = self.lsa_ = None
        self.word_vectors_ = arrays["word_vectors"] if self.semantic_ else None
        self.semantic_mean_ = arrays["semantic_mean"] if self.semantic_ else None
        return self

    # -- internals ---------------------------------------------------------------------------
    def _weights(self) -> dict[str, float]:
        weights = {"word": self.word_weight, "synonym": self.synonym_weight,
                   "char": self.char_weight, "semantic": self.semantic_weight}
        if any(v is None or v < 0 for v in weights.values()) or not any(weights.values()):
            raise ValueError("block weights must be >= 0 and not all 0")
        if self.semantic not in ("auto", True, False):
            raise ValueError("semantic must be 'auto', True or False")
        if self.semantic is False:
            weights["semantic"] = 0.0
        return {k: float(v) for k, v in weights.items()}

    def _semantic_available(self) -> bool:
        from . import wordvectors

        # "auto" no longer means "without them if absent": the vectors ship with the package, and
        # a quiet fallback gave other figures (JSTS 0.72 for 0.75) with nobody told.
        wordvectors.load_word_vectors()  # raises VectorsUnavailable with the one message

        return True

    def _texts(self, raw_documents) -> list[str]:
        if isinstance(raw_documents, str):
            # As scikit-learn's text vectorizers do for the same mistake.
            raise ValueError("expected an iterable of texts, got a single str")  # noqa: TRY004
        docs = raw_documents
        if self.progress:
            import sys

            from tqdm import tqdm

            docs = tqdm(raw_documents, desc="normalize", unit="text", file=sys.stderr, leave=False)
        return [normalize(t) if isinstance(t, str) else normalize(str(t)) for t in docs]

    def _analyze(self, texts: list[str]) -> list[list[str]]:
        analyzer = self.analyzer if self.analyzer is not None else Analyzer()
        return analyze_many(texts, analyzer, n_jobs=self.n_jobs, progress=self.progress,
                            normalized=True)

    def _tfidf(self) -> TfidfVectorizer:
        return TfidfVectorizer(analyzer=_identity, token_pattern=None, lowercase=False,
                               min_df=self.min_df, max_df=self.max_df,
                               sublinear_tf=self.sublinear_tf, dtype=np.float32)

    def _semantic_raw(self, split) -> np.ndarray:
        """idf-weighted mean of the unit vectors of each text's distinct words."""
        binary = self.word_vectorizer_.transform([w for w, _ in split])
        binary.data[:] = 1.0
        binary = binary.multiply(self.word_vectorizer_.idf_[None, :].astype(np.float32)).tocsr()
        return l2_normalize(np.asarray(binary @ self.word_vectors_, dtype=np.float32))

    def _combine(self, split, counts) -> sp.csr_matrix:
        w = self.weights_
        n = len(split)
        scale = {k: np.float32(np.sqrt(v)) for k, v in w.items()}
        blocks = []
        if w["word"]:
            blocks.append(self.word_vectorizer_.transform([x for x, _ in split]) * scale["word"])
        if w["synonym"]:
            blocks.append(self.synonym_vectorizer_.transform([e for _, e in split])
                          * scale["synonym"])
        if w["char"]:
            blocks.append(self.char_tfidf_.transform(counts).astype(np.float32) * scale["char"])
        if w["semantic"]:
            raw = self._semantic_raw(split)
            # Centering removes the direction every text shares (frequent words), which otherwise
            # makes all texts look alike; texts without known words stay zero.
            dense = l2_normalize(np.where(np.any(raw, axis=1, keepdims=True),
                                          raw - self.semantic_mean_, 0.0).astype(np.float32))
            blocks.append(_dense_to_csr(dense * scale["semantic"]))
        if not blocks:
            return sp.csr_matrix((n, 0), dtype=np.float32)
        # All blocks are float32 CSR, so scipy stacks them without going through COO.
        return sp.hstack(blocks, format="csr")

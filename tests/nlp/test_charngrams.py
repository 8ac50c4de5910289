import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from nlp.charngrams import CharNgramCounter

texts = st.lists(st.text(alphabet="あいう子供ども食堂 abc\n𠀋", min_size=0, max_size=12),
                 min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(texts, st.sampled_from([(1, 1), (1, 2), (2, 3), (1, 3), (3, 3)]))
def test_same_counts_as_scikit_learn(docs, ngram_range):
    # scikit-learn collapses runs of white space; our input is normalized text, which has none.
    docs = [re.sub(r"\s\s+", " ", d) for d in docs]
    ours = CharNgramCounter(ngram_range)
    theirs = CountVectorizer(analyzer="char", ngram_range=ngram_range, lowercase=False)
    try:
        expected = theirs.fit_transform(docs)
    except ValueError:  # scikit-learn refuses an empty vocabulary
        assert ours.fit_transform(docs).shape[1] == 0
        return
    got = ours.fit_transform(docs)
    names = list(ours.get_feature_names_out())
    assert sorted(names) == sorted(theirs.get_feature_names_out())
    order = [theirs.vocabulary_[n] for n in names]
    assert np.array_equal(got.toarray(), expected.toarray()[:, order])
    assert np.array_equal(ours.transform(docs).toarray(), got.toarray())


def test_document_frequency_cut_offs_and_unknown_ngrams():
    counter = CharNgramCounter((2, 2), min_df=2, max_df=0.9)
    counter.fit(["見守り", "見守る", "守り神", "公園"])
    assert set(counter.get_feature_names_out()) == {"見守", "守り"}
    assert counter.transform(["未知の語"]).nnz == 0

from typing import Any

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from dianti.voices.mining.classify import LearnedClassifier
from dianti.voices.mining.ngrams import CharVocabulary, char_counts

TEXTS = ["雪水港村路灯不亮  晚上\n\n很黑", "A3区 魏家坡小区\t停车难", "", "x", "路灯😀坏了\n", "  前后有空格  ", "全新的字词龘"]


def test_character_counts_are_scikit_learns() -> None:
    vectorizer = CountVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False, dtype=np.float32)
    vectorizer.fit(TEXTS[:5])
    expected = vectorizer.transform(TEXTS)
    counted = char_counts(TEXTS, CharVocabulary.of(vectorizer.vocabulary_))
    assert counted.dtype == np.float32 and counted.shape == expected.shape
    assert (counted != expected).nnz == 0 and counted.nnz == expected.nnz


def _same_csr(a: Any, b: Any) -> bool:
    return bool(a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.indptr, b.indptr)
                and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data))


def test_learned_classifier_features_are_scikit_learns_own_transform_to_the_bit() -> None:
    items = [("路灯不亮", "晚上路灯坏了"), ("河道发臭", "河里有垃圾"), ("学位不够", "孩子入学难")] * 3
    classifier = LearnedClassifier().fit(items, ["城乡建设", "环境保护", "教育文体"] * 3)
    docs = ["路灯  坏了\n河道", "没见过的字 龘", "", " ", "路灯 路灯 路灯\t坏了\u3000 河里"]
    assert _same_csr(classifier._char_features(docs, "chars", "char_lookup"), classifier.chars.transform(docs))
    assert _same_csr(classifier._char_features(docs, "titles", "title_lookup"), classifier.titles.transform(docs))
    assert _same_csr(classifier._word_features(docs), classifier.words.transform(docs))


def test_pairs_beyond_the_dense_table_are_found_by_search(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dianti.voices.mining import ngrams

    vectorizer = CountVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False, dtype=np.float32)
    vectorizer.fit(TEXTS[:5])
    monkeypatch.setattr(ngrams, "PAIR_TABLE_MAX", 0)
    counted = char_counts(TEXTS, CharVocabulary.of(vectorizer.vocabulary_))
    assert (counted != vectorizer.transform(TEXTS)).nnz == 0


def _generated_texts(n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    alphabet = "路灯不亮晚上很黑雪水港村小区停车难垃圾 \t\nAa3区😀龘𠀀"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def _char_tfidf(min_df: int) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=min_df, lowercase=False,
                           dtype=np.float32)


def test_fitting_character_tf_idf_gives_scikit_learns_vectorizer_and_matrix() -> None:
    from dianti.voices.mining.ngrams import fit_char_tfidf

    many, few = _generated_texts(400, 1), _generated_texts(50, 2)
    for texts, min_df in ((TEXTS, 1), (TEXTS, 2), (many, 1), (many, 2), (many, 4), (few, 3)):
        theirs, ours = _char_tfidf(min_df), _char_tfidf(min_df)
        expected, fitted = theirs.fit_transform(texts), fit_char_tfidf(ours, texts)
        assert ours.vocabulary_ == theirs.vocabulary_
        assert np.array_equal(ours.idf_, theirs.idf_) and ours.idf_.dtype == theirs.idf_.dtype
        # the same entries in the same order in each row, so the sums made from them later are the same too
        for part in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(fitted, part), getattr(expected, part)), part
        assert fitted.dtype == expected.dtype
        assert (ours.transform(texts[:20]) != theirs.transform(texts[:20])).nnz == 0


def test_settings_it_does_not_compute_go_to_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from dianti.voices.mining.ngrams import fit_char_tfidf

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=True)
    fitted = fit_char_tfidf(vectorizer, ["Abc", "abd"])
    assert "abc" in vectorizer.vocabulary_ and fitted.shape == (2, len(vectorizer.vocabulary_))

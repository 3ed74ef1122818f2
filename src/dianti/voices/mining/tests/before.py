"""The code that faster code replaced, kept verbatim so the tests can show the new code answers the same.

Each function here is the one its module had before a speed change; :mod:`.test_same_as_before` runs both on the
same fixtures.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from dianti.voices.mining import features, label, segment
from dianti.voices.mining.label import _OPENERS, _PARTICLES
from dianti.voices.mining.lexicon import Lexicon, _longest_at, default_lexicon


def merge_codes(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        district = word in ("省", "市", "区", "县", "镇", "乡") and re.fullmatch(r"[a-z]\d{0,2}", out[-1] if out else "")
        numbered = word in segment._NUMBERED and bool(out) and out[-1].isdigit()
        if district or numbered:
            out[-1] += word
        else:
            out.append(word)
    return out


def cut(text: str) -> list[str]:
    segment._get_tokenizer()
    cutter = segment._cutter
    assert cutter is not None
    words: list[str] = []
    for block in segment._blocks.split(segment._CODE_PREFIX.sub(r" \1 ", text)):
        if not block:
            continue
        if segment._blocks.match(block):
            words.extend(cutter.cut(block))
        else:
            words.extend(char for part in segment._spaces.split(block) if not segment._spaces.match(part)
                         for char in part)
    return [w for w in words if not w.isspace()]


def clauses(text: str) -> list[str]:
    out = []
    for clause in label._CLAUSE.split(text):
        clause = _PARTICLES.sub("", _OPENERS.sub("", clause.strip()))
        if clause:
            out.append(clause)
    return out


def member_candidates(texts: Sequence[str], anchors: Sequence[str]) -> list[set[str]]:
    return [set().union(*(label._candidates(r) for c in clauses(t) for r in runs(c)
                          if not anchors or any(w in r for w in anchors))) for t in texts]


def reciprocal_pairs(n: int, u: Any, v: Any, link: Any) -> tuple[Any, Any]:
    ends = np.concatenate([u, v])
    others = np.concatenate([v, u])
    order = np.lexsort((others, -np.concatenate([link, link]), ends))
    sorted_ends = ends[order]
    first = order[np.r_[True, sorted_ends[1:] != sorted_ends[:-1]]]
    best = np.full(n, -1, dtype=np.int64)
    best[ends[first]] = others[first]
    mutual = (best[u] == v) & (best[v] == u)
    return u[mutual], v[mutual]


def block_product(candidates: Any, transposed: Any, start: int, block: int) -> Any:
    return (candidates[start : start + block] @ candidates[start:].T).tocsr()


def analyse(text: str, counts: Counter[str], repeat: int, title_places: set[str] | None = None) -> list[str]:
    runs = canonical_runs(merge_codes(cut(text))) if features._lexicon_on else [(w, (w,)) for w in merge_codes(cut(text))]
    words = [word for word, _run in runs]
    # "" skip, "a" admin place, "e" place ending (机场, 中学), "s" single char, "p" place name, "w" problem word,
    # "c" a concept of the lexicon (a problem word that never becomes a place)
    roles = [features._role(word) for word in words]
    if title_places is not None:
        roles = ["w" if r == "p" and w not in title_places and not features.is_taught(w) else r
                 for w, r in zip(words, roles, strict=True)]
    # A rare word just before a name is part of it: 五矿 | 万境 is one estate, not a problem "五矿". Only before:
    # what follows a name is usually what is wrong there (圩苑 | 网格员).
    for i in [i for i, role in enumerate(roles) if role == "p"]:
        j = i - 1
        if j >= 0 and roles[j] == "w" and features.word_frequency(words[j]) < features.NEIGHBOUR_MAX_FREQ and not features.is_domain_term(words[j]):
            roles[j] = "p"
    phrases: list[str] = []
    for i, word in enumerate(words):
        if word not in features.PLACE_ENDINGS or i == 0:
            continue
        j, phrase = i, ""
        while (j > 0 and roles[j - 1] in ("p", "w", "s") and words[j - 1] not in features.PLACE_ENDINGS
               and (len(words[j - 1]) == 1 or features.word_frequency(words[j - 1]) < features.PHRASE_MAX_FREQ)):
            if len(phrase) + len(words[j - 1]) > features.PHRASE_MAX_CHARS or words[j - 1] in features.FUNCTION_CHARS:
                break
            j -= 1
            phrase = words[j] + phrase
        if len(phrase) >= 2:
            phrases.append(phrase + word if len(word) == 1 else phrase)
            for k in range(j, i):
                if roles[k] in ("w", "s") and len(words[k]) > 1:
                    roles[k] = "p"
    tokens: list[str] = []
    for (word, run), role in zip(runs, roles, strict=True):
        if role == "" or (role == "s" and word not in features.KEEP_SINGLE):
            continue
        written = features._written.__wrapped__(run) if role == "c" else (word,)
        tokens.extend(written)
        counts["@" + word if role in ("p", "e") else word] += repeat * (features.RUN_REPEAT if len(run) > 1 else 1)
        for w in written if role == "c" else ():
            if w != word:
                counts[w] += repeat
    # Bigrams of every name too: 星沙凉塘路 (one word) and 星沙 | 凉塘路 (two) must meet on 凉塘 and 塘路.
    phrases.extend(w for w, r in zip(words, roles, strict=True) if r == "p" and len(w) >= 3)
    for phrase in phrases:
        for k in range(len(phrase) - 1):
            counts["#" + phrase[k : k + 2]] += repeat
    return tokens


def canonical_runs(words: Sequence[str], lexicon: Lexicon | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Return each word of ``words`` — or the canonical word of a run of words that is a variant (see the module
    docstring) — with the words it stands for, in order."""
    lexicon = lexicon or default_lexicon()
    prefixes = lexicon.prefixes
    out: list[tuple[str, tuple[str, ...]]] = []
    i = 0
    while i < len(words):
        found = _longest_at(words, i, lexicon) if words[i] in prefixes else None
        if found is None:
            out.append((words[i], (words[i],)))
            i += 1
        else:
            out.append((found[0], tuple(words[i : found[1]])))
            i = found[1]
    return out


def runs(clause: str) -> tuple[str, ...]:
    masked = clause
    for word in (*label._FUNCTION_WORDS, *label.ACTIONS, *(cue for cue, _a, _p in label.PROBLEMS if cue != "闲置")):
        masked = masked.replace(word, "|")
    runs = re.split(r"\|", "".join("|" if ch in label._FUNCTION_CHARS else ch for ch in masked))
    return tuple(r for r in runs if len(r) >= 2)


def object_of(texts: Sequence[set[str]], specific: Sequence[str]) -> str | None:
    df: Counter[str] = Counter()
    for candidates in texts:
        df.update(candidates)
    need = 2 if len(texts) >= 2 else 1
    anchors = [w for w in specific if len(w) >= 2]
    rank = {w: len(anchors) - i for i, w in enumerate(anchors)}
    shared = [c for c, n in df.items() if n >= need]
    if anchors:
        shared = [c for c in shared if any(c.startswith(w) for w in anchors) and any(c.endswith(w) for w in anchors)]
    # A longer stretch that at least half the users of a shorter one write names the thing better (文化礼堂 over
    # 礼堂); it takes the shorter one's count.
    pool = set(shared)
    inside = {o: [c for c in label._candidates(o) if c != o and c in pool] for o in shared}
    dominated = {c for o in shared for c in inside[o] if 2 * df[o] >= df[c]}
    kept = [c for c in shared if c not in dominated]
    counts = {o: max([df[o], *(df[c] for c in inside[o])]) for o in kept}

    def score(c: str) -> tuple[int, int, int, str]:
        bonus = sum(r for w, r in rank.items() if w in c)
        return (counts[c] * (1 + bonus), counts[c], len(c), c)  # the text last: a tie never falls to hash order

    return max(kept, key=score) if kept else None


def keyword_add(self: Any, topic: str, title_words: Iterable[str], body_words: Iterable[str] = ()) -> None:
    weights = dict.fromkeys(body_words, 1)
    weights.update(dict.fromkeys(title_words, 2))
    counts, total, added = self.topic_counts.setdefault(topic, Counter()), self.total, 0
    for t, w in weights.items():
        if not segment.is_admin_place(t):
            counts[t] += w
            total[t] += w
            added += w
    if hasattr(self, "weight"):  # a state stored before the running sum was kept has none: keywords() makes it
        self.weight += added


def char_counts(texts: Sequence[str], vocabulary: Any, dtype: Any = np.float32) -> Any:
    import scipy.sparse as sp

    from dianti.voices.mining.ngrams import _WHITE_SPACES

    texts = [_WHITE_SPACES.sub(" ", t) for t in texts]
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(texts)), lengths)
    # A pair starts at every position but the last of its text.
    last = np.cumsum(lengths) - 1
    paired = np.ones(len(codes), dtype=bool)
    paired[last[lengths > 0]] = False
    starts = np.flatnonzero(paired)
    lookup = vocabulary.lookup()
    columns = np.concatenate([lookup.singles(codes), lookup.pairs(codes[starts], codes[starts + 1])])
    rows = np.concatenate([owner, owner[starts]])
    known = columns >= 0
    # Grouped by text (a counting sort), then each text's columns sorted with repeats added up: the CSR arrays.
    counts = sp.csr_matrix((np.ones(int(known.sum()), dtype=dtype), (rows[known], columns[known])),
                           shape=(len(texts), vocabulary.size))
    counts.sum_duplicates()
    return counts


def learned_features(self: Any, items: Sequence[tuple[str, str]], *,
                     tokens: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None) -> Any:
    """``LearnedClassifier._features(items, fit=False, tokens=tokens)`` with its ``_char_features``."""
    import scipy.sparse as sp

    from dianti.voices.mining.classify import _char_doc, _normalised, _word_docs
    from dianti.voices.mining.ngrams import CharVocabulary

    items = _normalised(items)
    if tokens is None:
        words = _word_docs(items, 1)
    else:
        words = [" ".join([*title_words, *title_words, *body_words]) for title_words, body_words in tokens]
    chars = [_char_doc(t, b) for t, b in items]
    titles = [t for t, _ in items]
    lookup = CharVocabulary.of(self.chars.vocabulary_)
    char_features = self.chars._tfidf.transform(char_counts(chars, lookup, self.chars.dtype), copy=False)
    return sp.hstack([self.words.transform(words), char_features, self.titles.transform(titles)]).tocsr()


def learned_probabilities(self: Any, items: Sequence[tuple[str, str]],
                          tokens: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None) -> Any:
    from dianti.voices.mining.classify import PREDICT_CHUNK, _softmax

    parts = [self.model.decision_function(learned_features(self, items[lo : lo + PREDICT_CHUNK],
                                                           tokens=None if tokens is None else
                                                           tokens[lo : lo + PREDICT_CHUNK]))
             for lo in range(0, len(items), PREDICT_CHUNK)]
    return _softmax(np.concatenate(parts))


def learned_predict(self: Any, items: Sequence[tuple[str, str]],
                    tokens: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None) -> list[Any]:
    from dianti.voices.mining.classify import Prediction, _review

    probabilities = learned_probabilities(self, items, tokens)
    classes = self.classes if self.model is None else [str(c) for c in self.model.classes_]
    out = []
    for row in probabilities:
        best = int(np.argmax(row))
        confidence = round(float(row[best]), 4)
        out.append(Prediction(classes[best], confidence, _review(confidence, self.review_threshold)))
    return out

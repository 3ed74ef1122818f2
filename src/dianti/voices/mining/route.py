"""jieba's cut of one run of Chinese characters, in one pass over precomputed log-probabilities.

Contract of :meth:`RouteCutter.cut`: the words of ``jieba.Tokenizer.cut(block, HMM=True)`` for a run of word
characters (jieba's private ``__cut_DAG``), from the same dictionary: the route of highest probability through the
words of the dictionary (ties: the longer word), then jieba's HMM on each run of two or more single characters that
is not itself a word. jieba builds the graph of dictionary words first and takes the logarithm of each word's
frequency on every visit; here each position's best word is found while the dictionary is walked, from a table of
log-probabilities made once (a value of None marks a prefix that is not a word), with one look-up per fragment —
the same floating-point sums in the same order, so the same words.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

_MISSING = object()


class RouteCutter:
    """The cutter of one jieba tokenizer's dictionary; make a new one after the dictionary changes."""

    def __init__(self, tokenizer: Any, logp: dict[str, float | None] | None = None) -> None:
        """``logp``, when given, is the table of a cutter made before from the same dictionary (see
        :mod:`.dictcache`)."""
        self.freq: dict[str, int] = tokenizer.FREQ
        self.logtotal = math.log(tokenizer.total)
        logtotal = self.logtotal
        if logp is None:
            logp = {w: (math.log(f) - logtotal if f else None) for w, f in self.freq.items()}
        self.logp = logp

    def cut(self, block: str) -> tuple[str, ...]:
        """Return the words of the run of word characters ``block`` (see the module docstring)."""
        n = len(block)
        logp, missing = self.logp, _MISSING
        prob = [0.0] * (n + 1)
        end = [0] * n
        for start in range(n - 1, -1, -1):
            best: float | None = None
            best_end = stop = start
            value = logp.get(block[start], missing)
            while value is not missing:
                if value is not None:
                    p = value + prob[stop + 1]  # type: ignore[operator]
                    if best is None or p >= best:
                        best, best_end = p, stop
                stop += 1
                if stop >= n:
                    break
                value = logp.get(block[start : stop + 1], missing)
            if best is None:  # no word starts here: the character alone, as jieba scores it
                best = math.log(self.freq.get(block[start]) or 1) - self.logtotal + prob[start + 1]
            prob[start] = best
            end[start] = best_end
        return self._words(block, end)

    def _words(self, block: str, end: list[int]) -> tuple[str, ...]:
        """Return the words along the route; runs of single characters that are no word go to the HMM."""
        out: list[str] = []
        x, buf, n = 0, "", len(block)
        while x < n:
            y = end[x] + 1
            if y - x == 1:
                buf += block[x]
            else:
                if buf:
                    out.extend(self._singles(buf))
                    buf = ""
                out.append(block[x:y])
            x = y
        if buf:
            out.extend(self._singles(buf))
        return tuple(out)

    def _singles(self, buf: str) -> tuple[str, ...]:
        if len(buf) == 1:
            return (buf,)
        if not self.freq.get(buf):
            return _hmm(buf)
        return tuple(buf)


@lru_cache(maxsize=1 << 16)
def _hmm(buf: str) -> tuple[str, ...]:
    """Return jieba's HMM words of a run of characters (unknown names such as 魏家坡 repeat: cached)."""
    return tuple(hmm_cut(buf))


def hmm_cut(sentence: str) -> list[str]:
    """Return ``list(jieba.finalseg.cut(sentence))``: its runs of Chinese characters cut by :func:`_viterbi`, the
    rest split as it splits them, words it was told never to make (``Force_Split_Words``) cut into characters."""
    from jieba import finalseg

    forced = finalseg.Force_Split_Words
    out: list[str] = []
    for block in finalseg.re_han.split(sentence):
        if finalseg.re_han.match(block):
            for word in _viterbi_words(block):
                if word in forced:
                    out.extend(word)
                else:
                    out.append(word)
        else:
            out.extend(x for x in finalseg.re_skip.split(block) if x)
    return out


_EMIT: dict[str, tuple[float, float, float, float]] = {}


def _emissions(char: str) -> tuple[float, float, float, float]:
    from jieba.finalseg import MIN_FLOAT, emit_P

    found = _EMIT.get(char)
    if found is None:
        b, m, e, s = (emit_P[state].get(char, MIN_FLOAT) for state in "BMES")
        found = _EMIT[char] = (b, m, e, s)
    return found


def _viterbi_words(sentence: str) -> list[str]:
    """Return the words of jieba's HMM (``finalseg.viterbi`` over states B, M, E, S, then ``__cut``).

    The same sums in the same order as jieba's, and its ties: jieba takes the largest (probability, state) tuple,
    so on equal probabilities the later letter wins (S over E, M over B).
    """
    from jieba.finalseg import start_P, trans_P

    emissions = [_emissions(c) for c in sentence]
    e_b, e_m, e_e, e_s = emissions[0]
    v_b, v_m, v_e, v_s = start_P["B"] + e_b, start_P["M"] + e_m, start_P["E"] + e_e, start_P["S"] + e_s
    t_eb, t_sb, t_mm, t_bm = trans_P["E"]["B"], trans_P["S"]["B"], trans_P["M"]["M"], trans_P["B"]["M"]
    t_ss, t_es, t_be, t_me = trans_P["S"]["S"], trans_P["E"]["S"], trans_P["B"]["E"], trans_P["M"]["E"]
    back: list[tuple[str, str, str, str]] = []  # per position after the first: the previous state of B, M, E, S
    for e_b, e_m, e_e, e_s in emissions[1:]:
        from_e, from_s = v_e + t_eb + e_b, v_s + t_sb + e_b
        b_prev, n_b = ("S", from_s) if from_s >= from_e else ("E", from_e)
        from_m, from_b = v_m + t_mm + e_m, v_b + t_bm + e_m
        m_prev, n_m = ("M", from_m) if from_m >= from_b else ("B", from_b)
        from_s2, from_e2 = v_s + t_ss + e_s, v_e + t_es + e_s
        s_prev, n_s = ("S", from_s2) if from_s2 >= from_e2 else ("E", from_e2)
        from_b2, from_m2 = v_b + t_be + e_e, v_m + t_me + e_e
        e_prev, n_e = ("M", from_m2) if from_m2 >= from_b2 else ("B", from_b2)
        back.append((b_prev, m_prev, e_prev, s_prev))
        v_b, v_m, v_e, v_s = n_b, n_m, n_e, n_s
    state = "S" if v_s >= v_e else "E"
    states = [state]
    index = {"B": 0, "M": 1, "E": 2, "S": 3}
    for previous in reversed(back):
        state = previous[index[state]]
        states.append(state)
    states.reverse()
    words: list[str] = []
    begin = after = 0
    for i, state in enumerate(states):
        if state == "B":
            begin = i
        elif state == "E":
            words.append(sentence[begin : i + 1])
            after = i + 1
        elif state == "S":
            words.append(sentence[i])
            after = i + 1
    if after < len(sentence):
        words.append(sentence[after:])
    return words

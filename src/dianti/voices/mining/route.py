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

    def __init__(self, tokenizer: Any) -> None:
        self.freq: dict[str, int] = tokenizer.FREQ
        self.logtotal = math.log(tokenizer.total)
        logtotal = self.logtotal
        self.logp: dict[str, float | None] = {w: (math.log(f) - logtotal if f else None) for w, f in self.freq.items()}

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


@lru_cache(maxsize=1 << 15)
def _hmm(buf: str) -> tuple[str, ...]:
    """Return jieba's HMM words of a run of characters (unknown names such as 魏家坡 repeat: cached)."""
    from jieba import finalseg

    return tuple(finalseg.cut(buf))

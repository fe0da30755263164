"""Turn product text into match features: jieba words and character n-grams.

Chinese runs are cut into words by a dedicated ``jieba.Tokenizer`` that knows the domain
dictionary (product and segment names of the chain templates), in search mode so that a
long product name also yields its parts (电池级碳酸锂 → 电池, 碳酸, 碳酸锂, …), and into
overlapping character n-grams (2 and 3 characters). Latin runs give lowercase words (a
plural ``s`` dropped) and character 3-grams of each word padded with spaces. Text is
NFKC-normalised and case-folded first, so full-width letters, digits and brackets read
like their ASCII forms.

Features carry a prefix: ``w:`` for words, ``c:`` for character n-grams.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import jieba  # type: ignore[import-untyped]

__all__ = ["Tokeniser", "dictionary_terms", "normalise"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+")
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_SPLIT = re.compile(r"[（）()、，,；;：:/／\s·]+")


def normalise(text: str) -> str:
    """Return ``text`` NFKC-normalised, case-folded and with runs of spaces collapsed.

    >>> normalise("ＡｒＦ　光刻胶（浸没式）")
    'arf 光刻胶(浸没式)'
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def dictionary_terms(names: Iterable[str], *, longest: int = 16) -> list[str]:
    """Return the Chinese dictionary terms in product or segment ``names``, sorted.

    A name is split at brackets and punctuation; each Chinese run of 2 to ``longest``
    characters becomes a term.

    >>> dictionary_terms(["电容耦合等离子体刻蚀机（CCP）", "碳酸锂", "锂"])
    ['电容耦合等离子体刻蚀机', '碳酸锂']
    """
    out: set[str] = set()
    for name in names:
        for part in _SPLIT.split(normalise(name)):
            for run in _CJK.findall(part):
                if 2 <= len(run) <= longest:
                    out.add(run)
    return sorted(out)


def _plain(word: str) -> str:
    # a light plural rule: "wafers" -> "wafer", but "glass", "gas" and "bus" stay
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class Tokeniser:
    """Cut product text into features (words and character n-grams).

    Parameters
    ----------
    dictionary : sequence of str
        Domain terms jieba must keep whole (see :func:`dictionary_terms`).
    ngrams : tuple of int
        Lengths of the Chinese character n-grams (default 2 and 3).

    Notes
    -----
    jieba's general dictionary loads on first use (about one second); one tokeniser is
    made per index, its log messages silenced.
    """

    def __init__(self, dictionary: Sequence[str] = (), ngrams: tuple[int, ...] = (2, 3)) -> None:
        self.dictionary = tuple(dictionary)
        self.ngrams = ngrams
        self._jieba: Any = None

    def _cutter(self) -> Any:
        if self._jieba is None:
            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            for term in self.dictionary:
                tok.add_word(term, freq=max(tok.suggest_freq(term, False), 1000))
            self._jieba = tok
        return self._jieba

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the jieba tokenizer (it is rebuilt on first use)."""
        return {"dictionary": self.dictionary, "ngrams": self.ngrams, "_jieba": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled tokeniser."""
        self.__dict__.update(state)

    def words(self, text: str) -> list[str]:
        """Return the words of ``text`` (jieba search mode for Chinese, plain words else)."""
        out: list[str] = []
        for run in _RUN.findall(normalise(text)):
            if _LATIN.fullmatch(run):
                out.append(_plain(run))
            else:
                out.extend(w for w in self._cutter().cut_for_search(run, HMM=False) if w.strip())
        return out

    def features(self, text: str) -> list[str]:
        """Return the features of ``text``: ``w:`` words and ``c:`` character n-grams.

        A Chinese run shorter than the smallest n-gram length is kept as one n-gram, so
        a one-character product (锂) still has a feature.
        """
        feats = [f"w:{w}" for w in self.words(text)]
        for run in _RUN.findall(normalise(text)):
            if _LATIN.fullmatch(run):
                padded = f" {_plain(run)} "
                feats.extend(f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2))
                continue
            if len(run) < min(self.ngrams):
                feats.append(f"c:{run}")
            for n in self.ngrams:
                feats.extend(f"c:{run[i : i + n]}" for i in range(len(run) - n + 1))
        return feats

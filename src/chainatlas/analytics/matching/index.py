"""Product text search: a TF-IDF index with rapidfuzz re-ranking, and text owners.

:class:`ProductIndex` holds distinct product texts. A query is cut into the same
features as the texts (:class:`~chainatlas.analytics.matching.tokens.Tokeniser`); its
cosine with every text comes from one sparse product with the inverted index, which only
touches the postings of the query's features. The best ``rerank`` texts by cosine are
scored again with rapidfuzz's ``partial_ratio`` (the best-aligned substring, 0-100), and
the text score is

    ``text = w_cos · cosine + (1 - w_cos) · partial_ratio / 100``  (``w_cos`` = 0.6)

for those, and ``w_cos · cosine`` for the rest. A query none of whose features is
indexed (a single Chinese character such as 铜) falls back to a substring scan, with the
share of the text it covers in place of the cosine. :class:`TextOwners` maps texts to the
enterprises (or segments) they describe, each with a weight, and spreads text scores to
owners (an owner gets the best weighted score of its texts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from rapidfuzz import fuzz, process

from chainatlas.analytics.matching.tfidf import TfidfModel
from chainatlas.analytics.matching.tokens import Tokeniser, normalise

__all__ = ["ProductIndex", "TextHits", "TextOwners"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

COSINE_WEIGHT = 0.6
"""Share of the cosine in the text score of re-ranked texts (the rest is partial_ratio)."""


@dataclass(frozen=True, slots=True)
class TextHits:
    """Texts that match a query, best first: positions, text score, cosine, fuzzy ratio.

    ``fuzzy`` is NaN for texts outside the re-ranked short list.
    """

    doc: IntArray
    score: FloatArray
    cosine: FloatArray
    fuzzy: FloatArray

    def __len__(self) -> int:
        return len(self.doc)


class ProductIndex:
    """An index of distinct product texts for TF-IDF retrieval with fuzzy re-ranking.

    Parameters
    ----------
    dictionary : sequence of str
        Domain terms for the tokeniser (product and segment names).
    rerank : int
        How many texts, best by cosine, are re-scored with rapidfuzz.

    Examples
    --------
    >>> idx = ProductIndex(["碳酸锂"]).build(["电池级碳酸锂", "锂电池", "碳酸钠"])
    >>> hits = idx.query("碳酸锂")
    >>> [idx.texts[i] for i in hits.doc]  # 锂电池 shares no word or n-gram with 碳酸锂
    ['电池级碳酸锂', '碳酸钠']
    """

    def __init__(self, dictionary: Sequence[str] = (), *, rerank: int = 200) -> None:
        self.tokeniser = Tokeniser(dictionary)
        self.rerank = rerank
        self.texts: list[str] = []
        self.normal: list[str] = []
        self.model = TfidfModel({}, np.zeros(0), 0)
        self.matrix = sp.csr_matrix((0, 0))
        self._by_term = sp.csr_matrix((0, 0))
        self._pos: dict[str, int] = {}

    @property
    def size(self) -> int:
        """Number of distinct texts."""
        return len(self.texts)

    @property
    def nbytes(self) -> int:
        """Approximate bytes held by the sparse matrices."""
        return sum(
            m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in (self.matrix, self._by_term)
        )

    def build(self, docs: Sequence[str]) -> ProductIndex:
        """Index the distinct texts of ``docs`` (duplicates are indexed once); return self."""
        uniq = pd.unique(pd.Series(list(docs), dtype=object))
        self.texts = [str(t) for t in uniq]
        self.normal = [normalise(t) for t in self.texts]
        self._pos = {t: i for i, t in enumerate(self.texts)}
        feats = [self.tokeniser.features(t) for t in self.texts]
        self.model, self.matrix = TfidfModel.fit_transform(feats)
        # term -> texts: a query only reads the postings of its own features
        self._by_term = sp.csr_matrix(self.matrix.T)
        return self

    def position(self, text: str) -> int | None:
        """Return the position of ``text`` in the index (None when it is not indexed)."""
        return self._pos.get(text)

    def vector(self, text: str) -> sp.csr_matrix:
        """Return the unit-length tf-idf row of ``text`` in this index's vocabulary."""
        return self.model.transform([self.tokeniser.features(text)])

    def cosines(self, text: str) -> tuple[IntArray, FloatArray]:
        """Return the texts sharing a feature with ``text`` and their cosine similarity."""
        q = self.vector(text)
        if self.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if q.nnz == 0:
            return self._substring(text)
        # cos(q, d) = Σ_t q_t · d_t over the query's terms t: read only their postings
        post = self._by_term[q.indices]
        got = sp.csr_matrix(q.data.reshape(1, -1)) @ post
        got = sp.csr_matrix(got)
        return got.indices.astype(np.int64), got.data.astype(np.float64)

    def _substring(self, text: str) -> tuple[IntArray, FloatArray]:
        # A query with no indexed feature (one Chinese character such as 铜, or an unseen
        # word) falls back to a substring scan; its "cosine" is the share of the text it
        # covers.
        q = normalise(text)
        if not q:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        hit = pd.Series(self.normal, dtype=object).str.contains(q, regex=False).to_numpy()
        doc = np.flatnonzero(hit).astype(np.int64)
        cover = np.array([len(q) / max(len(self.normal[int(i)]), 1) for i in doc])
        return doc, cover

    def query(self, text: str, k: int | None = None, *, min_score: float = 0.0) -> TextHits:
        """Return the texts matching ``text``, best first (at most ``k``; all when None).

        Texts whose score is below ``min_score`` are left out.
        """
        doc, cos = self.cosines(text)
        fuzzy = np.full(len(doc), np.nan)
        score = COSINE_WEIGHT * cos
        if len(doc):
            m = min(self.rerank, len(doc))
            short = np.argpartition(-cos, m - 1)[:m] if m < len(doc) else np.arange(len(doc))
            q = normalise(text)
            ratios = process.cdist(
                [q], [self.normal[int(i)] for i in doc[short]], scorer=fuzz.partial_ratio
            )[0]
            fuzzy[short] = ratios
            score[short] += (1.0 - COSINE_WEIGHT) * ratios / 100.0
        keep = score >= min_score
        doc, score, cos, fuzzy = doc[keep], score[keep], cos[keep], fuzzy[keep]
        order = np.lexsort((doc, -score))
        if k is not None:
            order = order[:k]
        return TextHits(doc[order], score[order], cos[order], fuzzy[order])


@dataclass(frozen=True, slots=True)
class TextOwners:
    """Which owners (enterprises or segments) each text describes, with a weight in (0, 1].

    Stored as CSR by text: the owners of text ``t`` are ``owner[ptr[t]:ptr[t + 1]]``.

    Examples
    --------
    >>> own = TextOwners.from_pairs([0, 0, 1], [5, 6, 6], [1.0, 0.5, 0.9], n_texts=2, n_owners=8)
    >>> ids, score, via = own.spread(np.array([0, 1]), np.array([0.8, 0.6]))
    >>> ids.tolist(), [round(float(s), 2) for s in score], via.tolist()
    ([5, 6], [0.8, 0.54], [0, 1])
    """

    ptr: IntArray
    owner: IntArray
    weight: FloatArray
    n_owners: int

    @classmethod
    def from_pairs(
        cls,
        text: npt.ArrayLike,
        owner: npt.ArrayLike,
        weight: npt.ArrayLike,
        *,
        n_texts: int,
        n_owners: int,
    ) -> TextOwners:
        """Build from (text, owner, weight) triples; a repeated pair keeps its best weight."""
        t = np.asarray(text, dtype=np.int64)
        o = np.asarray(owner, dtype=np.int64)
        w = np.asarray(weight, dtype=np.float64)
        order = np.lexsort((-w, o, t))
        t, o, w = t[order], o[order], w[order]
        first = np.r_[True, (t[1:] != t[:-1]) | (o[1:] != o[:-1])] if len(t) else np.zeros(0, bool)
        t, o, w = t[first], o[first], w[first]
        ptr = np.zeros(n_texts + 1, dtype=np.int64)
        np.cumsum(np.bincount(t, minlength=n_texts), out=ptr[1:])
        return cls(ptr, o, w, n_owners)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return self.ptr.nbytes + self.owner.nbytes + self.weight.nbytes

    def spread(self, text: IntArray, score: FloatArray) -> tuple[IntArray, FloatArray, IntArray]:
        """Give each owner the best ``weight · score`` over its texts.

        Returns the owners reached (ascending), their scores and the text that gave each
        its score (ties go to the text listed first).
        """
        t = np.asarray(text, dtype=np.int64)
        t_ok = (t >= 0) & (t < len(self.ptr) - 1)
        t, sc = t[t_ok], np.asarray(score, dtype=np.float64)[t_ok]
        lens = self.ptr[t + 1] - self.ptr[t]
        total = int(lens.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64)
        # positions of every (text, owner) entry of the wanted texts, text by text
        pos = (
            np.arange(total)
            - np.repeat(np.cumsum(lens) - lens, lens)
            + np.repeat(self.ptr[t], lens)
        )
        src = np.repeat(np.arange(len(t)), lens)
        own = self.owner[pos]
        val = self.weight[pos] * sc[src]
        order = np.lexsort((src, -val, own))
        own, val, src = own[order], val[order], src[order]
        first = np.r_[True, own[1:] != own[:-1]]
        keep = first & (val > 0)
        return own[keep], val[keep], t[src[keep]]

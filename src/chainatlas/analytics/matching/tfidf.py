"""TF-IDF vectors of feature lists, as a scipy.sparse CSR matrix.

The weighting is the one scikit-learn's ``TfidfVectorizer(sublinear_tf=True,
smooth_idf=True, norm="l2")`` uses, written out here:

* term frequency, sublinear: ``tf(t, d) = 1 + ln(count(t, d))``;
* inverse document frequency, smoothed as if one extra document held every term:
  ``idf(t) = ln((1 + n) / (1 + df(t))) + 1``;
* each row scaled to unit Euclidean length, so a dot product of two rows is their
  cosine similarity.

References
----------
Manning, C. D., Raghavan, P. & Schütze, H. (2008). *Introduction to Information
Retrieval*, ch. 6.2-6.4 (sublinear tf scaling, idf, cosine normalisation).
Cambridge University Press. https://doi.org/10.1017/CBO9780511809071
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["TfidfModel"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TfidfModel:
    """A vocabulary and its idf weights, learnt from a corpus of feature lists.

    Examples
    --------
    Two documents; ``a`` is in both (idf = ln(3/3) + 1 = 1), ``b`` in one
    (idf = ln(3/2) + 1):

    >>> model, X = TfidfModel.fit_transform([["a", "b"], ["a"]])
    >>> [round(float(v), 4) for v in model.idf]
    [1.0, 1.4055]
    >>> [round(float(v), 4) for v in X.toarray()[0]]
    [0.5797, 0.8148]
    """

    vocabulary: dict[str, int]
    idf: FloatArray
    n_docs: int

    @classmethod
    def fit_transform(cls, docs: Sequence[Sequence[str]]) -> tuple[TfidfModel, sp.csr_matrix]:
        """Learn the vocabulary and idf of ``docs`` and return them with the doc vectors."""
        vocab: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        counts: list[float] = []
        for doc in docs:
            for term, c in Counter(doc).items():
                j = vocab.setdefault(term, len(vocab))
                indices.append(j)
                counts.append(float(c))
            indptr.append(len(indices))
        ind = np.asarray(indices, dtype=np.int64)
        n = len(docs)
        df = np.bincount(ind, minlength=len(vocab)).astype(np.float64)
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        model = cls(vocab, idf, n)
        return model, model._matrix(np.asarray(indptr), ind, np.asarray(counts), n)

    def transform(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Return the unit-length tf-idf rows of ``docs``; unknown terms are ignored."""
        indptr = [0]
        indices: list[int] = []
        counts: list[float] = []
        for doc in docs:
            for term, c in Counter(doc).items():
                j = self.vocabulary.get(term)
                if j is not None:
                    indices.append(j)
                    counts.append(float(c))
            indptr.append(len(indices))
        return self._matrix(
            np.asarray(indptr), np.asarray(indices, dtype=np.int64), np.asarray(counts), len(docs)
        )

    def _matrix(
        self,
        indptr: npt.NDArray[np.int64],
        indices: npt.NDArray[np.int64],
        counts: FloatArray,
        n_rows: int,
    ) -> sp.csr_matrix:
        data = (1.0 + np.log(counts)) * self.idf[indices] if len(indices) else counts
        X = sp.csr_matrix((data, indices, indptr), shape=(n_rows, len(self.vocabulary)))
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        scaled: sp.csr_matrix = sp.csr_matrix(sp.diags(1.0 / norms) @ X)
        scaled.sort_indices()
        return scaled

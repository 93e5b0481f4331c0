"""BM25 over product texts (bm25s): finds the exact words a shopper types, which embeddings blur.

Row i of the lexical index is row i of the dense index; it is saved in the same build directory, so the two
are always switched together. Filters are a mask over the rows, applied before ranking, so the top k is full.
"""

from __future__ import annotations

import re
from pathlib import Path

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

from retrieval.catalog import singular

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(STOPWORDS_EN)


def tokens(text: str) -> list[str]:
    """Lower-case, singular word tokens without English stop words: "Red Running Shoes" → red, running, shoe."""
    found = _WORD.findall(text.lower().replace("-", "").replace("'", ""))
    return [singular(word) for word in found if word not in _STOPWORDS]


class LexicalIndex:
    """A BM25 index over the products' search texts, in the dense index's row order."""

    def __init__(self, retriever: bm25s.BM25) -> None:
        self.retriever = retriever

    @classmethod
    def build(cls, texts: list[str], progress: bool = False) -> LexicalIndex:
        retriever = bm25s.BM25()
        # Every document gets at least the empty token, so a product with no words still has a row.
        retriever.index([tokens(text) for text in texts], show_progress=progress)
        return cls(retriever)

    @property
    def count(self) -> int:
        return int(self.retriever.scores["num_docs"])

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best-scoring rows as (row, BM25 score), best first; only rows sharing a word with the query
        and, when given, where `allowed` is True."""
        vocab = self.retriever.vocab_dict
        ids = [vocab[token] for token in tokens(query) if token in vocab]
        if not ids:
            return []
        scores = self.retriever.get_scores_from_ids(ids)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        matching = np.flatnonzero(scores > 0)
        if matching.size > k:
            matching = matching[np.argpartition(-scores[matching], k - 1)[:k]]
        ranked = matching[np.argsort(-scores[matching], kind="stable")]
        return [(int(row), float(scores[row])) for row in ranked]

    def save(self, directory: Path) -> None:
        self.retriever.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(directory), show_progress=False))

"""BM25 over product texts (bm25s): finds the exact words a shopper types, which embeddings blur.

Row i of the lexical index is row i of the dense index; it is saved in the same build directory, so the two
are always switched together. Filters are a mask over the rows, applied before ranking, so the top k is full.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from retrieval.catalog import singular

# Words in any script ("café", "Kaffeebecher", "чашка"), split into runs of letters and of digits for codes.
_WORD = re.compile(r"[^\W_]+")
_PARTS = re.compile(r"[^\W\d_]+|\d+")
_STOPWORDS = frozenset(STOPWORDS_EN)
# The tokens' recipe: an index saved with another one is built again (retrieval/index.py).
TOKENIZER = 3


def unaccented(word: str) -> str:
    """The word without its accents ("café" → "cafe"); other letters stay as they are."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Lower-case, singular word tokens without English stop words: "Red Running Shoes" → red, running, shoe.

    Model codes are matched however they are spaced: a word of letters and digits also gives its parts
    ("rtx4060" → rtx4060, rtx, 4060), and a word of letters next to one of digits also gives them joined
    ("RTX 4060" → rtx, 4060, rtx4060), so each spelling finds the other."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("-", "").replace("'", "")
    found = [word for word in _WORD.findall(text) if word not in _STOPWORDS]
    out = []
    for word, following in zip(found, [*found[1:], ""], strict=False):
        out.append(singular(word))
        if (plain := unaccented(word)) != word:
            out.append(singular(plain))  # "cafe" finds "café" and the other way round
        parts = _PARTS.findall(word)
        if len(parts) > 1:
            # A lone letter ("x" of "5900x") would match every "4 x 100 ml".
            out += [part for part in parts if len(part) > 1 or part.isdigit()]
        pair = (word.isalpha() and following.isdigit()) or (word.isdigit() and following.isalpha())
        if pair and len(word) <= 5 and len(following) <= 5:
            out.append(word + following)
    return out


class LexicalIndex:
    """A BM25 index over the products' search texts, in the dense index's row order."""

    def __init__(self, retriever: bm25s.BM25, tokenizer: int = TOKENIZER) -> None:
        self.retriever = retriever
        self.tokenizer = tokenizer
        # A hybrid search reads the query's words twice (its BM25 ranking, then which rows hold them all), and
        # correcting a misspelt word is a fuzzy pass over the vocabulary: read each query once.
        self._query_ids = functools.lru_cache(maxsize=1024)(self._read_query)

    @classmethod
    def build(cls, texts: list[str], progress: bool = False) -> LexicalIndex:
        retriever = bm25s.BM25()
        # Every document gets at least the empty token, so a product with no words still has a row.
        retriever.index([tokens(text) for text in texts], show_progress=progress)
        return cls(retriever)

    @property
    def count(self) -> int:
        return int(self.retriever.scores["num_docs"])

    @cached_property
    def _words_by_initial(self) -> dict[str, list[str]]:
        """The catalog's words of letters by their first letter: the candidates for a misspelt query word."""
        found: dict[str, list[str]] = {}
        for word in self.retriever.vocab_dict:
            if word.isalpha():
                found.setdefault(word[0], []).append(word)
        return found

    def corrections(self, token: str) -> list[str]:
        """The catalog's words closest to a query word it lacks ("sequnces" → "sequences"): one edit for a word
        of up to seven letters, two above, the first letter kept (typos rarely change it). Words with digits
        are model codes, never corrected: "rtx4070" is not "rtx4060"."""
        if len(token) < 4 or not token.isalpha() or token in self.retriever.vocab_dict:
            return []
        limit = 1 if len(token) <= 7 else 2
        near = process.extract(
            token, self._words_by_initial.get(token[0], []), scorer=DamerauLevenshtein.distance,
            score_cutoff=limit, limit=None,
        )  # fmt: skip
        best = min((distance for _word, distance, _ in near), default=None)
        return sorted(word for word, distance, _ in near if distance == best)[:3]

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best-scoring rows as (row, BM25 score), best first; only rows sharing a word with the query
        (or with the closest spelling of a word the catalog lacks) and, when given, where `allowed` is True."""
        ids = [token_id for alternatives in self._query_ids(query) for token_id in alternatives]
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

    def _read_query(self, query: str) -> tuple[tuple[int, ...], ...]:
        """For each query word the catalog has, or can correct, its vocabulary ids (a corrected word may
        stand for up to three equally close words)."""
        vocab = self.retriever.vocab_dict
        found = [
            [token] if token in vocab else self.corrections(token) for token in dict.fromkeys(tokens(query))
        ]
        return tuple(tuple(vocab[word] for word in words) for words in found if words)

    def covering(self, query: str, rows: list[int]) -> set[int]:
        """Those of `rows` whose text holds every word of the query that the catalog has (or its closest
        spelling), when that is two or more: "Ryujin III" names a product exactly even where the encoder has
        never seen the words."""
        wanted = self._query_ids(query)
        if len(wanted) < 2 or not rows:
            return set()
        selected = np.array(rows)
        present = np.ones(len(rows), dtype=bool)
        for alternatives in wanted:
            present &= self.retriever.get_scores_from_ids(list(alternatives))[selected] > 0
        return {row for row, ok in zip(rows, present, strict=True) if ok}

    def save(self, directory: Path) -> None:
        self.retriever.save(str(directory), show_progress=False)
        (directory / "tokenizer").write_text(str(self.tokenizer))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        marker = directory / "tokenizer"
        tokenizer = int(marker.read_text()) if marker.is_file() else 1
        return cls(bm25s.BM25.load(str(directory), show_progress=False), tokenizer)

"""The FAISS vector index over product embeddings, saved with its id mapping and what built it.

Saving is atomic: each build goes into a new directory and a one-line `CURRENT` file is switched to it last,
so a crash mid-build leaves the previous index in place. Loading checks the embedding model and dimension.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np


class IndexMismatch(RuntimeError):
    """The saved index was built by another embedding model or for another catalog."""


@dataclass(frozen=True)
class IndexInfo:
    model: str
    dimension: int
    kind: str
    count: int
    catalog_fingerprint: str


class ProductIndex:
    """Inner-product search over normalised product vectors; row i of the index is `ids[i]`."""

    def __init__(self, index: faiss.Index, ids: list[str], info: IndexInfo) -> None:
        if index.ntotal != len(ids):
            raise ValueError(f"index holds {index.ntotal} vectors but {len(ids)} ids")
        self.index = index
        self.ids = ids
        self.info = info

    @classmethod
    def build(cls, ids: list[str], vectors: np.ndarray, model: str, catalog_fingerprint: str) -> ProductIndex:
        """An exact (flat) inner-product index: exact and fast enough for catalogs up to ~100k products."""
        dimension = vectors.shape[1]
        index = faiss.IndexFlatIP(dimension)
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, list(ids), IndexInfo(model, dimension, "flat", len(ids), catalog_fingerprint))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k nearest rows as (row, score), best first, only among rows where `allowed` is True.

        The filter is applied inside FAISS (an ID selector), so the top k is full whenever k rows qualify.
        """
        if allowed is not None and not allowed.any():
            return []
        params = None
        if allowed is not None:
            bitmap = np.packbits(allowed, bitorder="little")
            params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(allowed.size, faiss.swig_ptr(bitmap)))
        scores, rows = self.index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        return [(int(row), float(score)) for row, score in zip(rows[0], scores[0], strict=True) if row >= 0]

    def save(self, directory: Path) -> Path:
        """Write into a fresh subdirectory, then point `CURRENT` at it; older builds are removed after."""
        directory.mkdir(parents=True, exist_ok=True)
        build = directory / f"build-{uuid.uuid4().hex[:12]}"
        build.mkdir()
        faiss.write_index(self.index, str(build / "products.faiss"))
        (build / "ids.json").write_text(json.dumps(self.ids))
        (build / "info.json").write_text(json.dumps(asdict(self.info), indent=2))
        pointer = directory / "CURRENT.tmp"
        pointer.write_text(build.name)
        os.replace(pointer, directory / "CURRENT")
        for old in directory.glob("build-*"):
            if old != build:
                shutil.rmtree(old, ignore_errors=True)
        return build

    @classmethod
    def load(cls, directory: Path, model: str, dimension: int) -> ProductIndex:
        """The current saved index; `FileNotFoundError` when none, `IndexMismatch` when built differently."""
        build = directory / (directory / "CURRENT").read_text().strip()
        info = IndexInfo(**json.loads((build / "info.json").read_text()))
        if info.model != model or info.dimension != dimension:
            raise IndexMismatch(
                f"index at {directory} was built with {info.model} ({info.dimension} dims), "
                f"not {model} ({dimension} dims)"
            )
        ids = json.loads((build / "ids.json").read_text())
        return cls(faiss.read_index(str(build / "products.faiss")), ids, info)

"""The FAISS vector index over product embeddings, saved with its id mapping, text hashes and what built it.

Exact (flat) inner-product search for small catalogs; IVF (or HNSW) above `ann_threshold` products, chosen when
the index is built and recorded in its metadata; searched on the GPU when faiss sees one. Saving is atomic:
each build goes into a new directory and a one-line `CURRENT` file is switched to it last, so a crash mid-build
leaves the previous index in place. Loading checks the embedding model and dimension.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np
from tqdm import tqdm

from core.errors import IndexMismatch
from core.product import ProductRecord
from retrieval.catalog import Catalog
from retrieval.lexical import TOKENIZER, LexicalIndex

if TYPE_CHECKING:
    from core.settings import Settings
    from retrieval.embeddings import Embedder

INDEX_KINDS = ("flat", "hnsw", "ivf")
DEFAULT_ANN_THRESHOLD = 50_000
# HNSW: 32 links per node, a search beam of 128 (recall@10 0.99 on 10k real embeddings, 0.87 on 100k
# synthetic ones: IVF measured better, so it is the default approximate kind; see bench/retrieval.py).
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 128
# Below this many allowed rows an exact scan of just those rows is as fast as the graph and never misses.
EXACT_SUBSET = 20_000
_CHUNK = 65_536
_SCAN = 4_096


@dataclass(frozen=True)
class IndexInfo:
    model: str
    dimension: int
    kind: str
    count: int
    catalog_fingerprint: str
    params: dict[str, int] = field(default_factory=dict)


def choose_kind(count: int, ann_threshold: int = DEFAULT_ANN_THRESHOLD, ann_kind: str = "ivf") -> str:
    """Exact search while the catalog is small enough for it to be fast; `ann_kind` from `ann_threshold` on."""
    if ann_kind not in INDEX_KINDS[1:]:
        raise ValueError(f"ann_kind must be hnsw or ivf, not {ann_kind!r}")
    return "flat" if count < ann_threshold else ann_kind


def _add(index: faiss.Index, vectors: np.ndarray, progress: bool) -> None:
    """Adds in chunks so a long HNSW build shows progress."""
    starts = range(0, len(vectors), _CHUNK)
    for start in tqdm(starts, desc="Indexing", unit="chunk", disable=not progress or len(starts) < 2):
        index.add(vectors[start : start + _CHUNK])


def make_faiss_index(vectors: np.ndarray, kind: str, progress: bool = False) -> tuple[faiss.Index, dict]:
    """A filled FAISS inner-product index of `kind` and the parameters it was built with."""
    count, dimension = vectors.shape
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if kind == "flat":
        index, params = faiss.IndexFlatIP(dimension), {}
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
        params = {"M": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION, "ef_search": HNSW_EF_SEARCH}
    elif kind == "ivf":
        # About 4·√n lists of ~√n/4 vectors each; 1/32 of them searched: recall@10 0.997 at 100k (bench).
        nlist = max(1, min(count // 39, int(4 * math.sqrt(count))))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).permutation(count)[: 64 * nlist]]
        index.train(sample)
        index.nprobe = min(nlist, max(8, nlist // 32))
        params = {"nlist": nlist, "nprobe": index.nprobe}
    else:
        raise ValueError(f"unknown index kind {kind!r}; expected one of {', '.join(INDEX_KINDS)}")
    _add(index, vectors, progress)
    if kind == "ivf":
        index.make_direct_map()  # lets vectors be read back for incremental updates and filtered scans
    return index, params


def _searcher(index: faiss.Index, kind: str) -> faiss.Index:
    """A GPU copy of flat and IVF indexes when faiss has GPUs (faiss has no GPU HNSW); else the index itself."""
    if kind != "hnsw" and faiss.get_num_gpus() > 0:
        return faiss.index_cpu_to_all_gpus(index)
    return index


class ProductIndex:
    """Inner-product search over normalised product vectors; row i of the index is `ids[i]`.

    `hashes[i]` is the hash of product i's search text when it was embedded (what `update_index` compares);
    `lexical`, when present, is the BM25 index over the same rows, saved and loaded with this one.
    """

    def __init__(
        self,
        index: faiss.Index,
        ids: list[str],
        info: IndexInfo,
        hashes: list[str] | None = None,
        lexical: LexicalIndex | None = None,
    ) -> None:
        if index.ntotal != len(ids):
            raise ValueError(f"index holds {index.ntotal} vectors but {len(ids)} ids")
        if lexical is not None and lexical.count != len(ids):
            raise ValueError(f"lexical index holds {lexical.count} rows but {len(ids)} ids")
        self.index = index
        self.ids = ids
        self.info = info
        self.hashes = hashes or [""] * len(ids)
        self.lexical = lexical
        self.searcher = _searcher(index, info.kind)

    @classmethod
    def build(
        cls,
        ids: list[str],
        vectors: np.ndarray,
        model: str,
        catalog_fingerprint: str,
        kind: str = "flat",
        hashes: list[str] | None = None,
        lexical: LexicalIndex | None = None,
        progress: bool = False,
    ) -> ProductIndex:
        """An index of `kind` (see `choose_kind`) over `vectors`, row i being product `ids[i]`."""
        index, params = make_faiss_index(vectors, kind, progress)
        info = IndexInfo(model, vectors.shape[1], kind, len(ids), catalog_fingerprint, params)
        return cls(index, list(ids), info, hashes, lexical)

    @cached_property
    def matrix(self) -> np.ndarray:
        """Every stored vector as one float32 array, row i being product i. A flat index's own storage, seen
        without a copy; an approximate index's vectors read back once, because FAISS reads an IVF row back in
        microseconds and an exact scan of a filtered subset needs thousands (the copy's memory is in
        docs/performance.md)."""
        count, dimension = self.index.ntotal, self.info.dimension
        if self.info.kind == "flat" and count:
            return faiss.rev_swig_ptr(self.index.get_xb(), count * dimension).reshape(count, dimension)
        return self.index.reconstruct_n(0, count) if count else np.empty((0, dimension), dtype=np.float32)

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of `rows` (read back, not re-embedded)."""
        return self.matrix[np.asarray(rows, dtype=np.int64)]

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k nearest rows as (row, score), best first, only among rows where `allowed` is True.

        The filter is applied inside the search (an ID selector, or an exact scan of the allowed rows when they
        are few), so the top k is full whenever k rows qualify — also with an approximate index.
        """
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is None:
            return self._ann(query, k, None)
        count = int(allowed.sum())
        if count == 0:
            return []
        if self.info.kind != "flat" and count <= EXACT_SUBSET:
            return self._exact_among(query, np.flatnonzero(allowed), k)
        hits = self._ann(query, k, allowed)
        if len(hits) < min(k, count):  # a graph walk can run out of allowed neighbours: scan instead
            return self._exact_among(query, np.flatnonzero(allowed), k)
        return hits

    def _ann(self, query: np.ndarray, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        index, selector = self.searcher, None
        if allowed is not None:
            # GPU indexes take no ID selector: filtered searches run on the CPU copy.
            index, bitmap = self.index, np.packbits(allowed, bitorder="little")
            selector = faiss.IDSelectorBitmap(allowed.size, faiss.swig_ptr(bitmap))
        if self.info.kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.info.params["ef_search"], k))
        elif self.info.kind == "ivf":
            params = faiss.SearchParametersIVF(sel=selector, nprobe=self.info.params["nprobe"])
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        scores, rows = index.search(query, k, params=params)
        return [(int(row), float(score)) for row, score in zip(rows[0], scores[0], strict=True) if row >= 0]

    def _exact_among(self, query: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[int, float]]:
        # Gathered and scored a block at a time: a block that stays in the CPU's cache is scored fastest.
        scores = np.concatenate(
            [self.vectors(rows[start : start + _SCAN]) @ query[0] for start in range(0, len(rows), _SCAN)]
        )
        top = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
        best = top[np.argsort(-scores[top], kind="stable")]
        return [(int(rows[i]), float(scores[i])) for i in best]

    def save(self, directory: Path) -> Path:
        """Write into a fresh subdirectory, then point `CURRENT` at it; older builds are removed after."""
        directory.mkdir(parents=True, exist_ok=True)
        build = directory / f"build-{uuid.uuid4().hex[:12]}"
        build.mkdir()
        faiss.write_index(self.index, str(build / "products.faiss"))
        if self.lexical is not None:
            self.lexical.save(build / "lexical")
        (build / "ids.json").write_text(json.dumps(self.ids))
        (build / "hashes.json").write_text(json.dumps(self.hashes))
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
        # Builds from before text hashes and BM25 load without them: the next update re-embeds everything.
        hashes = json.loads((build / "hashes.json").read_text()) if (build / "hashes.json").exists() else None
        lexical = LexicalIndex.load(build / "lexical") if (build / "lexical").is_dir() else None
        return cls(faiss.read_index(str(build / "products.faiss")), ids, info, hashes, lexical)


def text_hash(product: ProductRecord) -> str:
    """What the product's embedding depends on: its search text."""
    return hashlib.sha256(product.search_text().encode()).hexdigest()[:16]


@dataclass(frozen=True)
class IndexUpdate:
    """What `update_index` did: products embedded for the first time, re-embedded, dropped and reused."""

    added: int
    changed: int
    removed: int
    kept: int
    index: ProductIndex = field(repr=False)

    @property
    def embedded(self) -> int:
        return self.added + self.changed


def _previous(index_dir: Path, embedder: Embedder) -> ProductIndex | None:
    try:
        return ProductIndex.load(index_dir, embedder.model_name, embedder.dimension)
    except (FileNotFoundError, IndexMismatch):
        return None  # nothing reusable: every product is embedded afresh


def update_index(
    products: Sequence[ProductRecord],
    embedder: Embedder,
    index_dir: Path,
    settings: Settings | None = None,
    progress: bool = False,
) -> IndexUpdate:
    """Bring the saved index (dense and BM25) in line with `products`, the whole catalog, and save it atomically.

    For the importer and the start-up check: only products that are new or whose search text changed since
    they were embedded are embedded now; the vectors of the others are read back from the saved index; products
    no longer in `products` are dropped. The FAISS structure of the kind `choose_kind` picks for the new size
    (from `settings.ann_threshold` / `settings.ann_kind`) is rebuilt from those vectors, which is fast next to
    embedding. An index built with another model (or none) means everything is embedded.
    """
    catalog = Catalog(list(products))
    hashes = [text_hash(product) for product in catalog.products]
    previous = _previous(index_dir, embedder)
    old_rows = {pid: row for row, pid in enumerate(previous.ids)} if previous else {}
    reused = [
        (row, old_rows[p.id])
        for row, p in enumerate(catalog.products)
        if p.id in old_rows and previous.hashes[old_rows[p.id]] == hashes[row]
    ]
    kind = choose_kind(
        len(catalog),
        settings.ann_threshold if settings else DEFAULT_ANN_THRESHOLD,
        settings.ann_kind if settings else "ivf",
    )
    unchanged = (
        previous is not None
        and len(reused) == len(catalog) == len(previous.ids)
        and previous.info.kind == kind
        and previous.lexical is not None
        and previous.lexical.tokenizer == TOKENIZER
    )
    if unchanged:
        return IndexUpdate(0, 0, 0, len(reused), previous)
    vectors = np.empty((len(catalog), embedder.dimension), dtype=np.float32)
    if reused:
        new, old = map(np.array, zip(*reused, strict=True))
        vectors[new] = previous.vectors(old)
    fresh = sorted(set(range(len(catalog))) - {row for row, _ in reused})
    if fresh:
        texts = [catalog.products[row].search_text() for row in fresh]
        vectors[fresh] = embedder.encode(texts, progress=progress)
    texts = [product.search_text() for product in catalog.products]
    index = ProductIndex.build(
        [product.id for product in catalog.products],
        vectors,
        embedder.model_name,
        catalog.fingerprint,
        kind,
        hashes,
        LexicalIndex.build(texts, progress=progress),
        progress,
    )
    index.save(index_dir)
    changed = sum(1 for row in fresh if catalog.products[row].id in old_rows)
    removed = len(set(old_rows) - set(catalog.by_id))
    return IndexUpdate(len(fresh) - changed, changed, removed, len(reused), index)

"""retrieval/index.py: real FAISS indexes (flat, HNSW, IVF), saved atomically, checked at load, updated in place."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import IndexMismatch
from core.product import ProductRecord
from core.settings import Settings
from retrieval.demo_catalog import demo_products
from retrieval.index import ProductIndex, choose_kind, update_index
from retrieval.lexical import LexicalIndex


def vectors(count: int, dimension: int = 16, seed: int = 0) -> np.ndarray:
    data = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return data / np.linalg.norm(data, axis=1, keepdims=True)


def crash(*_args):
    raise OSError("disk full")


def test_search_finds_the_nearest_rows_within_the_allowed_ones():
    data = vectors(200)
    index = ProductIndex.build([f"p{i}" for i in range(200)], data, "model", "fp")
    assert index.search(data[17], 1)[0][0] == 17
    allowed = np.zeros(200, dtype=bool)
    allowed[::10] = True
    hits = index.search(data[17], 5, allowed)
    assert len(hits) == 5 and all(row % 10 == 0 for row, _ in hits)
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert index.search(data[17], 5, np.zeros(200, dtype=bool)) == []


def test_save_and_load_round_trip_checks_the_model(tmp_path):
    data = vectors(50)
    index = ProductIndex.build([f"p{i}" for i in range(50)], data, "model-a", "fp1")
    index.save(tmp_path)
    loaded = ProductIndex.load(tmp_path, "model-a", 16)
    assert loaded.ids == index.ids and loaded.info == index.info
    assert loaded.search(data[3], 1)[0][0] == 3
    with pytest.raises(IndexMismatch):
        ProductIndex.load(tmp_path, "model-b", 16)
    with pytest.raises(IndexMismatch):
        ProductIndex.load(tmp_path, "model-a", 384)


def test_an_interrupted_build_leaves_the_previous_index_in_place(tmp_path, monkeypatch):
    first = ProductIndex.build(["a", "b"], vectors(2), "m", "fp1")
    first.save(tmp_path)
    second = ProductIndex.build(["a", "b", "c"], vectors(3), "m", "fp2")

    # The crash is real I/O failing half-way: the index file is written, the id mapping is not.
    monkeypatch.setattr("retrieval.index.json.dumps", crash)
    with pytest.raises(OSError):
        second.save(tmp_path)
    monkeypatch.undo()
    assert ProductIndex.load(tmp_path, "m", 16).info.catalog_fingerprint == "fp1"
    second.save(tmp_path)
    assert ProductIndex.load(tmp_path, "m", 16).ids == ["a", "b", "c"]
    assert len(list(tmp_path.glob("build-*"))) == 1


def clustered(count: int, dimension: int = 32, clusters: int = 20, seed: int = 1) -> np.ndarray:
    """Vectors in tight clusters, like product embeddings: harder for approximate search than uniform noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dimension))
    data = centres[rng.integers(0, clusters, count)] + 0.3 * rng.normal(size=(count, dimension))
    return (data / np.linalg.norm(data, axis=1, keepdims=True)).astype(np.float32)


def test_the_kind_is_exact_below_the_threshold_and_approximate_from_it():
    assert choose_kind(49_999) == "flat" and choose_kind(50_000) == "ivf"
    assert choose_kind(10, ann_threshold=10, ann_kind="hnsw") == "hnsw"
    with pytest.raises(ValueError):
        choose_kind(10, ann_kind="flat")


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_indexes_find_what_exact_search_finds(kind):
    data, queries = clustered(3000), clustered(50, seed=2)
    ids = [f"p{i}" for i in range(3000)]
    exact = ProductIndex.build(ids, data, "m", "fp", "flat")
    approximate = ProductIndex.build(ids, data, "m", "fp", kind)
    assert approximate.info.kind == kind and approximate.info.params
    found = sum(
        len({row for row, _ in exact.search(q, 10)} & {row for row, _ in approximate.search(q, 10)})
        for q in queries
    )
    assert found / (50 * 10) >= 0.95


@pytest.mark.parametrize("exact_subset", [0, 20_000])
def test_filtered_approximate_search_stays_within_the_filter_and_fills_the_top_k(monkeypatch, exact_subset):
    # 0 forces the graph walk with an ID selector (and its exact fallback); 20k scans the allowed rows.
    monkeypatch.setattr("retrieval.index.EXACT_SUBSET", exact_subset)
    data = clustered(2000)
    index = ProductIndex.build([f"p{i}" for i in range(2000)], data, "m", "fp", "hnsw")
    for stride in (2, 50, 400):
        allowed = np.zeros(2000, dtype=bool)
        allowed[::stride] = True
        hits = index.search(data[1], 10, allowed)
        assert len(hits) == min(10, int(allowed.sum()))
        assert all(allowed[row] for row, _ in hits)


def test_an_approximate_index_with_its_lexical_index_survives_save_and_load(tmp_path):
    data = clustered(300)
    texts = [f"product number {i} {'red' if i % 3 == 0 else 'blue'}" for i in range(300)]
    ids = [f"p{i:03d}" for i in range(300)]
    index = ProductIndex.build(ids, data, "m", "fp", "ivf", ["h"] * 300, LexicalIndex.build(texts))
    index.save(tmp_path)
    loaded = ProductIndex.load(tmp_path, "m", 32)
    assert loaded.info == index.info and loaded.hashes == ["h"] * 300
    assert loaded.search(data[7], 1)[0][0] == 7
    assert np.allclose(loaded.vectors(np.array([5, 6])), data[5:7])
    assert all(row % 3 == 0 for row, _ in loaded.lexical.search("red", 20))


@pytest.fixture(scope="module")
def forty_products():
    return [ProductRecord.model_validate(item) for item in demo_products()[::17][:40]]


class CountingEmbedder:
    """The real MiniLM embedder, counting the texts it is asked to embed."""

    def __init__(self, embedder) -> None:
        self.embedder, self.embedded = embedder, 0
        self.model_name, self.dimension = embedder.model_name, embedder.dimension

    def encode(self, texts, progress=False):
        self.embedded += len(texts)
        return self.embedder.encode(texts)


def test_an_update_embeds_only_new_and_changed_products(tmp_path, embedder, forty_products):
    counting = CountingEmbedder(embedder)
    first = update_index(forty_products, counting, tmp_path)
    assert (first.added, first.changed, first.removed, first.kept, counting.embedded) == (40, 0, 0, 0, 40)
    edited = [
        p.model_copy(update={"description": "Now with a lifetime warranty."}) for p in forty_products[:2]
    ]
    extra = ProductRecord(id="sku-new", title="Moonlit Lantern", category="Home > Lamps", price=30)
    priced = forty_products[2].model_copy(update={"price": 1.0})  # not in the search text: kept
    catalog = [*edited, priced, *forty_products[3:37], extra]  # the last three are gone
    counting.embedded = 0
    update = update_index(catalog, counting, tmp_path)
    assert (update.added, update.changed, update.removed, update.kept) == (1, 2, 3, 35)
    assert counting.embedded == 3
    loaded = ProductIndex.load(tmp_path, embedder.model_name, embedder.dimension)
    assert loaded.ids == sorted(p.id for p in catalog) and loaded.lexical.count == 38
    row = loaded.ids.index("sku-new")
    assert loaded.search(embedder.encode_one("lantern"), 1)[0][0] == row
    kept = loaded.ids.index(forty_products[10].id)
    assert np.allclose(loaded.vectors(np.array([kept]))[0], first.index.vectors(np.array([10]))[0], atol=1e-6)
    counting.embedded = 0
    again = update_index(catalog, counting, tmp_path)
    assert (again.embedded, again.kept, counting.embedded) == (0, 38, 0)


def test_an_update_past_the_threshold_switches_to_hnsw_and_records_it(tmp_path, embedder, forty_products):
    update_index(forty_products, embedder, tmp_path)
    settings = Settings(home=tmp_path, ann_threshold=30, ann_kind="hnsw")
    update = update_index(forty_products, embedder, tmp_path, settings)
    assert update.kept == 40 and update.embedded == 0
    assert ProductIndex.load(tmp_path, embedder.model_name, embedder.dimension).info.kind == "hnsw"


def test_an_update_that_fails_half_way_leaves_the_previous_index(
    tmp_path, embedder, forty_products, monkeypatch
):
    update_index(forty_products[:20], embedder, tmp_path)
    # The BM25 half of the build fails to write, after the FAISS file was written.
    monkeypatch.setattr("retrieval.index.LexicalIndex.save", crash)
    with pytest.raises(OSError):
        update_index(forty_products, embedder, tmp_path)
    monkeypatch.undo()
    assert len(ProductIndex.load(tmp_path, embedder.model_name, embedder.dimension).ids) == 20
    assert update_index(forty_products, embedder, tmp_path).kept == 20

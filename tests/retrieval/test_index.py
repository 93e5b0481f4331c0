"""retrieval/index.py: a real FAISS index, saved atomically and checked at load."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.index import IndexMismatch, ProductIndex


def vectors(count: int, dimension: int = 16, seed: int = 0) -> np.ndarray:
    data = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return data / np.linalg.norm(data, axis=1, keepdims=True)


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

    def crash(*_args):
        raise OSError("disk full")

    # The crash is real I/O failing half-way: the index file is written, the id mapping is not.
    monkeypatch.setattr("retrieval.index.json.dumps", crash)
    with pytest.raises(OSError):
        second.save(tmp_path)
    monkeypatch.undo()
    assert ProductIndex.load(tmp_path, "m", 16).info.catalog_fingerprint == "fp1"
    second.save(tmp_path)
    assert ProductIndex.load(tmp_path, "m", 16).ids == ["a", "b", "c"]
    assert len(list(tmp_path.glob("build-*"))) == 1

"""The encoder's forward pass on ONNX Runtime: the same vectors as PyTorch's, exported once per model weights."""

from __future__ import annotations

import copy
import logging

import numpy as np
import pytest
import torch

from core.settings import Settings
from retrieval.embeddings import Embedder
from retrieval.onnx_forward import MODEL_FILE, OnnxForward, export, fingerprint

TEXTS = [
    "hi",
    "show me running shoes under 40",
    "a waterproof hiking jacket with a hood and two zipped pockets, under 120 dollars",
    "ça va? 🙂",
    "the second one",
]


@pytest.fixture(scope="module")
def exported(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory):
    """MiniLM exported into a fresh cache, once for the module (the export takes about 10 s)."""
    cache = tmp_path_factory.mktemp("onnx")
    return OnnxForward(embedder.model, cache), cache


def test_the_onnx_vectors_equal_pytorchs(embedder, exported):
    forward, _ = exported
    # One at a time, as live turns ask, and together, padded to the longest.
    for text in TEXTS:
        np.testing.assert_allclose(
            forward.run(embedder.model.preprocess([text])), embedder.encode([text]), atol=1e-5
        )
    together = forward.run(embedder.model.preprocess(TEXTS))
    assert together.dtype == np.float32 and together.shape == (len(TEXTS), embedder.dimension)
    np.testing.assert_allclose(together, embedder.encode(TEXTS), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_the_export_is_made_once_and_found_again(embedder, exported, caplog):
    forward, cache = exported
    assert forward.path == cache / fingerprint(embedder.model) / MODEL_FILE and forward.path.is_file()
    written = forward.path.stat().st_mtime_ns
    with caplog.at_level(logging.WARNING, logger="retrieval.onnx_forward"):
        again = OnnxForward(embedder.model, cache)
    assert again.path == forward.path and forward.path.stat().st_mtime_ns == written
    assert not [record for record in caplog.records if "Exporting" in record.message]
    assert [path.name for path in cache.iterdir()] == [forward.path.parent.name]  # no staging left behind


def test_a_second_export_of_the_same_model_keeps_the_first(embedder, exported):
    # Two processes that find no export both make one; the later one must neither fail nor clobber the first.
    forward, cache = exported
    written = forward.path.stat().st_mtime_ns
    export(embedder.model, forward.inputs, embedder.model.preprocess(["a"]), forward.path)
    assert forward.path.stat().st_mtime_ns == written
    assert [path.name for path in cache.iterdir()] == [forward.path.parent.name]


def test_other_weights_get_another_export(embedder):
    tuned = copy.deepcopy(embedder.model)
    assert fingerprint(tuned) == fingerprint(embedder.model)
    with torch.no_grad():
        next(tuned.parameters())[0, 0] += 1e-3
    assert fingerprint(tuned) != fingerprint(embedder.model)


def test_the_settings_choose_the_runtime(embedder, exported):
    _, cache = exported
    assert Settings(cache_dir=cache.parent).onnx_cache == cache.parent / "onnx"
    assert Settings(embedding_runtime="torch").onnx_cache is None
    # An embedder given the cache encodes live turns on ONNX Runtime; one without it stays on PyTorch.
    on_onnx = Embedder(embedder.model_name, loaded=embedder.model, onnx_cache=cache)
    assert on_onnx.onnx is not None and embedder.onnx is None
    np.testing.assert_allclose(on_onnx.encode_online(TEXTS), embedder.encode_online(TEXTS), atol=1e-5)
    np.testing.assert_allclose(
        on_onnx.encode_one("the second one"), embedder.encode(["the second one"])[0], atol=1e-5
    )


def test_an_unwritable_cache_falls_back_to_pytorch(embedder, tmp_path, caplog):
    # A cache path that is a file, as an unwritable or mistyped SHOPASSIST_CACHE_DIR would be: the export cannot
    # be written, and the embedder says so and encodes on PyTorch, which gives the same vectors.
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    with caplog.at_level(logging.WARNING, logger="retrieval.embeddings"):
        fallback = Embedder(embedder.model_name, loaded=embedder.model, onnx_cache=blocked / "onnx")
    assert fallback.onnx is None
    assert any("Encoding live turns on PyTorch" in record.message for record in caplog.records)
    np.testing.assert_allclose(
        fallback.encode_one("the second one"), embedder.encode(["the second one"])[0], atol=1e-6
    )

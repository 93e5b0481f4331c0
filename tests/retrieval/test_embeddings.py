"""The embedder's batching of concurrent single-text requests, on the real MiniLM model."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from retrieval.embeddings import ConcurrentBatcher

TEXTS = [f"{colour} {thing} under {price}" for colour, thing, price in zip(
    ("red", "blue", "green", "black", "white", "grey", "pink", "brown"),
    ("running shoes", "sofa", "headphones", "backpack", "mugs", "desk lamp", "yoga mat", "hoodie"),
    range(20, 100, 10),
    strict=True,
)]  # fmt: skip


class HeldFirstPass:
    """The real model's `encode`, with the first pass held until released, so that others queue behind it."""

    def __init__(self, encode) -> None:
        self.encode = encode
        self.release = threading.Event()
        self.first = True

    def __call__(self, texts: list[str]) -> np.ndarray:
        if self.first:
            self.first = False
            assert self.release.wait(timeout=30)
        return self.encode(texts)


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_lone_request_is_encoded_at_once_and_equals_plain_encoding(embedder):
    batcher = ConcurrentBatcher(embedder.encode)
    vector = batcher.run("a waterproof jacket")
    assert (batcher.passes, batcher.texts_encoded) == (1, 1)
    np.testing.assert_allclose(vector, embedder.encode(["a waterproof jacket"])[0], atol=1e-6)


def test_the_online_path_equals_plain_encoding(embedder):
    # Live turns go through `encode_online`, the index and training through `encode`: the vectors must agree.
    texts = [
        *TEXTS,
        "hi",
        "a waterproof hiking jacket with a hood and two zipped pockets, under 120 dollars",
        "ça va? 🙂",
    ]
    online = embedder.encode_online(texts)
    assert online.dtype == np.float32 and online.shape == (len(texts), embedder.dimension)
    np.testing.assert_allclose(online, embedder.encode(texts), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(online, axis=1), 1.0, atol=1e-5)


def test_requests_arriving_during_a_pass_share_the_next_one(embedder):
    held = HeldFirstPass(embedder.encode)
    batcher = ConcurrentBatcher(held)
    with ThreadPoolExecutor(len(TEXTS)) as pool:
        first = pool.submit(batcher.run, TEXTS[0])
        wait_for(lambda: batcher.busy)
        rest = [pool.submit(batcher.run, text) for text in TEXTS[1:]]
        wait_for(lambda: len(batcher.waiting) == len(TEXTS) - 1)
        held.release.set()
        vectors = [first.result(), *(future.result() for future in rest)]
    assert (batcher.passes, batcher.texts_encoded) == (2, len(TEXTS))
    # Each caller gets its own text's vector, equal to encoding it alone (padding in a batch changes nothing).
    for text, vector in zip(TEXTS, vectors, strict=True):
        np.testing.assert_allclose(vector, embedder.encode([text])[0], atol=1e-5)


def test_a_batch_larger_than_the_limit_is_split(embedder):
    held = HeldFirstPass(embedder.encode)
    batcher = ConcurrentBatcher(held, max_batch=3)
    with ThreadPoolExecutor(1 + len(TEXTS)) as pool:
        first = pool.submit(batcher.run, "hi")
        wait_for(lambda: batcher.busy)
        rest = [pool.submit(batcher.run, text) for text in TEXTS]
        wait_for(lambda: len(batcher.waiting) == len(TEXTS))
        held.release.set()
        results = [future.result() for future in rest]
    first.result()
    assert batcher.passes == 1 + 3  # the held pass, then 8 waiting texts in passes of at most 3
    for text, vector in zip(TEXTS, results, strict=True):
        np.testing.assert_allclose(vector, embedder.encode([text])[0], atol=1e-5)


def test_a_failing_pass_fails_every_request_in_it_and_the_next_pass_works(embedder):
    calls = []

    def fails_once(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        if len(calls) == 1:
            raise RuntimeError("out of memory")
        return embedder.encode(texts)

    batcher = ConcurrentBatcher(fails_once)
    with pytest.raises(RuntimeError, match="out of memory"):
        batcher.run("sofa")
    assert batcher.run("sofa").shape == (embedder.dimension,)
    assert not batcher.busy and not batcher.waiting

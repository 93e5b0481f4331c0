"""A sentence encoder's forward pass on ONNX Runtime, for the few texts of live turns on a CPU.

PyTorch's eager forward pass for one short utterance is bound by the interpreter, not by arithmetic: it calls
some hundred operators from Python, each holding the GIL that concurrent turns wait for. ONNX Runtime runs the
same graph in C++ with the GIL released, in about half the time (docs/performance.md); the vectors agree with
PyTorch's to ~1e-7.

The graph is exported once per model weights with PyTorch's own exporter (`torch.onnx.export`, seconds), into a
cache shared by every data directory and process: its key is a hash of the weights, the module stack and the
PyTorch version, so a copied or re-trained model finds its own export, or makes one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnxruntime
import torch
from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"


def fingerprint(model: SentenceTransformer) -> str:
    """What the exported graph depends on: the modules (pooling, normalisation, sequence length), every weight,
    and the exporter's version."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{torch.__version__}\n{model!r}".encode())
    for name, tensor in model.state_dict().items():
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(tensor.detach().cpu().contiguous().view(torch.uint8).numpy())
    return digest.hexdigest()


class _Forward(torch.nn.Module):
    """The model's `sentence_embedding`, L2-normalised as `Embedder` returns it, with tensors in and out (the
    exporter traces positional tensors, not SentenceTransformer's feature dict)."""

    def __init__(self, model: SentenceTransformer, inputs: list[str]) -> None:
        super().__init__()
        self.model = model
        self.inputs = inputs

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        features = dict(zip(self.inputs, tensors, strict=True))
        return torch.nn.functional.normalize(self.model(features)["sentence_embedding"], dim=-1)


class OnnxForward:
    """`run(features)` computes what `model(features)` would, normalised, as float32 numpy rows."""

    def __init__(self, model: SentenceTransformer, cache: Path) -> None:
        if model.device.type != "cpu":
            raise ValueError("OnnxForward runs on the CPU; keep a GPU model on PyTorch.")
        # The tokenizer's tensors (input_ids, attention_mask and, for BERT, token_type_ids) are the graph's inputs.
        sample = model.preprocess(["a"])
        self.inputs = [name for name, value in sample.items() if isinstance(value, torch.Tensor)]
        path = cache / fingerprint(model) / MODEL_FILE
        if not path.exists():
            export(model, self.inputs, sample, path)
        options = onnxruntime.SessionOptions()
        # As many threads as PyTorch's pool (OMP_NUM_THREADS where set): one per process when several share cores.
        options.intra_op_num_threads = torch.get_num_threads()
        options.inter_op_num_threads = 1
        # Idle pool threads would otherwise spin on the cores that the other turns' Python needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.path = path

    def run(self, features: dict) -> np.ndarray:
        feed = {name: features[name].numpy() for name in self.inputs}
        return self.session.run(None, feed)[0]


def export(model: SentenceTransformer, inputs: list[str], sample: dict, path: Path) -> None:
    """Exports the forward pass to `path` (with its weights beside it), atomically: processes that export the
    same model at once each write their own directory, and the first to finish is kept."""
    log.warning(
        "Exporting the encoder's forward pass to ONNX (once per model, about 10 s) into %s", path.parent
    )
    path.parent.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=path.parent.parent))
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    try:
        with warnings.catch_warnings():
            # The exporter narrates its internals (unused axis names, deprecated pytree calls, torchvision's
            # operators it skips) as warnings and log lines; whoever runs the server needs none of them.
            warnings.simplefilter("ignore")
            exporter_log.setLevel(logging.ERROR)
            torch.onnx.export(
                _Forward(model, inputs).eval(),
                tuple(sample[name] for name in inputs),
                str(staging / path.name),
                input_names=inputs,
                output_names=["vector"],
                # One entry for `forward`'s *tensors, which holds one per input.
                dynamic_shapes=(tuple({0: batch, 1: sequence} for _ in inputs),),
                dynamo=True,
                verbose=False,
            )
        staging.chmod(0o755)  # mkdtemp's is private; the export is not
        # If another process finished first, its export is the same graph: keep it.
        with contextlib.suppress(OSError):
            os.replace(staging, path.parent)
    finally:
        exporter_log.setLevel(level)
        shutil.rmtree(staging, ignore_errors=True)

"""Batching of concurrent generations for a local model: many shoppers share one GPU (or CPU) efficiently.

Every reply request joins a queue; a worker thread takes what is waiting (up to `max_batch`, waiting at most
`window` seconds for company after the first) and runs it as one left-padded, batched `generate`. A streamer
splits each step's tokens by row, so each request streams its own text as it is written. A shopper who stops
reading stops their row; the batch goes on for the others.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase, StoppingCriteria, StoppingCriteriaList
from transformers.generation.streamers import BaseStreamer

_END = object()  # a request's stream is over


@dataclass
class _Request:
    ids: list[int]
    pieces: queue.Queue = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)


class _RowsCancelled(StoppingCriteria):
    """Stops the rows whose reader has gone (per row, as `generate` expects)."""

    def __init__(self, requests: list[_Request]) -> None:
        self.requests = requests

    def __call__(
        self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any
    ) -> torch.BoolTensor:
        flags = [request.cancelled.is_set() for request in self.requests]
        return torch.tensor(flags, dtype=torch.bool, device=input_ids.device)


class _RowStreamer(BaseStreamer):
    """Hands each row's newly decoded text to its request as `generate` produces tokens."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, requests: list[_Request]) -> None:
        self.tokenizer = tokenizer
        self.requests = requests
        self.tokens: list[list[int]] = [[] for _ in requests]
        self.sent = ["" for _ in requests]
        self.prompt_seen = False
        self.ended = False

    def put(self, value: torch.Tensor) -> None:
        if not self.prompt_seen:  # the first call carries the prompts
            self.prompt_seen = True
            return
        for row, token in enumerate(value.reshape(len(self.requests), -1)[:, -1].tolist()):
            self.tokens[row].append(token)
            text = self.tokenizer.decode(self.tokens[row], skip_special_tokens=True)
            # A character split across tokens decodes as U+FFFD until its last byte arrives.
            if (
                text.startswith(self.sent[row])
                and not text.endswith("\ufffd")
                and len(text) > len(self.sent[row])
            ):
                self.requests[row].pieces.put(text[len(self.sent[row]) :])
                self.sent[row] = text

    def end(self) -> None:
        self.ended = True
        for request in self.requests:
            request.pieces.put(_END)


class GenerationBatcher:
    """One worker thread that runs waiting generation requests together; `stream` is called by any thread."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        options: dict[str, Any],
        max_batch: int = 8,
        window: float = 0.02,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be 1 or more, not {max_batch}")
        if window < 0:
            raise ValueError(f"window must be 0 or more, not {window}")
        self.model = model
        self.tokenizer = tokenizer
        self.options = options
        self.max_batch = max_batch
        self.window = window
        self.batch_sizes: list[int] = []  # the size of every batch run, for tests and bench/llm.py
        self._waiting: queue.Queue[_Request] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._start = threading.Lock()

    def stream(self, ids: list[int]) -> Iterator[str]:
        """The text generated after the prompt `ids`, in pieces; closing the iterator cancels the request."""
        request = _Request(ids)
        with self._start:
            self._waiting.put(request)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="llm-batcher", daemon=True)
                self._worker.start()
        try:
            while (piece := request.pieces.get()) is not _END:
                if isinstance(piece, BaseException):
                    raise piece
                yield piece
        finally:
            request.cancelled.set()

    @property
    def busy(self) -> bool:
        """Whether a batch is running or waiting to."""
        return self._worker is not None

    def _work(self) -> None:
        # The worker ends when nothing waits (under the lock `stream` queues with), so no thread outlives the
        # requests: a daemon thread still inside torch when the interpreter exits aborts the process.
        while True:
            with self._start:
                if self._waiting.empty():
                    self._worker = None
                    return
            batch = [self._waiting.get()]
            deadline = time.monotonic() + self.window
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._waiting.get(timeout=max(deadline - time.monotonic(), 0)))
                except queue.Empty:
                    break
            batch = [request for request in batch if not request.cancelled.is_set()]
            if batch:
                self._run(batch)

    def _run(self, batch: list[_Request]) -> None:
        self.batch_sizes.append(len(batch))
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        longest = max(len(request.ids) for request in batch)
        # Left padding: every row's next token comes right after its own prompt.
        rows = [[pad] * (longest - len(r.ids)) + r.ids for r in batch]
        mask = [[0] * (longest - len(r.ids)) + [1] * len(r.ids) for r in batch]
        device = self.model.device
        streamer = _RowStreamer(self.tokenizer, batch)
        try:
            with torch.inference_mode():
                self.model.generate(
                    input_ids=torch.tensor(rows, device=device),
                    attention_mask=torch.tensor(mask, device=device),
                    streamer=streamer,
                    stopping_criteria=StoppingCriteriaList([_RowsCancelled(batch)]),
                    pad_token_id=pad,
                    tokenizer=self.tokenizer,
                    **self.options,
                )
        except Exception as error:  # handed to every reader's thread, where it is raised
            for request in batch:
                request.pieces.put(error)
            return
        if not streamer.ended:
            streamer.end()

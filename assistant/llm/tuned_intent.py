"""Understanding by a task-tuned LLM: Gemma 3 270M with a LoRA adapter reads a turn as one JSON object,
`{"intent": "<label>", "slots": {...}}`.

The object is constrained where it matters. The intent is never free text: every label of the taxonomy is scored by
the likelihood of its tokens after `{"intent": "`, so the answer is always a valid intent. The slots are then
written greedily after the chosen label and kept only when they parse, name a slot the adapter was taught with a
value of the right type, and are grounded in the shopper's words (a number the shopper did not write is dropped).

The adapter (`adapters/gemma3-270m-intent/`) is trained by `shopassist nlu tune-llm` (assistant/llm/intent_tuning.py)
and committed with the hash of the data it was trained on; the tests check that it is current.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from pathlib import Path
from typing import Any

import torch

from assistant.llm.protocol import Reading
from assistant.llm.transformers_backend import PACKAGED_MODEL, load_model, resolve_model, utterance_block
from assistant.understanding.intent_classifier import Example, data_hash
from core.errors import BackendUnavailable
from core.taxonomy import Intent

ADAPTER_DIR = Path(__file__).parent / "adapters" / "gemma3-270m-intent"
PROVENANCE = "provenance.json"
# Raised when the prompt or answer format changes: an adapter trained on another format is not current.
FORMAT = 1
LABELS = tuple(intent.value for intent in Intent)

# The slots the adapter is taught (those the rules read without a catalog), with the type each value must have.
SLOT_TYPES: dict[str, type | tuple[type, ...]] = {
    "min_price": (int, float),
    "max_price": (int, float),
    "quantity": int,
    "order_id": str,
    "color": str,
    "size": str,
    "sort": str,
    "product_ref": list,
}
SORTS = ("price_asc", "price_desc", "rating_desc", "newest")
MAX_SLOT_TOKENS = 48
INTENT_OPENING = 'JSON: {"intent": "'
LABEL_CLOSING = '", "slots": '


def prompt_text(text: str, context: dict) -> str:
    """The turn as the adapter reads it: its context lines, the shopper's words, and the answer's opening."""
    return utterance_block(text, context) + INTENT_OPENING


def slots_text(slots: dict[str, Any]) -> str:
    """The answer's slots and the object's closing brace, as the adapter writes them."""
    return json.dumps(slots, ensure_ascii=False, sort_keys=True) + "}"


def adapter_key(examples: list[Example]) -> str:
    """What makes an adapter current: the training data, the answer format and the base model."""
    return f"{data_hash(examples)}-f{FORMAT}-{PACKAGED_MODEL}"


def grounded_slots(slots: Any, text: str) -> dict[str, Any]:
    """The written slots that are taught slots of the right type whose value the shopper's words contain."""
    if not isinstance(slots, dict):
        return {}
    lowered = text.lower()
    digits = set(re.findall(r"\d+(?:\.\d+)?", text.replace(",", "")))
    kept: dict[str, Any] = {}
    for name, value in slots.items():
        expected = SLOT_TYPES.get(name)
        if expected is None or isinstance(value, bool) or not isinstance(value, expected):
            continue
        if name == "product_ref":
            if value and all(isinstance(ref, int) and not isinstance(ref, bool) and ref > 0 for ref in value):
                kept[name] = value
        elif name == "sort":
            if value in SORTS:
                kept[name] = value
        elif isinstance(value, str):
            if value and value.lower() in lowered:
                kept[name] = value
        elif name == "quantity" or _number_text(value) in digits:
            kept[name] = value
    return kept


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class TunedIntentLLM:
    """The base model with the adapter merged in, reading turns as constrained JSON.

    It is a separate copy of the base model, so a reply backend using the same model is not changed by the
    adapter."""

    name = "tuned-gemma"

    def __init__(self, adapter: Path | str = ADAPTER_DIR, device: str | None = None) -> None:
        adapter = Path(adapter)
        if not (adapter / "adapter_config.json").is_file():
            raise BackendUnavailable(
                f"no LoRA adapter in {adapter}: train one with `shopassist nlu tune-llm`"
            )
        from peft import PeftModel

        provenance = adapter / PROVENANCE
        self.provenance = json.loads(provenance.read_text()) if provenance.is_file() else {}
        # The adapter only fits the model it was trained on.
        base = load_model(*resolve_model(self.provenance.get("base_model", PACKAGED_MODEL)), device)
        self.tokenizer = base.tokenizer
        self.model = PeftModel.from_pretrained(copy.deepcopy(base.model), str(adapter)).merge_and_unload()
        self.model.eval()
        self._label_ids = [self.encode(label) for label in LABELS]
        self._closing = self.encode(LABEL_CLOSING)
        self._lock = threading.Lock()

    def encode(self, text: str, bos: bool = False) -> list[int]:
        ids = self.tokenizer(text, add_special_tokens=False).input_ids
        return [self.tokenizer.bos_token_id, *ids] if bos and self.tokenizer.bos_token_id is not None else ids

    def read(self, text: str, labels: list[str], context: dict, with_slots: bool = True) -> Reading:
        """The turn's intent (always one of `labels`; labels the adapter does not know are never chosen) and,
        when asked, its grounded slots."""
        allowed = [i for i, label in enumerate(LABELS) if label in labels]
        if not allowed:
            raise ValueError(f"none of {labels} is an intent the adapter knows")
        with self._lock, torch.inference_mode():
            prompt = torch.tensor(
                [self.encode(prompt_text(text, context), bos=True)], device=self.model.device
            )
            out = self.model(input_ids=prompt, use_cache=True, logits_to_keep=1)
            scores = self._label_scores(out, allowed)
            best = allowed[max(range(len(allowed)), key=scores.__getitem__)]
            if not with_slots:
                return Reading(LABELS[best])
            raw = self._write_slots(out.past_key_values, self._label_ids[best] + self._closing)
        try:
            written = json.loads(raw.removesuffix("}")) if raw.endswith("}") else None
        except json.JSONDecodeError:
            written = None
        return Reading(LABELS[best], grounded_slots(written, text), raw)

    def _label_scores(self, out: Any, allowed: list[int]) -> list[float]:
        """Each allowed label's log-probability, its closing quote included (so "refine" is no prefix of
        another label's win), all labels in one batch over the prompt's cache."""
        first = torch.log_softmax(out.logits[0, -1].float(), dim=-1)
        rows = [self._label_ids[i] + self._closing[:1] for i in allowed]
        longest = max(len(row) for row in rows)
        pad = self.tokenizer.pad_token_id or 0
        cache = copy.deepcopy(out.past_key_values)
        cache.batch_repeat_interleave(len(rows))
        batch = torch.tensor(
            [row[:-1] + [pad] * (longest - len(row)) for row in rows], device=self.model.device
        )
        logits = self.model(input_ids=batch, past_key_values=cache, use_cache=True).logits.float()
        logprobs = torch.log_softmax(logits, dim=-1)
        # Right padding comes after every real token, so it changes no real token's prediction.
        return [
            first[row[0]].item() + sum(logprobs[r, i, row[i + 1]].item() for i in range(len(row) - 1))
            for r, row in enumerate(rows)
        ]

    def _write_slots(self, cache: Any, forced: list[int]) -> str:
        """The slots object written greedily after the chosen label, up to the closing brace of the answer."""
        cache = copy.deepcopy(cache)
        ids = torch.tensor([forced], device=self.model.device)
        written: list[int] = []
        for _ in range(MAX_SLOT_TOKENS):
            out = self.model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)
            cache = out.past_key_values
            token = int(out.logits[0, -1].argmax())
            if token == self.tokenizer.eos_token_id:
                break
            written.append(token)
            text = self.tokenizer.decode(written)
            if "\n" in text or text.rstrip().endswith("}}"):
                break
            ids = torch.tensor([[token]], device=self.model.device)
        return self.tokenizer.decode(written).split("\n", 1)[0].strip()

"""Tuning Gemma 3 270M to read turns as JSON (assistant/llm/tuned_intent.py): LoRA with peft.

The training rows are the intent examples the classifier trains on (its held-out tenth stays out), each answered
with its intent and the slots the rules read in it without a catalog (prices, quantity, order number, colour,
size, sort, references). An example written for any context is shown in a context drawn at random, so that the
adapter never depends on context lines it was not taught to read.

Only the answer's tokens are scored, and the vocabulary projection (most of a 270M model's arithmetic) runs only
at those positions. On a GPU it takes about a minute; on two CPU cores it takes tens of minutes, so it is opt-in
(`shopassist nlu tune-llm`) and the adapter it writes is committed.
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from assistant.llm.transformers_backend import PACKAGED_MODEL, load_model, project, resolve_model
from assistant.llm.tuned_intent import (
    ADAPTER_DIR,
    LABEL_CLOSING,
    PROVENANCE,
    SLOT_TYPES,
    adapter_key,
    prompt_text,
    slots_text,
)
from assistant.understanding.intent_classifier import LAST_ACTS, STAGES, Example

# Attention projections only: the adapter stays small enough to commit.
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj"]


@dataclass(frozen=True)
class Recipe:
    epochs: int = 1
    batch_size: int = 16
    rank: int = 8
    learning_rate: float = 1e-3
    seed: int = 0


@dataclass(frozen=True)
class Row:
    prompt: str
    label: str
    slots: dict[str, Any]


def training_rows(examples: list[Example], read_slots: Callable[[str], dict], seed: int = 0) -> list[Row]:
    """One row per training example: its words in its own context (or a random one), its intent, its slots."""
    rng = random.Random(seed)
    rows = []
    for example in examples:
        if example.held_out:
            continue
        if example.context:
            context = {"stage": example.context.stage.value, "last_act": example.context.last_act}
        else:
            context = {"stage": rng.choice(STAGES).value, "last_act": rng.choice(LAST_ACTS)}
        slots = {name: value for name, value in read_slots(example.text).items() if name in SLOT_TYPES}
        rows.append(Row(prompt_text(example.text, context), example.intent.value, slots))
    return rows


def tune(
    examples: list[Example],
    read_slots: Callable[[str], dict],
    output: Path = ADAPTER_DIR,
    recipe: Recipe = Recipe(),
    model: str = PACKAGED_MODEL,
    device: str | None = None,
    command: str = "",
    progress: bool = True,
) -> dict:
    """Train the adapter, save it with its provenance in `output`, and return the provenance."""
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(recipe.seed)
    base = load_model(*resolve_model(model), device)
    tokenizer = base.tokenizer
    # peft injects its layers into the model it wraps: train a copy, so the cached base model stays plain.
    network = get_peft_model(
        copy.deepcopy(base.model),
        LoraConfig(
            r=recipe.rank, lora_alpha=2 * recipe.rank, target_modules=TARGET_MODULES, lora_dropout=0.0
        ),
    )
    network.train()
    rows = training_rows(examples, read_slots, recipe.seed)
    encoded = [_encode(tokenizer, row) for row in rows]
    optimizer = torch.optim.AdamW(
        [p for p in network.parameters() if p.requires_grad], lr=recipe.learning_rate
    )
    batches = [
        batch
        for epoch in range(recipe.epochs)
        for batch in _batches(encoded, recipe.batch_size, recipe.seed + epoch)
    ]
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / len(batches))
    started, losses = time.monotonic(), []
    with tqdm(batches, desc="Tuning Gemma for understanding", disable=not progress) as bar:
        for batch in bar:
            loss = _answer_loss(network, batch, tokenizer.pad_token_id or 0)
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            losses.append(loss.item())
            bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
    output.mkdir(parents=True, exist_ok=True)
    network.save_pretrained(str(output))
    provenance = {
        "key": adapter_key(examples),
        "base_model": model,
        "rows": len(rows),
        "recipe": recipe.__dict__,
        "steps": len(batches),
        "final_loss": round(sum(losses[-20:]) / len(losses[-20:]), 4),
        "seconds": round(time.monotonic() - started, 1),
        "device": str(network.device),
        "command": command,
    }
    (output / PROVENANCE).write_text(json.dumps(provenance, indent=2) + "\n")
    return provenance


def _encode(tokenizer: Any, row: Row) -> tuple[list[int], int]:
    """The row's token ids, built piece by piece exactly as tuned_intent reads them, and where the answer starts."""
    prompt = [tokenizer.bos_token_id] * (tokenizer.bos_token_id is not None)
    prompt += tokenizer(row.prompt, add_special_tokens=False).input_ids
    answer = [
        *tokenizer(row.label, add_special_tokens=False).input_ids,
        *tokenizer(LABEL_CLOSING, add_special_tokens=False).input_ids,
        *tokenizer(slots_text(row.slots), add_special_tokens=False).input_ids,
        tokenizer.eos_token_id,
    ]
    return prompt + answer, len(prompt)


def _batches(encoded: list[tuple[list[int], int]], size: int, seed: int) -> list[list[tuple[list[int], int]]]:
    """Batches of rows of similar length (less padding), in random order."""
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    batches = [[encoded[i] for i in order[start : start + size]] for start in range(0, len(order), size)]
    random.Random(seed).shuffle(batches)
    return batches


def _answer_loss(network: Any, batch: list[tuple[list[int], int]], pad: int) -> torch.Tensor:
    longest = max(len(ids) for ids, _ in batch)
    ids = torch.tensor([row + [pad] * (longest - len(row)) for row, _ in batch], device=network.device)
    mask = torch.tensor(
        [[1] * len(row) + [0] * (longest - len(row)) for row, _ in batch], device=network.device
    )
    hidden = network.get_base_model().model(input_ids=ids, attention_mask=mask).last_hidden_state
    # Position p predicts token p + 1: the answer's tokens are predicted from the one before each.
    where = [(r, p) for r, (row, start) in enumerate(batch) for p in range(start - 1, len(row) - 1)]
    rows, positions = [r for r, _ in where], [p for _, p in where]
    logits = project(network.get_base_model(), hidden[rows, positions])
    return torch.nn.functional.cross_entropy(logits.float(), ids[rows, [p + 1 for p in positions]])

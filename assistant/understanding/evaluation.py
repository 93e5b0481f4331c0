"""Scoring intent and slot understanding on a labelled file (`shopassist nlu eval`).

The file is CSV or JSONL with the utterance (`text` or `utterance`), its intent, and optionally its slots and
the dialogue context it was said in (`stage`, `last_act`, `has_results`, `has_cart`) as JSON objects. A mapping renames the file's intents onto the taxonomy; rows whose intent maps to nothing are left
out and counted, so a dataset with extra intents (accounts, newsletters) can still be scored on the shared ones.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from core.errors import EvaluationInputError
from core.state import Context
from core.taxonomy import NEED_SLOTS, Intent

# Calibration is measured in this many equal-width confidence bins (expected calibration error).
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class LabelledUtterance:
    text: str
    intent: str
    slots: dict[str, Any] | None = None
    context: Context = field(default_factory=Context)
    accepted: tuple[str, ...] = ()  # other intents also scored right, besides `intent`


@dataclass
class Scores:
    count: int
    skipped: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, dict[str, float]]
    confusions: list[tuple[str, str, int]]
    out_of_scope_precision: float | None = None
    out_of_scope_recall: float | None = None
    calibration_error: float | None = None
    accuracy_above_threshold: float | None = None
    share_above_threshold: float | None = None
    slot_precision: float | None = None
    slot_recall: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = {key: value for key, value in vars(self).items() if key != "extra"}
        data["confusions"] = [{"expected": e, "predicted": p, "count": n} for e, p, n in self.confusions]
        return {**data, **self.extra}

    def table(self) -> str:
        lines = [
            f"utterances {self.count} (skipped {self.skipped})   accuracy {self.accuracy:.3f}   macro-F1 {self.macro_f1:.3f}",
            "",
            f"{'intent':<18} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}",
        ]
        for intent, row in sorted(self.per_intent.items()):
            lines.append(
                f"{intent:<18} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} {int(row['support']):>8}"
            )
        if self.out_of_scope_precision is not None:
            lines += [
                "",
                f"out of scope: precision {self.out_of_scope_precision:.3f}   recall {self.out_of_scope_recall:.3f}",
            ]
        if self.calibration_error is not None:
            lines += [
                f"calibration error {self.calibration_error:.3f}   accuracy above the clarification threshold "
                f"{self.accuracy_above_threshold:.3f} ({self.share_above_threshold:.0%} of utterances)"
            ]
        if self.slot_precision is not None:
            lines += ["", f"slots: precision {self.slot_precision:.3f}   recall {self.slot_recall:.3f}"]
        if self.confusions:
            lines += ["", "most frequent confusions (expected → predicted):"]
            lines += [f"  {e} → {p}: {n}" for e, p, n in self.confusions[:10]]
        return "\n".join(lines)


def parse_mapping(value: str | None) -> dict[str, tuple[str, ...]] | None:
    """A mapping from a JSON/YAML file, or inline as "source=intent,source=intent|intent"; targets must be
    intents. A source mapped to several intents is scored right when any of them is predicted (the first is its
    label in the per-intent figures)."""
    if not value:
        return None
    path = Path(value)
    if path.is_file():
        mapping = yaml.safe_load(path.read_text())
        if not isinstance(mapping, dict):
            raise EvaluationInputError(f"{path} must hold a mapping of dataset intents to taxonomy intents")
    else:
        pairs = [pair.partition("=") for pair in value.split(",") if pair.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise EvaluationInputError(
                f"--mapping is a file or SOURCE=INTENT pairs separated by commas, not {value!r}"
            )
        mapping = {source.strip(): target.strip().split("|") for source, _, target in pairs}
    targets = {
        str(source): tuple(str(t).strip() for t in (target if isinstance(target, list) else [target]))
        for source, target in mapping.items()
    }
    unknown = sorted({t for accepted in targets.values() for t in accepted} - set(Intent))
    if unknown or any(not accepted for accepted in targets.values()):
        raise EvaluationInputError(f"the mapping names intents outside the taxonomy: {', '.join(unknown)}")
    return targets


def read_labelled(
    path: Path, mapping: dict[str, tuple[str, ...]] | None
) -> tuple[list[LabelledUtterance], int]:
    """The file's utterances with taxonomy intents, and how many rows were left out for want of a mapping."""
    if not path.is_file():
        raise EvaluationInputError(f"no labelled file at {path}")
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        try:
            rows = [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
        except json.JSONDecodeError as error:
            raise EvaluationInputError(f"{path}: invalid JSON on line {error.lineno}") from None
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    utterances, skipped = [], 0
    for number, row in enumerate(rows, start=1):
        text = row.get("text") or row.get("utterance")
        label = row.get("intent")
        if not text or not label:
            raise EvaluationInputError(f"{path}: row {number} needs a text (or utterance) and an intent")
        accepted = mapping.get(label, ()) if mapping is not None else (label,)
        if not accepted or accepted[0] not in set(Intent):
            skipped += 1
            continue
        intent = accepted[0]
        slots = row.get("slots")
        if isinstance(slots, str) and slots.strip():
            slots = json.loads(slots)
        utterances.append(
            LabelledUtterance(text, intent, slots or None, context_of(path, number, row), accepted)
        )
    return utterances, skipped


def context_of(path: Path, number: int, row: dict) -> Context:
    given = row.get("context") or {}
    if isinstance(given, str):
        given = json.loads(given) if given.strip() else {}
    try:
        return Context.from_mapping(given)
    except ValueError as error:
        raise EvaluationInputError(f"{path}: row {number} has an invalid context: {error}") from None


# Understanding's notes for the reply and the need slots, which the contract's slots (and so labelled files)
# do not have: never scored.
NOT_SCORED = {"not_carried", *NEED_SLOTS}


def _slot_items(slots: dict[str, Any]) -> set[tuple[str, str]]:
    items = set()
    for name, value in slots.items():
        if name in NOT_SCORED:
            continue
        values = value if isinstance(value, list) else [value]
        items |= {(name, str(v).lower()) for v in values}
    return items


def score(
    utterances: list[LabelledUtterance],
    predicted: list[str],
    predicted_slots: list[dict],
    skipped: int = 0,
    confidences: list[float] | None = None,
    threshold: float = 0.45,
) -> Scores:
    """Accuracy, macro-F1 over the intents present, per-intent P/R/F1, confusions, out-of-scope precision and
    recall, calibration (with `confidences`: the expected calibration error, and accuracy on the utterances at or
    above the clarification `threshold`, which the assistant acts on without asking) and slot P/R."""
    expected = [u.intent for u in utterances]
    # A prediction among an utterance's accepted intents counts as its label.
    predicted = [u.intent if p in u.accepted else p for u, p in zip(utterances, predicted, strict=True)]
    labels = sorted(set(expected))
    precision, recall, f1, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0
    )
    per_intent = {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    confusions = Counter((e, p) for e, p in zip(expected, predicted, strict=True) if e != p)
    scores = Scores(
        count=len(utterances),
        skipped=skipped,
        accuracy=float(accuracy_score(expected, predicted)),
        macro_f1=float(f1_score(expected, predicted, labels=labels, average="macro", zero_division=0)),
        per_intent=per_intent,
        confusions=[(e, p, n) for (e, p), n in confusions.most_common()],
    )
    out = Intent.OUT_OF_SCOPE.value
    said_out = [p == out for p in predicted]
    truly_out = [e == out for e in expected]
    if any(truly_out) or any(said_out):
        hits = sum(s and t for s, t in zip(said_out, truly_out, strict=True))
        scores.out_of_scope_precision = hits / sum(said_out) if any(said_out) else 1.0
        scores.out_of_scope_recall = hits / sum(truly_out) if any(truly_out) else 1.0
    if confidences is not None:
        correct = [e == p for e, p in zip(expected, predicted, strict=True)]
        scores.calibration_error = calibration_error(confidences, correct)
        acted = [c for c, confidence in zip(correct, confidences, strict=True) if confidence >= threshold]
        scores.accuracy_above_threshold = sum(acted) / len(acted) if acted else 0.0
        scores.share_above_threshold = len(acted) / len(correct)
    gold = [
        (u.slots, found) for u, found in zip(utterances, predicted_slots, strict=True) if u.slots is not None
    ]
    if gold:
        true_items = sum(len(_slot_items(g)) for g, _ in gold)
        found_items = sum(len(_slot_items(f)) for _, f in gold)
        hits = sum(len(_slot_items(g) & _slot_items(f)) for g, f in gold)
        scores.slot_precision = hits / found_items if found_items else 1.0
        scores.slot_recall = hits / true_items if true_items else 1.0
    return scores


def calibration_error(confidences: list[float], correct: list[bool]) -> float:
    """Expected calibration error: the mean gap between confidence and accuracy, over equal-width bins weighted
    by how many utterances fall in each."""
    total, gap = len(confidences), 0.0
    for low in range(CALIBRATION_BINS):
        members = [
            (confidence, ok)
            for confidence, ok in zip(confidences, correct, strict=True)
            if low / CALIBRATION_BINS < confidence <= (low + 1) / CALIBRATION_BINS
            or (low == 0 and confidence == 0.0)
        ]
        if members:
            mean_confidence = sum(c for c, _ in members) / len(members)
            accuracy = sum(ok for _, ok in members) / len(members)
            gap += len(members) / total * abs(mean_confidence - accuracy)
    return gap

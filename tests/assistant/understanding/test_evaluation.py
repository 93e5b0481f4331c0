"""assistant/understanding/evaluation.py and `shopassist nlu eval`: scores computed right, inputs checked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.understanding.evaluation import LabelledUtterance, parse_mapping, read_labelled, score
from core.errors import EvaluationInputError


def test_scores_by_hand():
    utterances = [
        LabelledUtterance("a", "greet", {"color": "red"}),
        LabelledUtterance("b", "greet"),
        LabelledUtterance("c", "goodbye", {"max_price": 10}),
        LabelledUtterance("d", "thanks"),
    ]
    predicted = ["greet", "goodbye", "goodbye", "thanks"]
    slots = [{"color": "red", "size": "M"}, {}, {"max_price": 10}, {}]
    scores = score(utterances, predicted, slots, skipped=2)
    assert scores.accuracy == 0.75 and scores.skipped == 2
    assert scores.per_intent["greet"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
        "support": 2,
    }
    assert scores.per_intent["goodbye"]["precision"] == 0.5
    assert scores.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert scores.confusions == [("greet", "goodbye", 1)]
    assert (scores.slot_precision, scores.slot_recall) == (2 / 3, 1.0)
    assert "accuracy 0.750" in scores.table() and "greet → goodbye: 1" in scores.table()


def test_mapping_inline_or_file_and_unmapped_rows_are_skipped(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(
        "utterance,intent\nwhere is my parcel,track_order\nreset my password,recover_password\nhi,greet\n"
    )
    mapping = parse_mapping("track_order=order_status")
    utterances, skipped = read_labelled(data, mapping)
    assert [u.intent for u in utterances] == ["order_status"] and skipped == 2
    mapping_file = tmp_path / "map.yml"
    mapping_file.write_text("track_order: order_status\n")
    assert parse_mapping(str(mapping_file)) == {"track_order": ("order_status",)}
    mapping_file.write_text("track_order: [order_status, shipping_info]\n")
    assert parse_mapping(str(mapping_file)) == parse_mapping("track_order=order_status|shipping_info")
    utterances, skipped = read_labelled(data, None)
    assert [u.intent for u in utterances] == ["greet"] and skipped == 2


def test_bad_inputs_are_clear_errors(tmp_path):
    with pytest.raises(EvaluationInputError, match="outside the taxonomy"):
        parse_mapping("track_order=tracking")
    with pytest.raises(EvaluationInputError, match="SOURCE=INTENT"):
        parse_mapping("nonsense")
    with pytest.raises(EvaluationInputError, match="no labelled file"):
        read_labelled(tmp_path / "missing.csv", None)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hi"}\n')
    with pytest.raises(EvaluationInputError, match="row 1"):
        read_labelled(bad, None)


def test_nlu_eval_command_on_a_labelled_jsonl(assistant, settings, tmp_path):
    data = tmp_path / "labelled.jsonl"
    rows = [
        {
            "text": "show me red running shoes under 100",
            "intent": "search_products",
            "slots": {"color": "red", "max_price": 100},
        },
        {"text": "where is my order 1042", "intent": "order_status", "slots": {"order_id": "1042"}},
        {"text": "hello there", "intent": "greet"},
    ]
    data.write_text("\n".join(json.dumps(row) for row in rows))
    out = tmp_path / "scores.json"
    command = [
        sys.executable,
        "-m",
        "cli",
        "nlu",
        "eval",
        str(data),
        "--json",
        str(out),
        "--data-dir",
        str(settings.data_dir),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "accuracy 1.000" in done.stdout
    scores = json.loads(out.read_text())
    assert scores["count"] == 3 and scores["slot_recall"] == 1.0

"""Understanding: `shopassist nlu parse`, `train` and `eval`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.app import DataDirOption, DbOption, UserError, nlu_app, settings_for


@nlu_app.command("parse")
def nlu_parse(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Read utterances (plain lines or JSON lines {"text", "context"}) and write {"text", "intent", "confidence", "slots"}."""
    from assistant.bootstrap import build_assistant
    from core.state import Context
    from core.taxonomy import Stage

    assistant = build_assistant(settings_for(db, data_dir))
    for line in sys.stdin:
        if not line.strip():
            continue
        text, given = line.strip(), {}
        if text.startswith("{"):
            try:
                document = json.loads(text)
                text, given = str(document["text"]), document.get("context") or {}
            except (json.JSONDecodeError, KeyError, TypeError):
                print('shopassist: a JSON line needs a "text" key; skipped', file=sys.stderr)
                continue
        try:
            context = Context(
                stage=Stage(given.get("stage", "entry")),
                last_act=str(given.get("last_act", "none")),
                has_results=bool(given.get("has_results", False)),
                has_cart=bool(given.get("has_cart", False)),
            )
        except ValueError as error:
            print(f"shopassist: {error}; skipped", file=sys.stderr)
            continue
        understanding = assistant.understand.read(text, context)
        out = {
            "text": text,
            "intent": understanding.intent.value,
            "confidence": round(understanding.confidence, 4),
            "slots": understanding.slots,
        }
        print(json.dumps(out, ensure_ascii=False), flush=True)


@nlu_app.command("train")
def nlu_train(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Retrain the intent classifier from assistant/understanding/data/intents and save it in the data directory."""
    from assistant.understanding.intent_classifier import IntentClassifier, load_examples
    from retrieval.embeddings import Embedder

    settings = settings_for(db, data_dir)
    examples = load_examples()
    embedder = Embedder.shared(settings.embedding_model, settings.onnx_cache)
    classifier = IntentClassifier.train(examples, embedder, settings.intent_fine_tune_epochs, progress=True)
    classifier.save(settings.intent_model_dir)
    print(
        f"trained on {classifier.info['trained_on']} examples; saved to {settings.intent_model_dir}",
        file=sys.stderr,
    )


@nlu_app.command("eval")
def nlu_eval(
    file: Path,
    mapping: Annotated[
        str | None, typer.Option("--mapping", help="File or SOURCE=INTENT,… naming taxonomy intents.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores as JSON here.")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Score intent and slot understanding on a labelled CSV/JSONL file (each utterance without context)."""
    from assistant.bootstrap import build_assistant
    from assistant.understanding.evaluation import parse_mapping, read_labelled, score
    from core.errors import EvaluationInputError
    from core.state import Context

    try:
        utterances, skipped = read_labelled(file, parse_mapping(mapping))
    except EvaluationInputError as error:
        raise UserError(str(error)) from None
    if not utterances:
        raise UserError(f"no utterance of {file} has a taxonomy intent; give a --mapping")
    assistant = build_assistant(settings_for(db, data_dir))
    understood = [assistant.understand.read(u.text, Context()) for u in utterances]
    scores = score(utterances, [u.intent.value for u in understood], [u.slots for u in understood], skipped)
    print(scores.table())
    if json_out:
        json_out.write_text(json.dumps(scores.to_json(), indent=2))

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
            context = Context.from_mapping(given)
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
    """Retrain the intent classifier from assistant/understanding/data/intents and save it in the cache directory."""
    from assistant.bootstrap import intent_encoders, intent_model_dir, train_intent_model
    from assistant.understanding.intent_classifier import load_examples

    settings = settings_for(db, data_dir)
    examples = load_examples()
    encoders = intent_encoders(settings)
    classifier = train_intent_model(settings, examples, encoders)
    directory = intent_model_dir(settings, examples, encoders)
    print(f"trained on {classifier.info['trained_on']} examples; saved to {directory}", file=sys.stderr)


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
    """Score intent and slot understanding on a labelled CSV/JSONL file (each utterance in its context, if given)."""
    from tqdm import tqdm

    from assistant.bootstrap import build_assistant
    from assistant.understanding.evaluation import parse_mapping, read_labelled, score
    from core.errors import EvaluationInputError

    try:
        utterances, skipped = read_labelled(file, parse_mapping(mapping))
    except EvaluationInputError as error:
        raise UserError(str(error)) from None
    if not utterances:
        raise UserError(f"no utterance of {file} has a taxonomy intent; give a --mapping")
    settings = settings_for(db, data_dir)
    assistant = build_assistant(settings)
    understood = [
        assistant.understand.read(u.text, u.context)
        for u in tqdm(utterances, desc="Understanding", file=sys.stderr, disable=len(utterances) < 200)
    ]
    scores = score(
        utterances,
        [u.intent.value for u in understood],
        [u.slots for u in understood],
        skipped,
        [u.confidence for u in understood],
        settings.intent_threshold,
    )
    print(scores.table())
    if json_out:
        json_out.write_text(json.dumps(scores.to_json(), indent=2))


@nlu_app.command("tune-llm")
def nlu_tune_llm(
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the training examples.")] = 1,
    batch_size: Annotated[int, typer.Option(min=1)] = 16,
    device: Annotated[
        str | None, typer.Option(help="cuda, cpu, … (default: CUDA when there is one).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the adapter (default: the packaged one).")
    ] = None,
) -> None:
    """Tune Gemma 3 270M (LoRA) to read turns as JSON intent and slots; slow on a CPU, about a minute on a GPU."""
    from assistant.llm.intent_tuning import Recipe, tune
    from assistant.llm.tuned_intent import ADAPTER_DIR
    from assistant.understanding.intent_classifier import load_examples
    from assistant.understanding.slots import SlotExtractor
    from retrieval.catalog import Catalog
    from retrieval.thread_pools import sized_to_free_cores

    command = "shopassist nlu tune-llm" + (f" --epochs {epochs}" if epochs != 1 else "")
    command += f" --batch-size {batch_size}" if batch_size != 16 else ""
    rules = SlotExtractor(Catalog([]))
    with sized_to_free_cores() as threads:
        print(f"tuning on {threads} thread(s)", file=sys.stderr)
        provenance = tune(
            load_examples(),
            rules.run,
            out or ADAPTER_DIR,
            Recipe(epochs=epochs, batch_size=batch_size),
            device=device,
            command=command,
        )
    print(json.dumps(provenance, indent=2))

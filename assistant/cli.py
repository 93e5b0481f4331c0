"""The `shopassist` command line of `shared/spec/interfaces.md`.

Every command builds what it needs and is missing (saying so on stderr), takes `--db` and `--data-dir`, and
reports a user's mistake as one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from assistant.settings import Settings

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    help="shopassist: a conversational shopping assistant.",
)
catalog_app = typer.Typer(help="Import and inspect the product catalog.")
nlu_app = typer.Typer(help="Intent and slot understanding.")
journey_app = typer.Typer(help="Journey analytics and maintenance.")
retrieval_app = typer.Typer(help="Product retrieval.")
app.add_typer(catalog_app, name="catalog")
app.add_typer(nlu_app, name="nlu")
app.add_typer(journey_app, name="journey")
app.add_typer(retrieval_app, name="retrieval")

DbOption = Annotated[str | None, typer.Option("--db", help="SQLAlchemy database URL.")]
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default ~/.shopassist).")
]
HostOption = Annotated[str | None, typer.Option("--host")]
PortOption = Annotated[int | None, typer.Option("--port")]


class UserError(Exception):
    """A mistake the user can fix; shown as one line."""


def settings_for(db: str | None, data_dir: Path | None, **overrides) -> Settings:
    given = {"db": db, "home": data_dir, **overrides}
    try:
        return Settings(**{key: value for key, value in given.items() if value is not None})
    except ValidationError as error:
        raise UserError(
            f"invalid setting: {error.errors()[0]['loc'][0]}: {error.errors()[0]['msg']}"
        ) from None


def fail(message: str, code: int = 1) -> None:
    print(f"shopassist: {message}", file=sys.stderr)
    raise typer.Exit(code)


def not_yet(what: str) -> None:
    fail(f"{what} is not yet available in this version", code=2)


@app.command()
def demo(
    host: HostOption = None, port: PortOption = None, db: DbOption = None, data_dir: DataDirOption = None
) -> None:
    """Build what is missing (database, demo catalog, index, intent model) and serve everything on one port."""
    from ui.server import serve as run_server

    run_server(settings_for(db, data_dir, host=host, port=port))


@app.command()
def serve(
    host: HostOption = None, port: PortOption = None, db: DbOption = None, data_dir: DataDirOption = None
) -> None:
    """Serve the shopper chat, the widget, the agent console and the API on an existing database."""
    from ui.server import serve as run_server

    run_server(settings_for(db, data_dir, host=host, port=port))


@app.command()
def chat(
    as_json: Annotated[
        bool, typer.Option("--json", help="One message per stdin line, one turn result per stdout line.")
    ] = False,
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="Continue or name a conversation.")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A conversation in the terminal."""
    from assistant.bootstrap import build_assistant
    from assistant.pipeline import InvalidMessage, UnknownConversation

    assistant = build_assistant(settings_for(db, data_dir))
    conversation_id = conversation
    if conversation_id is None or not assistant.conversation_exists(conversation_id):
        conversation_id, _token = assistant.start_conversation(conversation_id)
    if not as_json:
        print(f"Conversation {conversation_id}. Type your message; Ctrl-D to leave.", file=sys.stderr)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            result = assistant.handle(conversation_id, line)
        except (InvalidMessage, UnknownConversation) as error:
            print(f"shopassist: {error}", file=sys.stderr)
            continue
        if as_json:
            print(result.model_dump_json(), flush=True)
        else:
            print(f"assistant [{result.stage}]: {result.reply}\n", flush=True)


@catalog_app.command("import")
def catalog_import(
    file: Path,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv | jsonl | shopify | gmc (default: from the file name)")
    ] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", help="FIELD=COLUMN, repeatable.")] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Load products into the database (upserting by id) and rebuild the index."""
    from assistant.bootstrap import load_index, open_database
    from retrieval.catalog import Catalog
    from retrieval.embeddings import Embedder
    from retrieval.importer import ImportFailed, parse_mapping, read_catalog, upsert_products

    settings = settings_for(db, data_dir)
    try:
        report = read_catalog(file, fmt, parse_mapping(mapping or []), settings.currency)
    except ImportFailed as error:
        raise UserError(str(error)) from None
    database = open_database(settings, demo_catalog=False)
    with database.transaction() as session:
        upsert_products(session, report)
    for error in report.errors:
        print(f"skipped {error}", file=sys.stderr)
    print(
        f"imported {len(report.records)} products ({report.added} new, {report.updated} updated, "
        f"{report.unchanged} unchanged); {len(report.errors)} rows skipped",
        file=sys.stderr,
    )
    with database.transaction() as session:
        catalog = Catalog.load(session)
    load_index(settings, catalog, Embedder.shared(settings.embedding_model))


@nlu_app.command("parse")
def nlu_parse(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Read utterances (plain lines or JSON lines {"text", "context"}) and write {"text", "intent", "confidence", "slots"}."""
    from assistant.bootstrap import build_assistant
    from assistant.state import Context
    from assistant.taxonomy import Stage

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
        understanding = assistant.understand.run(text, context)
        out = {
            "text": text,
            "intent": understanding.intent.value,
            "confidence": round(understanding.confidence, 4),
            "slots": understanding.slots,
        }
        print(json.dumps(out, ensure_ascii=False), flush=True)


@nlu_app.command("train")
def nlu_train(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Retrain the intent classifier from assistant/data/intents and save it in the data directory."""
    from assistant.intent_classifier import IntentClassifier, load_examples
    from retrieval.embeddings import Embedder

    settings = settings_for(db, data_dir)
    examples = load_examples()
    classifier = IntentClassifier.train(examples, Embedder.shared(settings.embedding_model))
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
    from assistant.evaluation import EvaluationInputError, parse_mapping, read_labelled, score
    from assistant.state import Context

    try:
        utterances, skipped = read_labelled(file, parse_mapping(mapping))
    except EvaluationInputError as error:
        raise UserError(str(error)) from None
    if not utterances:
        raise UserError(f"no utterance of {file} has a taxonomy intent; give a --mapping")
    assistant = build_assistant(settings_for(db, data_dir))
    understood = [assistant.understand.run(u.text, Context()) for u in utterances]
    scores = score(utterances, [u.intent.value for u in understood], [u.slots for u in understood], skipped)
    print(scores.table())
    if json_out:
        json_out.write_text(json.dumps(scores.to_json(), indent=2))


@app.command("test-dialogues")
def test_dialogues(
    paths: list[Path],
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog", help="Catalog file for dialogues whose catalog is default (imported apart)."
        ),
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write a JUnit XML report here.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Only dialogues with this tag; repeatable.")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Run scripted dialogue tests (YAML files or directories); exit code 1 if any dialogue failed."""
    from assistant.bootstrap import build_assistant, stderr
    from assistant.dialogue_tests import (
        AssistantPool,
        CatalogFile,
        DialogueFileError,
        load_dialogues,
        report,
        run_dialogues,
        write_junit,
    )

    settings = settings_for(db, data_dir)
    try:
        scripts = load_dialogues(paths, tag or [])
    except DialogueFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        raise typer.Exit(2) from None
    if catalog is not None and not catalog.is_file():
        fail(f"no catalog file at {catalog}", code=2)
    override = CatalogFile(file=str(catalog.resolve())) if catalog is not None else None
    pool = AssistantPool(lambda: build_assistant(settings), settings, override, log=stderr)
    try:
        results = run_dialogues(scripts, pool, progress=stderr)
    finally:
        pool.close()
    print(report(results))
    if junit is not None:
        write_junit(results, junit)
    if not all(result.passed for result in results):
        raise typer.Exit(1)


@journey_app.command("report")
def journey_report(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Funnel and journey analytics."""
    not_yet("journey report")


@journey_app.command("sweep")
def journey_sweep(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Mark idle conversations abandoned."""
    not_yet("journey sweep")


@journey_app.command("train")
def journey_train(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Retrain the purchase-propensity model."""
    not_yet("journey train")


@retrieval_app.command("eval")
def retrieval_eval(file: Path, db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Score search relevance on a labelled file."""
    not_yet("retrieval eval")


@app.command()
def simulate(
    shoppers: Annotated[int, typer.Option("--shoppers")] = 10,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Drive the assistant with simulated shoppers."""
    not_yet("simulate")


def main() -> None:
    """The console script: user errors become one line on stderr."""
    from assistant.llm import BackendUnavailable
    from retrieval.index import IndexMismatch

    try:
        app()
    except (UserError, BackendUnavailable, IndexMismatch) as error:
        print(f"shopassist: {error}", file=sys.stderr)
        sys.exit(1)

"""The `shopassist` command line of `shared/spec/interfaces.md`.

Every command builds what it needs and is missing (saying so on stderr), takes `--db` and `--data-dir`, and
reports a user's mistake as one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import sys
import time
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


@app.command()
def demo(
    host: HostOption = None, port: PortOption = None, db: DbOption = None, data_dir: DataDirOption = None
) -> None:
    """Build what is missing (database, demo catalog, index, intent model) and serve everything on one port."""
    from assistant.agents import DEMO_AGENT, agent_named, ensure_demo_agent
    from assistant.bootstrap import open_database
    from ui.server import serve as run_server

    settings = settings_for(db, data_dir, host=host, port=port)
    with open_database(settings).transaction() as session:
        ensure_demo_agent(session)
        has_demo_agent = agent_named(session, DEMO_AGENT[0]) is not None
    if has_demo_agent:
        username, password = DEMO_AGENT
        console = f"http://{settings.host}:{settings.port}/console"
        print(f"Agent console: {console} (log in as {username} / {password})", file=sys.stderr)
    run_server(settings)


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
        str | None,
        typer.Option("--format", help="csv | jsonl | shopify | gmc (default: from the file name and header)"),
    ] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", help="FIELD=COLUMN, repeatable.")] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="A full import: remove products this file does not list.")
    ] = False,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Load products into the database (upserting by id; with --prune, removing those not listed) and update
    the index. Bad rows are skipped and reported on stderr with their line, field and reason."""
    from assistant.bootstrap import load_index, open_database
    from retrieval.catalog import Catalog
    from retrieval.embeddings import Embedder
    from retrieval.importer import ImportFailed, parse_mapping, prune_products, read_catalog, upsert_products

    settings = settings_for(db, data_dir)
    started = time.perf_counter()
    try:
        report = read_catalog(file, fmt, parse_mapping(mapping or []), settings.currency)
        database = open_database(settings, demo_catalog=False)
        with database.transaction() as session:
            upsert_products(session, report)
            if prune:
                prune_products(session, report)
    except ImportFailed as error:
        raise UserError(str(error)) from None
    for error in report.errors:
        print(f"skipped {error}", file=sys.stderr)
    pruned = (
        f"; {report.removed} removed, {report.retired} kept out of stock for past orders" if prune else ""
    )
    print(
        f"imported {len(report.records)} products ({report.added} new, {report.updated} updated, "
        f"{report.unchanged} unchanged{pruned}); {len(report.errors)} rows skipped "
        f"in {time.perf_counter() - started:.1f}s",
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
        isolated_settings,
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
    settings = isolated_settings(settings)
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
def journey_report(
    since: Annotated[str | None, typer.Option("--since", help="First day, YYYY-MM-DD (UTC).")] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last day, YYYY-MM-DD (UTC), included.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the charts (PNG and HTML) and report.json here.")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Funnel and journey analytics: a table on stdout; with --out, the funnel and journey-map charts."""
    from datetime import date

    from assistant.bootstrap import open_database
    from journey.analytics import DateRange, JourneyAnalytics, format_table

    try:
        period = DateRange(*(date.fromisoformat(day) if day else None for day in (since, until)))
    except ValueError as error:
        raise UserError(f"invalid date range: {error}") from None
    database = open_database(settings_for(db, data_dir), demo_catalog=False)
    report = JourneyAnalytics(database).run(period)
    print(format_table(report))
    if out is not None:
        from journey.charts import write_charts

        written = write_charts(report, out)
        (out / "report.json").write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        print(f"wrote {', '.join(path.name for path in written)} and report.json to {out}", file=sys.stderr)


@journey_app.command("sweep")
def journey_sweep(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Mark conversations idle in cart or checkout past the timeout abandoned (the server does it every minute)."""
    from assistant.bootstrap import open_database
    from journey.abandonment import AbandonmentSweep

    settings = settings_for(db, data_dir)
    marked = AbandonmentSweep(
        open_database(settings, demo_catalog=False), settings.abandon_after_minutes
    ).run()
    print(f"marked {marked} conversation{'' if marked == 1 else 's'} abandoned")


@journey_app.command("train")
def journey_train(
    seed: Annotated[int, typer.Option("--seed", help="Seed of the held-out split and the models.")] = 0,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Retrain the purchase-propensity model from the logged journeys; prints its held-out AUC."""
    from assistant.bootstrap import open_database
    from journey.propensity import NotEnoughJourneys, train

    settings = settings_for(db, data_dir)
    started = time.perf_counter()
    try:
        report = train(open_database(settings, demo_catalog=False), settings.data_dir / "propensity", seed)
    except NotEnoughJourneys as error:
        raise UserError(str(error)) from None
    print(report.summary())
    print(
        f"saved to {settings.data_dir / 'propensity'} in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )


@retrieval_app.command("eval")
def retrieval_eval(
    file: Annotated[
        Path | None, typer.Argument(help="Relevance file (default: the demo catalog's relevance set).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Write the scores as JSON instead of a table.")
    ] = False,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Score search relevance (nDCG@10, recall@20) of dense, BM25 and hybrid retrieval on a labelled file."""
    from assistant.bootstrap import load_index, open_database, stderr
    from retrieval.catalog import Catalog
    from retrieval.demo_catalog import demo_products
    from retrieval.embeddings import Embedder
    from retrieval.index import update_index
    from retrieval.product import ProductRecord
    from retrieval.relevance import DEFAULT_FILE, RelevanceFileError, evaluate, load_relevance
    from retrieval.search import ProductSearch

    settings = settings_for(db, data_dir)
    try:
        relevance = load_relevance(file or DEFAULT_FILE)
    except RelevanceFileError as error:
        raise UserError(str(error)) from None
    embedder = Embedder.shared(settings.embedding_model, settings.onnx_cache)
    if relevance.catalog == "demo":  # judged over the demo catalog, whatever the database holds
        catalog = Catalog([ProductRecord.model_validate(item) for item in demo_products()])
        stderr("Preparing the demo catalog's index for evaluation…")
        index = update_index(catalog.products, embedder, settings.data_dir / "eval-index", settings).index
    else:
        with open_database(settings).transaction() as session:
            catalog = Catalog.load(session)
        index = load_index(settings, catalog, embedder)
    judged = {pid for query in relevance.queries for pid in query.judgements}
    if not judged & catalog.by_id.keys():
        raise UserError("none of the judged products is in the catalog; evaluate on the catalog they judge")
    scores = evaluate(ProductSearch(catalog, index, embedder), relevance)
    print(json.dumps(scores.to_json(), indent=2) if as_json else scores.table())


@app.command()
def simulate(
    shoppers: Annotated[int, typer.Option("--shoppers", min=1, help="How many shoppers.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same shoppers.")] = 0,
    days: Annotated[
        float, typer.Option("--days", min=0.01, help="Spread the conversations over this many past days.")
    ] = 14.0,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Drive the assistant with simulated shoppers (personas) to fill the database; prints a summary."""
    from assistant.bootstrap import build_assistant
    from journey.simulator import Simulator

    summary = Simulator(build_assistant(settings_for(db, data_dir)), seed, days).run(shoppers, progress=True)
    print(summary.table())


agent_app = typer.Typer(help="Accounts of the people who log into the agent console.")
app.add_typer(agent_app, name="agent")


@agent_app.command("create")
def agent_create(
    username: Annotated[str, typer.Argument(help="The name the agent logs in with.")],
    password: Annotated[
        str | None, typer.Option("--password", help="The password (asked for, hidden, when left out).")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an agent who can log into the console at /console (the password is stored hashed)."""
    from assistant.agents import AgentError, create_agent
    from assistant.bootstrap import open_database

    settings = settings_for(db, data_dir)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with open_database(settings, demo_catalog=False).transaction() as session:
            create_agent(session, username, password)
    except AgentError as error:
        raise UserError(str(error)) from None
    print(f"created agent {username}; they can log in at /console")


privacy_app = typer.Typer(help="Shoppers' personal data: forget a conversation, apply the retention period.")
app.add_typer(privacy_app, name="privacy")


@privacy_app.command("forget")
def privacy_forget(
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="The id of the conversation to forget.")
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help="Forget every conversation in which this email address was written."),
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Erase a shopper's personal data: one conversation, or every conversation holding their email address
    (shopassist has no shopper accounts: a conversation is the unit); prints what was removed."""
    from assistant.bootstrap import open_database
    from assistant.privacy import NotAnEmailAddress, UnknownConversation, forget_conversation, forget_email

    if (conversation is None) == (email is None):
        raise UserError("give either --conversation ID or --email ADDRESS")
    settings = settings_for(db, data_dir)
    database = open_database(settings, demo_catalog=False)
    if conversation is not None:
        try:
            with database.transaction() as session:
                forgotten = forget_conversation(session, conversation)
        except UnknownConversation as error:
            raise UserError(str(error)) from None
        print(forgotten.summary())
        return
    try:
        conversation_ids, forgotten = forget_email(database, email)
    except NotAnEmailAddress as error:
        raise UserError(str(error)) from None
    print(forgotten.summary())
    if conversation_ids:
        print(f"conversations: {', '.join(conversation_ids)}")
    elif settings.redact_emails:
        print(
            "shopassist: no conversation holds that address; emails are redacted before they are stored "
            "(SHOPASSIST_REDACT_EMAILS), so only those stored with redaction off could",
            file=sys.stderr,
        )


@privacy_app.command("sweep")
def privacy_sweep(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Forget every conversation idle for longer than SHOPASSIST_RETENTION_DAYS (the server does it too)."""
    from assistant.bootstrap import open_database
    from assistant.privacy import RetentionSweep

    settings = settings_for(db, data_dir)
    if not settings.retention_days:
        print("retention_days is 0: conversations are kept, nothing to sweep")
        return
    print(
        RetentionSweep(open_database(settings, demo_catalog=False), settings.retention_days).run().summary()
    )


def main() -> None:
    """The console script: user errors become one line on stderr."""
    from assistant.llm import BackendUnavailable
    from retrieval.index import IndexMismatch

    try:
        app()
    except (UserError, BackendUnavailable, IndexMismatch) as error:
        print(f"shopassist: {error}", file=sys.stderr)
        sys.exit(1)

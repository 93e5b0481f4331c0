"""The catalog: `shopassist catalog import` and `shopassist retrieval eval`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from cli.app import DataDirOption, DbOption, UserError, catalog_app, retrieval_app, settings_for


@catalog_app.command("import")
def catalog_import(
    file: Path,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="csv | jsonl | shopify | woocommerce | gmc (default: from the file name and header)",
        ),
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
    from core.errors import RelevanceFileError
    from core.product import ProductRecord
    from retrieval.catalog import Catalog
    from retrieval.demo_catalog import demo_products
    from retrieval.embeddings import Embedder
    from retrieval.index import update_index
    from retrieval.relevance import DEFAULT_FILE, evaluate, load_relevance
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

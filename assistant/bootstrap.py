"""Builds a ready assistant from the settings, making whatever is missing and saying so on stderr:
the database schema, the embedded demo catalog (when the database holds no products), the FAISS index and the
intent model. Nothing is downloaded; everything made is reused by the next start.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from assistant.act import Act
from assistant.decide import Decide
from assistant.intent_classifier import IntentClassifier, load_examples
from assistant.llm import make_backend
from assistant.pipeline import Assistant
from assistant.record import Record
from assistant.replies import TemplateReplies
from assistant.respond import Respond
from assistant.settings import Settings
from assistant.slots import SlotExtractor
from assistant.understand import Understand
from db.session import Database
from journey.stages import StageMachine
from retrieval.catalog import Catalog, words
from retrieval.demo_catalog import demo_products
from retrieval.embeddings import Embedder
from retrieval.importer import ImportReport, upsert_products
from retrieval.index import IndexMismatch, ProductIndex
from retrieval.product import ProductRecord
from retrieval.search import ProductSearch

Log = Callable[[str], None]


def stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def open_database(settings: Settings, log: Log = stderr, demo_catalog: bool = True) -> Database:
    """The database with its schema at the newest migration; with `demo_catalog`, holding the demo catalog
    if it had no products (an import of the merchant's own catalog does not want it)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    db.migrate()
    if not demo_catalog:
        return db
    with db.transaction() as session:
        if not Catalog.load(session).products:
            products = [ProductRecord.model_validate(item) for item in demo_products()]
            log(f"Loading the embedded demo catalog ({len(products)} products)…")
            upsert_products(session, ImportReport(records=products))
    return db


def load_index(settings: Settings, catalog: Catalog, embedder: Embedder, log: Log = stderr) -> ProductIndex:
    """The saved index if it was built for this catalog and embedding model; otherwise a fresh build."""
    try:
        index = ProductIndex.load(settings.index_dir, embedder.model_name, embedder.dimension)
        if index.info.catalog_fingerprint == catalog.fingerprint:
            return index
        log("The catalog changed since the index was built.")
    except FileNotFoundError:
        pass
    except IndexMismatch as error:
        log(f"{error}; rebuilding.")
    log(f"Building the product index ({len(catalog)} products)…")
    vectors = embedder.encode([product.search_text() for product in catalog.products], progress=True)
    index = ProductIndex.build(
        [p.id for p in catalog.products], vectors, embedder.model_name, catalog.fingerprint
    )
    index.save(settings.index_dir)
    return index


def load_intent_model(settings: Settings, embedder: Embedder, log: Log = stderr) -> IntentClassifier:
    """The saved intent classifier if it was trained on the current data; otherwise trained now."""
    examples = load_examples()
    classifier = IntentClassifier.load(settings.intent_model_dir, embedder, examples)
    if classifier is None:
        log(f"Training the intent classifier ({len(examples)} examples)…")
        classifier = IntentClassifier.train(examples, embedder)
        classifier.save(settings.intent_model_dir)
    return classifier


def build_assistant(settings: Settings, log: Log = stderr) -> Assistant:
    db = open_database(settings, log)
    with db.transaction() as session:
        catalog = Catalog.load(session)
    embedder = Embedder.shared(settings.embedding_model)
    index = load_index(settings, catalog, embedder, log)
    classifier = load_intent_model(settings, embedder, log)
    backend = make_backend(settings)
    return Assistant(
        settings=settings,
        db=db,
        catalog=catalog,
        understand=Understand(
            classifier,
            SlotExtractor(catalog, frozenset(word for e in load_examples() for word in words(e.text))),
            backend,
            settings.intent_llm,
            settings.intent_threshold,
        ),
        decide=Decide(settings.intent_threshold),
        act=Act(catalog, ProductSearch(catalog, index, embedder), settings),
        respond=Respond(TemplateReplies(settings), backend),
        record=Record(StageMachine()),
    )

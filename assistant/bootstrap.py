"""Builds a ready assistant from the settings, making whatever is missing and saying so on stderr:
the database schema, the embedded demo catalog (when the database holds no products), the FAISS index and the
intent model. Nothing is downloaded; everything made is reused by the next start.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from assistant.act import Act
from assistant.decide import Decide
from assistant.llm.factory import make_backend, make_intent_llm
from assistant.pipeline import Assistant
from assistant.privacy.redaction import Redactor
from assistant.record import Record
from assistant.replies.grounding import GroundingGuard
from assistant.replies.product_qa import ProductQA
from assistant.replies.templates import TemplateReplies
from assistant.respond import Respond
from assistant.understand import Understand
from assistant.understanding.intent_classifier import Example, IntentClassifier, load_examples, model_key
from assistant.understanding.slots import SlotExtractor
from core.errors import IndexMismatch
from core.product import ProductRecord
from core.settings import Settings
from db.session import Database
from journey.guidance import Guidance
from journey.stages import StageMachine
from retrieval.catalog import Catalog, words
from retrieval.demo_catalog import demo_products
from retrieval.embeddings import Embedder
from retrieval.importer import ImportReport, upsert_products
from retrieval.index import ProductIndex, choose_kind, update_index
from retrieval.related import RelatedProducts
from retrieval.search import ProductSearch
from retrieval.thread_pools import sized_to_free_cores

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
    """The saved index if it was built for this catalog and embedding model; otherwise an incremental update
    (only new and changed products are embedded)."""
    try:
        index = ProductIndex.load(settings.index_dir, embedder.model_name, embedder.dimension)
        wanted = choose_kind(len(catalog), settings.ann_threshold, settings.ann_kind)
        if (
            index.info.catalog_fingerprint == catalog.fingerprint
            and index.lexical is not None
            and index.info.kind == wanted
        ):
            return index
        log("The saved index is out of date for this catalog.")
    except FileNotFoundError:
        pass
    except IndexMismatch as error:
        log(f"{error}; rebuilding.")
    log(f"Updating the product index ({len(catalog)} products)…")
    update = update_index(catalog.products, embedder, settings.index_dir, settings, progress=True)
    log(f"Embedded {update.embedded} products, reused {update.kept}, removed {update.removed}.")
    return update.index


IntentEncoders = tuple[Embedder, Embedder | None]


def intent_encoders(settings: Settings) -> IntentEncoders:
    """The first reading's encoder (the search encoder) and the second opinion's, if any."""
    embedder = Embedder.shared(settings.embedding_model, settings.onnx_cache, settings.cache_dir)
    second = settings.intent_second_encoder
    return embedder, Embedder.shared(second, settings.onnx_cache, settings.cache_dir) if second else None


def intent_model_dir(settings: Settings, examples: list[Example], encoders: IntentEncoders) -> Path:
    embedder, second = encoders
    return settings.intent_model_dir / model_key(examples, embedder, settings.intent_fine_tune_epochs, second)


def train_intent_model(
    settings: Settings, examples: list[Example], encoders: IntentEncoders, log: Log = stderr
) -> IntentClassifier:
    """Train the intent classifier now, on the cores that are free, and save it in the cache directory."""
    embedder, second = encoders
    epochs = settings.intent_fine_tune_epochs
    with sized_to_free_cores() as threads:
        tuning = f", fine-tuning the encoder for {epochs} epochs" if epochs else ""
        log(f"Training the intent classifier ({len(examples)} examples{tuning}, {threads} threads)…")
        classifier = IntentClassifier.train(
            examples,
            embedder,
            epochs,
            progress=True,
            second=second,
            second_opinion_below=settings.intent_second_opinion_below,
        )
    classifier.save(intent_model_dir(settings, examples, encoders))
    return classifier


def load_intent_model(settings: Settings, examples: list[Example], log: Log = stderr) -> IntentClassifier:
    """The intent classifier trained on these examples with these encoders, from the cache directory where any
    data directory on this machine saved it; otherwise trained now."""
    encoders = intent_encoders(settings)
    embedder, second = encoders
    classifier = IntentClassifier.load(
        intent_model_dir(settings, examples, encoders),
        embedder,
        examples,
        settings.intent_fine_tune_epochs,
        second,
        settings.intent_second_opinion_below,
    )
    return classifier or train_intent_model(settings, examples, encoders, log)


def build_assistant(settings: Settings, log: Log = stderr) -> Assistant:
    db = open_database(settings, log)
    with db.transaction() as session:
        catalog = Catalog.load(session)
    embedder = Embedder.shared(settings.embedding_model, settings.onnx_cache, settings.cache_dir)
    index = load_index(settings, catalog, embedder, log)
    examples = load_examples()
    classifier = load_intent_model(settings, examples, log)
    slots = SlotExtractor(catalog, frozenset(word for e in examples for word in words(e.text)))
    # The catalog's own words are never typos, though the intent examples never used them.
    classifier.spelling.know(slots.known_words)
    backend = make_backend(settings)
    search = ProductSearch(catalog, index, embedder)
    guidance = (
        Guidance(catalog, search, RelatedProducts(catalog, index), settings) if settings.guidance else None
    )
    return Assistant(
        settings=settings,
        db=db,
        catalog=catalog,
        understand=Understand(
            classifier,
            slots,
            make_intent_llm(settings, backend),
            settings.intent_llm,
            settings.intent_threshold,
        ),
        decide=Decide(settings.intent_threshold),
        act=Act(catalog, search, settings),
        respond=Respond(
            TemplateReplies(settings),
            backend,
            GroundingGuard(),
            ProductQA(settings.embedding_model, onnx_cache=settings.onnx_cache),
            guidance,
        ),
        record=Record(StageMachine(), Redactor.from_settings(settings)),
    )

"""The embedding intent classifier: MiniLM sentence embedding + dialogue context → logistic regression.

An utterance's typos are corrected to the examples' vocabulary before it is embedded (assistant/understanding/spelling.py).

Trained on the utterances in `assistant/understanding/data/intents/` (written for the project). The saved model records its
label set, the embedding model and a hash of the training data; a model whose data changed is retrained.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.special import softmax
from sklearn.linear_model import LogisticRegression

from assistant.understanding.intent_encoder import fine_tune_encoder
from assistant.understanding.spelling import SpellingCorrector
from core.state import Context
from core.taxonomy import Intent, Stage
from retrieval.embeddings import Embedder

DATA_DIR = Path(__file__).parent / "data" / "intents"
LAST_ACTS = (
    "none", "greet", "show_results", "no_results", "show_details", "show_comparison", "offer_add_to_cart",
    "offer_cross_sell", "offer_similar", "show_cart", "ask_checkout_details", "ask_confirmation", "order_placed",
    "ask_clarification", "answer_support",
)  # fmt: skip
STAGES = tuple(Stage)
HELD_OUT_PERCENT = 10
# Context features are scaled down so the words dominate and context only tips ambiguous turns ("yes", "cheaper").
CONTEXT_WEIGHT = 0.5
ENCODER_DIR = "encoder"


@dataclass(frozen=True)
class Example:
    text: str
    intent: Intent
    context: Context | None = None

    @property
    def held_out(self) -> bool:
        """A fixed ~10% of examples, chosen by a hash of the text, that training never sees."""
        return int(hashlib.sha256(self.text.lower().encode()).hexdigest(), 16) % 100 < HELD_OUT_PERCENT


def load_examples(directory: Path = DATA_DIR) -> list[Example]:
    """Every example of every `<intent>.yml`; a file naming an unknown intent is an error."""
    examples = []
    for path in sorted(directory.glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        intent = Intent(document["intent"])
        for item in document["examples"]:
            if isinstance(item, str):
                examples.append(Example(item, intent))
            else:
                given = item.get("context", {})
                context = Context(
                    stage=Stage(given.get("stage", "entry")),
                    last_act=given.get("last_act", "none"),
                    has_results=bool(given.get("has_results", given.get("last_act") in ("show_results",))),
                    has_cart=bool(given.get("has_cart", False)),
                )
                examples.append(Example(str(item["text"]), intent, context))
    return examples


def data_hash(examples: list[Example]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        # Only the context's feature fields: a new field on Context must not invalidate every trained model.
        context = example.context
        fields = (context.stage, context.last_act, context.has_results, context.has_cart) if context else None
        digest.update(f"{example.intent}\x1f{example.text}\x1f{fields}\x1e".encode())
    return digest.hexdigest()[:16]


def context_features(context: Context) -> np.ndarray:
    features = np.zeros(len(LAST_ACTS) + len(STAGES) + 2, dtype=np.float32)
    if context.last_act in LAST_ACTS:
        features[LAST_ACTS.index(context.last_act)] = 1.0
    features[len(LAST_ACTS) + STAGES.index(context.stage)] = 1.0
    features[-2] = float(context.has_results)
    features[-1] = float(context.has_cart)
    return features * CONTEXT_WEIGHT


# The taxonomy defines these intents by what is already there: refining changes "the results already shown",
# removing takes a product out of a cart that holds one. Their examples are only drawn in such contexts.
RESULT_ACTS = ("show_results", "show_details", "show_comparison", "offer_add_to_cart", "offer_similar")
NEEDS_RESULTS = {Intent.REFINE_SEARCH}
NEEDS_CART = {Intent.REMOVE_FROM_CART}


def random_context(rng: np.random.Generator, intent: Intent | None = None) -> Context:
    """A plausible context for an example of `intent` written without one."""
    if intent in NEEDS_RESULTS:
        return Context(
            stage=(Stage.BROWSING, Stage.CONSIDERATION, Stage.CART)[rng.integers(3)],
            last_act=RESULT_ACTS[rng.integers(len(RESULT_ACTS))],
            has_results=True,
            has_cart=bool(rng.integers(2)),
        )
    return Context(
        stage=STAGES[rng.integers(len(STAGES))],
        last_act=LAST_ACTS[rng.integers(len(LAST_ACTS))],
        has_results=bool(rng.integers(2)),
        has_cart=intent in NEEDS_CART or bool(rng.integers(2)),
    )


class IntentClassifier:
    """Predicts one taxonomy intent per utterance, with a probability usable as confidence."""

    def __init__(
        self, model: LogisticRegression, embedder: Embedder, info: dict, examples: list[Example]
    ) -> None:
        self.model = model
        self.embedder = embedder
        self.info = info
        self.labels = [Intent(label) for label in model.classes_]
        # Its vocabulary is the training examples' own: a held-out example's words are as unseen as a shopper's.
        self.spelling = SpellingCorrector(
            (example.text for example in examples if not example.held_out),
            embedder.model.tokenizer.get_vocab(),
        )

    @classmethod
    def train(
        cls,
        examples: list[Example],
        embedder: Embedder,
        fine_tune_epochs: int = 0,
        progress: bool = False,
        contexts_per_example: int = 3,
    ) -> IntentClassifier:
        """Fit on the examples that are not held out; each context-free example is seen in several contexts.
        With `fine_tune_epochs`, a copy of the encoder is first tuned on the same examples (`intent_encoder`)."""
        training = [example for example in examples if not example.held_out]
        rng = np.random.default_rng(0)
        contexts = [
            [example.context]
            if example.context
            else [random_context(rng, example.intent) for _ in range(contexts_per_example)]
            for example in training
        ]
        # Each example's context feature rows, one per context it is seen in: tuning and the regression share them.
        context_rows = [np.stack([context_features(context) for context in drawn]) for drawn in contexts]
        texts = [example.text for example in training]
        labels = [example.intent.value for example in training]
        base_model = embedder.model_name
        if fine_tune_epochs:
            embedder = fine_tune_encoder(embedder, texts, context_rows, labels, fine_tune_epochs, progress)
        vectors = embedder.encode(texts, progress=progress)
        rows, row_labels = [], []
        for vector, features, label in zip(vectors, context_rows, labels, strict=True):
            rows += [np.concatenate([vector, row]) for row in features]
            row_labels += [label] * len(features)
        model = LogisticRegression(C=8.0, max_iter=2000)
        model.fit(np.stack(rows), row_labels)
        info = {
            "embedding_model": base_model,
            "fine_tune_epochs": fine_tune_epochs,
            "labels": sorted(set(labels)),
            "data_hash": data_hash(examples),
            "trained_on": len(training),
            "held_out": len(examples) - len(training),
        }
        return cls(model, embedder, info, examples)

    def predict(self, texts: list[str], contexts: list[Context]) -> list[tuple[Intent, float]]:
        texts = [self.spelling.run(text) for text in texts]
        vectors = (
            [self.embedder.encode_one(text) for text in texts]
            if len(texts) == 1
            else self.embedder.encode(texts)
        )
        features = np.stack(
            [np.concatenate([v, context_features(c)]) for v, c in zip(vectors, contexts, strict=True)]
        )
        # The multinomial model's own formula: sklearn's predict_proba gives the same numbers after ~0.3 ms of input
        # validation per call, a few percent of a whole turn's CPU.
        probabilities = softmax(features @ self.model.coef_.T + self.model.intercept_, axis=1)
        best = probabilities.argmax(axis=1)
        return [(self.labels[i], float(p[i])) for i, p in zip(best, probabilities, strict=True)]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self.info["fine_tune_epochs"]:
            self.embedder.save(directory / ENCODER_DIR)
        with (directory / "model.pkl.tmp").open("wb") as handle:
            pickle.dump(self.model, handle)
        (directory / "model.pkl.tmp").replace(directory / "model.pkl")
        # Written last: a save interrupted before this line leaves a model that `load` refuses.
        (directory / "info.json").write_text(json.dumps(self.info, indent=2))

    @classmethod
    def load(
        cls, directory: Path, embedder: Embedder, examples: list[Example], fine_tune_epochs: int = 0
    ) -> IntentClassifier | None:
        """The saved model, or None when there is none or it was trained on other data, embeddings or tuning."""
        try:
            info = json.loads((directory / "info.json").read_text())
            if (
                info["data_hash"] != data_hash(examples)
                or info["embedding_model"] != embedder.model_name
                or info.get("fine_tune_epochs", 0) != fine_tune_epochs
            ):
                return None
            if fine_tune_epochs:
                embedder = Embedder(str(directory / ENCODER_DIR), onnx_cache=embedder.onnx_cache)
            # The pickle is written by this process's own `save` into the data directory, never downloaded.
            with (directory / "model.pkl").open("rb") as handle:
                model = pickle.load(handle)
        except (KeyError, json.JSONDecodeError, pickle.UnpicklingError, EOFError, OSError):
            return None
        return cls(model, embedder, info, examples)

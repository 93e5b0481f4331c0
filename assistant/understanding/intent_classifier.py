"""The embedding intent classifier: sentence embedding + dialogue context → logistic regression, with a second
opinion from a stronger encoder for the turns it is unsure of, and an open-set test for "none of these".

- **First reading**: the search encoder's embedding (MiniLM, computed for search anyway) and the context features.
- **Second opinion**: below `second_opinion_below`, the utterance is also embedded by a stronger encoder
  (all-mpnet-base-v2) and a second regression reads both embeddings. Most turns are confident, so the median
  turn pays for one small encoder and only unsure turns for the large one (docs/understanding.md).
- **None of these**: an utterance farther from every shop example than the examples held out from training are
  (its nearest in-domain neighbour's cosine similarity below a threshold fitted on that held-out split) is
  `out_of_scope`, whatever class the regression prefers: a softmax over shop intents cannot say "none".

An utterance's typos are corrected to the examples' vocabulary before it is embedded (assistant/understanding/spelling.py).

Trained on the utterances in `assistant/understanding/data/intents/` (written for the project). The saved model
records its label set, the encoders and a hash of the training data; a model whose data changed is retrained.
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
# The share of held-out shop examples that the open-set test may call out of scope: the threshold is their
# similarity at this quantile (fitted at training, never on evaluation data).
OPEN_SET_QUANTILE = 0.01
# Raised when the way a model is fitted changes, so that models saved by an earlier version are trained again.
RECIPE = 2
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
                context = Context.from_mapping(item.get("context", {}))
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
        self,
        model: LogisticRegression,
        embedder: Embedder,
        info: dict,
        examples: list[Example],
        neighbours: np.ndarray,
        second: Embedder | None = None,
        second_model: LogisticRegression | None = None,
        second_opinion_below: float = 0.7,
    ) -> None:
        if (second is None) != (second_model is None):
            raise ValueError("a second opinion needs both its encoder and its regression")
        self.model = model
        self.embedder = embedder
        self.info = info
        self.neighbours = neighbours
        self.second = second
        self.second_model = second_model
        self.second_opinion_below = second_opinion_below
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
        second: Embedder | None = None,
        second_opinion_below: float = 0.7,
    ) -> IntentClassifier:
        """Fit on the examples that are not held out; each context-free example is seen in several contexts.
        With `fine_tune_epochs`, a copy of the encoder is first tuned on the same examples (`intent_encoder`);
        with `second`, a second regression reads both encoders' embeddings for unsure turns."""
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
        model = fit_regression(vectors, context_rows, labels)
        second_model = None
        if second is not None:
            both = np.hstack([vectors, second.encode(texts, progress=progress)])
            second_model = fit_regression(both, context_rows, labels)
        in_domain = [example.intent != Intent.OUT_OF_SCOPE for example in training]
        neighbours = vectors[np.array(in_domain)]
        info = {
            "recipe": RECIPE,
            "embedding_model": base_model,
            "second_model": second.model_name if second else None,
            "fine_tune_epochs": fine_tune_epochs,
            "labels": sorted(set(labels)),
            "data_hash": data_hash(examples),
            "trained_on": len(training),
            "held_out": len(examples) - len(training),
        }
        classifier = cls(
            model, embedder, info, examples, neighbours, second, second_model, second_opinion_below
        )
        classifier.info["open_set_threshold"] = classifier.fit_open_set(examples)
        return classifier

    def fit_open_set(self, examples: list[Example]) -> float:
        """The nearest-neighbour similarity below which an utterance is out of scope: the held-out shop
        examples' similarity at OPEN_SET_QUANTILE (few of them fall below it, most other-domain requests do)."""
        held_out = [
            example.text for example in examples if example.held_out and example.intent != Intent.OUT_OF_SCOPE
        ]
        if not held_out:
            return 0.0
        similarity = self.nearest_similarity(self.embedder.encode([self.spelling.run(t) for t in held_out]))
        return float(np.quantile(similarity, OPEN_SET_QUANTILE))

    def nearest_similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Each vector's cosine similarity to its nearest in-domain training example."""
        return (vectors @ self.neighbours.T).max(axis=1)

    def predict(self, texts: list[str], contexts: list[Context]) -> list[tuple[Intent, float]]:
        texts = [self.spelling.run(text) for text in texts]
        vectors = embed(self.embedder, texts)
        context_rows = np.stack([context_features(context) for context in contexts])
        probabilities = probabilities_of(self.model, np.hstack([vectors, context_rows]))
        if self.second is not None:
            unsure = np.flatnonzero(probabilities.max(axis=1) < self.second_opinion_below)
            if unsure.size:
                stronger = embed(self.second, [texts[i] for i in unsure])
                features = np.hstack([vectors[unsure], stronger, context_rows[unsure]])
                probabilities[unsure] = probabilities_of(self.second_model, features)
        similarity = self.nearest_similarity(vectors)
        answers = []
        for row, nearest in zip(probabilities, similarity, strict=True):
            if nearest < self.info["open_set_threshold"]:
                # Confidence is the distance to the nearest shop example: the farther, the surer.
                answers.append((Intent.OUT_OF_SCOPE, float(1.0 - nearest)))
            else:
                answers.append((self.labels[row.argmax()], float(row.max())))
        return answers

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self.info["fine_tune_epochs"]:
            self.embedder.save(directory / ENCODER_DIR)
        write_atomically(directory / "model.pkl", pickle.dumps(self.model))
        write_atomically(directory / "second.pkl", pickle.dumps(self.second_model))
        with (directory / "neighbours.npy.tmp").open("wb") as handle:
            np.save(handle, self.neighbours)
        (directory / "neighbours.npy.tmp").replace(directory / "neighbours.npy")
        # Written last: a save interrupted before this line leaves a model that `load` refuses.
        write_atomically(directory / "info.json", json.dumps(self.info, indent=2).encode())

    @classmethod
    def load(
        cls,
        directory: Path,
        embedder: Embedder,
        examples: list[Example],
        fine_tune_epochs: int = 0,
        second: Embedder | None = None,
        second_opinion_below: float = 0.7,
    ) -> IntentClassifier | None:
        """The saved model, or None when there is none or it was trained on other data, encoders or tuning."""
        try:
            info = json.loads((directory / "info.json").read_text())
            if info != {**info, **model_identity(examples, embedder, fine_tune_epochs, second)}:
                return None
            if fine_tune_epochs:
                embedder = Embedder(str(directory / ENCODER_DIR), onnx_cache=embedder.onnx_cache)
            # The pickles are written by this process's own `save` into the cache directory, never downloaded.
            model = pickle.loads((directory / "model.pkl").read_bytes())
            second_model = pickle.loads((directory / "second.pkl").read_bytes())
            neighbours = np.load(directory / "neighbours.npy")
        except (KeyError, ValueError, json.JSONDecodeError, pickle.UnpicklingError, EOFError, OSError):
            return None
        return cls(model, embedder, info, examples, neighbours, second, second_model, second_opinion_below)


def model_identity(
    examples: list[Example], embedder: Embedder, fine_tune_epochs: int, second: Embedder | None
) -> dict:
    """What a trained model depends on; a saved model whose identity differs is trained again."""
    return {
        "recipe": RECIPE,
        "data_hash": data_hash(examples),
        "embedding_model": embedder.model_name,
        "second_model": second.model_name if second else None,
        "fine_tune_epochs": fine_tune_epochs,
    }


def model_key(
    examples: list[Example], embedder: Embedder, fine_tune_epochs: int, second: Embedder | None
) -> str:
    """A directory name for the model of this identity: data directories on one machine share trained models."""
    identity = json.dumps(model_identity(examples, embedder, fine_tune_epochs, second), sort_keys=True)
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def fit_regression(
    vectors: np.ndarray, context_rows: list[np.ndarray], labels: list[str]
) -> LogisticRegression:
    """A multinomial regression over each example's vector beside each of its context feature rows."""
    rows, row_labels = [], []
    for vector, features, label in zip(vectors, context_rows, labels, strict=True):
        rows += [np.concatenate([vector, row]) for row in features]
        row_labels += [label] * len(features)
    # Balanced class weights: other-domain and search examples outnumber "remove it" ones many times over, and
    # an unweighted fit leans every unsure turn towards the big classes.
    model = LogisticRegression(C=8.0, max_iter=2000, class_weight="balanced")
    model.fit(np.stack(rows), row_labels)
    return model


def probabilities_of(model: LogisticRegression, features: np.ndarray) -> np.ndarray:
    # The multinomial model's own formula: sklearn's predict_proba gives the same numbers after input validation
    # that costs a visible share of a whole turn's CPU on every call (docs/performance.md).
    return softmax(features @ model.coef_.T + model.intercept_, axis=1)


def embed(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """One live utterance through the encoder's cached, batched path; several at once in one pass."""
    if len(texts) == 1:
        return embedder.encode_one(texts[0])[None, :]
    return embedder.encode(texts)


def write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_bytes(data)
    partial.replace(path)

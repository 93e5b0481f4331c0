"""Purchase propensity: the probability that a conversation's current journey ends in a placed order.

Trained by `shopassist journey train` from the journey log (features: `journey/features.py`): one row per
snapshot of a journey before its order, labelled by whether the journey placed one. Logistic regression and
gradient boosting are both tried by cross-validation on the training conversations; the better one is kept and
its AUC measured on held-out conversations (a conversation's snapshots never sit on both sides of the split).
The model is saved with its feature list and training-data statistics; loading refuses a different feature list.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ModelMismatch, NotEnoughJourneys
from db.models import Conversation, JourneyEvent, Message, Product, utcnow
from db.session import Database
from journey.features import FEATURES, JourneyState, LogEvent, Snapshot, moments, replay

MODEL_FILE, INFO_FILE = "model.joblib", "info.json"
# Live: not yet bought in the current journey, whether still browsing or left in an abandoned cart.
LIVE_STAGES = ("entry", "browsing", "consideration", "cart", "checkout", "abandoned")


def candidates(seed: int) -> dict[str, Any]:
    return {
        "logistic_regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        "gradient_boosting": GradientBoostingClassifier(n_estimators=150, max_depth=3, random_state=seed),
    }


@dataclass
class Dataset:
    """Training rows: features, label, and the conversation each row came from (the split's groups)."""

    x: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    journeys: int
    purchased: int


class History:
    """Everything the replay needs from the database, for all conversations or some."""

    def __init__(self, session: Session, conversation_ids: list[str] | None = None) -> None:
        def only(query, column):
            return query.where(column.in_(conversation_ids)) if conversation_ids is not None else query

        self.started: dict[str, datetime] = dict(
            session.execute(only(select(Conversation.id, Conversation.created_at), Conversation.id)).all()
        )
        self.events: dict[str, list[LogEvent]] = defaultdict(list)
        query = only(select(JourneyEvent), JourneyEvent.conversation_id).order_by(JourneyEvent.id)
        for row in session.scalars(query):
            self.events[row.conversation_id].append(
                LogEvent(
                    row.journey,
                    row.turn,
                    row.kind,
                    row.from_stage,
                    row.to_stage,
                    row.data or {},
                    row.created_at,
                )
            )
        self.intents: dict[str, dict[int, tuple[str | None, datetime]]] = defaultdict(dict)
        query = only(
            select(Message.conversation_id, Message.turn, Message.intent, Message.created_at).where(
                Message.role == "shopper"
            ),
            Message.conversation_id,
        )
        for conversation_id, turn, intent, at in session.execute(query):
            self.intents[conversation_id][turn] = (intent, at)
        self.prices: dict[str, float] = dict(session.execute(select(Product.id, Product.price)).all())

    def replay(self, conversation_id: str) -> Iterator[tuple[JourneyState, Snapshot | None]]:
        log = moments(self.events.get(conversation_id, []), self.intents.get(conversation_id, {}))
        return replay(self.started[conversation_id], log, self.prices)

    def latest(self, conversation_id: str) -> JourneyState:
        """The conversation's current journey as it stands after its last turn."""
        if conversation_id not in self.started:
            raise LookupError(f"no conversation {conversation_id}")
        states = [state for state, _snapshot in self.replay(conversation_id)]
        return states[-1] if states else JourneyState(1, self.started[conversation_id], {})


def build_dataset(history: History) -> Dataset:
    """Every pre-order snapshot of every journey, labelled by whether that journey went on to place an order."""
    rows: list[tuple[Snapshot, str]] = []
    purchased: set[tuple[str, int]] = set()
    journeys: set[tuple[str, int]] = set()
    for conversation_id in history.started:
        for state, snapshot in history.replay(conversation_id):
            journeys.add((conversation_id, state.journey))
            if state.ordered:
                purchased.add((conversation_id, state.journey))
            if snapshot is not None:
                rows.append((snapshot, conversation_id))
    x = np.array([snapshot.features for snapshot, _ in rows], dtype=float).reshape(-1, len(FEATURES))
    y = np.array([(cid, snapshot.journey) in purchased for snapshot, cid in rows], dtype=int)
    groups = np.array([cid for _, cid in rows])
    return Dataset(x, y, groups, len(journeys), len(purchased))


@dataclass
class TrainingReport:
    model: str
    auc: float
    cv_auc: dict[str, float]
    rows: int
    conversations: int
    journeys: int
    purchased_journeys: int
    test_conversations: int

    def summary(self) -> str:
        tried = ", ".join(f"{name} {auc:.3f}" for name, auc in self.cv_auc.items())
        return (
            f"trained {self.model} on {self.rows} snapshots of {self.journeys} journeys "
            f"({self.purchased_journeys} with an order) from {self.conversations} conversations; "
            f"cross-validated AUC: {tried}; held-out AUC {self.auc:.3f} "
            f"on {self.test_conversations} conversations"
        )


def train(db: Database, out_dir: Path, seed: int = 0) -> TrainingReport:
    """Trains, evaluates and saves the propensity model from every journey in the database."""
    with db.transaction() as session:
        data = build_dataset(History(session))
    conversations = len(set(data.groups))
    if data.purchased < 5 or data.journeys - data.purchased < 5 or conversations < 20:
        raise NotEnoughJourneys(
            f"{data.journeys} journeys ({data.purchased} with an order) are too few to train on; "
            "simulate some first: shopassist simulate --shoppers 300"
        )
    split = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=seed)
    train_rows, test_rows = next(split.split(data.x, data.y, data.groups))
    if len(set(data.y[test_rows])) < 2:
        raise NotEnoughJourneys("the held-out conversations hold only one outcome; simulate more shoppers")
    cv_auc = {
        name: _cross_validated_auc(model, data.x[train_rows], data.y[train_rows], data.groups[train_rows])
        for name, model in candidates(seed).items()
    }
    best = max(cv_auc, key=lambda name: cv_auc[name])
    model = candidates(seed)[best].fit(data.x[train_rows], data.y[train_rows])
    auc = float(roc_auc_score(data.y[test_rows], model.predict_proba(data.x[test_rows])[:, 1]))
    report = TrainingReport(
        model=best,
        auc=round(auc, 4),
        cv_auc={name: round(value, 4) for name, value in cv_auc.items()},
        rows=len(data.y),
        conversations=conversations,
        journeys=data.journeys,
        purchased_journeys=data.purchased,
        test_conversations=len(set(data.groups[test_rows])),
    )
    PropensityModel(model, _info(report, data)).save(out_dir)
    return report


def _cross_validated_auc(model, x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
    scores = []
    for fit_rows, score_rows in GroupKFold(n_splits=3).split(x, y, groups):
        if len(set(y[score_rows])) < 2 or len(set(y[fit_rows])) < 2:
            continue
        fitted = clone(model).fit(x[fit_rows], y[fit_rows])
        scores.append(roc_auc_score(y[score_rows], fitted.predict_proba(x[score_rows])[:, 1]))
    return float(np.mean(scores)) if scores else 0.5


def _info(report: TrainingReport, data: Dataset) -> dict[str, Any]:
    """What a reader of the saved model needs: its features, how well it did, and the data it learned from."""
    stats = {
        name: {
            "mean": round(float(column.mean()), 4),
            "std": round(float(column.std()), 4),
            "min": float(column.min()),
            "max": float(column.max()),
        }
        for name, column in zip(FEATURES, data.x.T, strict=True)
    }
    return {
        **asdict(report),
        "features": list(FEATURES),
        "positive_rate": round(float(data.y.mean()), 4),
        "feature_stats": stats,
        "trained_at": utcnow().isoformat(timespec="seconds"),
        "sklearn": sklearn.__version__,
    }


class PropensityModel:
    """A trained model: the probability of purchase of a conversation's current journey."""

    def __init__(self, model: Any, info: dict[str, Any]) -> None:
        self.model = model
        self.info = info

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.model, directory / MODEL_FILE)
        (directory / INFO_FILE).write_text(json.dumps(self.info, indent=2))

    @classmethod
    def load(cls, directory: Path) -> PropensityModel:
        """The saved model; FileNotFoundError when none was trained, ModelMismatch when its features differ."""
        info_path = directory / INFO_FILE
        if not info_path.is_file():
            raise FileNotFoundError(
                f"no propensity model in {directory}; train one: shopassist journey train"
            )
        info = json.loads(info_path.read_text())
        if info.get("features") != list(FEATURES):
            raise ModelMismatch(
                "the saved propensity model uses other features; retrain: shopassist journey train"
            )
        return cls(joblib.load(directory / MODEL_FILE), info)

    def score(self, session: Session, conversation_id: str) -> float:
        """The probability that the conversation's current journey places an order (1.0 once it has)."""
        return self.score_many(session, [conversation_id])[conversation_id]

    def score_many(self, session: Session, conversation_ids: list[str]) -> dict[str, float]:
        history = History(session, conversation_ids)
        scores: dict[str, float] = {}
        pending: dict[str, list[float]] = {}
        for conversation_id in conversation_ids:
            state = history.latest(conversation_id)
            if state.ordered:
                scores[conversation_id] = 1.0
            else:
                pending[conversation_id] = state.features(history.prices)
        if pending:
            probabilities = self.model.predict_proba(np.array(list(pending.values())))[:, 1]
            scores.update(zip(pending, (round(float(p), 4) for p in probabilities), strict=True))
        return scores

    def score_live(
        self, db: Database, active_within: timedelta | None = timedelta(hours=24), now: datetime | None = None
    ) -> dict[str, float]:
        """Every live conversation's probability of purchase (for the agent console): those in a journey that
        has not bought yet, active within `active_within` (None: any time)."""
        query = select(Conversation.id).where(Conversation.stage.in_(LIVE_STAGES))
        if active_within is not None:
            query = query.where(Conversation.updated_at >= (now or utcnow()) - active_within)
        scores: dict[str, float] = {}
        with db.transaction() as session:
            ids = list(session.scalars(query))
            # In batches: SQLite limits the parameters of one statement.
            for start in range(0, len(ids), 500):
                scores.update(self.score_many(session, ids[start : start + 500]))
        return scores

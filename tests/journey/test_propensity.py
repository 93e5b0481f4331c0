"""journey/propensity.py and journey/features.py: the purchase-propensity model, trained on simulated journeys."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from assistant.pipeline import Assistant
from cli.app import app as cli
from core.errors import NotEnoughJourneys
from harness.simulation.simulator import Simulator
from journey.features import FEATURES
from journey.propensity import INFO_FILE, History, PropensityModel, TrainingReport, build_dataset, train
from tests.conversations import TO_CHECKOUT, assistant_on, converse

SHOPPERS = 160


@pytest.fixture(scope="module")
def trained(assistant, tmp_path_factory) -> tuple[Assistant, TrainingReport, object]:
    directory = tmp_path_factory.mktemp("propensity")
    simulated = assistant_on(assistant, f"sqlite:///{directory / 'journeys.db'}")
    Simulator(simulated, seed=11).run(SHOPPERS)
    report = train(simulated.db, directory / "model")
    return simulated, report, directory / "model"


def test_the_model_separates_buyers_on_held_out_conversations(trained):
    _assistant, report, directory = trained
    # The chosen model's grouped cross-validation over 120 conversations is the steady figure; the 40 held-out
    # conversations alone move by about ±0.07 (0.71–0.83 seen on the same seed in different runs), so they are
    # held only to a clear separation.
    assert report.cv_auc[report.model] > 0.75
    assert report.auc > 0.65
    assert report.model in report.cv_auc and set(report.cv_auc) == {
        "logistic_regression",
        "gradient_boosting",
    }
    assert 0 < report.purchased_journeys < report.journeys
    assert "held-out AUC" in report.summary()
    info = json.loads((directory / INFO_FILE).read_text())
    assert info["features"] == list(FEATURES)
    assert info["auc"] == report.auc and set(info["feature_stats"]) == set(FEATURES)


def test_probabilities_of_live_conversations(trained):
    assistant, _report, directory = trained
    model = PropensityModel.load(directory)
    checkout, _ = converse(assistant, *TO_CHECKOUT)
    browsing, _ = converse(assistant, "show me headphones")
    scores = model.score_live(assistant.db)
    assert {checkout, browsing} <= scores.keys()
    assert all(0.0 <= p <= 1.0 for p in model.score_live(assistant.db, active_within=None).values())
    assert scores[checkout] > scores[browsing]
    with assistant.db.transaction() as session:
        assert model.score(session, checkout) == scores[checkout]


def test_a_purchased_journey_scores_one_and_is_not_live(trained):
    assistant, _report, directory = trained
    model = PropensityModel.load(directory)
    bought, turns = converse(assistant, *TO_CHECKOUT, "yes")
    assert turns[-1].order is not None
    with assistant.db.transaction() as session:
        assert model.score(session, bought) == 1.0
    assert bought not in model.score_live(assistant.db, active_within=timedelta(hours=1))


def test_snapshots_stop_before_the_order(fresh_assistant):
    """No leakage: a purchased journey contributes only what was known before its purchase turn."""
    bought, _ = converse(fresh_assistant, *TO_CHECKOUT, "yes", "thanks!")
    looked, _ = converse(fresh_assistant, "show me mugs")
    with fresh_assistant.db.transaction() as session:
        history = History(session)
        data = build_dataset(history)
        assert history.latest(bought).ordered and not history.latest(looked).ordered
    assert list(data.groups).count(bought) == len(TO_CHECKOUT)
    assert list(data.y[data.groups == bought]) == [1] * len(TO_CHECKOUT)
    assert list(data.y[data.groups == looked]) == [0]
    checkout_stage = FEATURES.index("stage_checkout")
    assert data.x[data.groups == bought][-1][checkout_stage] == 1.0


def test_too_few_journeys_is_a_clear_error(fresh_assistant, tmp_path):
    converse(fresh_assistant, "show me mugs")
    with pytest.raises(NotEnoughJourneys, match="too few"):
        train(fresh_assistant.db, tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_a_model_with_other_features_is_refused(trained, tmp_path):
    _assistant, _report, directory = trained
    model = PropensityModel.load(directory)
    PropensityModel(model.model, {**model.info, "features": ["turns"]}).save(tmp_path)
    with pytest.raises(ValueError, match="retrain"):
        PropensityModel.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="journey train"):
        PropensityModel.load(tmp_path / "none")


def test_journey_train_command(trained, tmp_path):
    assistant, _report, _directory = trained
    result = CliRunner().invoke(
        cli, ["journey", "train", "--db", assistant.settings.database_url, "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "held-out AUC" in result.stdout
    assert PropensityModel.load(tmp_path / "propensity").info["features"] == list(FEATURES)
    empty = CliRunner().invoke(
        cli, ["journey", "train", "--db", f"sqlite:///{tmp_path / 'empty.db'}", "--data-dir", str(tmp_path)]
    )
    assert empty.exit_code == 1 and "too few" in str(empty.exception)

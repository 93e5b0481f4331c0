"""journey/simulator.py and journey/personas.py: simulated shoppers drive the real assistant."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from assistant.cli import app as cli
from assistant.pipeline import Assistant
from db.models import Conversation, JourneyEvent, Order, utcnow
from journey.analytics import JourneyAnalytics
from journey.personas import PERSONAS, Shopper, persona_for
from journey.phrasebook import ShopperVocabulary, nice_price, plural, product_term
from journey.simulator import SimulationSummary, Simulator

from .conftest import assistant_on

SHOPPERS, SEED = 12, 7


def simulate(assistant: Assistant, url: str, seed: int = SEED) -> tuple[Assistant, SimulationSummary]:
    on_own_db = assistant_on(assistant, url)
    return on_own_db, Simulator(on_own_db, seed=seed).run(SHOPPERS)


@pytest.fixture(scope="module")
def simulated(assistant, tmp_path_factory) -> tuple[Assistant, SimulationSummary]:
    return simulate(assistant, f"sqlite:///{tmp_path_factory.mktemp('simulated') / 'journeys.db'}")


def runs_of(summary: SimulationSummary, persona: str) -> list:
    runs = [run for run in summary.runs if run.persona == persona]
    assert runs, f"no {persona} in the simulation"
    return runs


def test_every_persona_is_simulated(simulated):
    _assistant, summary = simulated
    assert {run.persona for run in summary.runs} == set(PERSONAS)
    assert all(run.texts for run in summary.runs)


def test_decisive_buyers_place_orders(simulated):
    assistant, summary = simulated
    buyers = runs_of(summary, "decisive_buyer")
    assert all(run.orders and "purchased" in run.stages for run in buyers)
    with assistant.db.transaction() as session:
        stored = session.scalar(select(func.count(Order.id)))
    assert stored == sum(len(run.orders) for run in summary.runs)


def test_abandoners_are_marked_abandoned_by_the_sweep(simulated):
    assistant, summary = simulated
    for run in runs_of(summary, "abandoner"):
        assert "cart" in run.stages
        assert run.abandoned
    with assistant.db.transaction() as session:
        marked = session.scalar(
            select(func.count(JourneyEvent.id)).where(JourneyEvent.to_stage == "abandoned")
        )
    assert marked >= len(runs_of(summary, "abandoner"))


def test_support_seekers_ask_about_orders(simulated):
    _assistant, summary = simulated
    support = {"order_status", "cancel_order", "return_refund", "human_agent", "complaint"}
    for run in runs_of(summary, "support_seeker"):
        assert support & set(run.intents) or "post_purchase" in run.stages


def test_browsers_and_comparers_shop_without_being_told_to(simulated):
    _assistant, summary = simulated
    assert all("browsing" in run.stages for run in runs_of(summary, "browser"))
    assert any(
        "compare_products" in run.intents or "consideration" in run.stages
        for run in runs_of(summary, "comparison_shopper")
    )
    assert any(
        intent in ("refine_search", "search_products")
        for run in runs_of(summary, "price_sensitive")
        for intent in run.intents
    )


def test_conversations_span_days_and_stages_last(simulated):
    assistant, _summary = simulated
    with assistant.db.transaction() as session:
        first, last = session.execute(
            select(func.min(Conversation.created_at), func.max(Conversation.created_at))
        ).one()
        newest_event = session.scalar(select(func.max(JourneyEvent.created_at)))
    assert last - first > timedelta(days=1)
    assert newest_event <= utcnow()
    report = JourneyAnalytics(assistant.db).run()
    assert report.journeys >= SHOPPERS
    assert report.median_minutes.get("browsing", 0) > 0.1  # shoppers think between messages


def test_the_same_seed_gives_the_same_shoppers(simulated, assistant, tmp_path):
    _assistant, summary = simulated
    _again_assistant, again = simulate(assistant, f"sqlite:///{tmp_path / 'again.db'}")
    _other_assistant, other = simulate(assistant, f"sqlite:///{tmp_path / 'other.db'}", seed=SEED + 1)

    def transcript(result: SimulationSummary) -> list:
        return [(r.persona, r.texts, r.stages, len(r.orders), r.abandoned) for r in result.runs]

    assert transcript(again) == transcript(summary)
    assert [r.texts for r in other.runs] != [r.texts for r in summary.runs]
    assert "shoppers" in summary.table() and "decisive_buyer" in summary.table()


def test_a_shopper_can_be_driven_with_turn_results_as_json(assistant):
    """What a load test over HTTP does: the next step from the JSON of the last turn result."""
    vocabulary = ShopperVocabulary(assistant.catalog)
    shopper = Shopper("decisive_buyer", random.Random(3), vocabulary)
    fresh = {"products": [], "cart": {"items": [], "total": 0}, "stage": "entry", "order": None}
    step = shopper.next_step(None)
    assert step is not None and step.text and step.wait_minutes >= 0
    step = shopper.next_step({**fresh, "products": [{"id": "sku-00001", "position": 1}], "stage": "browsing"})
    assert step is not None and step.text
    with pytest.raises(ValueError, match="unknown persona"):
        Shopper("window_licker", random.Random(0), vocabulary)


def test_the_phrasebook_names_products_as_shoppers_do(assistant):
    assert product_term(["Saucony Guide 17 Running Shoe", "Nike Pegasus 41 Running Shoe"]) == "running shoe"
    assert product_term(["A Mug", "B Cup"]) == ""
    assert [plural(word) for word in ("mug", "dress", "watch", "candy", "headphones")] == [
        "mugs",
        "dress",
        "watches",
        "candies",
        "headphones",
    ]
    assert (nice_price(17.2), nice_price(123), nice_price(777), nice_price(1234)) == (20, 130, 800, 1300)
    interest = ShopperVocabulary(assistant.catalog).interest(random.Random(1))
    cheapest = min(p.price for p in assistant.catalog.products if p.category == interest.category)
    assert interest.price_cap > cheapest and interest.things


def test_each_persona_comes_once_before_the_mix():
    assert [persona_for(i, random.Random(i)) for i in range(len(PERSONAS))] == list(PERSONAS)
    assert {persona_for(i, random.Random(i)) for i in range(6, 200)} == set(PERSONAS)


def test_simulate_command(settings, tmp_path):
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    arguments = [
        "simulate",
        "--shoppers",
        "2",
        "--seed",
        "1",
        "--db",
        database,
        "--data-dir",
        str(settings.data_dir),
    ]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    assert "decisive_buyer" in result.stdout and "2 shoppers" in result.stdout

"""harness/simulation/simulator.py and harness/simulation/personas.py: simulated shoppers drive the real assistant."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from assistant.pipeline import Assistant
from cli.app import app as cli
from db.models import Conversation, JourneyEvent, Order, utcnow
from harness.simulation.personas import PERSONAS, Shopper, persona_for
from harness.simulation.phrasebook import (
    GIVE_PAYMENT,
    PAYMENTS,
    ShopperVocabulary,
    nice_price,
    plural,
    product_term,
)
from harness.simulation.reactions import Prompt, Temper, chip, missing_details, prompt_of
from harness.simulation.simulator import PRODUCT_INTENTS, SimulationSummary, Simulator
from harness.simulation.voice import Voice
from journey.analytics import JourneyAnalytics
from tests.conversations import assistant_on

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
        # Only an abandoner who finished checkout there and then, when reminded of it, left no cart behind.
        assert run.abandoned or (run.orders and "abandoned" not in run.stages)
    assert any(run.abandoned for run in runs_of(summary, "abandoner"))
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


# What a template wrote without looking at its numbers or its words: "1 results", "item(s)", a price phrase
# searched for as if it were a product ("matching 'under 50'").
TEMPLATE_SLIPS = re.compile(
    r"\b1 (results|items|options|products)\b|\(s\)|['\"‘“](under|below|less than|over|between|around|about)"
    r" [$€£]?\d[^'\"’”]*['\"’”]",
    re.IGNORECASE,
)


def test_no_simulated_reply_reads_as_an_unfilled_template(simulated, assistant, tmp_path):
    _assistant, summary = simulated
    _more_assistant, more = simulate(assistant, f"sqlite:///{tmp_path / 'more.db'}", seed=SEED + 2)
    replies = [reply for result in (summary, more) for run in result.runs for reply in run.replies]
    assert len(replies) > 100
    slips = [reply for reply in replies if TEMPLATE_SLIPS.search(reply)]
    assert slips == []


def test_replies_end_in_many_ways_not_one_upsell(simulated):
    _assistant, summary = simulated
    endings = Counter(reply.splitlines()[-1] for run in summary.runs for reply in run.replies)
    (most, count), *_ = endings.most_common(1)
    assert len(endings) >= 10
    assert count / endings.total() < 0.25, most


def test_a_dead_end_is_a_turn_about_products_that_shows_and_changes_nothing(simulated):
    _assistant, summary = simulated
    ends, about = summary.dead_end_share()
    assert 0 < about <= summary.turns and 0 <= ends <= about
    for run in summary.runs:
        for turn in run.dead_ends():
            assert run.shown[turn] == 0 and run.intents[turn] in PRODUCT_INTENTS
    assert "turns about products showed nothing" in summary.table()


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


CART = {
    "items": [{"product_id": "sku-00001", "title": "Mug", "quantity": 1, "unit_price": 12.0}],
    "total": 12.0,
}
SHOWN = [{"id": "sku-00002", "position": 1, "price": 9.0}, {"id": "sku-00003", "position": 2, "price": 8.0}]


def reply(text: str, *suggestions: str, **fields) -> dict:
    return {"reply": text, "suggestions": list(suggestions), "products": SHOWN, "cart": CART, **fields}


CHOICE = reply(
    "Here are 5 results for mugs:\n1. …\nThere are more matches than I can show — which color would you like: "
    "white, blue or black?",
    "In white",
    "In blue",
    "In black",
)
COMPANION = reply(
    "Added 1 × Mug to your cart.\nTotal: $12.00\nSpoon ($4.00) goes well with it — shall I add it too?",
    "Yes please",
    "No thanks",
    "Checkout",
)
REMINDER = reply(
    "Standard delivery takes 3-5 business days.\nTo finish your order I still need your payment method.",
    "Pay with card ending 4242",
    stage="checkout",
)


def test_a_reply_is_read_for_the_question_it_ends_on():
    assert prompt_of(CHOICE) == Prompt.CHOICE
    assert prompt_of(COMPANION) == Prompt.COMPANION
    assert prompt_of(reply("Mug costs $12.\nShall I add it to your cart?")) == Prompt.ADD
    assert prompt_of(reply("Here are similar options for less than Mug ($12.00):\n1. …")) == Prompt.CHEAPER
    assert prompt_of(REMINDER) == Prompt.CHECKOUT_MISSING
    assert (
        prompt_of(reply("Shipping to: 5 Oak Road. Payment: paypal.\nShall I place the order?"))
        == Prompt.CONFIRM
    )
    assert prompt_of(reply("Your cart:\n• 1 × Mug\nReady to check out?")) == Prompt.CHECKOUT
    assert prompt_of(reply("Standard delivery takes 3-5 business days.")) is None
    assert chip(COMPANION, "yes") == "Yes please" and chip(COMPANION, "add") is None
    assert missing_details(REMINDER) == (False, True)


def voice_of(assistant, seed: int = 1, **temper) -> Voice:
    return Voice(
        random.Random(seed), ShopperVocabulary(assistant.catalog), 30.0, Temper(say_no=0.0, **temper)
    )


def reaction(script, *answers: dict) -> list[str]:
    """The messages a reaction sub-script sends, given the turn results that answer them in turn."""
    sent = []
    try:
        step = next(script)
        for answer in (*answers, {}):
            sent.append(step.text)
            step = script.send(answer)
    except StopIteration:
        pass
    return sent


def test_a_shopper_answers_a_narrowing_question_with_the_answer_nearest_their_taste(assistant):
    voice = voice_of(assistant, answer_choice=1.0)
    voice.interest = replace(voice.interest, color="blue")
    assert reaction(
        voice.answer_choice(CHOICE, voice.interest), reply("Here are 2 results for blue mugs:")
    ) == ["In blue"]
    assert voice.narrowed  # the results now show what the shopper chose
    # A reply that asks nothing leaves nothing to answer; a shopper who never answers, answers nothing.
    assert reaction(voice.answer_choice(COMPANION, voice.interest)) == []
    assert reaction(voice_of(assistant).answer_choice(CHOICE, voice.interest)) == []


def test_offers_are_taken_with_the_personas_odds(assistant):
    assert reaction(voice_of(assistant, take_companion=1.0).take_companion(COMPANION)) == ["Yes please"]
    assert reaction(voice_of(assistant).take_companion(COMPANION)) == []
    declining = Voice(random.Random(1), ShopperVocabulary(assistant.catalog), 30.0, Temper(say_no=1.0))
    assert reaction(declining.take_companion(COMPANION))[0] in ("no thanks", "not now", "nope")
    reminded = reaction(
        voice_of(assistant, finish_checkout=1.0).finish_checkout(REMINDER),
        reply("Shall I place the order?", stage="checkout"),
        reply("Your order #7 is placed.", order={"id": 7}, stage="purchased"),
    )
    assert len(reminded) == 2 and any(
        reminded[0] == t.format(payment=p) for t in GIVE_PAYMENT for p in PAYMENTS
    )
    # Over many shoppers, a companion offer is taken about as often as the persona's odds say.
    taken = sum(
        bool(reaction(voice_of(assistant, seed, take_companion=0.3).take_companion(COMPANION)))
        for seed in range(400)
    )
    assert 90 <= taken <= 150


def test_reactions_leave_a_shoppers_own_choices_as_they_were(assistant):
    """Reactions draw from their own stream: a seed's shopper chooses the same whether or not a reply asked
    them something, so guidance on and off compare the same shoppers."""
    asked, unasked = voice_of(assistant, 5, answer_choice=0.5), voice_of(assistant, 5, answer_choice=0.5)
    reaction(asked.answer_choice(CHOICE, asked.interest), reply("Here are 2 results:"))
    assert asked.rng.random() == unasked.rng.random()


def test_simulated_shoppers_take_the_assistants_nudges(simulated):
    assistant, _summary = simulated
    nudges = JourneyAnalytics(assistant.db).run().nudges
    assert sum(counts.get("accepted", 0) for counts in nudges.values()) > 0

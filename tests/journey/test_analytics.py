"""journey/analytics.py and journey/charts.py: the report's numbers against SQL, its charts, `journey report`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from assistant.pipeline import Assistant
from cli.app import UserError
from cli.app import app as cli
from core.taxonomy import FUNNEL
from db.models import Conversation
from journey.abandonment import AbandonmentSweep, let_time_pass
from journey.analytics import DateRange, JourneyAnalytics, format_table
from journey.charts import write_charts
from journey.events import event_row, record_event
from tests.conversations import TO_CART, TO_CHECKOUT, assistant_on, converse

BUY = (*TO_CHECKOUT, "yes, place the order")
NOTHING_FOUND = "show me sofas under 10"


def abandon(assistant: Assistant, conversation_id: str, minutes: float = 45) -> None:
    let_time_pass(assistant.db, conversation_id, minutes)
    assert AbandonmentSweep(assistant.db, 30).run(conversation_ids=[conversation_id]) == 1


@pytest.fixture
def shop(fresh_assistant: Assistant) -> Assistant:
    """Five journeys: a buyer, an abandoned cart, a search that found nothing, a hello, a cart recovered."""
    _, turns = converse(fresh_assistant, *BUY)
    assert turns[-1].order is not None
    abandoner, _ = converse(fresh_assistant, *TO_CART)
    abandon(fresh_assistant, abandoner)
    _, (search,) = converse(fresh_assistant, NOTHING_FOUND)
    # Nothing that cheap: the least expensive sofas are shown instead, and the search counts as finding nothing.
    assert "I found no sofas under $10." in search.reply and search.stage == "browsing"
    converse(fresh_assistant, "hi")
    returner, _ = converse(fresh_assistant, *TO_CART)
    abandon(fresh_assistant, returner)
    for message in ("hi", "checkout", TO_CHECKOUT[-1], "yes, place the order"):
        result = fresh_assistant.handle(returner, message)
    assert result.stage == "purchased"
    return fresh_assistant


def reached_by_sql(assistant: Assistant, stage_index: int) -> int:
    """Journeys that entered this funnel stage or a later one, counted straight from the journey log."""
    if stage_index == 0:
        query = """SELECT (SELECT COUNT(*) FROM conversations) + (SELECT COUNT(DISTINCT conversation_id || ':'
                   || journey) FROM journey_events WHERE journey > 1)"""
    else:
        stages = ", ".join(f"'{stage.value}'" for stage in FUNNEL[stage_index:])
        query = f"""SELECT COUNT(*) FROM (SELECT DISTINCT conversation_id, journey FROM journey_events
                    WHERE kind = 'stage_change' AND to_stage IN ({stages})) AS reached"""
    with assistant.db.engine.connect() as connection:
        return connection.execute(text(query)).scalar()


def test_the_funnel_matches_sql_and_the_journeys_played(shop):
    report = JourneyAnalytics(shop.db).run()
    assert report.journeys == 5
    assert report.funnel == {
        "entry": 5,
        "browsing": 4,
        "consideration": 3,
        "cart": 3,
        "checkout": 2,
        "purchased": 2,
    }
    assert list(report.funnel.values()) == [reached_by_sql(shop, i) for i in range(len(FUNNEL))]
    assert report.conversion["browsing → consideration"] == 0.75
    assert report.conversion["cart → checkout"] == pytest.approx(2 / 3, abs=1e-4)
    assert report.drop_off == {"entry": 1, "browsing": 1, "consideration": 0, "cart": 1, "checkout": 0}


def test_abandonment_flows_and_times_in_stage(shop):
    report = JourneyAnalytics(shop.db).run()
    assert (report.abandoned, report.resumed, report.recovered) == (2, 1, 1)
    assert report.abandonment_rate == pytest.approx(2 / 3, abs=1e-4)
    flows = {(source, target): count for source, target, count in report.flows}
    assert flows == {
        ("entry", "browsing"): 4,
        ("browsing", "cart"): 3,
        ("cart", "checkout"): 2,
        ("checkout", "purchased"): 2,
        ("cart", "abandoned"): 2,
        ("abandoned", "cart"): 1,
    }
    # Cart stays: two of about 30 minutes (idle until the timeout), two of seconds; the abandoned cart that
    # came back waited 45 - 30 = 15 minutes in `abandoned`.
    assert report.median_minutes["cart"] == pytest.approx(15, abs=0.2)
    assert report.median_minutes["abandoned"] == pytest.approx(15, abs=0.2)
    assert report.median_minutes["browsing"] < 1


def test_searches_with_no_results_are_listed(shop):
    report = JourneyAnalytics(shop.db).run()
    assert report.searches == 4
    assert report.zero_result_searches == [(NOTHING_FOUND, 1)]


def test_a_refinement_that_found_nothing_is_listed_with_the_filter_that_emptied_it(fresh_assistant):
    _, (found, narrowed) = converse(fresh_assistant, "show me mugs", "only under 1 dollar")
    assert found.products and narrowed.slots.get("max_price") == 1
    report = JourneyAnalytics(fresh_assistant.db).run()
    assert report.zero_result_searches == [("show me mugs · max price 1", 1)]


def test_nudge_acceptance_by_kind(fresh_assistant):
    assert JourneyAnalytics(fresh_assistant.db).run().nudges == {}
    # A greeting shows no nudge, so the report counts exactly the rows written here (journey/events.py's contract).
    conversation_id, _ = converse(fresh_assistant, "hi")
    with fresh_assistant.db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        for kind, data in [
            ("nudge_shown", {"kind": "cross_sell"}),
            ("nudge_shown", {"kind": "cross_sell"}),
            ("nudge_outcome", {"kind": "cross_sell", "outcome": "accepted"}),
            ("nudge_outcome", {"kind": "cross_sell", "outcome": "declined"}),
            ("nudge_shown", {"kind": "narrowing_question"}),
            ("nudge_outcome", {"kind": "narrowing_question", "outcome": "ignored"}),
        ]:
            record_event(session, event_row(conversation, 1, kind, data))
    report = JourneyAnalytics(fresh_assistant.db).run()
    assert report.nudges == {
        "cross_sell": {"shown": 2, "accepted": 1, "declined": 1, "ignored": 0},
        "narrowing_question": {"shown": 1, "accepted": 0, "declined": 0, "ignored": 1},
    }
    assert "cross_sell: 2, 1, 1, 0, 50%" in format_table(report)


def test_a_date_range_keeps_only_its_days(shop):
    today = date.today()
    # The fixture sets some clocks back 45 minutes (abandonment): shortly after midnight, that is yesterday.
    assert JourneyAnalytics(shop.db).run(DateRange(today - timedelta(days=1), today)).journeys == 5
    empty = JourneyAnalytics(shop.db).run(DateRange(since=today + timedelta(days=1)))
    assert empty.journeys == 0 and empty.abandonment_rate is None and empty.flows == []
    assert "Abandoned carts: 0 of 0 journeys that reached the cart (—)" in format_table(empty)
    with pytest.raises(ValueError, match="after"):
        DateRange(today, today - timedelta(days=1))


def test_charts_are_written_as_png_and_html(shop, tmp_path):
    report = JourneyAnalytics(shop.db).run()
    paths = write_charts(report, tmp_path / "charts")
    assert [path.name for path in paths] == [
        "funnel.png",
        "funnel.html",
        "journey_map.png",
        "journey_map.html",
    ]
    for png in paths[0], paths[2]:
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 15_000
    assert '"type":"funnel"' in paths[1].read_text()
    journey_map = paths[3].read_text()
    assert '"type":"sankey"' in journey_map and "abandoned (2)" in journey_map
    # The plotly script is written once beside the pages, so they open without a network.
    assert (tmp_path / "charts" / "plotly.min.js").stat().st_size > 1_000_000
    empty = JourneyAnalytics(shop.db).run(DateRange(since=date.today() + timedelta(days=1)))
    assert all(path.stat().st_size > 0 for path in write_charts(empty, tmp_path / "empty"))


def test_journey_report_command(shop, tmp_path):
    base = ["journey", "report", "--db", shop.settings.database_url, "--data-dir", str(tmp_path)]
    since = (date.today() - timedelta(days=1)).isoformat()  # the fixture's clocks go back 45 minutes at most
    done = CliRunner().invoke(cli, [*base, "--since", since, "--out", str(tmp_path / "r")])
    assert done.exit_code == 0, done.output
    assert (
        "Abandoned carts: 2 of 3 journeys that reached the cart (67%); 1 came back, 1 of them bought."
        in done.stdout
    )
    assert "show me sofas under 10" in done.stdout
    assert {path.name for path in (tmp_path / "r").iterdir()} >= {
        "funnel.png",
        "journey_map.html",
        "report.json",
    }
    failed = CliRunner().invoke(cli, [*base, "--since", "last week"])
    assert isinstance(failed.exception, UserError) and "invalid date range" in str(failed.exception)


@pytest.mark.postgres
def test_the_report_and_the_sweep_on_postgresql(postgres_url, assistant):
    on_postgres = assistant_on(assistant, postgres_url)
    conversation_id, _ = converse(on_postgres, *TO_CART)
    abandon(on_postgres, conversation_id)
    report = JourneyAnalytics(on_postgres.db).run()
    assert list(report.funnel.values()) == [reached_by_sql(on_postgres, i) for i in range(len(FUNNEL))]
    assert report.abandoned >= 1 and report.funnel["cart"] >= 1

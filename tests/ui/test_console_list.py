"""ui/console_list.py: the console's list of conversations, over a real assistant and its own database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.bootstrap import build_assistant
from assistant.desk.agent_desk import AgentDesk
from assistant.pipeline import Assistant
from core.settings import Settings
from harness.server_process import data_dir_with
from ui.chat_session import send_message
from ui.console_list import conversation_rows, relative_time, render_conversation_list, shortened

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def desk(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> AgentDesk:
    """A desk over a database of its own, so that the list holds only this module's conversations."""
    home = data_dir_with(tmp_path_factory.mktemp("console-list"), assistant.settings.index_dir)
    own = build_assistant(Settings(home=home), log=lambda _message: None)
    first = send_message(own, None, [], [], "show me mugs")
    send_message(own, first.conversation_id, first.history, first.reply_ids, "under 20 please")
    send_message(own, None, [], [], "I want to talk to a person")
    send_message(own, None, [], [], "do you have <b>lamps</b>?")
    return AgentDesk(own.db, own.catalog, own.settings.propensity_dir)


def test_waiting_for_a_person_comes_first_then_the_newest(desk: AgentDesk) -> None:
    rows = conversation_rows(desk, "USD")
    assert [row["words"] for row in rows] == [
        "I want to talk to a person",
        "do you have <b>lamps</b>?",
        "show me mugs",
    ]
    assert [row["waiting"] for row in rows] == [True, False, False]


def test_a_line_is_named_by_the_shoppers_first_message_not_the_last(desk: AgentDesk) -> None:
    mugs = next(row for row in conversation_rows(desk, "USD") if row["words"].startswith("show me"))
    assert mugs["words"] == "show me mugs"  # not "under 20 please"


def test_stages_are_plain_words_and_times_relative(desk: AgentDesk) -> None:
    rows = conversation_rows(desk, "USD")
    assert {row["stage"] for row in rows} <= {"Just arrived", "Browsing", "Comparing"}
    later = datetime.fromisoformat(rows[0]["updated_at"]) + timedelta(minutes=2, seconds=10)
    assert conversation_rows(desk, "USD", now=later)[0]["updated"] == "2 min ago"


@pytest.mark.parametrize(
    ("ago", "said"),
    [
        (timedelta(seconds=10), "just now"),
        (timedelta(minutes=2), "2 min ago"),
        (timedelta(minutes=59, seconds=50), "59 min ago"),
        (timedelta(hours=3, minutes=40), "3 h ago"),
        (timedelta(days=1, hours=5), "yesterday"),
        (timedelta(days=4), "4 days ago"),
        (timedelta(days=40), "2 Feb 2025"),
        (timedelta(seconds=-30), "just now"),  # a clock a little ahead of the database's
    ],
)
def test_relative_times(ago: timedelta, said: str) -> None:
    assert relative_time(NOW - ago, NOW) == said


def test_long_first_words_are_cut_at_a_word_on_one_line() -> None:
    text = "do you have a waterproof hiking jacket\nin navy, size M, for a trip to Scotland next month?"
    cut = shortened(text, 50)
    assert cut == "do you have a waterproof hiking jacket in navy…"
    assert shortened("  short\n  one ") == "short one"


def test_the_list_escapes_what_shoppers_typed_and_marks_the_open_one(desk: AgentDesk) -> None:
    rows = conversation_rows(desk, "USD")
    lamps = next(row for row in rows if "lamps" in row["words"])
    html = render_conversation_list(rows, lamps["conversation_id"])
    assert "<b>lamps</b>" not in html and "&lt;b&gt;lamps&lt;/b&gt;" in html
    assert html.count('class="conversation selected"') == 1
    assert f'data-conversation="{lamps["conversation_id"]}" aria-pressed="true"' in html
    assert html.count("<button") == len(rows)


def test_an_empty_list_says_so() -> None:
    assert "No conversations yet." in render_conversation_list([], None)

"""The agent console's list of conversations: one line per conversation, named by what the shopper first said,
with its stage in plain words, cart value, purchase propensity, agent and how long ago it last changed.

Conversations waiting for a person come first (assistant/desk/transcripts.py orders them). A click on a line
opens that conversation; the list is redrawn every few seconds, keeping where the agent had scrolled it to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

from sqlalchemy import func, select

from assistant.desk.agent_desk import AgentDesk
from core.formatting import money
from db.models import Message
from ui.panels import stage_name

# What a line shows of the shopper's first message; the rest is cut at a word and shown on hover.
FIRST_WORDS_CHARS = 70

LIST_CSS = """
.conversations { display: flex; flex-direction: column; max-height: 260px; overflow-y: auto;
                 border: 1px solid var(--border-color-primary); border-radius: 8px; }
.conversation { display: grid; grid-template-columns: 76px minmax(0, 1fr) 112px 74px 44px 76px 84px;
                gap: 10px; align-items: center; padding: 6px 10px; border: 0; background: none; text-align: left;
                font: inherit; font-size: .9em; color: var(--body-text-color); cursor: pointer;
                border-bottom: 1px solid var(--border-color-primary); }
.conversation:last-child { border-bottom: 0; }
.conversation:hover { background: var(--background-fill-secondary); }
.conversation.selected { background: var(--color-accent-soft); }
.conversation > span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.conversation .words { font-weight: 600; }
.conversation .waiting { color: #b45309; font-weight: 700; }
.conversation .number, .conversation .when { text-align: right; color: var(--body-text-color-subdued); }
.conversation .number.value { color: var(--body-text-color); }
.conversations .heading { cursor: default; font-size: .75em; font-weight: 600; text-transform: uppercase;
                          letter-spacing: .03em; color: var(--body-text-color-subdued); }
.conversations .heading:hover { background: none; }
.nothing { color: var(--body-text-color-subdued); padding: 8px 10px; margin: 0; }
"""

# Delegated on the component, because the lines are redrawn every refresh; the scroll position is kept across
# redraws, which would otherwise jump back to the top every few seconds.
LIST_JS = """
let kept = 0;
element.addEventListener('click', (event) => {
  const line = event.target.closest('button[data-conversation]');
  if (line) trigger('open_conversation', {conversation: line.dataset.conversation});
});
element.addEventListener('scroll', (event) => {
  if (event.target.classList && event.target.classList.contains('conversations')) kept = event.target.scrollTop;
}, true);
watch('value', () => {
  const list = element.querySelector('.conversations');
  if (list) list.scrollTop = kept;
});
"""

HEADINGS = ("", "Shopper's first words", "Stage", "Cart", "Buys", "Agent", "Updated")


def relative_time(then: datetime, now: datetime) -> str:
    """How long ago, in the words a person uses: "just now", "3 min ago", "2 h ago", "yesterday", "4 days ago",
    then the date."""
    seconds = (now - then).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    return f"{days} days ago" if days < 7 else f"{then.day} {then:%b %Y}"


def shortened(text: str, limit: int = FIRST_WORDS_CHARS) -> str:
    """`text` on one line, cut at the last whole word within `limit` characters."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip(",.;:") + "…"


def first_words(desk: AgentDesk, conversation_ids: list[str]) -> dict[str, str]:
    """Each conversation's first shopper message (redacted, as stored); one query for the whole list."""
    if not conversation_ids:
        return {}
    first = (
        select(func.min(Message.id))
        .where(Message.conversation_id.in_(conversation_ids), Message.role == "shopper")
        .group_by(Message.conversation_id)
    )
    with desk.db.transaction() as session:
        rows = session.execute(select(Message.conversation_id, Message.text).where(Message.id.in_(first)))
        return {conversation_id: text for conversation_id, text in rows}


def conversation_rows(desk: AgentDesk, currency: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """The list's lines, ready to show: waiting first, then the newest."""
    now = now or datetime.now(UTC)
    conversations = desk.conversations()
    words = first_words(desk, [row["conversation_id"] for row in conversations])
    return [
        {
            "conversation_id": row["conversation_id"],
            "waiting": row["waiting"],
            "words": words.get(row["conversation_id"], ""),
            "stage": stage_name(row["stage"]),
            "cart": money(row["cart_value"], currency) if row["cart_value"] else "—",
            "propensity": "—" if row["propensity"] is None else f"{row['propensity']:.0%}",
            "agent": row["agent"],
            "updated": relative_time(datetime.fromisoformat(row["updated_at"]), now),
            "updated_at": row["updated_at"],
        }
        for row in conversations
    ]


def render_line(row: dict[str, Any], selected: bool) -> str:
    words = row["words"] or "(no message yet)"
    return (
        f'<button type="button" class="conversation{" selected" if selected else ""}" '
        f'data-conversation="{escape(row["conversation_id"])}" aria-pressed="{str(selected).lower()}">'
        f'<span class="waiting">{"⚑ waiting" if row["waiting"] else ""}</span>'
        f'<span class="words" title="{escape(words)}">{escape(shortened(words))}</span>'
        f'<span class="stage-name">{escape(row["stage"])}</span>'
        f'<span class="number value">{escape(row["cart"])}</span>'
        f'<span class="number" title="purchase propensity">{escape(row["propensity"])}</span>'
        f'<span class="agent">{escape(row["agent"])}</span>'
        f'<span class="when" title="{escape(row["updated_at"])}">{escape(row["updated"])}</span></button>'
    )


def render_conversation_list(rows: list[dict[str, Any]], selected: str | None) -> str:
    """The list as HTML: a heading line, then one line per conversation; every stored text escaped."""
    if not rows:
        return '<div class="conversations"><p class="nothing">No conversations yet.</p></div>'
    heading = "".join(f"<span>{escape(text)}</span>" for text in HEADINGS)
    lines = "".join(render_line(row, row["conversation_id"] == selected) for row in rows)
    return f'<div class="conversations"><div class="conversation heading">{heading}</div>{lines}</div>'

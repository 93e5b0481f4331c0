"""The agent console's views of one conversation: its transcript, cart, shown products, journey timeline and
internal notes (the list of conversations is ui/console_list.py). Every stored text is escaped: shoppers typed it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from assistant.desk.agent_desk import AgentDesk
from core.formatting import money
from core.state import line_name
from ui.panels import CARDS_CSS, CART_CSS, STAGE_CSS, render_cart, render_products, render_stage

ROLE_LABELS = {"shopper": "Shopper", "assistant": "Assistant", "agent": "Agent", "system": "Notice"}
THUMBS = {"up": "👍", "down": "👎"}

CONSOLE_CSS = (
    STAGE_CSS
    + CART_CSS
    + CARDS_CSS
    + """
.head { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
.id { font-family: var(--font-mono); font-size: 0.85em; }
.taken { font-size: 0.85em; font-weight: 600; color: #b45309; }
.messages { display: flex; flex-direction: column; gap: 6px; max-height: 460px; overflow-y: auto; }
.message { border-left: 3px solid var(--border-color-primary); padding: 2px 8px; }
.message.shopper { border-left-color: var(--color-accent); }
.message.agent { border-left-color: #b45309; }
.message.system { font-style: italic; }
.role { font-size: 0.75em; font-weight: 600; color: var(--body-text-color-subdued); }
.text { white-space: pre-wrap; }
.note { background: #fef9c3; color: #422006; border-radius: 6px; padding: 4px 8px; margin-bottom: 6px; }
.timeline { list-style: none; margin: 0; padding: 0; max-height: 320px; overflow-y: auto; font-size: 0.85em; }
.timeline li { padding: 2px 0 2px 10px; border-left: 2px solid var(--border-color-primary); }
.timeline li.stage-change { border-left-color: var(--color-accent); font-weight: 600; }
.timeline .when { color: var(--body-text-color-subdued); font-size: 0.85em; }
.cards { grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); }
"""
)


# The newest messages are what an agent reads and answers: the transcript opens scrolled to the bottom, and goes
# there again when a message arrives or the agent sends one; a redraw with nothing new keeps the agent's place.
TRANSCRIPT_JS = """
let last = null, kept = 0;
element.addEventListener('scroll', (event) => {
  if (event.target.classList && event.target.classList.contains('messages')) kept = event.target.scrollTop;
}, true);
const settle = () => {
  const box = element.querySelector('.messages');
  if (!box) return;
  box.scrollTop = props.value !== last ? box.scrollHeight : kept;
  last = props.value;
  kept = box.scrollTop;
};
watch('value', settle);
settle();
"""


def render_transcript(view: dict[str, Any]) -> str:
    """A conversation's id, stage and who answers it, then every message with its role (and the shopper's
    thumb on a rated reply)."""
    ratings = view.get("ratings", {})
    messages = "".join(
        f'<div class="message {escape(message["role"])}">'
        f'<div class="role">{escape(ROLE_LABELS.get(message["role"], message["role"]))} · '
        f"{escape(message['created_at'][:16].replace('T', ' '))} {THUMBS.get(ratings.get(message['id']), '')}</div>"
        f'<div class="text">{escape(message["text"])}</div></div>'
        for message in view["messages"]
    )
    taken = '<span class="taken">An agent is answering</span>' if view["taken_over"] else ""
    head = (
        f'<div class="head"><span class="id">{escape(view["conversation_id"])}</span>'
        f"{render_stage(view['stage'], view['handoff'] and not view['taken_over'])}"
        f"<span>journey {view['journey']}</span>{taken}</div>"
    )
    return f'{head}<div class="messages">{messages}</div>'


def render_basket(view: dict[str, Any], currency: str) -> str:
    """The cart, then the products the shopper last saw (numbered as "the second one" means them)."""
    shown = render_products(view["shown"], view["focus"], actions=False) or '<p class="empty">None yet.</p>'
    return (
        f"<strong>Cart</strong>{render_cart(view['cart'], currency)}<strong>Shown products</strong>{shown}"
        f"{render_orders(view.get('orders', []), view.get('shopper_id'))}"
    )


def render_orders(orders: list[dict[str, Any]], shopper_id: str | None) -> str:
    """The orders an agent may discuss with this shopper: each with its status, total and lines as variants."""
    who = f" of shopper {escape(shopper_id)}" if shopper_id else ""
    if not orders:
        return f'<strong>Orders{who}</strong><p class="empty">None.</p>'
    rows = []
    for order in orders:
        lines = "; ".join(
            f"{item['quantity']} × {line_name(item['title'], item['options'])}" for item in order["items"]
        )
        total = money(order["total"], order["currency"])
        name = order["number"] or order["id"]
        rows.append(
            f"<li><strong>{escape(str(name))}</strong> · {escape(order['status'])} · {escape(total)} · {escape(lines)}</li>"
        )
    return f'<strong>Orders{who}</strong><ul class="orders">{"".join(rows)}</ul>'


def render_timeline(timeline: list[dict[str, Any]]) -> str:
    """The journey's stage changes (highlighted) and events, oldest first."""
    if not timeline:
        return '<p class="empty">No journey events yet.</p>'
    items = "".join(
        f'<li class="{"stage-change" if event["stage_change"] else ""}">{escape(event["text"])} '
        f'<span class="when">· journey {event["journey"]}, turn {event["turn"]}, '
        f"{escape(event['created_at'][11:19])}</span></li>"
        for event in timeline
    )
    return f'<ul class="timeline">{items}</ul>'


def render_notes(notes: list[dict[str, Any]]) -> str:
    if not notes:
        return '<p class="empty">No notes yet. Notes are for the team; the shopper never sees them.</p>'
    return "".join(
        f'<div class="note"><div class="role">{escape(note["agent"])} · {escape(note["created_at"][:16].replace("T", " "))}</div>'
        f'<div class="text">{escape(note["text"])}</div></div>'
        for note in notes
    )


def conversation_detail(
    desk: AgentDesk, conversation_id: str | None, currency: str
) -> tuple[str, str, str, str]:
    """The transcript, the cart with the shown products, the journey timeline and the notes of the selected
    conversation, or a hint when none is selected."""
    if not conversation_id:
        return "<p>Select a conversation to read its transcript.</p>", "", "", ""
    view = desk.conversation(conversation_id)
    if view is None:
        return f"<p>No conversation {escape(conversation_id)}.</p>", "", "", ""
    return (
        render_transcript(view),
        render_basket(view, currency),
        render_timeline(view["timeline"]),
        render_notes(view["notes"]),
    )

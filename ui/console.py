"""The agent console: log in, see every conversation (those waiting for a person first), read one, take it
over, write to the shopper, hand it back and keep internal notes.

Agents log in with the accounts of `shopassist agent create` (Gradio's login page, checked against the
database). The table refreshes itself, so an agent sees new shoppers and handoffs without reloading the page.
The actions live in `assistant/agent_desk.py`; the handlers here only call them and redraw.
"""

from __future__ import annotations

import asyncio
from html import escape

import gradio as gr
import pandas as pd

from assistant.agent_desk import AgentDesk
from assistant.pipeline import Assistant
from assistant.replies import money
from assistant.takeover import TakeoverError
from ui.chat import CART_CSS, STAGE_CSS, render_cart, render_stage

REFRESH_SECONDS = 3
COLUMNS = ["Waiting", "Conversation", "Stage", "Cart value", "Agent", "Turns", "Last message", "Updated"]
ROLE_LABELS = {"shopper": "Shopper", "assistant": "Assistant", "agent": "Agent", "system": "Notice"}

TRANSCRIPT_CSS = (
    STAGE_CSS
    + CART_CSS
    + """
.head { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
.id { font-family: var(--font-mono); font-size: 0.85em; }
.taken { font-size: 0.85em; font-weight: 600; color: #b45309; }
.messages { display: flex; flex-direction: column; gap: 6px; margin-bottom: 12px; max-height: 420px;
            overflow-y: auto; }
.message { border-left: 3px solid var(--border-color-primary); padding: 2px 8px; }
.message.shopper { border-left-color: var(--color-accent); }
.message.agent { border-left-color: #b45309; }
.message.system { font-style: italic; }
.role { font-size: 0.75em; font-weight: 600; color: var(--body-text-color-subdued); }
.text { white-space: pre-wrap; }
.note { background: #fef9c3; color: #422006; border-radius: 6px; padding: 4px 8px; margin-bottom: 6px; }
"""
)


def conversation_table(desk: AgentDesk, currency: str) -> pd.DataFrame:
    """One row per conversation: those waiting for a person first, then the newest."""
    # The table component shows cells as plain text, so these values are not HTML-escaped here.
    rows = [
        [
            "⚑ waiting" if row["waiting"] else "",
            row["conversation_id"],
            row["stage"],
            money(row["cart_value"], currency),
            row["agent"],
            row["turns"],
            row["last_message"],
            row["updated_at"],
        ]
        for row in desk.conversations()
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def render_transcript(view: dict, currency: str) -> str:
    """A conversation's stage, who answers it, every message with its role, and its cart."""
    messages = "".join(
        f'<div class="message {escape(message["role"])}">'
        f'<div class="role">{escape(ROLE_LABELS.get(message["role"], message["role"]))} · {escape(message["created_at"][:19])}</div>'
        f'<div class="text">{escape(message["text"])}</div></div>'
        for message in view["messages"]
    )
    taken = '<span class="taken">An agent is answering</span>' if view["taken_over"] else ""
    head = (
        f'<div class="head"><span class="id">{escape(view["conversation_id"])}</span>'
        f"{render_stage(view['stage'], view['handoff'] and not view['taken_over'])}"
        f"<span>journey {view['journey']}</span>{taken}</div>"
    )
    return f'{head}<div class="messages">{messages}</div><strong>Cart</strong>{render_cart(view["cart"], currency)}'


def render_notes(notes: list[dict]) -> str:
    if not notes:
        return '<p class="empty">No notes yet. Notes are for the team; the shopper never sees them.</p>'
    return "".join(
        f'<div class="note"><div class="role">{escape(note["agent"])} · {escape(note["created_at"][:19])}</div>'
        f'<div class="text">{escape(note["text"])}</div></div>'
        for note in notes
    )


def conversation_detail(desk: AgentDesk, conversation_id: str | None, currency: str) -> tuple[str, str]:
    """The transcript and the notes of the selected conversation, or a hint when none is selected."""
    if not conversation_id:
        return "<p>Select a conversation to read its transcript.</p>", ""
    view = desk.conversation(conversation_id)
    if view is None:
        return f"<p>No conversation {escape(conversation_id)}.</p>", ""
    return render_transcript(view, currency), render_notes(view["notes"])


def signed_in_as(request: gr.Request) -> str:
    return f"Signed in as **{escape(request.username or '')}**"


def build_console(assistant: Assistant) -> gr.Blocks:
    """The agent console page (mounted behind Gradio's login, see `login_checker`)."""
    desk = AgentDesk(assistant.db)
    currency = assistant.settings.currency
    with gr.Blocks(title="shopassist agent console") as page:
        with gr.Row(equal_height=True):
            gr.Markdown("## Conversations")
            signed_in = gr.Markdown()
            gr.Button("Log out", link="/console/logout", size="sm", scale=0, min_width=90)
        with gr.Row():
            selected = gr.Dropdown(choices=[], label="Conversation", scale=4, min_width=200)
            refresh = gr.Button("Refresh", scale=1, min_width=90)
        table = gr.Dataframe(
            headers=COLUMNS,
            datatype="str",
            interactive=False,
            wrap=True,
            max_height=300,
            show_label=False,
            column_widths=["90px", "160px", "95px", "90px", "80px", "60px", "240px", "170px"],
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                transcript = gr.HTML(css_template=TRANSCRIPT_CSS, js_on_load=None)
                status = gr.Markdown()
                with gr.Row():
                    take = gr.Button("Take over", variant="primary", size="sm")
                    give = gr.Button("Hand back", size="sm")
                with gr.Row(equal_height=True):
                    message = gr.Textbox(
                        placeholder="Write to the shopper (after taking over)…",
                        show_label=False,
                        container=False,
                        scale=5,
                    )
                    send = gr.Button("Send", variant="primary", scale=1, min_width=70)
            with gr.Column(scale=2, min_width=260):
                gr.Markdown("**Internal notes**")
                notes = gr.HTML(css_template=TRANSCRIPT_CSS, js_on_load=None)
                note = gr.Textbox(placeholder="A note for the team…", show_label=False, lines=2)
                add_note = gr.Button("Add note", size="sm")
        timer = gr.Timer(REFRESH_SECONDS)

        def on_refresh(conversation_id: str | None) -> tuple:
            conversations = conversation_table(desk, currency)
            ids = conversations["Conversation"].tolist()
            kept = conversation_id if conversation_id in ids else None
            return (
                conversations,
                gr.Dropdown(choices=ids, value=kept),
                *conversation_detail(desk, kept, currency),
            )

        def on_row(event: gr.SelectData) -> tuple:
            conversation_id = event.row_value[1]
            return conversation_id, *conversation_detail(desk, conversation_id, currency), ""

        def acting(action):
            """A handler that runs `action(conversation_id, username, text)` and redraws the conversation; an
            agent's mistake (nothing selected, not taken over, empty text) shows as a status line."""

            def handler(conversation_id: str | None, text: str, request: gr.Request) -> tuple:
                if not conversation_id:
                    return gr.skip(), gr.skip(), "Select a conversation first.", gr.skip()
                try:
                    action(conversation_id, request.username, text)
                except TakeoverError as error:
                    return gr.skip(), gr.skip(), f"{error}.", gr.skip()
                return *conversation_detail(desk, conversation_id, currency), "", ""

            return handler

        outputs = [table, selected, transcript, notes]
        page.load(on_refresh, selected, outputs)
        page.load(signed_in_as, None, signed_in)
        refresh.click(on_refresh, selected, outputs)
        # The timer's refresh runs without a progress overlay, so the page does not flicker every few seconds.
        timer.tick(on_refresh, selected, outputs, show_progress="hidden")
        selected.input(
            lambda cid: (*conversation_detail(desk, cid, currency), ""), selected, [transcript, notes, status]
        )
        table.select(on_row, None, [selected, transcript, notes, status])
        detail = [transcript, notes, status]
        take.click(
            acting(lambda cid, who, _text: desk.take_over(cid, who)), [selected, message], [*detail, message]
        )
        give.click(
            acting(lambda cid, who, _text: desk.hand_back(cid, who)), [selected, message], [*detail, message]
        )
        send.click(acting(desk.send), [selected, message], [*detail, message])
        message.submit(acting(desk.send), [selected, message], [*detail, message])
        add_note.click(acting(desk.note), [selected, note], [*detail, note])
    return page


def login_checker(assistant: Assistant):
    """Gradio's `auth` callable: the username and password of an agent in the database."""
    desk = AgentDesk(assistant.db)

    # Gradio awaits a coroutine; hashing in a thread keeps the server answering others meanwhile.
    async def check(username: str, password: str) -> bool:
        return await asyncio.to_thread(desk.login, username, password)

    return check

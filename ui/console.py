"""The agent console: every conversation with its stage and cart, and the transcript of the one selected.

Conversations needing a person (handoff) come first. The table refreshes itself, so an agent sees new shoppers
and handoffs without reloading the page.
"""

from __future__ import annotations

from html import escape

import gradio as gr
import pandas as pd

from assistant.pipeline import Assistant
from assistant.replies import money
from assistant.transcripts import conversation_view, list_conversations
from ui.chat import CART_CSS, STAGE_CSS, render_cart, render_stage

REFRESH_SECONDS = 5
COLUMNS = ["Conversation", "Stage", "Journey", "Turns", "Cart value", "Handoff", "Last message", "Updated"]
ROLE_LABELS = {"shopper": "Shopper", "assistant": "Assistant", "agent": "Agent", "system": "System"}

TRANSCRIPT_CSS = (
    STAGE_CSS
    + CART_CSS
    + """
.head { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
.id { font-family: var(--font-mono); font-size: 0.85em; }
.messages { display: flex; flex-direction: column; gap: 6px; margin-bottom: 12px; }
.message { border-left: 3px solid var(--border-color-primary); padding: 2px 8px; }
.message.shopper { border-left-color: var(--color-accent); }
.message.agent { border-left-color: #b45309; }
.role { font-size: 0.75em; font-weight: 600; color: var(--body-text-color-subdued); }
.text { white-space: pre-wrap; }
"""
)


def conversation_table(assistant: Assistant) -> pd.DataFrame:
    """One row per conversation, newest first and handoffs on top."""
    with assistant.db.transaction() as session:
        conversations = list_conversations(session)
    # The table component shows cells as plain text, so these values are not HTML-escaped here.
    rows = [
        [
            row["conversation_id"],
            row["stage"],
            row["journey"],
            row["turns"],
            money(row["cart_value"], assistant.settings.currency),
            "yes" if row["handoff"] else "",
            row["last_message"],
            row["updated_at"],
        ]
        for row in conversations
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def render_transcript(view: dict, currency: str) -> str:
    """A conversation's stage, every message with its role, and its cart."""
    messages = "".join(
        f'<div class="message {escape(message["role"])}">'
        f'<div class="role">{escape(ROLE_LABELS.get(message["role"], message["role"]))} · {escape(message["created_at"][:19])}</div>'
        f'<div class="text">{escape(message["text"])}</div></div>'
        for message in view["messages"]
    )
    head = (
        f'<div class="head"><span class="id">{escape(view["conversation_id"])}</span>'
        f"{render_stage(view['stage'], view['handoff'])}<span>journey {view['journey']}</span></div>"
    )
    return f'{head}<div class="messages">{messages}</div><strong>Cart</strong>{render_cart(view["cart"], currency)}'


def conversation_detail(assistant: Assistant, conversation_id: str | None) -> str:
    """The transcript of the selected conversation, or a hint when none is selected."""
    if not conversation_id:
        return "<p>Select a conversation to read its transcript.</p>"
    with assistant.db.transaction() as session:
        view = conversation_view(session, conversation_id)
    if view is None:
        return f"<p>No conversation {escape(conversation_id)}.</p>"
    return render_transcript(view, assistant.settings.currency)


def build_console(assistant: Assistant) -> gr.Blocks:
    """The agent console page: the conversations table, refreshed every few seconds, and a transcript viewer."""
    with gr.Blocks(title="shopassist agent console") as page:
        gr.Markdown("## Conversations")
        with gr.Row():
            selected = gr.Dropdown(choices=[], label="Conversation", scale=4, min_width=200)
            refresh = gr.Button("Refresh", scale=1, min_width=90)
        table = gr.Dataframe(
            headers=COLUMNS,
            datatype="str",
            interactive=False,
            wrap=True,
            max_height=360,
            show_label=False,
            column_widths=["160px", "95px", "70px", "60px", "90px", "75px", "240px", "180px"],
        )
        transcript = gr.HTML(
            conversation_detail(assistant, None), css_template=TRANSCRIPT_CSS, js_on_load=None
        )
        timer = gr.Timer(REFRESH_SECONDS)

        def on_refresh(conversation_id: str | None) -> tuple:
            conversations = conversation_table(assistant)
            ids = conversations["Conversation"].tolist()
            kept = conversation_id if conversation_id in ids else None
            return conversations, gr.Dropdown(choices=ids, value=kept), conversation_detail(assistant, kept)

        def on_row(event: gr.SelectData) -> tuple:
            conversation_id = event.row_value[0]
            return conversation_id, conversation_detail(assistant, conversation_id)

        outputs = [table, selected, transcript]
        page.load(on_refresh, selected, outputs)
        refresh.click(on_refresh, selected, outputs)
        # The timer's refresh runs without a progress overlay, so the page does not flicker every few seconds.
        timer.tick(on_refresh, selected, outputs, show_progress="hidden")
        selected.input(
            lambda conversation_id: conversation_detail(assistant, conversation_id), selected, transcript
        )
        table.select(on_row, None, [selected, transcript])
    return page

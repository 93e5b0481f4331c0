"""The agent console: log in, see every conversation (those waiting for a person first), read one, take it
over, write to the shopper, hand it back and keep internal notes; and the journey analytics.

Agents log in with the accounts of `shopassist agent create` (Gradio's login page, checked against the
database). The list refreshes itself, so an agent sees new shoppers and handoffs without reloading the page.
The actions live in `assistant/desk/agent_desk.py`; the handlers here only call them and redraw.
"""

from __future__ import annotations

import asyncio
from html import escape

import gradio as gr

from assistant.desk.agent_desk import AgentDesk
from assistant.pipeline import Assistant
from core.errors import TakeoverError
from ui.console_analytics import analytics
from ui.console_list import LIST_CSS, LIST_JS, conversation_rows, render_conversation_list
from ui.console_panels import CONSOLE_CSS, TRANSCRIPT_JS, conversation_detail

REFRESH_SECONDS = 3


def signed_in_as(request: gr.Request) -> str:
    return f"Signed in as **{escape(request.username or '')}**"


def build_console(assistant: Assistant, desk: AgentDesk) -> gr.Blocks:
    """The agent console page (mounted behind Gradio's login, see `login_checker`)."""
    currency = assistant.settings.currency
    charts_dir = assistant.settings.data_dir / "console-charts"
    with gr.Blocks(title="shopassist agent console") as page:
        with gr.Row(equal_height=True):
            gr.Markdown("## Agent console")
            signed_in = gr.Markdown()
            gr.Button("Log out", link="/console/logout", size="sm", scale=0, min_width=90)
        with gr.Tabs():
            with gr.Tab("Conversations"):
                selected = gr.State(None)
                with gr.Row(equal_height=True):
                    gr.Markdown("Waiting for a person first, then the newest. Click one to read it.")
                    refresh = gr.Button("Refresh", size="sm", scale=0, min_width=90)
                table = gr.HTML(
                    render_conversation_list([], None),
                    css_template=LIST_CSS,
                    js_on_load=LIST_JS,
                    elem_id="conversations",
                )
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        transcript = gr.HTML(
                            css_template=CONSOLE_CSS, js_on_load=TRANSCRIPT_JS, elem_id="transcript"
                        )
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
                                elem_id="agent-message",
                            )
                            send = gr.Button("Send", variant="primary", scale=1, min_width=70)
                    with gr.Column(scale=2, min_width=260), gr.Tabs():
                        with gr.Tab("Cart & products"):
                            basket = gr.HTML(css_template=CONSOLE_CSS, js_on_load=None)
                        with gr.Tab("Journey"):
                            timeline = gr.HTML(css_template=CONSOLE_CSS, js_on_load=None)
                        with gr.Tab("Notes"):
                            notes = gr.HTML(css_template=CONSOLE_CSS, js_on_load=None)
                            note = gr.Textbox(placeholder="A note for the team…", show_label=False, lines=2)
                            add_note = gr.Button("Add note", size="sm")
            with gr.Tab("Analytics") as analytics_tab:
                headline = gr.Markdown()
                with gr.Row(equal_height=False):
                    funnel = gr.Image(
                        label="Funnel", type="filepath", interactive=False, buttons=["download"]
                    )
                    zero = gr.Dataframe(
                        label="Searches that found nothing", interactive=False, max_height=360
                    )
                journey_map = gr.Image(
                    label="Journey map", type="filepath", interactive=False, buttons=["download"]
                )
                redraw = gr.Button("Refresh analytics", size="sm")
        timer = gr.Timer(REFRESH_SECONDS)

        def on_refresh(conversation_id: str | None) -> tuple:
            rows = conversation_rows(desk, currency)
            kept = conversation_id if any(row["conversation_id"] == conversation_id for row in rows) else None
            return render_conversation_list(rows, kept), kept, *conversation_detail(desk, kept, currency)

        def on_open(event: gr.EventData) -> tuple:
            conversation_id = str(event.conversation)
            rows = conversation_rows(desk, currency)
            listed = render_conversation_list(rows, conversation_id)
            return listed, conversation_id, *conversation_detail(desk, conversation_id, currency), ""

        def acting(action):
            """A handler that runs `action(conversation_id, username, text)` and redraws the conversation; an
            agent's mistake (nothing selected, not taken over, empty text) shows as a status line."""

            def handler(conversation_id: str | None, text: str, request: gr.Request) -> tuple:
                if not conversation_id:
                    return *[gr.skip()] * 4, "Select a conversation first.", gr.skip()
                try:
                    action(conversation_id, request.username, text)
                except TakeoverError as error:
                    return *[gr.skip()] * 4, f"{error}.", gr.skip()
                return *conversation_detail(desk, conversation_id, currency), "", ""

            return handler

        def on_analytics() -> tuple:
            return analytics(assistant.db, charts_dir)

        detail = [transcript, basket, timeline, notes]
        outputs = [table, selected, *detail]
        page.load(on_refresh, selected, outputs)
        page.load(signed_in_as, None, signed_in)
        refresh.click(on_refresh, selected, outputs)
        # The timer's refresh runs without a progress overlay, so the page does not flicker every few seconds.
        timer.tick(on_refresh, selected, outputs, show_progress="hidden")
        table.open_conversation(on_open, None, [table, selected, *detail, status])
        take.click(
            acting(lambda cid, who, _text: desk.take_over(cid, who)),
            [selected, message],
            [*detail, status, message],
        )
        give.click(
            acting(lambda cid, who, _text: desk.hand_back(cid, who)),
            [selected, message],
            [*detail, status, message],
        )
        send.click(acting(desk.send), [selected, message], [*detail, status, message])
        message.submit(acting(desk.send), [selected, message], [*detail, status, message])
        add_note.click(acting(desk.note), [selected, note], [*detail, status, note])
        charts = [funnel, journey_map, zero, headline]
        analytics_tab.select(on_analytics, None, charts)
        redraw.click(on_analytics, None, charts)
    return page


def login_checker(desk: AgentDesk):
    """Gradio's `auth` callable: the username and password of an agent in the database."""

    # Gradio awaits a coroutine; hashing in a thread keeps the server answering others meanwhile.
    async def check(username: str, password: str) -> bool:
        return await asyncio.to_thread(desk.login, username, password)

    return check

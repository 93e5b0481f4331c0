"""The shopper chat page: the chat with the assistant beside the products it shows, the cart and checkout.

Everything a shopper can click goes through the assistant as the sentence they could have typed
(ui/shopper_actions.py): a card's Details and Add to cart, the quick replies, Talk to a person and the
checkout form. The panels are redrawn from the conversation in the database after every turn, so they always
match what the assistant did. The conversation (id and token) is kept in the browser's storage: a reload, or
the widget on the next page of a store, continues it. Messages are limited per conversation, by the REST API's
limiter when the app shares it (ui/app.py), so a conversation gets one allowance whichever door it uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from html import escape
from typing import Any

import gradio as gr

from assistant.pipeline import Assistant
from core.errors import FormError
from ui import shopper_actions
from ui.chat_session import (
    ChatTurn,
    new_from_team,
    panels_state,
    rate,
    restore,
    send_message,
    shown_message,
    streamed,
)
from ui.panels import (
    CARD_CLICKS_JS,
    CARDS_CSS,
    CART_CSS,
    STAGE_CSS,
    render_cart,
    render_handoff,
    render_products,
)
from ui.rate_limits import SlidingWindowLimiter

QUICK_REPLIES = 4
# How often an open chat looks for messages from an agent who has taken the conversation over.
POLL_SECONDS = 2
# The pause between the pieces of a streamed reply.
STREAM_DELAY_SECONDS = 0.03
# Shown before the first message, so a shopper sees at once what kind of thing to ask.
STARTERS = ["Show me running shoes under 100", "What's a good gift?", "Where is my order?"]
NO_PRODUCTS = '<p class="none">The products I find for you appear here.</p>'
PAYMENT_CHOICES = [
    ("Card", "card"),
    ("PayPal", "paypal"),
    ("Apple Pay", "apple pay"),
    ("Google Pay", "google pay"),
    ("Cash on delivery", "cash on delivery"),
]

CHAT_CSS = """
.chips { gap: 6px !important; }
.chips button { border-radius: 999px !important; flex: 0 1 auto !important; }
.header { align-items: center !important; flex-wrap: nowrap !important; }
.header .title { flex: 0 1 auto !important; width: auto !important; min-width: 0 !important; }
.header h2 { margin: 0 !important; font-size: 1.15em !important; white-space: nowrap; }
#handoff { flex: 1 1 auto !important; min-width: 0 !important; }
#handoff:not(:has(.handoff)) { display: none !important; }
.form-error p { color: #b91c1c; margin: 0; }
/* Gradio's Clear button sat over the first message, and cleared only the screen, not the conversation. */
#chat .top-panel { display: none !important; }
/* A phone, or the widget's 400 × 640 panel: one column in which the conversation, the products (a row that
   scrolls sideways), the cart and the box to type in all fit on one screen. The two columns step aside
   (display: contents) so that their parts can be ordered as one list. */
@media (max-width: 640px) {
  .header { gap: 4px 8px !important; flex-wrap: wrap !important; justify-content: space-between; }
  #handoff { order: 3; flex-basis: 100% !important; }
  .header h2 { font-size: 1em !important; }
  #main { flex-direction: column !important; flex-wrap: nowrap !important; gap: 6px !important; }
  #chat-column, #side { display: contents !important; }
  #chat { order: 1; height: max(150px, calc(100vh - 450px)) !important; min-height: 0 !important; }
  #cards { order: 2; }
  #cart, #checkout, #checkout-form, .form-error, #place-order { order: 3; }
  .chips { order: 4; }
  #composer { order: 5; }
  #cards-label, #cart-label { display: none !important; }  /* the cards and the cart's lines say what they are */
  #cards .html-container, #cart .html-container { padding: 0 !important; }
  #cart { max-height: 64px; overflow-y: auto; }
  #checkout { min-height: 0 !important; padding: 6px !important; }
  /* While the checkout form is open the cart's lines say what is bought; the cards make room for the form. */
  #main:has(#checkout-form) #cards { display: none !important; }
}
"""

# Outside the part of the page that CHAT_CSS reaches (Gradio scopes it to the app's content): the page's own
# padding, which a narrow screen cannot spare.
CHAT_HEAD = (
    "<style>@media (max-width: 640px) "
    "{ .gradio-container > .main.fillable { padding: 6px 10px 4px !important; } }</style>"
)


def quick_replies(suggestions: list[str]) -> list[gr.Button]:
    """Updates for the quick-reply chips: the first suggestions shown, the remaining chips hidden."""
    shown = suggestions[:QUICK_REPLIES]
    return [gr.Button(value=text, visible=True) for text in shown] + [
        gr.Button(visible=False) for _ in range(QUICK_REPLIES - len(shown))
    ]


def panel_updates(assistant: Assistant, conversation_id: str | None) -> list[Any]:
    """The note that a person is joining, the result cards, the cart and the checkout controls, from the stored conversation:
    the Checkout button while the cart has items, the form while checkout waits for details, Place order
    while the order waits for the shopper's yes."""
    view, dialogue = panels_state(assistant, conversation_id)
    if view is None:
        return [render_handoff(), NO_PRODUCTS, render_cart({}, assistant.settings.currency)] + [
            gr.update(visible=False)
        ] * 3
    in_checkout = view["stage"] == "checkout"
    return [
        render_handoff(view["handoff"], view["taken_over"]),
        render_products(dialogue.results, dialogue.focus) or NO_PRODUCTS,
        render_cart(view["cart"], assistant.settings.currency),
        gr.update(visible=bool(view["cart"]["items"]) and not in_checkout),
        gr.update(visible=in_checkout and not dialogue.awaiting_confirmation),
        gr.update(visible=in_checkout and dialogue.awaiting_confirmation),
    ]


def build_chat(assistant: Assistant, per_conversation: SlidingWindowLimiter | None = None) -> gr.Blocks:
    """The shopper chat page (mounted at "/", and opened by the widget in its iframe).

    `per_conversation` limits each conversation's messages; without one the page makes its own from the
    settings (`messages_per_minute_per_conversation`)."""
    currency = assistant.settings.currency
    limiter = per_conversation or SlidingWindowLimiter(
        assistant.settings.messages_per_minute_per_conversation, 60
    )
    with gr.Blocks(title="Shopping assistant") as page:
        conversation_id = gr.State(None)
        reply_ids = gr.State([])
        last_seen = gr.State(0)
        saved = gr.BrowserState({}, storage_key="shopassist-conversation")
        with gr.Row(equal_height=True, elem_classes="header"):
            gr.Markdown("## Shopping assistant", elem_classes="title")
            handoff = gr.HTML(render_handoff(), css_template=STAGE_CSS, js_on_load=None, elem_id="handoff")
            person = gr.Button(
                "Talk to a person", size="sm", scale=0, min_width=140, elem_id="talk-to-a-person"
            )
        with gr.Row(equal_height=False, elem_id="main"):
            with gr.Column(scale=3, min_width=300, elem_id="chat-column"):
                chatbot = gr.Chatbot(
                    height="55vh",
                    min_height=300,
                    show_label=False,
                    buttons=[],  # no share or copy-all toolbar: it covered the first message
                    group_consecutive_messages=False,  # one bubble per message: a thumb rates one reply
                    placeholder="**Hi! I'm the store's shopping assistant.**<br>Ask for a product, a budget or a color.",
                    elem_id="chat",
                )
                with gr.Row(elem_classes="chips"):
                    chips = [
                        gr.Button(text, size="sm", variant="secondary", min_width=0) for text in STARTERS
                    ]
                    chips += [
                        gr.Button(size="sm", variant="secondary", min_width=0, visible=False)
                        for _ in range(QUICK_REPLIES - len(STARTERS))
                    ]
                with gr.Row(equal_height=True, elem_id="composer"):
                    textbox = gr.Textbox(
                        placeholder="Type a message…", show_label=False, container=False, scale=5, min_width=0
                    )
                    send = gr.Button("Send", variant="primary", scale=1, min_width=70)
            with gr.Column(scale=2, min_width=280, elem_id="side"):
                gr.Markdown("**Your cart**", elem_id="cart-label")
                cart = gr.HTML(
                    render_cart({}, currency), css_template=CART_CSS, js_on_load=None, elem_id="cart"
                )
                checkout = gr.Button("Go to checkout", variant="primary", visible=False, elem_id="checkout")
                with gr.Group(visible=False, elem_id="checkout-form") as form:
                    address = gr.Textbox(label="Shipping address", placeholder="12 Main Street, Springfield")
                    payment = gr.Radio(PAYMENT_CHOICES, value="card", label="Payment")
                    card_ending = gr.Textbox(label="Card number, last 4 digits", max_length=4)
                    review = gr.Button("Review order", variant="primary")
                form_error = gr.Markdown(elem_classes="form-error")
                place = gr.Button("Place order", variant="primary", visible=False, elem_id="place-order")
                gr.Markdown("**Products**", elem_id="cards-label")
                products = gr.HTML(
                    NO_PRODUCTS,
                    css_template=CARDS_CSS,
                    js_on_load=CARD_CLICKS_JS,
                    elem_id="cards",
                )
        timer = gr.Timer(POLL_SECONDS)

        outputs = [chatbot, reply_ids, conversation_id, saved, textbox, handoff, products, cart]
        outputs += [checkout, form, place, form_error, *chips]
        untouched = [gr.skip()] * (len(outputs) - 5)

        def respond(history, ids, current_id, kept, text: str, request: gr.Request) -> Iterator[tuple]:
            """One shopper message: shown at once, then the reply streamed, then the panels redrawn."""
            if not text.strip():
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), "", *untouched
                return
            typing = [*history, {"role": "user", "content": escape(text, quote=False)}]
            yield typing, gr.skip(), gr.skip(), gr.skip(), "", *untouched
            # The store's signed token of its logged-in shopper, passed by the widget (ui/static/widget.js).
            shopper_token = request.query_params.get("shopper_token") if request else None
            turn: ChatTurn = send_message(assistant, current_id, history, ids, text, limiter, shopper_token)
            if turn.token:
                kept = {"conversation_id": turn.conversation_id, "token": turn.token}
            # The conversation is known from the first piece on, so a click while the reply streams continues it.
            for partial in streamed(turn.history):
                yield partial, turn.reply_ids, turn.conversation_id, kept, gr.skip(), *untouched
                time.sleep(STREAM_DELAY_SECONDS)
            chip_updates = (
                quick_replies(turn.result.suggestions) if turn.result else [gr.skip()] * QUICK_REPLIES
            )
            panels = panel_updates(assistant, turn.conversation_id) if turn.result else [gr.skip()] * 6
            yield (
                turn.history,
                turn.reply_ids,
                turn.conversation_id,
                kept,
                gr.skip(),
                *panels,
                "",
                *chip_updates,
            )

        def saying(sentence: str) -> Callable[..., Iterator[tuple]]:
            def handler(history, ids, current_id, kept, request: gr.Request) -> Iterator[tuple]:
                yield from respond(history, ids, current_id, kept, sentence, request)

            return handler

        def on_card(
            history, ids, current_id, kept, event: gr.EventData, request: gr.Request
        ) -> Iterator[tuple]:
            action = {"details": shopper_actions.details_request, "add": shopper_actions.add_request}
            said = action[event.action](int(event.position))
            yield from respond(history, ids, current_id, kept, said, request)

        def on_form(
            history, ids, current_id, kept, where: str, how: str, ending: str, request: gr.Request
        ) -> Iterator[tuple]:
            try:
                sentence = shopper_actions.checkout_details(where, how, ending)
            except FormError as error:
                yield (
                    *[gr.skip()] * (len(outputs) - QUICK_REPLIES - 1),
                    f"{error}.",
                    *[gr.skip()] * QUICK_REPLIES,
                )
                return
            yield from respond(history, ids, current_id, kept, sentence, request)

        def on_load(kept: dict) -> tuple:
            restored = restore(assistant, kept)
            if restored.view is None:
                return None, [], [], 0, {}, *panel_updates(assistant, None)
            return (
                restored.conversation_id,
                restored.history,
                restored.reply_ids,
                restored.last_id,
                kept,
                *panel_updates(assistant, restored.conversation_id),
            )

        def on_tick(history, ids, current_id, after_id: int) -> tuple:
            arrived = new_from_team(assistant, current_id, after_id)
            if not arrived:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            shown = [*history, *map(shown_message, arrived)]
            return (
                shown,
                [*ids, *[None] * len(arrived)],
                arrived[-1]["id"],
                panel_updates(assistant, current_id)[0],
            )

        def on_like(current_id, ids, liked: gr.LikeData) -> None:
            rate(assistant, current_id, ids, liked.index, liked.liked)

        state = [chatbot, reply_ids, conversation_id, saved]
        textbox.submit(respond, [*state, textbox], outputs)
        send.click(respond, [*state, textbox], outputs)
        for chip in chips:
            chip.click(respond, [*state, chip], outputs)
        products.card_action(on_card, state, outputs)
        person.click(saying(shopper_actions.TALK_TO_A_PERSON), state, outputs)
        checkout.click(saying(shopper_actions.CHECKOUT), state, outputs)
        review.click(on_form, [*state, address, payment, card_ending], outputs)
        place.click(saying(shopper_actions.CONFIRM_ORDER), state, outputs)
        payment.change(lambda how: gr.update(visible=how == "card"), payment, card_ending)
        chatbot.like(on_like, [conversation_id, reply_ids], None)
        page.load(
            on_load,
            saved,
            [
                conversation_id,
                chatbot,
                reply_ids,
                last_seen,
                saved,
                handoff,
                products,
                cart,
                checkout,
                form,
                place,
            ],
        )
        # Without a progress overlay, so the chat does not flicker every few seconds; reads only, so any
        # number of open chats poll at once.
        timer.tick(
            on_tick,
            [chatbot, reply_ids, conversation_id, last_seen],
            [chatbot, reply_ids, last_seen, handoff],
            show_progress="hidden",
            concurrency_limit=None,
        )
    return page

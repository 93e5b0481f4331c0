"""The shopper chat page: a chat with the assistant beside the products it shows, the cart and the journey stage.

The page only displays turn results; every decision is the assistant's. Catalog and shopper text is escaped
before it reaches the browser, because product data comes from whatever catalog a store imports.
"""

from __future__ import annotations

from html import escape
from typing import Any, NamedTuple

import gradio as gr

from assistant.pipeline import Assistant, InvalidMessage
from assistant.replies import money
from assistant.state import TurnResult
from assistant.transcripts import conversation_view, messages_after

QUICK_REPLIES = 4
# How often an open chat looks for messages from an agent who has taken the conversation over.
POLL_SECONDS = 2
PERSON_LABEL = "Our team"
# Shown before the first message, so a shopper sees at once what kind of thing to ask.
STARTERS = ["Show me running shoes under 100", "What's a good gift?", "Where is my order?"]
# The stock level below which a card warns "Only N left", as the reply text does (replies.stock_phrase).
LOW_STOCK = 5

CARDS_CSS = """
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
        background: var(--block-background-fill); display: flex; flex-direction: column; gap: 2px; }
.position { font-size: 0.75em; color: var(--body-text-color-subdued); }
.title { font-weight: 600; line-height: 1.25; }
.meta { font-size: 0.8em; color: var(--body-text-color-subdued); }
.price { font-weight: 700; margin-top: auto; }
.rating { color: #d97706; font-size: 0.85em; }
.stock { font-size: 0.8em; }
.stock.low { color: #b45309; }
.stock.out { color: #b91c1c; }
"""

CART_CSS = """
.cart table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
.cart td { padding: 3px 4px; border-bottom: 1px solid var(--border-color-primary); vertical-align: top; }
.cart .quantity, .cart .amount { text-align: right; white-space: nowrap; }
.cart .total td { font-weight: 700; border-bottom: none; }
.empty { color: var(--body-text-color-subdued); font-size: 0.9em; }
"""

STAGE_CSS = """
.stage { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 0.85em; font-weight: 600;
         background: var(--color-accent-soft); color: var(--body-text-color); }
.handoff { margin-left: 6px; font-size: 0.85em; color: #b45309; }
.handoff.person { font-weight: 600; }
"""


class ChatTurn(NamedTuple):
    """The chat after one shopper message; `result` is None when the message could not be processed, and
    `token` is set on the message that started the conversation (the page keeps it in the browser)."""

    history: list[dict[str, Any]]
    conversation_id: str | None
    result: TurnResult | None
    token: str | None = None


def send_message(
    assistant: Assistant, conversation_id: str | None, history: list[dict[str, Any]], text: str
) -> ChatTurn:
    """Sends one shopper message, starting the browser session's conversation on its first message."""
    if not text.strip():
        return ChatTurn(history, conversation_id, None)  # an empty box sent by accident: nothing to answer
    history = [*history, {"role": "user", "content": escape(text, quote=False)}]
    try:
        # Validated before a conversation is started, so a rejected first message leaves none behind.
        text = assistant.validate(text)
        token = None
        if conversation_id is None:
            conversation_id, token = assistant.start_conversation()
        result = assistant.handle(conversation_id, text)
    except InvalidMessage as error:
        apology = f"Sorry, I can't take that message: {error}. Could you try again?"
        return ChatTurn(
            [*history, {"role": "assistant", "content": escape(apology, quote=False)}], conversation_id, None
        )
    if result.reply:  # empty while an agent has taken over: their answer arrives as an agent message
        history = [*history, {"role": "assistant", "content": escape(result.reply, quote=False)}]
    return ChatTurn(history, conversation_id, result, token)


def shown_message(message: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the chat shows it: an agent's marked as a person's, notices in italics."""
    text = escape(message["text"], quote=False)
    if message["role"] == "shopper":
        return {"role": "user", "content": text}
    if message["role"] == "agent":
        return {"role": "assistant", "content": f"**{PERSON_LABEL}:** {text}"}
    if message["role"] == "system":
        return {"role": "assistant", "content": f"_{text}_"}
    return {"role": "assistant", "content": text}


def restore(assistant: Assistant, saved: dict[str, Any] | None) -> tuple[str | None, list, int, dict | None]:
    """The conversation a browser kept (id and token in its storage), if the token still opens it: its id,
    the chat history, the last message id and the transcript document; nothing for a missing or forged one."""
    conversation_id, token = (saved or {}).get("conversation_id"), (saved or {}).get("token")
    if not conversation_id or not token or not assistant.token_matches(conversation_id, token):
        return None, [], 0, None
    with assistant.db.transaction() as session:
        view = conversation_view(session, conversation_id)
    history = [shown_message(message) for message in view["messages"]]
    return conversation_id, history, max((m["id"] for m in view["messages"]), default=0), view


def new_from_team(assistant: Assistant, conversation_id: str | None, after_id: int) -> list[dict[str, Any]]:
    """Agents' messages and notices that arrived since `after_id` (the assistant's come with each turn)."""
    if not conversation_id:
        return []
    with assistant.db.transaction() as session:
        return messages_after(session, conversation_id, after_id, roles=("agent", "system"))


def stock_label(stock: int | None) -> str:
    if stock is None:
        return ""
    if stock == 0:
        return '<div class="stock out">Out of stock</div>'
    if stock <= LOW_STOCK:
        return f'<div class="stock low">Only {stock} left</div>'
    return '<div class="stock">In stock</div>'


def rating_label(rating: float | None) -> str:
    if not rating:
        return ""
    stars = round(rating)
    return f'<div class="rating" title="rated {rating:.1f} out of 5">{"★" * stars}{"☆" * (5 - stars)} {rating:.1f}</div>'


def render_product(product: dict[str, Any]) -> str:
    meta = " · ".join(escape(product[key]) for key in ("brand", "color") if product.get(key))
    return (
        '<div class="card">'
        f'<div class="position">#{product["position"]}</div>'
        f'<div class="title">{escape(product["title"])}</div>'
        + (f'<div class="meta">{meta}</div>' if meta else "")
        + f'<div class="price">{escape(money(product["price"], product["currency"]))}</div>'
        + rating_label(product.get("rating"))
        + stock_label(product.get("stock"))
        + "</div>"
    )


def render_products(products: list[dict[str, Any]]) -> str:
    """The turn's products as cards, numbered as the reply numbers them ("the second one" is #2)."""
    if not products:
        return ""
    return f'<div class="cards">{"".join(render_product(product) for product in products)}</div>'


def render_cart(cart: dict[str, Any], currency: str) -> str:
    """The cart's lines with quantities and line totals, and the cart total."""
    if not cart.get("items"):
        return '<div class="cart"><p class="empty">Your cart is empty.</p></div>'
    rows = "".join(
        f'<tr><td>{escape(item["title"])}</td><td class="quantity">× {item["quantity"]}</td>'
        f'<td class="amount">{escape(money(item["quantity"] * item["unit_price"], currency))}</td></tr>'
        for item in cart["items"]
    )
    total = f'<tr class="total"><td>Total</td><td></td><td class="amount">{escape(money(cart["total"], currency))}</td></tr>'
    return f'<div class="cart"><table>{rows}{total}</table></div>'


def render_stage(stage: str, handoff: bool = False, taken_over: bool = False) -> str:
    """The journey stage as a badge, with a note when a person from the team has been asked to join or is
    answering."""
    badge = f'<span class="stage">{escape(stage.replace("_", " ").capitalize())}</span>'
    if taken_over:
        return badge + '<span class="handoff person">A person is answering you</span>'
    return badge + ('<span class="handoff">A person from our team will join</span>' if handoff else "")


def quick_replies(suggestions: list[str]) -> list[gr.Button]:
    """Updates for the quick-reply buttons: the first suggestions shown, the remaining buttons hidden."""
    shown = suggestions[:QUICK_REPLIES]
    return [gr.Button(value=text, visible=True) for text in shown] + [
        gr.Button(visible=False) for _ in range(QUICK_REPLIES - len(shown))
    ]


def build_chat(assistant: Assistant) -> gr.Blocks:
    """The shopper chat page. A conversation starts with its first message; its id and token are kept in the
    browser's storage, so a reload (or the widget on the next page of a store) continues it."""
    currency = assistant.settings.currency
    with gr.Blocks(title="Shopping assistant") as page:
        conversation_id = gr.State(None)
        last_seen = gr.State(0)
        saved = gr.BrowserState({}, storage_key="shopassist-conversation")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(
                    height="60vh",
                    min_height=320,
                    show_label=False,
                    feedback_options=None,
                    placeholder="**Hi! I'm the store's shopping assistant.**<br>Ask for a product, a budget or a color.",
                )
                with gr.Row():
                    buttons = [
                        gr.Button(text, size="sm", variant="secondary", min_width=140) for text in STARTERS
                    ]
                    buttons += [
                        gr.Button(size="sm", variant="secondary", min_width=140, visible=False)
                        for _ in range(QUICK_REPLIES - len(STARTERS))
                    ]
                with gr.Row(equal_height=True):
                    textbox = gr.Textbox(
                        placeholder="Type a message…", show_label=False, container=False, scale=5, min_width=0
                    )
                    send = gr.Button("Send", variant="primary", scale=1, min_width=70)
            with gr.Column(scale=2, min_width=280):
                stage = gr.HTML(render_stage("entry"), css_template=STAGE_CSS, js_on_load=None)
                products = gr.HTML("", css_template=CARDS_CSS, js_on_load=None)
                gr.Markdown("**Your cart**")
                cart = gr.HTML(render_cart({}, currency), css_template=CART_CSS, js_on_load=None)
        timer = gr.Timer(POLL_SECONDS)

        def on_message(history: list[dict[str, Any]], current_id: str | None, kept: dict, text: str) -> tuple:
            turn = send_message(assistant, current_id, history, text)
            if turn.token:
                kept = {"conversation_id": turn.conversation_id, "token": turn.token}
            if turn.result is None:
                panels = [gr.skip()] * (3 + QUICK_REPLIES)
            else:
                result = turn.result
                taken_over = result.handoff and not result.reply
                panels = [
                    render_stage(result.stage, result.handoff, taken_over),
                    render_products(result.products),
                    render_cart(result.cart, currency),
                    *quick_replies(result.suggestions),
                ]
            return turn.history, turn.conversation_id, kept, "", *panels

        def on_load(kept: dict) -> tuple:
            restored_id, history, last_id, view = restore(assistant, kept)
            if view is None:
                return None, [], 0, {}, gr.skip(), gr.skip()
            banner = render_stage(view["stage"], view["handoff"], view["taken_over"])
            return restored_id, history, last_id, kept, banner, render_cart(view["cart"], currency)

        def on_tick(history: list[dict[str, Any]], current_id: str | None, after_id: int) -> tuple:
            arrived = new_from_team(assistant, current_id, after_id)
            if not arrived:
                return gr.skip(), gr.skip(), gr.skip()
            with assistant.db.transaction() as session:
                view = conversation_view(session, current_id)
            banner = render_stage(view["stage"], view["handoff"], view["taken_over"])
            return [*history, *map(shown_message, arrived)], arrived[-1]["id"], banner

        outputs = [chatbot, conversation_id, saved, textbox, stage, products, cart, *buttons]
        textbox.submit(on_message, [chatbot, conversation_id, saved, textbox], outputs)
        send.click(on_message, [chatbot, conversation_id, saved, textbox], outputs)
        for button in buttons:
            button.click(on_message, [chatbot, conversation_id, saved, button], outputs)
        page.load(on_load, saved, [conversation_id, chatbot, last_seen, saved, stage, cart])
        # Without a progress overlay, so the chat does not flicker every few seconds.
        timer.tick(
            on_tick,
            [chatbot, conversation_id, last_seen],
            [chatbot, last_seen, stage],
            show_progress="hidden",
        )
    return page

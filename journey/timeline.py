"""One conversation's journey as a timeline, for the agent console: its stage changes and what the shopper did
(searches, products viewed, cart changes, checkout steps, orders, nudges), oldest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import JourneyEvent

# A few words per kind of event, so an agent reads the journey at a glance.
LABELS = {
    "search": "searched",
    "details_viewed": "viewed a product",
    "comparison": "compared products",
    "cart_add": "added to cart",
    "cart_remove": "removed from cart",
    "checkout_step": "checkout step",
    "order_placed": "placed an order",
    "order_cancelled": "cancelled an order",
    "return_requested": "asked for a return",
    "exchange_requested": "asked for an exchange",
    "order_modified": "changed an order",
    "after_sales_refused": "was refused an order change",
    "offer_declined": "declined an offer",
    "clarification": "was asked to clarify",
    "handoff": "asked for a person",
    "resumed": "came back",
    "nudge_shown": "was nudged",
    "nudge_outcome": "nudge outcome",
}


def describe(event: JourneyEvent) -> str:
    """The event in a few words, with its most telling detail."""
    data = event.data or {}
    if event.kind == "stage_change":
        return f"{event.from_stage} → {event.to_stage}"
    detail = {
        "search": lambda: f'"{data.get("query", "")}" ({_found(data)})',
        "cart_add": lambda: f"{data.get('quantity', 1)} × {data.get('product_id', '')}",
        "cart_remove": lambda: data.get("product_id", ""),
        "details_viewed": lambda: data.get("product_id", ""),
        "checkout_step": lambda: (
            "missing " + ", ".join(data["missing"]) if data.get("missing") else "complete"
        ),
        "nudge_shown": lambda: data.get("kind", ""),
        "nudge_outcome": lambda: f"{data.get('kind', '')}: {data.get('outcome', '')}",
        # After-sales changes, so an agent sees what each one did to which order and its money.
        "return_requested": lambda: _after_sales(data),
        "exchange_requested": lambda: _after_sales(data),
        "order_modified": lambda: _after_sales(data),
        "after_sales_refused": lambda: (
            f"{data.get('kind', '')} of order {data.get('order_id', '')}: {data.get('rule', '')}"
        ),
    }.get(event.kind)
    label = LABELS.get(event.kind, event.kind.replace("_", " "))
    return f"{label}: {detail()}" if detail else label


def journey_timeline(session: Session, conversation_id: str) -> list[dict[str, Any]]:
    """Every event of the conversation, oldest first: journey, turn, kind, description and time."""
    events = session.scalars(
        select(JourneyEvent).where(JourneyEvent.conversation_id == conversation_id).order_by(JourneyEvent.id)
    )
    return [
        {
            "journey": event.journey,
            "turn": event.turn,
            "kind": event.kind,
            "stage_change": event.kind == "stage_change",
            "text": describe(event),
            "created_at": event.created_at.isoformat(timespec="seconds") + "Z",
        }
        for event in events
    ]


def _after_sales(data: dict) -> str:
    """ "order 7 → return requested; refund 20.00 to paypal_ana"."""
    money = "; ".join(
        f"{line.get('kind', '')} {float(line.get('amount', 0)):.2f} {'to' if line.get('kind') == 'refund' else 'on'} "
        f"{line.get('payment_method_id', '')}"
        for line in data.get("payments", [])
    )
    head = f"{data.get('change', '').replace('_', ' ')} of order {data.get('order_id', '')} → {data.get('status', '')}"
    return f"{head}; {money}" if money else head


def _found(data: dict) -> str:
    """ "1 result", "5 results", "no match, 5 nearest shown"."""
    if data.get("relaxed"):
        return f"no match, {data.get('shown', 0)} nearest shown"
    count = data.get("results", 0)
    return f"{count} result" if count == 1 else f"{count} results"

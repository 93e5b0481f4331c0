"""Grounded template replies: every sentence is built from the outcome's catalog and database facts.

This is the reply text of the `template` backend and the draft that a generating LLM backend must stay true to.
"""

from __future__ import annotations

from assistant.replies.comparison import compare
from assistant.understanding.needs import RELATIVES, for_whom
from core.formatting import listed, money, one_of, plural, product_line, results_suggestions, stock_phrase
from core.settings import Settings
from core.state import Action, Decision, DialogueState, Outcome, line_name

# Payment methods as the checkout reads them back, in their own spelling.
PAYMENT_NAMES = {
    "paypal": "PayPal", "apple pay": "Apple Pay", "google pay": "Google Pay", "cod": "cash on delivery",
    "gift card": "a gift card", "bank transfer": "bank transfer", "credit card": "credit card",
}  # fmt: skip
RELAXED_NAMES = {"color": "colors", "material": "materials", "size": "sizes", "brand": "brands"}
# The longest search the no-results reply quotes back; a longer one is a sentence, not a search term.
ECHO_WORDS = 4
SUPERLATIVES = {"price_asc": "cheapest", "price_desc": "priciest", "rating_desc": "best rated"}
SORT_NAMES = {
    "price_asc": "cheapest first",
    "price_desc": "priciest first",
    "rating_desc": "best rated first",
}


def describe_filters(filters: dict, currency: str, many: bool = False) -> str:
    """ "red Nike running shoes in size 9 under $80": the filters as a shop assistant would say them, the kind
    in the plural when `many` ("no grey sofas under $500")."""
    named = (
        {**filters, "category": plural(filters["category"])} if many and filters.get("category") else filters
    )
    parts = [str(named[key]) for key in ("color", "brand", "material", "category") if named.get(key)]
    if filters.get("size"):
        parts.append(f"in size {filters['size']}")
    if budget := describe_budget(filters, currency):
        parts.append(budget)
    return " ".join(parts)


def describe_budget(filters: dict, currency: str) -> str:
    """ "under $50", "between $20 and $40": a budget as the shopper said it, without cents they did not say."""

    def said(amount: float) -> str:
        written = money(amount, currency)
        return written.replace(".00", "", 1) if float(amount).is_integer() else written

    low, high = filters.get("min_price"), filters.get("max_price")
    if low is not None and high is not None:
        return f"at {said(high)}" if low == high else f"between {said(low)} and {said(high)}"
    if high is not None:
        return f"under {said(high)}"
    return f"over {said(low)}" if low is not None else ""


def _person(need: dict) -> tuple[str, str]:
    """Who a present is for as the subject of a question, and its verb: ("your dad", "does"), ("they", "do")."""
    recipient = need.get("recipient")
    pronouns = {"him": ("he", "does"), "her": ("she", "does")}
    if recipient in pronouns:
        return pronouns[recipient]
    if recipient in RELATIVES:
        return f"your {recipient}", "does"
    return "they", "do"


class TemplateReplies:
    """Renders the reply and the quick-reply suggestions for an action and its outcome."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # A reply for every action, checked when the assistant is built rather than on the first such turn.
        missing = [action.value for action in Action if not hasattr(self, f"_{action.value}")]
        if missing:
            raise ValueError(f"no reply template for the actions {', '.join(missing)}")

    def render(
        self, decision: Decision, outcome: Outcome, state: DialogueState
    ) -> tuple[str, list[str], str]:
        """(reply text, suggestions, the act the reply performs — the classifier's context next turn)."""
        render = getattr(self, f"_{decision.action.value}")
        text, suggestions, act = render(decision, outcome, state)
        if "welcome_back" in outcome.facts:
            return self._welcome_back(outcome.facts["welcome_back"], (text, suggestions, act), state)
        return text, suggestions, act

    def _welcome_back(self, facts: dict, reply: tuple[str, list[str], str], state: DialogueState):
        """A returning shopper's reply opens with the cart they left; a bare hello gets the step they were at."""
        currency = self.settings.currency
        items = ", ".join(
            f"{item['quantity']} × {item['title']} ({money(item['unit_price'] * item['quantity'], currency)})"
            for item in facts["items"]
        )
        where = "You were checking out" if facts["stage"] == "checkout" else "Your cart is waiting"
        opening = (
            f"Welcome back! {where}: {items or 'nothing yet'} — total {money(facts['total'], currency)}."
        )
        text, suggestions, act = reply
        if act != "greet":
            return f"{opening}\n{text}", suggestions, act
        if facts["stage"] != "checkout":
            return (
                f"{opening}\nReady to check out?",
                ["Checkout", "Keep shopping", "Show my cart"],
                "show_cart",
            )
        # The act is what a "yes" next turn confirms, so a returning shopper can finish the order at once.
        missing = state.checkout.missing
        if missing:
            return (
                f"{opening}\nTo place the order I need your {' and '.join(missing)}.",
                ["Show my cart"],
                "ask_checkout_details",
            )
        return (
            f"{opening}\nShall I place the order?",
            ["Yes, place the order", "No, change something"],
            "ask_confirmation",
        )

    def _greet(self, *_):
        return (
            "Hi! I'm the store's shopping assistant. Tell me what you're looking for — a product, a budget, a color — "
            "and I'll find it.",
            ["Show me running shoes under 100", "What's a good gift?", "Where is my order?"],
            "greet",
        )

    def _goodbye(self, *_):
        return "Thanks for stopping by — come back any time!", [], "none"

    def _thank(self, *_):
        return "You're welcome! Anything else I can help you find?", ["Show my cart", "Checkout"], "none"

    def _search(self, decision: Decision, outcome: Outcome, _state):
        described = describe_filters(outcome.facts.get("filters", {}), self.settings.currency)
        lacking = outcome.facts.get("not_carried")
        if not outcome.products:
            if lacking:
                carried = outcome.facts.get("carried", [])
                offer = f" We do have {listed(carried)}." if carried else ""
                return (
                    f"Sorry, we don't seem to carry {plural(lacking)}.{offer} Is there something else I can find?",
                    [f"Show me {kind}" for kind in carried],
                    "no_results",
                )
            # The shopper's own words are echoed only when short enough to be what they searched for.
            wanted = described or (decision.query if len(decision.query.split()) <= ECHO_WORDS else "")
            return (
                f"I couldn't find anything {f'matching {wanted!r}' if wanted else 'like that'} in our catalog. "
                "Try a different budget, color or product type?",
                ["Show me something similar", "Remove the price limit"],
                "no_results",
            )
        lines = "\n".join(product_line(i, p) for i, p in enumerate(outcome.products, start=1))
        if lacking:
            title = f"We don't seem to carry {plural(lacking)}. The closest things we have:"
        elif "relaxed" in outcome.facts:
            title = self._relaxed(outcome.facts)
        elif decision.reason == "relative_price":
            cheaper = "cheaper" if "max_price" in decision.slots else "pricier"
            title = f"{_here_are(len(outcome.products), cheaper + ' option')}:"
        else:
            # "Here are 5 results for watches", though the shopper wrote "wacthes" or "a grey sofa".
            described = describe_filters(outcome.facts.get("filters", {}), self.settings.currency, many=True)
            title = (
                f"{_here_are(len(outcome.products), 'option' if not described else 'result')}"
                f"{' for ' + described if described else ''}:"
            )
        if order := SORT_NAMES.get(decision.slots.get("sort")):
            title = f"{title[:-1]}, {order}:"
        return (
            f"{title}\n{lines}\nWould you like details on {one_of(len(outcome.products))}, or to narrow it down?",
            results_suggestions(len(outcome.products), "Cheaper ones", "Sort by rating"),
            "show_results",
        )

    def _relaxed(self, facts: dict) -> str:
        """ "I found no blue running shoes under $80. Of the blue running shoes, the cheapest is … at $121.95.
        Here are running shoes under $80 in other colors:" """
        currency = self.settings.currency
        wanted = describe_filters(facts["filters"], currency, many=True)
        said = [f"I found no {wanted}." if "category" in facts["filters"] else f"I found nothing {wanted}."]
        if over := facts.get("cheapest_over_budget"):
            described = describe_filters(over["filters"], currency, many=True)
            of = f"Of the {described}, the cheapest" if described else "The cheapest match"
            said.append(f"{of} is {over['title']} at {money(over['price'], currency)}.")
        kept = describe_filters(facts["kept"], currency, many=True) or "the closest matches"
        relaxed = facts["relaxed"]
        if relaxed == "all":
            said.append(f"Here are the least expensive {kept}:")
        elif relaxed in ("min_price", "max_price"):
            said.append(f"Here are {kept} nearest in price:")
        else:
            said.append(f"Here are {kept} in other {RELAXED_NAMES[relaxed]}:")
        return " ".join(said)

    def _recommend(self, _decision, outcome: Outcome, _state):
        facts = outcome.facts
        need, kinds = facts["need"], facts["kinds"]
        whom = for_whom(need)
        budget = describe_budget(facts["filters"], self.settings.currency)
        if not outcome.products:
            who, does = _person(need)
            return (
                f"I'm not sure what we have that would suit that. What else {does} {who} enjoy?",
                facts["departments"][:4],
                "ask_need",
            )
        lines = "\n".join(product_line(i, p) for i, p in enumerate(outcome.products, start=1))
        if facts.get("relaxed"):
            # Nothing the need suits fits the budget: the nearest in price, said as such.
            opening = f"I found nothing {whom + ' ' if whom else ''}{budget}. The closest in price:"
        else:
            aim = " ".join(filter(None, (whom, budget)))
            opening = f"Some ideas{' ' + aim if aim else ''} from our {listed(kinds)}:"
        return (
            f"{opening}\n{lines}\nWould you like details on {one_of(len(outcome.products))}, or something different?",
            results_suggestions(len(outcome.products), "Cheaper ones"),
            "show_results",
        )

    def _details(self, decision: Decision, outcome: Outcome, state):
        text, suggestions, act = self._about(outcome)
        if decision.reason == "our_pick":
            text = f"Of these, I'd pick {outcome.products[0].title}, the best rated in stock.\n{text}"
        return text, suggestions, act

    def _about(self, outcome: Outcome) -> tuple[str, list[str], str]:
        product = outcome.products[0]
        if answer := outcome.facts.get("answer"):
            # A question about the product (assistant/replies/product_qa.py): its answer, the price and the next step.
            stock = stock_phrase(product)
            text = f"{answer}\n{product.title} costs {money(product.price, product.currency)}"
            text += f" and is {stock}." if stock else "."
            if product.in_stock:
                return (
                    f"{text} Shall I add it to your cart?",
                    ["Add it to my cart", "Show similar ones"],
                    "show_details",
                )
            return f"{text} Want me to find similar ones?", ["Show similar ones"], "show_details"
        facts = [f"{product.title} by {product.brand}" if product.brand else product.title]
        facts.append(f"costs {money(product.price, product.currency)}")
        if product.rating:
            facts.append(f"is rated {product.rating:.1f}/5")
        stock = stock_phrase(product)
        text = f"{facts[0]} " + ", ".join(facts[1:]) + (f" and is {stock}." if stock else ".")
        extras = [
            f"Color: {product.color}." if product.color else "",
            f"Material: {product.material}." if product.material else "",
        ]
        if product.sizes:
            extras.append(f"Sizes: {', '.join(product.sizes)}.")
        text = " ".join([text, *filter(None, extras), product.description]).strip()
        if product.in_stock:
            return (
                f"{text}\nShall I add it to your cart?",
                ["Add it to my cart", "Show similar ones"],
                "show_details",
            )
        return (
            f"{text}\nIt's out of stock right now — want me to find similar ones?",
            ["Show similar ones"],
            "show_details",
        )

    def _compare(self, _decision, outcome: Outcome, _state):
        best = outcome.facts["recommended"]
        if best is None:
            return (
                f"{compare(outcome.products)}\nNone of them is in stock right now — want me to find similar ones?",
                ["Show similar ones"],
                "show_comparison",
            )
        return (
            # The offer is a line of its own: guidance withdraws it once the shopper has declined that kind.
            f"{compare(outcome.products)}\nWant me to add {best} to your cart?",
            [f"Add {best} to my cart", "Show me more options"],
            "show_comparison",
        )

    def _cart_summary(self, outcome: Outcome) -> str:
        if not outcome.cart:
            return "Your cart is empty."
        currency = self.settings.currency
        lines = "\n".join(
            f"• {line.quantity} × {line.name} — {money(line.unit_price * line.quantity, currency)}"
            for line in outcome.cart
        )
        return f"Your cart:\n{lines}\nTotal: {money(outcome.cart_total, currency)}"

    def _add_to_cart(self, decision: Decision, outcome: Outcome, _state):
        unavailable = outcome.facts["out_of_stock"]
        sorry = f"Sorry, {' and '.join(unavailable)} {'is' if len(unavailable) == 1 else 'are'} out of stock right now."
        if choose := outcome.facts.get("choose"):
            done = f"Added {listed(outcome.facts['added'])} to your cart. " if outcome.facts["added"] else ""
            option = choose["option"].lower()
            return (
                f"{done}Which {option} would you like for {choose['product']}: {listed(choose['values'], 'or')}?",
                [f"{choose['option'].capitalize()} {value}" for value in choose["values"][:4]],
                "ask_variant",
            )
        if not outcome.facts["added"]:
            return sorry, ["Show similar ones"], "no_results"
        added = listed([f"{decision.quantity} × {title}" for title in outcome.facts["added"]])
        done = (
            f"Now {added} in your cart."
            if decision.reason == "set_quantity"
            else f"Added {added} to your cart."
        )
        if decision.reason == "in_stock_pick":
            done = f"{done[:-1]} — the {SUPERLATIVES[decision.slots['sort']]} one in stock."
        text = f"{done}\n{self._cart_summary(outcome)}\nReady to check out?"
        return (
            f"{sorry}\n{text}" if unavailable else text,
            ["Checkout", "Keep shopping", "Show my cart"],
            "show_cart",
        )

    def _remove_from_cart(self, decision: Decision, outcome: Outcome, _state):
        if decision.reason == "empty_cart":
            return "Your cart is already empty.", ["Show me running shoes"], "show_cart"
        removed = ", ".join(outcome.facts.get("removed", [])) or "nothing"
        return (
            f"Removed {removed}.\n{self._cart_summary(outcome)}",
            ["Checkout", "Keep shopping"],
            "show_cart",
        )

    def _show_cart(self, _decision, outcome: Outcome, _state):
        if not outcome.cart:
            return "Your cart is empty. What can I find for you?", ["Show me running shoes"], "show_cart"
        return (
            f"{self._cart_summary(outcome)}\nReady to check out?",
            ["Checkout", "Keep shopping"],
            "show_cart",
        )

    def _checkout(self, _decision, outcome: Outcome, _state):
        if outcome.facts.get("empty_cart"):
            return (
                "Your cart is empty, so there's nothing to check out yet. What are you looking for?",
                [],
                "show_cart",
            )
        missing = outcome.facts.get("missing", [])
        if missing:
            # Only the shopper's own saved details, never an example address a stranger could send by a tap.
            saved = outcome.facts.get("saved_details", {})
            known = outcome.facts.get("checkout") or {}
            # A detail already given is read back, so that a correction ("change the address to …") is seen.
            given = f"Shipping to: {known['address']}. " if known.get("address") else ""
            return (
                f"{self._cart_summary(outcome)}\n{given}To place the order I need your {' and '.join(missing)}.",
                [chip for detail in missing for chip in saved.get(detail, [])],
                "ask_checkout_details",
            )
        details = outcome.facts["checkout"]
        payment = PAYMENT_NAMES.get(details["payment"], details["payment"])
        return (
            f"{self._cart_summary(outcome)}\nShipping to: {details['address']}. Payment: {payment}.\n"
            "Shall I place the order?",
            ["Yes, place the order", "No, change something"],
            "ask_confirmation",
        )

    def _place_order(self, decision: Decision, outcome: Outcome, state):
        if sold := outcome.facts.get("sold_out"):
            short = (
                f"only {sold['left']} of {sold['item']} are left"
                if sold["left"]
                else f"{sold['item']} just sold out"
            )
            return (
                f"Sorry, {short}, so the order is not placed and nothing was charged.\n{self._cart_summary(outcome)}",
                ["Show my cart", "Show similar ones"],
                "show_cart",
            )
        if outcome.order is None:
            return self._checkout(decision, outcome, state)
        order = outcome.order
        return (
            f"Your order #{order['id']} is placed: {_count(len(order['items']), 'item')}, total "
            f"{money(order['total'], order['currency'])}. Thank you for shopping with us!",
            ["Where is my order?", "Keep shopping"],
            "order_placed",
        )

    def _keep_checkout(self, *_):
        return (
            "No problem — what would you like to change: the address, the payment method or the cart?",
            [
                "Change the address",
                "Show my cart",
            ],
            "ask_checkout_details",
        )

    def _decline(self, *_):
        return "No problem. What else can I help you find?", ["Show my cart", "Something else"], "none"

    def _order_support(self, decision: Decision, outcome: Outcome, state):
        facts, order = outcome.facts, outcome.facts.get("order")
        asked = facts.get("order_id_asked")
        which = f"order #{asked.lstrip('#')}" if asked else "your order"
        greeting = f"Thanks, {facts['identified']}. " if facts.get("identified") else ""
        if facts.get("needs_identity"):
            retry = "I couldn't find an account with those details. " if facts.get("not_identified") else ""
            return (
                f"{retry}To look up {which} I need to know it's you: please tell me the email on your account, "
                "or your first name, last name and zip code.",
                ["Talk to a person"],
                "ask_identity",
            )
        if facts.get("not_yours"):
            return (
                f"{greeting}I can't share {which}: it isn't on your account. I can only discuss the orders of the "
                "shopper in this conversation.",
                ["Where is my order?", "Talk to a person"],
                "answer_support",
            )
        if order is None:
            where = "on your account" if state.shopper_id else "in this conversation"
            found = f"an order {asked}" if asked else "any order"
            # "What's your return policy?" before buying anything is answered from the store's policy.
            policy = f" {self.settings.return_policy}" if decision.reason == "return_refund" else ""
            return (
                f"{greeting}I can't find {found} {where}. If you ordered elsewhere, a person on our team can "
                f"help.{policy}",
                ["Talk to a person"],
                "answer_support",
            )
        head = f"Order #{order['id']} ({money(order['total'], order['currency'])})"
        if "after_sales" in facts:
            return self._after_sales(head, order, facts["after_sales"], greeting)
        if "refunds" in facts or "refused" in facts:
            return self._store_cancellation(head, order, facts, greeting)
        else:
            lines = "; ".join(_order_item(item) for item in order["items"])
            tracking = f" Tracking: {', '.join(order['tracking'])}." if order.get("tracking") else ""
            on_its_way = order["status"] in ("placed", "pending", "processed", "pending (items modified)")
            delivery = f" {self.settings.shipping_policy.split(';')[0]}." if on_its_way else ""
            text = f"{head} is {order['status']}: {lines}.{tracking}{delivery}"
        return greeting + text, ["Talk to a person", "Keep shopping"], "answer_support"

    def _after_sales(self, head: str, order: dict, facts: dict, greeting: str):
        """A return, an exchange or a change of a pending order: the rule that refuses it, the one thing still to
        ask, the exact change and its money waiting for a yes, or what was done."""
        currency, kind = order["currency"], facts["kind"]
        if "refused" in facts:
            return (
                f"{greeting}{head} is {order['status']}, and {facts['refused']}. A person on our team can help.",
                ["Talk to a person", "Where is my order?"],
                "answer_support",
            )
        if "missing" in facts:
            text, chips = _after_sales_question(kind, _mid(head), facts["missing"], facts["choices"])
            return greeting + text, chips, "ask_after_sales"
        change = facts["change"]
        what = _change_phrase(change, currency)
        if facts.get("done"):
            return (
                f"Done: {what}. {head} is now {change['status']}.",
                ["Where is my order?", "Keep shopping"],
                "answer_support",
            )
        return (
            f"{greeting}To confirm, for {_mid(head)}: {what}. Shall I go ahead?",
            ["Yes, go ahead", "No, leave it as it is"],
            "offer_after_sales",
        )

    @staticmethod
    def _store_cancellation(head: str, order: dict, facts: dict, greeting: str):
        """The steps of cancelling a store order: the rule that refuses it, the reason, the yes, the result."""
        if "refused" in facts:
            return (
                f"{greeting}{head} is {order['status']}, and {facts['refused']}. A person on our team can help.",
                ["Talk to a person", "Where is my order?"],
                "answer_support",
            )
        back = " and ".join(
            f"{money(line['amount'], order['currency'])} to {line['payment_method_id']}"
            for line in facts["refunds"]
        )
        if facts.get("cancelled"):
            return f"{head} is cancelled. Refunded: {back}.", ["Keep shopping"], "answer_support"
        if not facts.get("cancel_reason"):
            return (
                f"{greeting}Why would you like to cancel {_mid(head)}: is it no longer needed, or was it ordered "
                "by mistake?",
                ["No longer needed", "Ordered by mistake"],
                "ask_cancel_reason",
            )
        lines = "; ".join(_order_item(item) for item in order["items"])
        return (
            f"{greeting}To confirm: I'll cancel {_mid(head)} ({lines}), {facts['cancel_reason']}, and refund "
            f"{back or 'nothing'}. "
            "Shall I go ahead?",
            ["Yes, cancel it", "No, keep it"],
            "offer_cancel",
        )

    def _policy(self, decision: Decision, *_):
        policies = {
            "shipping_info": self.settings.shipping_policy,
            "payment_info": self.settings.payment_policy,
            "return_refund": self.settings.return_policy,
        }
        return policies[decision.reason], ["Show my cart", "Keep shopping"], "answer_support"

    def _handoff(self, *_):
        return (
            "I'm connecting you with a person from our team — they'll reply here shortly.",
            [],
            "answer_support",
        )

    def _complaint(self, *_):
        return (
            "I'm sorry about that. I can connect you with a person from our team who can sort it out.",
            ["Talk to a person", "Return an item"],
            "answer_support",
        )

    def _clarify(self, decision: Decision, outcome: Outcome, _state):
        if decision.reason == "need_open":
            asked = (
                "Happy to help you find a present! Who is it for, and roughly what budget?"
                if decision.slots.get("gift")
                else "Happy to help! What are you looking for? If it's a present, who is it for, and roughly what budget?"
            )
            return (
                asked,
                ["For my dad, around $50", "For a 6 year old", "For a friend who loves cooking"],
                "ask_need",
            )
        if decision.reason == "need_interest":
            who, does = _person(outcome.facts["need"])
            return (
                f"What {does} {who} enjoy? A hobby or two is enough, and I'll pick from what we have.",
                outcome.facts["departments"][:4],
                "ask_need",
            )
        if decision.reason == "which_product" and (choices := outcome.facts.get("choices")):
            quantity = decision.slots.get("quantity")
            ordinals = ("first", "second", "third")
            return (
                f"Which one do you mean: {listed(choices, 'or')}? You can say “the second one”.",
                [
                    f"Add {quantity} of the {ordinal} one" if quantity else f"The {ordinal} one"
                    for ordinal in ordinals[: len(choices)]
                ],
                "ask_clarification",
            )
        if decision.reason == "one_to_compare" and (choices := outcome.facts.get("choices")):
            return (
                f"Only {choices[0]} is on screen, and a comparison needs two. Want similar ones to compare it with?",
                ["Show similar ones"],
                "ask_clarification",
            )
        questions = {
            "which_product": "Which product do you mean? You can say “the second one”, or search for something first.",
            "which_cart_item": "Which item should I remove from your cart?",
            "nothing_to_confirm": "Sorry, what would you like me to do?",
            "one_to_compare": "I need two products to compare. Search for a few, then say “compare the first two”.",
        }
        text = questions.get(
            decision.reason,
            "Sorry, I didn't quite get that. Are you looking for a product, or help with an order?",
        )
        return text, ["Show me running shoes", "Show my cart", "Where is my order?"], "ask_clarification"

    def _out_of_scope(self, *_):
        return (
            "I can only help with shopping here — finding products, your cart, checkout and orders.",
            ["Show me running shoes", "Where is my order?"],
            "none",
        )


def _after_sales_question(kind: str, order: str, missing: str, choices: list[str]) -> tuple[str, list[str]]:
    """The one question an after-sales request still needs answered, with its choices as quick replies."""
    verb = {"return": "return", "exchange": "exchange", "modify_items": "change"}.get(kind, "change")
    if missing == "items":
        return f"Which item of {order} would you like to {verb}: {listed(choices, 'or')}?", choices[:4]
    if missing == "variant":
        if not choices:
            return f"There is no other version of that item to {verb} it for, I'm afraid.", [
                "Talk to a person"
            ]
        return f"What would you like instead: {listed(choices, 'or')}?", choices[:4]
    if missing == "address":
        return f"What's the new shipping address for {order}?", ["Talk to a person"]
    if missing == "method":
        if not choices:
            return f"There is no other payment method on your account to pay {order} with.", [
                "Talk to a person"
            ]
        return f"Which payment method should pay for {order} instead: {listed(choices, 'or')}?", choices[:4]
    return f"What would you like to change in {order}: the address, the payment method or an item?", [
        "Change the address",
        "Change the payment method",
        "Change an item",
    ]


def _change_phrase(change: dict, currency: str) -> str:
    """Exactly what a change does, in the shopper's terms: the lines, the new variants, the money and where it
    goes."""
    kind = change["kind"]
    lines = listed([_order_item(line) for line in change["lines"]]) if change["lines"] else ""
    money_moves = (
        listed(
            [
                f"{'refund' if line['kind'] == 'refund' else 'charge'} {money(line['amount'], currency)} "
                f"{'to' if line['kind'] == 'refund' else 'on'} {line['payment_method_id']}"
                for line in change["payments"]
            ]
        )
        if change["payments"]
        else ""
    )
    if kind == "modify_address":
        done = f"ship it to {', '.join(part for part in change['address'].values() if part)}"
    elif kind == "modify_payment":
        done = f"pay with {change['method']} instead"
    elif kind == "return":
        done = f"return {lines}"
    else:
        swaps = listed(
            [
                f"{line_name(line['title'], line['options'])} → {line_name(line['title'], change['to'][line['variant_id']]['options'])}"
                for line in change["lines"]
            ]
        )
        done = f"{'exchange' if kind == 'exchange' else 'change'} {swaps}"
    return f"{done}, and {money_moves}" if money_moves else done


def _order_item(item: dict) -> str:
    return f"{item['quantity']} × {line_name(item['title'], item.get('options') or {})}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _here_are(n: int, noun: str) -> str:
    return f"Here is {_count(n, noun)}" if n == 1 else f"Here are {_count(n, noun)}"


def _mid(head: str) -> str:
    """ "Order #1042 ($9.99)" inside a sentence."""
    return head[0].lower() + head[1:]

"""Step 2 of a turn — decide: the dialogue policy, from the intent, the stage, the cart and the last results.

It resolves everything the action needs ("the second one" → a product id, "cheaper" → a price limit) so that
acting is mechanical and the reply can say exactly what happened.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.identity import says_who
from assistant.replies.comparison import recommended
from assistant.turn import Turn
from assistant.understanding.intent_rules import asks_policy
from assistant.understanding.needs import names_products, need_query, wanted_words
from assistant.understanding.slots import relative_price, sets_quantity
from assistant.variant_choice import named_options
from core.state import Action, CartLine, Context, Decision, DialogueState, Understanding
from core.taxonomy import NEED_SLOTS, Intent, Stage
from retrieval.catalog import words
from retrieval.search import SORT_KEYS

SEARCH_SLOTS = (
    "category",
    "color",
    "size",
    "brand",
    "material",
    "min_price",
    "max_price",
    "sort",
    "not_carried",
)
SEARCH_INTENTS = {Intent.SEARCH_PRODUCTS, Intent.REFINE_SEARCH, Intent.RECOMMEND}
ORDER_INTENTS = {Intent.ORDER_STATUS, Intent.CANCEL_ORDER, Intent.MODIFY_ORDER, Intent.RETURN_REFUND}
POLICY_INTENTS = {Intent.SHIPPING_INFO, Intent.PAYMENT_INFO}
# What a need carries besides its own slots: the budget.
PRICE_SLOTS = ("min_price", "max_price")
CART_WORDS = words("remove delete drop take out the a an from my cart basket bag item one please")
SIMPLE = {
    Intent.GREET: Action.GREET,
    Intent.GOODBYE: Action.GOODBYE,
    Intent.THANKS: Action.THANK,
    Intent.VIEW_CART: Action.SHOW_CART,
    Intent.HUMAN_AGENT: Action.HANDOFF,
    Intent.COMPLAINT: Action.COMPLAINT,
    Intent.OUT_OF_SCOPE: Action.OUT_OF_SCOPE,
}


class Decide:
    """Chooses the action for a turn; asks a clarifying question rather than guessing when unsure."""

    def __init__(self, confidence_threshold: float) -> None:
        if not 0.0 <= confidence_threshold <= 1.0:
            raise ValueError("confidence_threshold must be between 0 and 1")
        self.threshold = confidence_threshold

    def run(self, turn: Turn, understanding: Understanding) -> Decision:
        state, stage, cart = turn.state, turn.stage, turn.cart
        intent, slots = understanding.intent, understanding.slots
        # An unsure reading is still acted on when the shopper named a kind of product the catalog sells.
        names_products = intent in SEARCH_INTENTS and "category" in slots
        if state.pending_support and intent not in ORDER_INTENTS and says_who(understanding.text):
            # The answer to "who are you?": the order question it was asked for goes on.
            pending = state.pending_support
            asked = {key: pending[key] for key in ("order_id", "cancel_reason") if pending.get(key)}
            # The request is read from its own words and who the shopper is from these.
            said = f"{pending.get('words', '')} {understanding.text}".strip()
            return Decision(Action.ORDER_SUPPORT, slots=asked, reason=pending["reason"], words=said)
        if offer_pending := self._after_sales_answer(understanding, state):
            return offer_pending
        offer = state.offer
        if offer and offer.kind == "choose_variant" and (chosen := self._variant_named(understanding, turn)):
            # "Size 10", answering "which size?": that variant goes in the cart, with the options named before.
            said = f"{(offer.request or {}).get('said', '')} {understanding.text}".strip()
            return Decision(
                Action.ADD_TO_CART,
                product_ids=chosen,
                slots=slots,
                quantity=slots.get("quantity", 1),
                words=said,
            )
        if offer and offer.kind == "cancel_order" and not offer.reason and "cancel_reason" in slots:
            # The answer to "why cancel?": the cancellation goes on to its confirmation.
            asked = {"order_id": offer.order_id, "cancel_reason": slots["cancel_reason"]}
            return Decision(Action.ORDER_SUPPORT, slots=asked, reason=Intent.CANCEL_ORDER.value)
        if "order_id" in slots and understanding.confidence < self.threshold:
            # "what about #1043?": an order number is all the turn says clearly.
            reason = intent if intent in ORDER_INTENTS else Intent.ORDER_STATUS
            return Decision(Action.ORDER_SUPPORT, slots=slots, reason=reason.value, words=understanding.text)
        if (need := self._need(understanding, state)) is not None:
            return need
        if intent == Intent.RECOMMEND and not slots.keys() & {*SEARCH_SLOTS, *NEED_SLOTS}:
            # Advice for what no slot names ("for a small flat") is matched by meaning; "what do you recommend?"
            # names nothing: the pick of what is on screen, else the one question.
            if about := wanted_words(understanding.text):
                return Decision(Action.RECOMMEND, query=about, slots=slots)
            shown = [product for product in turn.context.shown if product.id in state.shown]
            if shown:
                return Decision(
                    Action.DETAILS, product_ids=(recommended(shown).id,), slots=slots, reason="our_pick"
                )
            return Decision(Action.CLARIFY, slots=slots, reason="need_open")
        if understanding.confidence < self.threshold and not names_products:
            return Decision(Action.CLARIFY, slots=slots, reason="low_confidence")
        if intent in SIMPLE:
            return Decision(SIMPLE[intent], slots=slots)
        if intent == Intent.RETURN_REFUND and "order_id" not in slots and asks_policy(understanding.text):
            # Asked before buying or about a hypothetical, it is the return policy; no return is opened.
            return Decision(Action.POLICY, slots=slots, reason=intent.value)
        if intent in ORDER_INTENTS:
            return Decision(Action.ORDER_SUPPORT, slots=slots, reason=intent.value, words=understanding.text)
        if intent in POLICY_INTENTS:
            return Decision(Action.POLICY, slots=slots, reason=intent.value)
        if intent in (Intent.SEARCH_PRODUCTS, Intent.RECOMMEND):
            # "Kitchen", after "what does your dad enjoy?": that kind, within the present's budget.
            budget = {key: state.need[key] for key in PRICE_SLOTS if key in (state.need or {})}
            return self._search(understanding.text, slots, budget)
        if intent == Intent.REFINE_SEARCH:
            decision = self._search(state.last_query or understanding.text, slots, state.last_slots)
            if state.shown and slots.keys() & SEARCH_SLOTS == {"sort"}:
                # "sort by price" orders what is on screen; it is not a new search.
                return replace(decision, product_ids=tuple(state.shown), reason="resort")
            if relative_price(understanding.text):
                # The reply says "cheaper", not a limit the shopper never said.
                return replace(decision, reason="relative_price")
            return decision
        if intent == Intent.AFFIRM:
            return self._affirm(state, stage)
        if intent == Intent.DENY:
            action = Action.KEEP_CHECKOUT if state.last_act == "ask_confirmation" else Action.DECLINE
            return Decision(action, slots=slots)
        if intent == Intent.CHECKOUT:
            # "place the order" while the order awaits confirmation is the confirmation.
            if state.last_act == "ask_confirmation" and not {"address", "payment_method"} & slots.keys():
                return Decision(Action.PLACE_ORDER, slots=slots)
            return Decision(Action.CHECKOUT, slots=slots)
        if intent == Intent.REMOVE_FROM_CART:
            return self._remove(understanding, cart)
        if intent == Intent.ADD_TO_CART and "quantity" in slots and sets_quantity(understanding.text):
            # "make it 2": the product just added, else the cart's last line, gets that many.
            target = state.focus[:1] or [line.product_id for line in cart[-1:]]
            if target:
                return Decision(
                    Action.ADD_TO_CART,
                    product_ids=tuple(target),
                    slots=slots,
                    quantity=slots["quantity"],
                    reason="set_quantity",
                )
        referenced = self._referenced(slots, state, turn.context)
        if intent == Intent.COMPARE_PRODUCTS and not slots.get("product_ref") and len(state.shown) >= 2:
            # "which one would you recommend?", "how do they compare?": every product on screen.
            referenced = tuple(state.shown)
        if not referenced:
            return Decision(Action.CLARIFY, slots=slots, reason="which_product")
        if intent == Intent.COMPARE_PRODUCTS:
            if len(referenced) < 2:
                referenced = tuple(dict.fromkeys(referenced + tuple(state.shown[:2])))
            if len(referenced) < 2:
                return Decision(Action.CLARIFY, slots=slots, reason="one_to_compare")
            return Decision(Action.COMPARE, product_ids=referenced, slots=slots)
        if intent == Intent.ADD_TO_CART:
            # "add the first two" adds each; "two of the first one" adds two units of one.
            quantity = 1 if len(referenced) > 1 else slots.get("quantity", 1)
            decision = Decision(
                Action.ADD_TO_CART,
                product_ids=referenced,
                slots=slots,
                quantity=quantity,
                words=understanding.text,
            )
            # "I'll take the cheapest" buys the cheapest one can buy, and the reply says that is what it did.
            if (order := SORT_KEYS.get(slots.get("sort"))) and not slots.get("product_ref"):
                buyable = [p for p in turn.context.shown if p.id in state.shown and p.in_stock]
                if buyable and (pick := min(buyable, key=order).id) not in referenced:
                    return replace(decision, product_ids=(pick,), reason="in_stock_pick")
            return decision
        return Decision(Action.DETAILS, product_ids=referenced[:1], slots=slots)

    @staticmethod
    def _after_sales_answer(understanding: Understanding, state: DialogueState) -> Decision | None:
        """The answer to what an after-sales request still needs ("the mug", "size L", "to my gift card", a new
        address), or a correction of a stated change: the request goes on with it. A yes to a stated change is a
        confirmation (`_affirm`); a no, a new order request or a search for a kind of product is not an answer."""
        offer, intent = state.offer, understanding.intent
        if offer is None or offer.kind != "after_sales" or intent in ORDER_INTENTS:
            return None
        if intent in SIMPLE and intent != Intent.OUT_OF_SCOPE:
            return None
        if intent in (Intent.DENY, Intent.AFFIRM) or (intent in SEARCH_INTENTS and offer.reason == "change"):
            return None
        if (
            intent in SEARCH_INTENTS
            and "category" in understanding.slots
            and offer.reason not in ("items", "variant")
        ):
            return None
        return Decision(
            Action.ORDER_SUPPORT,
            slots={**understanding.slots, "order_id": offer.order_id},
            reason="after_sales_answer",
            words=understanding.text,
        )

    @staticmethod
    def _variant_named(understanding: Understanding, turn: Turn) -> tuple[str, ...]:
        """The product whose variant was asked for, when this turn names one of its options; a new search for
        another kind of product is not an answer."""
        if understanding.intent in SEARCH_INTENTS and "category" in understanding.slots:
            return ()
        asked = turn.state.offer.product_ids[:1]
        product = next((p for p in turn.context.focus if p.id in asked), None)
        if product is None or not named_options(product, understanding.text, understanding.slots):
            return ()
        return (product.id,)

    @staticmethod
    def _need(understanding: Understanding, state: DialogueState) -> Decision | None:
        """A request for a need ("a gift for my dad", "for a 6 year old"), or a turn that goes on with the one being
        served ("he likes gardening", "around 60", "cheaper ones"): a recommendation when the need says what to
        look for, else the one question that would; None when the turn is about something else."""
        slots, intent = understanding.slots, understanding.intent
        if names_products(slots):
            return None
        said = {key: slots[key] for key in (*NEED_SLOTS, *PRICE_SLOTS) if key in slots}
        needs = any(key in slots for key in NEED_SLOTS)
        if intent in SEARCH_INTENTS and needs:
            pending = state.need or {}
            # Someone else ("and one for my mum") is a need of its own; more about the same person adds to it.
            other = any(
                key in said and key in pending and said[key] != pending[key] for key in ("recipient", "age")
            )
            need = said if other else {**pending, **said}
        elif state.need is not None and said and intent in SEARCH_INTENTS:
            need = {**state.need, **said}
        else:
            return None
        if query := need_query(need):
            return Decision(Action.RECOMMEND, query=query, slots=need)
        reason = "need_interest" if need.get("recipient") or need.get("age") else "need_open"
        return Decision(Action.CLARIFY, slots=need, reason=reason)

    @staticmethod
    def _search(query: str, slots: dict, previous: dict) -> Decision:
        # A refinement keeps the earlier constraints and replaces the ones the shopper just changed.
        merged = {key: value for key, value in previous.items() if key in SEARCH_SLOTS}
        if "category" in slots and "not_carried" not in slots:
            merged.pop("not_carried", None)  # a kind the store has replaces the one it lacks
        merged.update({key: value for key, value in slots.items() if key in SEARCH_SLOTS})
        return Decision(Action.SEARCH, query=query, slots=merged)

    @staticmethod
    def _affirm(state: DialogueState, stage: Stage) -> Decision:
        if stage == Stage.CHECKOUT and state.last_act == "ask_confirmation":
            return Decision(Action.PLACE_ORDER)
        if state.offer and state.offer.kind == "add_to_cart":
            return Decision(Action.ADD_TO_CART, product_ids=tuple(state.offer.product_ids[:1]))
        if state.offer and state.offer.kind == "checkout":
            return Decision(Action.CHECKOUT)
        if state.offer and state.offer.kind == "cancel_order" and state.offer.reason:
            asked = {"order_id": state.offer.order_id, "cancel_reason": state.offer.reason}
            return Decision(Action.ORDER_SUPPORT, slots=asked, reason="confirm_cancel")
        if state.offer and state.offer.kind == "after_sales" and state.offer.reason == "change":
            return Decision(
                Action.ORDER_SUPPORT, slots={"order_id": state.offer.order_id}, reason="confirm_after_sales"
            )
        return Decision(Action.CLARIFY, reason="nothing_to_confirm")

    @staticmethod
    def _referenced(slots: dict, state: DialogueState, context: Context) -> tuple[str, ...]:
        """Products the shopper points at: positions in the last results, or the one a superlative picks among
        them, else the product under discussion."""
        positions = slots.get("product_ref") or []
        by_position = [
            state.shown[p - 1] for p in positions if isinstance(p, int) and 0 < p <= len(state.shown)
        ]
        if by_position:
            return tuple(dict.fromkeys(by_position))
        if positions:
            return ()  # "the third one" when fewer were shown: ask, rather than pick another.
        # "tell me about the cheapest", "the best rated one": the shown product first in the superlative's order.
        shown = [product for product in context.shown if product.id in state.shown]
        if (order := SORT_KEYS.get(slots.get("sort"))) and shown:
            return (min(shown, key=order).id,)
        if state.focus:
            return tuple(state.focus)
        return tuple(state.shown[:1]) if len(state.shown) == 1 else ()

    @staticmethod
    def _remove(understanding: Understanding, cart: list[CartLine]) -> Decision:
        if not cart:
            return Decision(Action.REMOVE_FROM_CART, reason="empty_cart")
        positions = understanding.slots.get("product_ref") or []
        chosen = [cart[p - 1].product_id for p in positions if isinstance(p, int) and 0 < p <= len(cart)]
        if not chosen:
            said = words(understanding.text) - CART_WORDS
            chosen = [line.product_id for line in cart if said & words(line.title)]
        if not chosen and len(cart) == 1:
            chosen = [cart[0].product_id]
        if not chosen:
            return Decision(Action.CLARIFY, reason="which_cart_item")
        return Decision(Action.REMOVE_FROM_CART, product_ids=tuple(chosen))

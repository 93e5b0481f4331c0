"""Step 3 of a turn — act: run the decided action against the catalog, the cart and the orders.

Every fact a reply may state (products, prices, stock, cart, order, policy) comes out of here, from the
catalog and the database; the reply step only phrases it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import cart as carts
from assistant.after_sales import (
    EVENTS,
    Change,
    Missing,
    Refusal,
    Request,
    apply,
    claim_order,
    order_lines,
    plan,
)
from assistant.identity import identify, says_who
from assistant.replies.comparison import recommended
from assistant.turn import Turn
from assistant.understanding.order_requests import read_request, request_kind
from assistant.variant_choice import VariantChoice, choose_variant
from core.settings import Settings
from core.state import Action, Decision, DialogueState, Offer, Outcome, line_name
from core.taxonomy import FILTER_SLOTS
from db.models import Conversation, Message, Shopper
from db.store_data import chat_order_record, refund_lines, saved_details
from retrieval.catalog import Catalog
from retrieval.filters import SearchFilters
from retrieval.recommendation import Recommender
from retrieval.search import SORT_KEYS, ProductSearch, ShopperProfile

# The actions whose only effect is the reply.
TALK_ONLY = (
    Action.GREET,
    Action.GOODBYE,
    Action.THANK,
    Action.SHOW_CART,
    Action.COMPLAINT,
    Action.OUT_OF_SCOPE,
)
# The constraints a search that found nothing lets go of, one at a time, in this order: what a product looks like
# before what it costs, and never the kind of product asked for.
RELAXABLE = ("color", "material", "size", "brand", "min_price", "max_price")
# Cosine similarity (search encoder) from which a named kind and a category path are one kind of product.
SAME_KIND = 0.7
Handler = Callable[[Decision, Conversation, DialogueState, Session, Outcome], None]


class Act:
    """Executes a decision; updates the dialogue state with what the shopper now sees and discusses."""

    def __init__(self, catalog: Catalog, search: ProductSearch, settings: Settings) -> None:
        self.catalog = catalog
        self.search = search
        self.recommender = Recommender(search)
        self.settings = settings
        # Every action has its handler, named here; the ones that only talk change nothing.
        self.handlers: dict[Action, Handler] = {
            Action.SEARCH: self._search,
            Action.RECOMMEND: self._recommend,
            Action.DETAILS: self._details,
            Action.COMPARE: self._compare,
            Action.ADD_TO_CART: self._add_to_cart,
            Action.REMOVE_FROM_CART: self._remove_from_cart,
            Action.CHECKOUT: self._checkout,
            Action.PLACE_ORDER: self._place_order,
            Action.KEEP_CHECKOUT: self._keep_checkout,
            Action.DECLINE: self._decline,
            Action.ORDER_SUPPORT: self._order_support,
            Action.CLARIFY: self._clarify,
            Action.HANDOFF: self._handoff,
            Action.POLICY: self._policy,
            **dict.fromkeys(TALK_ONLY, self._talk),
        }
        missing = [action.value for action in Action if action not in self.handlers]
        if missing:
            raise ValueError(f"no handler for the actions {', '.join(missing)}")

    def run(self, turn: Turn, decision: Decision) -> Outcome:
        outcome = Outcome()
        self.handlers[decision.action](decision, turn.conversation, turn.state, turn.session, outcome)
        outcome.cart = carts.cart_lines(turn.conversation)
        return outcome

    def _talk(self, _decision, _conv, _state, _session, _outcome: Outcome) -> None:
        """Greetings, thanks, complaints and the like: the reply is all there is to do."""

    @staticmethod
    def _policy(decision: Decision, _conv, _state, _session, outcome: Outcome) -> None:
        """A policy question is answered from the store's policies; it touches no order (nor the stage)."""
        outcome.facts["policy"] = decision.reason

    def _search(
        self, decision: Decision, conversation, state: DialogueState, session: Session, outcome: Outcome
    ) -> None:
        filters = SearchFilters(**{key: decision.slots[key] for key in FILTER_SLOTS if key in decision.slots})
        kind = decision.slots.get("not_carried")
        nearest = self.search.nearest_categories(kind) if kind else []
        if nearest and nearest[0][1] >= SAME_KIND:
            # A kind no title names may still be a category by another name ("couches": the sofas).
            filters, kind = dataclasses.replace(filters, category=nearest[0][0]), None
        if decision.reason == "resort":
            order = SORT_KEYS[decision.slots["sort"]]
            products = sorted((self.catalog.by_id[pid] for pid in decision.product_ids), key=order)
        else:
            products = self.search.run(
                decision.query,
                filters,
                self.settings.results_per_reply,
                decision.slots.get("sort"),
                profile=self._profile(conversation, session),
            )
        outcome.products = products
        said = {k: v for k, v in decision.slots.items() if k in FILTER_SLOTS}
        outcome.facts = {"query": decision.query, "filters": said}
        if not products and not kind:
            self._relax(decision, filters, outcome)
        if kind:
            outcome.facts["not_carried"] = kind
            outcome.facts["carried"] = [self.catalog.category_names[path] for path, _ in nearest]
        outcome.events.append(
            (
                "search",
                {
                    "query": decision.query,
                    "slots": decision.slots,
                    "filters": said,
                    **_found(outcome),
                },
            )
        )
        state.last_query, state.last_slots = decision.query, dict(decision.slots)
        state.shown = [product.id for product in outcome.products]
        state.focus = []
        state.offer = None
        state.need = None

    def _recommend(self, decision: Decision, _conv, state: DialogueState, _session, outcome: Outcome) -> None:
        """Products for a need from the catalog categories closest to it, within its budget."""
        budget = {key: decision.slots[key] for key in ("min_price", "max_price") if key in decision.slots}
        k = self.settings.results_per_reply
        found = self.recommender.run(decision.query, SearchFilters(**budget), k)
        outcome.facts = {"need": decision.slots, "filters": budget}
        if not found.products and budget:
            # No dead end: what suits the need, cheapest first, said to be over the budget.
            found = self.recommender.run(decision.query, SearchFilters(), k)
            found.products.sort(key=lambda product: (not product.in_stock, product.price))
            outcome.facts["relaxed"] = "budget"
        if not found.products:
            outcome.facts["departments"] = self.catalog.departments
        outcome.products = found.products
        outcome.facts["kinds"] = [self.catalog.category_names.get(path, path) for path in found.categories]
        # Logged as a search, so that analytics counts what it found (and found nothing) alike.
        outcome.events.append(
            (
                "search",
                {
                    "query": decision.query,
                    "slots": decision.slots,
                    "filters": budget,
                    "categories": found.categories,
                    **_found(outcome),
                },
            )
        )
        # A refinement ("cheaper ones") goes on with the need; a reference ("the second one") picks among these.
        state.need = dict(decision.slots)
        state.last_query, state.last_slots = decision.query, budget
        state.shown = [product.id for product in found.products]
        state.focus = []
        state.offer = None

    def _relax(self, decision: Decision, filters: SearchFilters, outcome: Outcome) -> None:
        """No dead end: when every constraint together finds nothing, the search without one of them (an
        attribute first, the budget last), and the cheapest match of the others when the budget is what excludes
        them; the reply says which constraint was let go."""
        k, sort = self.settings.results_per_reply, decision.slots.get("sort")
        for key in RELAXABLE:
            if getattr(filters, key) is None:
                continue
            kept = dataclasses.replace(filters, **{key: None})
            # Past a price limit, the nearest prices to it come first.
            order = {"max_price": "price_asc", "min_price": "price_desc"}.get(key, sort)
            if found := self.search.run(decision.query, kept, k, order):
                outcome.products = found
                outcome.facts.update(relaxed=key, kept=self._said(kept))
                break
        else:
            # No one constraint is to blame: the kind asked for alone, cheapest first.
            kind = SearchFilters(category=filters.category)
            if (
                filters.category
                and kind != filters
                and (found := self.search.run(decision.query, kind, k, "price_asc"))
            ):
                outcome.products = found
                outcome.facts.update(relaxed="all", kept=self._said(kind))
        if filters.max_price is not None and outcome.facts.get("relaxed") != "max_price":
            over = dataclasses.replace(filters, max_price=None)
            if cheapest := self.search.run(decision.query, over, 1, "price_asc"):
                outcome.facts["cheapest_over_budget"] = {
                    "title": cheapest[0].title,
                    "price": cheapest[0].price,
                    "filters": self._said(over),
                }

    def _said(self, filters: SearchFilters) -> dict:
        """The filters that are set, by slot name and a category by what shoppers call it, for the reply."""
        said = {key: getattr(filters, key) for key in FILTER_SLOTS if getattr(filters, key) is not None}
        if "category" in said:
            said["category"] = self.catalog.category_names.get(said["category"], said["category"])
        return said

    def _profile(self, conversation: Conversation, session: Session) -> ShopperProfile:
        """The categories and price band of the products this conversation's replies have shown."""
        # Only the shown product ids, not whole messages: loading every message of the conversation as an object
        # cost more than the rest of the search.
        shown = session.scalars(
            select(Message.product_ids).where(
                Message.conversation_id == conversation.id, Message.product_ids.is_not(None)
            )
        )
        seen = {pid for product_ids in shown for pid in product_ids or ()}
        return ShopperProfile.from_products(
            self.catalog.by_id[pid] for pid in seen if pid in self.catalog.by_id
        )

    def _details(self, decision: Decision, _conv, state: DialogueState, _session, outcome: Outcome) -> None:
        product = self.catalog.by_id[decision.product_ids[0]]
        outcome.products = [product]
        outcome.events.append(("details_viewed", {"product_id": product.id}))
        state.focus = [product.id]
        state.offer = Offer(kind="add_to_cart", product_ids=[product.id]) if product.in_stock else None

    def _compare(self, decision: Decision, _conv, state: DialogueState, _session, outcome: Outcome) -> None:
        outcome.products = [self.catalog.by_id[pid] for pid in decision.product_ids]
        outcome.events.append(("comparison", {"product_ids": list(decision.product_ids)}))
        best = recommended(outcome.products)
        state.focus = [best.id]
        # Offered only when it can be bought: a comparison of out-of-stock products offers similar ones instead.
        outcome.facts["recommended"] = best.title if best.in_stock else None
        state.offer = Offer(kind="add_to_cart", product_ids=[best.id]) if best.in_stock else None

    def _add_to_cart(
        self, decision: Decision, conversation, state: DialogueState, session, outcome: Outcome
    ) -> None:
        outcome.products = [self.catalog.by_id[pid] for pid in decision.product_ids]
        setting = decision.reason == "set_quantity"
        added, sold_out, unsure = [], [], []
        for product in outcome.products:
            # "make it 2" is about the variant already in the cart; otherwise the words pick one.
            held = carts.in_cart(conversation, product.id) if setting else None
            choice = VariantChoice(held) if held else choose_variant(product, decision.words, decision.slots)
            if not product.in_stock or choice.sold_out:
                sold_out.append(product.title)
            elif choice.ask:
                unsure.append((product, choice))
            else:
                if setting:
                    carts.set_quantity(session, conversation, product, choice.variant, decision.quantity)
                else:
                    carts.add_to_cart(session, conversation, product, choice.variant, decision.quantity)
                added.append(line_name(product.title, choice.variant.options))
                data = {
                    "product_id": product.id,
                    "variant_id": choice.variant.id,
                    "quantity": decision.quantity,
                }
                outcome.events.append(("cart_add", {**data, "set": True} if setting else data))
        outcome.facts["out_of_stock"] = sold_out
        outcome.facts["added"] = added
        state.offer = Offer(kind="checkout") if added else state.offer
        if unsure:
            # "Which size: 9, 10 or 11?" about one product; the answer adds it (assistant/decide.py).
            product, choice = unsure[0]
            outcome.facts["choose"] = {
                "product": product.title,
                "option": choice.ask,
                "values": list(choice.values),
            }
            state.focus = [product.id]
            # What was said so far ("red") still holds when the next answer names the size.
            state.offer = Offer(
                kind="choose_variant", product_ids=[product.id], request={"said": decision.words}
            )
        elif added:
            state.focus = [product.id for product in outcome.products if product.title not in sold_out]

    def _remove_from_cart(
        self, decision: Decision, conversation, state: DialogueState, session, outcome: Outcome
    ) -> None:
        removed = [pid for pid in decision.product_ids if carts.remove_from_cart(session, conversation, pid)]
        outcome.facts["removed"] = [
            self.catalog.by_id[pid].title for pid in removed if pid in self.catalog.by_id
        ]
        for pid in removed:
            outcome.events.append(("cart_remove", {"product_id": pid}))
        state.offer = None

    def _checkout(
        self, decision: Decision, conversation, state: DialogueState, session, outcome: Outcome
    ) -> None:
        if not carts.cart_lines(conversation):
            outcome.facts["empty_cart"] = True
            return
        details = state.checkout
        details.address = decision.slots.get("address") or details.address
        details.payment = decision.slots.get("payment_method") or details.payment
        outcome.checkout_started = True
        outcome.facts["missing"] = details.missing
        outcome.facts["checkout"] = details.model_dump()
        outcome.facts["saved_details"] = saved_details(session, state.shopper_id)
        outcome.events.append(("checkout_step", {"missing": details.missing}))
        state.offer = None

    def _place_order(self, _decision, conversation, state: DialogueState, session, outcome: Outcome) -> None:
        details = state.checkout
        if details.missing or not (
            carts.cart_lines(conversation) or carts.find_order(session, conversation, None)
        ):
            outcome.facts["missing"] = details.missing or ["items in the cart"]
            outcome.facts["saved_details"] = saved_details(session, state.shopper_id)
            outcome.checkout_started = True
            return
        try:
            order = carts.place_order(
                session,
                conversation,
                details.address,
                details.payment,
                self.settings.currency,
                state.shopper_id,
            )
        except carts.SoldOut as sold:
            # Someone else bought the last units first: nothing is charged, the cart stays for a change.
            outcome.facts["sold_out"] = {"item": sold.line.name, "left": sold.left}
            outcome.checkout_started = True
            return
        outcome.order = carts.order_view(order)
        outcome.events.append(("order_placed", {"order_id": order.id, "total": order.total}))
        state.checkout = type(details)()
        state.offer = None

    def _keep_checkout(
        self, _decision, conversation, state: DialogueState, _session, outcome: Outcome
    ) -> None:
        outcome.facts["checkout"] = state.checkout.model_dump()
        outcome.checkout_started = bool(carts.cart_lines(conversation))

    def _decline(self, _decision, _conv, state: DialogueState, _session, outcome: Outcome) -> None:
        if state.offer:
            outcome.events.append(("offer_declined", {"kind": state.offer.kind}))
        state.offer = None

    def _order_support(
        self, decision: Decision, conversation, state: DialogueState, session, outcome: Outcome
    ) -> None:
        going_on = state.offer if state.offer and state.offer.kind == "after_sales" else None
        if decision.reason not in ("confirm_after_sales", "after_sales_answer"):
            going_on = None
        asked = decision.slots.get("order_id") or (going_on.order_id if going_on else None)
        outcome.facts["order_id_asked"] = asked
        state.pending_support = None
        # The order number a shopper gives is not who they are.
        words = decision.words.replace(asked, " ") if asked else decision.words
        if state.shopper_id is None and words.strip():
            shopper = identify(session, words)
            if shopper is not None:
                state.shopper_id = shopper.id
                outcome.facts["identified"] = shopper.record.get("name", {}).get("first") or shopper.id
                outcome.events.append(("shopper_identified", {"shopper_id": shopper.id}))
            elif says_who(words):
                outcome.facts["not_identified"] = True
        order = carts.find_order(session, conversation, asked, state.shopper_id)
        if order is None and (
            (asked and carts.order_exists(session, asked)) or (not asked and carts.stores_orders(session))
        ):
            if state.shopper_id is None:
                # The store's orders are given only to their owner, once identified.
                outcome.facts["needs_identity"] = True
                state.pending_support = {
                    "reason": decision.reason,
                    "order_id": asked,
                    "cancel_reason": decision.slots.get("cancel_reason"),
                    "words": decision.words,
                }
            elif asked:
                outcome.facts["not_yours"] = True
                outcome.events.append(
                    ("order_access_refused", {"order_id": asked, "shopper_id": state.shopper_id})
                )
        if order is not None and decision.reason in ("cancel_order", "confirm_cancel"):
            self._cancel(order, decision, state, session, outcome)
        elif order is not None:
            kind = (
                going_on.request["kind"]
                if going_on
                else request_kind(decision.reason, decision.words, order.status)
            )
            if kind is not None:
                self._after_sales(kind, order, decision, going_on, state, session, outcome)
        outcome.facts["order"] = carts.order_view(order) if order is not None else None

    def _after_sales(
        self, kind: str, order, decision: Decision, going_on: Offer | None, state, session, outcome: Outcome
    ) -> None:
        """A return, an exchange or a change to a pending order, under the store's policy (assistant/after_sales.py):
        what is still to be asked, the rule that forbids it, or exactly what will change; after a yes, the change.
        The shopper's earlier answers about this request carry over in the offer."""
        shopper = session.get(Shopper, order.shopper_id) if order.shopper_id else None
        methods = shopper.record.get("payment_methods", []) if shopper else []
        so_far = Request(**going_on.request) if going_on else Request(kind, order.number or str(order.id))
        request = read_request(
            so_far, decision.words, decision.slots, order_lines(order), self.catalog.by_id, methods
        )
        result = plan(request, order, shopper, self.catalog.by_id)
        state.offer = None
        facts = outcome.facts["after_sales"] = {"kind": kind}
        if isinstance(result, Refusal):
            facts["refused"] = result.rule
            outcome.events.append(
                ("after_sales_refused", {"order_id": order.id, "kind": kind, "rule": result.rule})
            )
            return
        if isinstance(result, Missing):
            facts.update(missing=result.what, choices=result.choices)
        elif decision.reason == "confirm_after_sales":
            if not claim_order(session, order):
                facts["refused"] = "the order changed in another conversation a moment ago"
                outcome.events.append(
                    ("after_sales_refused", {"order_id": order.id, "kind": kind, "rule": "changed"})
                )
                return
            apply(result, order, shopper)
            facts.update(change=dataclasses.asdict(result), done=True)
            data = {
                "order_id": order.id,
                "change": kind,
                "status": result.status,
                "payments": result.payments,
            }
            outcome.events.append((EVENTS[kind], data))
            return
        else:
            facts["change"] = dataclasses.asdict(result)
        # "change": a yes confirms it; otherwise the next answer fills in what was missing.
        asking = "change" if isinstance(result, Change) else result.what
        number = order.number or str(order.id)
        state.offer = Offer(kind="after_sales", order_id=number, reason=asking, request=request.as_data())

    @staticmethod
    def _cancel(order, decision: Decision, state: DialogueState, session, outcome: Outcome) -> None:
        """The store's policy: only a pending order (one placed in chat is pending until the store processes it),
        with a reason, after the shopper's explicit yes to exactly what will change; what was paid goes back to
        the payment methods it was paid with."""
        state.offer = None
        reason = decision.slots.get("cancel_reason")
        result = plan(Request("cancel", order.number or "", reason=reason), order, None, {})
        if isinstance(result, Refusal):
            outcome.facts["refused"] = result.rule
            return
        refunds = refund_lines(order.record or chat_order_record(order))
        outcome.facts["refunds"] = refunds
        if decision.reason == "confirm_cancel" and isinstance(result, Change):
            if not claim_order(session, order):
                outcome.facts["refused"] = "the order changed in another conversation a moment ago"
                return
            apply(result, order, session.get(Shopper, order.shopper_id) if order.shopper_id else None)
            outcome.facts["cancelled"] = True
            refunded = round(sum(line["amount"] for line in refunds), 2)
            outcome.events.append(
                ("order_cancelled", {"order_id": order.id, "reason": reason, "refunded": refunded})
            )
            return
        # Asked for the reason first, then for a yes to the cancellation and its refunds.
        state.offer = Offer(kind="cancel_order", order_id=order.number, reason=reason)
        outcome.facts["cancel_reason"] = reason

    def _clarify(self, decision: Decision, _conv, state: DialogueState, _session, outcome: Outcome) -> None:
        # Logged so that the intents the assistant could not read can be found and added to the training data.
        outcome.events.append(("clarification", {"reason": decision.reason}))
        if decision.reason in ("which_product", "one_to_compare"):
            # The products on screen, by name, for the question and its quick replies.
            outcome.facts["choices"] = [
                self.catalog.by_id[pid].title for pid in state.shown[:3] if pid in self.catalog.by_id
            ]
        if decision.reason.startswith("need_"):
            # The question about a need is answered next turn; what was said of it so far waits for the answer.
            state.need = dict(decision.slots)
            outcome.facts["need"] = state.need
            outcome.facts["departments"] = self.catalog.departments

    def _handoff(self, _decision, conversation, _state, _session, outcome: Outcome) -> None:
        conversation.handoff = True
        outcome.handoff = True
        outcome.events.append(("handoff", {}))


def _found(outcome: Outcome) -> dict:
    """A search event's counts: how many products matched the request and were shown, and when nothing matched
    but a filter was let go instead, which and how many the reply showed (journey/events.py)."""
    if "relaxed" in outcome.facts:
        return {"results": 0, "relaxed": outcome.facts["relaxed"], "shown": len(outcome.products)}
    return {"results": len(outcome.products)}

"""Guidance ("next best action"): one next step and 2–4 quick replies for every reply, fitted to the stage and to
what the turn just did; the nudges it shows, and what became of them, go into the journey log.

The nudges (issue 5), the first that fits wins:
- price hesitation ("too expensive", "cheaper") → cheaper products: the refined search's, else similar ones;
- compared products → add the better-rated one (the comparison's own offer, withdrawn once declined);
- the first item in the cart → one product that goes well with it, at most once per journey;
- more matches than a reply shows → one narrowing question on the attribute that splits the matches best;
- checkout stalled (the shopper does something else while details or the confirmation are missing) → what is
  still missing.

Each nudge is a `nudge_shown` event; its `nudge_outcome` follows within two turns: `accepted` when the shopper
takes it, `declined` when the shopper's next turn says no to it, `ignored` otherwise. A declined kind is never
shown again in the conversation. Only catalog products and prices are ever named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from core.formatting import details_question, listed, money, product_line, results_suggestions
from core.product import ProductRecord
from core.settings import Settings
from core.state import Action, Decision, DialogueState, Nudge, Offer, Outcome
from core.taxonomy import FILTER_SLOTS, Stage
from db.store_data import saved_details
from journey.narrowing import ATTRIBUTE_NAMES, ATTRIBUTE_SLOTS, best_split
from retrieval.catalog import Catalog
from retrieval.filters import SearchFilters
from retrieval.related import RelatedProducts
from retrieval.search import ProductSearch

NARROWING, BETTER_RATED, CROSS_SELL = "narrowing_question", "better_rated", "cross_sell"
CHEAPER, CHECKOUT_REMINDER = "cheaper_alternatives", "checkout_reminder"
# The actions by which the shopper takes each kind of nudge (further narrowed by its products or slots).
TAKEN_BY = {
    NARROWING: {Action.SEARCH},
    BETTER_RATED: {Action.ADD_TO_CART},
    CROSS_SELL: {Action.ADD_TO_CART},
    CHEAPER: {Action.DETAILS, Action.COMPARE, Action.ADD_TO_CART},
    CHECKOUT_REMINDER: {Action.CHECKOUT, Action.PLACE_ORDER},
}
DECLINING = {Action.DECLINE, Action.KEEP_CHECKOUT}
HESITATION = re.compile(
    r"\b(too (expensive|pricey|much)|cheaper|less expensive|more affordable|can'?t afford|over my budget)\b",
    re.IGNORECASE,
)
# Turns that neither move checkout on nor start something with its own next step: checkout has stalled.
STALLED = {Action.GREET, Action.THANK, Action.SHOW_CART, Action.POLICY, Action.CLARIFY, Action.OUT_OF_SCOPE}
# Where a reply does something else than a hesitation asks for, similar cheaper products answer it instead.
HESITATION_FALLBACK = {Action.DECLINE, Action.CLARIFY, Action.OUT_OF_SCOPE, Action.COMPLAINT}
MATCH_DEPTH = 60
# Neighbours looked at for cheaper similar products: enough that a few of the same category cost less.
SIMILAR_DEPTH = 40
# A nudge's outcome is known within this many turns after it; a "no" answers only the previous reply's nudge.
WINDOW = 2
STAGE_SUGGESTIONS = {
    Stage.ENTRY: ["Show me running shoes under 100", "What's a good gift?"],
    Stage.CART: ["Checkout", "Show my cart", "Keep shopping"],
    Stage.CHECKOUT: ["Checkout", "Show my cart"],
    Stage.PURCHASED: ["Where is my order?", "Keep shopping"],
    Stage.POST_PURCHASE: ["Talk to a person", "Keep shopping"],
}
BROWSING_SUGGESTIONS = ["Show my cart", "Show me something else"]
NO_SUGGESTIONS = {Action.GOODBYE, Action.HANDOFF}


@dataclass(frozen=True)
class Guide:
    """The next step for one reply: it takes the place of the draft's closing question (or the whole draft)."""

    kind: str | None = None  # the nudge shown, if the step is one
    step: str | None = None
    suggestions: tuple[str, ...] = ()
    act: str | None = None  # what a "yes" to the step confirms next turn, when it differs from the draft's
    replaces_draft: bool = False
    product_ids: tuple[str, ...] = ()
    slot_keys: tuple[str, ...] = ()
    # The products the reply shows instead of the act's (cheaper ones), when the step shows others.
    shows: tuple[ProductRecord, ...] | None = None
    # The journey events of this reply: the pending nudges this turn settled, and the nudge shown.
    events: tuple[tuple[str, dict], ...] = ()

    def apply(self, draft: str, suggestions: list[str], act: str) -> tuple[str, list[str], str]:
        if self.replaces_draft and self.step:
            text = self.step
        elif self.step:
            text = replace_question(draft, self.step)
        else:
            text = draft
        return text, list(self.suggestions) or suggestions, self.act or act


def replace_question(draft: str, step: str) -> str:
    """The draft with its closing question replaced by `step`, or with `step` added when it ends otherwise."""
    head, _, last = draft.rpartition("\n")
    if not last.endswith("?"):
        return f"{draft}\n{step}"
    # Only the question's sentence goes: "You're welcome! Anything else?" keeps "You're welcome!".
    cut = max(last.rfind(". "), last.rfind("! "))
    kept = last[: cut + 2] if cut >= 0 else ""
    return "\n".join(filter(None, [head, f"{kept}{step}"]))


class Guidance:
    """Chooses each reply's next step and quick replies; records the nudges and their outcomes as events."""

    def __init__(
        self, catalog: Catalog, search: ProductSearch, related: RelatedProducts, settings: Settings
    ) -> None:
        self.catalog = catalog
        self.search = search
        self.related = related
        self.settings = settings

    def run(
        self,
        text: str,
        stage: Stage,
        decision: Decision,
        outcome: Outcome,
        state: DialogueState,
        session: Session,
    ) -> Guide:
        """The next step for this turn's reply, with its `nudge_outcome` and `nudge_shown` events."""
        events = self._settle(decision, state)
        if outcome.order is not None or stage in (Stage.PURCHASED, Stage.POST_PURCHASE):
            state.guidance.cross_sold = False  # an order ends the journey; the next one may cross-sell again
        guide = None
        if "welcome_back" not in outcome.facts:  # the welcome back already restates where the shopper was
            guide = self._nudge(text, stage, decision, outcome, state, session)
        guide = guide or Guide()
        if guide.kind is not None:
            events.append(("nudge_shown", {"kind": guide.kind, "product_ids": list(guide.product_ids)}))
            nudge = Nudge(
                kind=guide.kind,
                product_ids=list(guide.product_ids),
                slot_keys=list(guide.slot_keys),
                turns_left=WINDOW,
            )
            state.guidance.pending.append(nudge)
        return replace(guide, events=tuple(events))

    def suggestions(self, suggestions: list[str], stage: Stage, action: Action) -> list[str]:
        """2–4 distinct quick replies: the reply's own, topped up with the stage's usual next steps."""
        if action in NO_SUGGESTIONS:
            return suggestions[:4]
        chosen = list(dict.fromkeys(suggestions))
        for extra in STAGE_SUGGESTIONS.get(stage, BROWSING_SUGGESTIONS):
            if len(chosen) >= 2:
                break
            if extra not in chosen:
                chosen.append(extra)
        return chosen[:4]

    def _settle(self, decision: Decision, state: DialogueState) -> list[tuple[str, dict]]:
        """The outcome of each pending nudge that this turn takes, declines or lets expire, as events."""
        events = []
        memory = state.guidance
        pending, memory.pending = memory.pending, []
        for position, nudge in enumerate(pending, start=1):
            if self._taken(nudge, decision):
                result = "accepted"
            elif decision.action in DECLINING and position == len(pending) and nudge.turns_left == WINDOW:
                result = "declined"
                if nudge.kind not in memory.declined:
                    memory.declined.append(nudge.kind)
            elif nudge.turns_left > 1:
                memory.pending.append(nudge.model_copy(update={"turns_left": nudge.turns_left - 1}))
                continue
            else:
                result = "ignored"
            events.append(("nudge_outcome", {"kind": nudge.kind, "outcome": result}))
        return events

    @staticmethod
    def _taken(nudge: Nudge, decision: Decision) -> bool:
        if decision.action not in TAKEN_BY.get(nudge.kind, ()):
            return False
        if nudge.product_ids and not set(nudge.product_ids) & set(decision.product_ids):
            return False
        return not nudge.slot_keys or any(decision.slots.get(key) is not None for key in nudge.slot_keys)

    def _nudge(
        self,
        text: str,
        stage: Stage,
        decision: Decision,
        outcome: Outcome,
        state: DialogueState,
        session: Session,
    ) -> Guide | None:
        declined = set(state.guidance.declined)
        if decision.action == Action.COMPARE and outcome.products:
            return self._better_rated(state, withdrawn=BETTER_RATED in declined)
        candidates = (
            (CHEAPER, lambda: self._cheaper(text, decision, outcome, state)),
            (CROSS_SELL, lambda: self._cross_sell(decision, outcome, state, session)),
            (NARROWING, lambda: self._narrowing(decision, outcome)),
            (CHECKOUT_REMINDER, lambda: self._checkout_reminder(stage, decision, outcome, state, session)),
        )
        for kind, choose in candidates:
            if kind not in declined and (guide := choose()) is not None:
                return guide
        return None

    @staticmethod
    def _better_rated(state: DialogueState, withdrawn: bool) -> Guide | None:
        """The comparison already offers its best-rated product (and a "yes" adds it); guidance logs the offer,
        or withdraws it when the shopper has declined that kind before."""
        if state.offer is None:
            return None
        if withdrawn:
            state.offer = None
            return Guide(
                step="Want details on one of them?",
                suggestions=("Tell me about the first one", "Show me more options"),
            )
        return Guide(kind=BETTER_RATED, product_ids=tuple(state.offer.product_ids))

    def _cheaper(self, text: str, decision: Decision, outcome: Outcome, state: DialogueState) -> Guide | None:
        if not HESITATION.search(text):
            return None
        shown = tuple(product.id for product in outcome.products)
        ceiling = decision.slots.get("max_price")
        if decision.action == Action.SEARCH and outcome.products and ceiling is not None:
            # A limit the shopper said is theirs to hear back; one worked out from "cheaper" is not.
            step = (
                details_question(len(shown))
                if decision.reason == "relative_price"
                else f"Each of these costs at most {money(ceiling, self.settings.currency)} — want details on one?"
            )
            return Guide(
                kind=CHEAPER,
                step=step,
                suggestions=tuple(results_suggestions(len(shown))),
                product_ids=shown,
            )
        if decision.action in HESITATION_FALLBACK:
            around = [
                self.catalog.by_id[pid] for pid in state.focus or state.shown if pid in self.catalog.by_id
            ]
            return self._similar_cheaper(around, state)
        if decision.action == Action.SEARCH and not outcome.products:
            return self._cheapest_instead(decision, outcome, state)
        return None

    def _cheapest_instead(self, decision: Decision, outcome: Outcome, state: DialogueState) -> Guide | None:
        """ "Cheaper" below the cheapest match finds nothing: similar products of the same category that cost
        less, else the least expensive matches — the hesitation gets an answer rather than a dead end."""
        kept = {
            key: decision.slots[key] for key in FILTER_SLOTS if key in decision.slots and key != "max_price"
        }
        cheapest = self.search.run(
            decision.query, SearchFilters(**kept), self.settings.results_per_reply, "price_asc"
        )[:3]
        if not cheapest:
            return None
        return self._similar_cheaper(cheapest[:1], state) or self._offer_cheaper(
            cheapest, "Nothing costs less than that; these are the least expensive I have:", state
        )

    def _similar_cheaper(self, around: list[ProductRecord], state: DialogueState) -> Guide | None:
        """Products like the cheapest of `around`, of its category, that cost less than it, in stock."""
        if not around:
            return None
        reference = min(around, key=lambda product: product.price)
        # Of its category: a cheaper toy is no answer to "too expensive" about a dumbbell set.
        cheaper = [
            product
            for product in self.related.similar(reference.id, k=SIMILAR_DEPTH)
            if product.price < reference.price and product.in_stock and product.category == reference.category
        ][:3]
        if not cheaper:
            return None
        price = money(reference.price, reference.currency)
        heading = f"Here are similar options for less than {reference.title} ({price}):"
        return self._offer_cheaper(cheaper, heading, state)

    @staticmethod
    def _offer_cheaper(products: list[ProductRecord], heading: str, state: DialogueState) -> Guide:
        """The reply becomes `heading` over these products, which the shopper can then point at."""
        state.shown, state.focus, state.offer = [product.id for product in products], [], None
        lines = "\n".join(product_line(i, product) for i, product in enumerate(products, start=1))
        return Guide(
            shows=tuple(products),
            kind=CHEAPER,
            step=f"{heading}\n{lines}\n{details_question(len(products))}",
            suggestions=tuple(results_suggestions(len(products))),
            act="show_results",
            replaces_draft=True,
            product_ids=tuple(state.shown),
        )

    def _cross_sell(
        self, decision: Decision, outcome: Outcome, state: DialogueState, session: Session
    ) -> Guide | None:
        if decision.action != Action.ADD_TO_CART or len(outcome.cart) != 1 or state.guidance.cross_sold:
            return None
        if not outcome.facts.get("added"):
            return None
        anchor = outcome.cart[0].product_id
        # The two together stay within the budget the shopper gave ("a present under $60": a $47 one leaves $13).
        budget = (state.need or {}).get("max_price", state.last_slots.get("max_price"))
        ceiling = float("inf") if budget is None else float(budget) - outcome.cart_total
        companion = next(
            (
                product
                for product in self.related.goes_well_with(session, anchor, k=5)
                if product.in_stock and product.id != anchor and product.price <= ceiling
            ),
            None,
        )
        if companion is None:
            return None
        state.guidance.cross_sold = True
        # A "yes" next turn adds the companion, not checkout: the step's question is the one a "yes" answers.
        state.offer = Offer(kind="add_to_cart", product_ids=[companion.id])
        price = money(companion.price, companion.currency)
        return Guide(
            kind=CROSS_SELL,
            step=f"{companion.title} ({price}) goes well with it — shall I add it too?",
            suggestions=("Yes please", "No thanks", "Checkout"),
            product_ids=(companion.id,),
        )

    def _narrowing(self, decision: Decision, outcome: Outcome) -> Guide | None:
        """One question on the attribute whose values split the matches most evenly (highest entropy)."""
        shown = len(outcome.products)
        if decision.action != Action.SEARCH or shown < self.settings.results_per_reply:
            return None
        if outcome.facts.get("not_carried"):
            return None  # the closest things to what the store lacks: nothing to narrow down
        matches = self._matches(decision)
        if len(matches) <= shown:
            return None
        split = best_split(matches, decision.slots)
        if split is None:
            return None
        attribute, values = split
        options = [label for label, _reply in values]
        name = ATTRIBUTE_NAMES.get(attribute, "kind")
        return Guide(
            kind=NARROWING,
            step=f"There are more matches than I can show — which {name} would you like: {listed(options, 'or')}?",
            suggestions=tuple(reply for _label, reply in values),
            slot_keys=ATTRIBUTE_SLOTS[attribute],
        )

    def _matches(self, decision: Decision) -> list[ProductRecord]:
        """Every product the search could have shown: all that pass a category filter, else the semantic matches."""
        filters = SearchFilters(**{key: decision.slots[key] for key in FILTER_SLOTS if key in decision.slots})
        allowed = self.search.allowed(filters)
        if filters.category:
            return [product for product, ok in zip(self.catalog.products, allowed, strict=True) if ok]
        hits = self.search.rank(
            decision.query, allowed, MATCH_DEPTH, method="dense", floor=self.search.min_score
        )
        return [self.catalog.products[row] for row, _score in hits]

    def _checkout_reminder(
        self, stage: Stage, decision: Decision, outcome: Outcome, state: DialogueState, session: Session
    ) -> Guide | None:
        if stage != Stage.CHECKOUT or decision.action not in STALLED or not outcome.cart:
            return None
        missing = state.checkout.missing
        if missing:
            # The shopper's own saved details only (db/store_data.py); a stranger gets no example to tap.
            saved = saved_details(session, state.shopper_id)
            return Guide(
                kind=CHECKOUT_REMINDER,
                step=f"To finish your order I still need your {' and '.join(missing)}.",
                # Quick replies for what is missing only: an address chip when only the payment is missing
                # would take the shopper back a step.
                suggestions=tuple(chip for detail in missing for chip in saved.get(detail, ())),
                act="ask_checkout_details",
            )
        return Guide(
            kind=CHECKOUT_REMINDER,
            step="Your order is ready — shall I place the order?",
            suggestions=("Yes, place the order", "No, change something"),
            act="ask_confirmation",
        )

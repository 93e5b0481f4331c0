"""Step 4 of a turn — respond: the reply text, its next step (journey/guidance.py) and the quick-reply suggestions."""

from __future__ import annotations

import logging
from dataclasses import replace

from assistant import metrics
from assistant.llm.protocol import GroundedContext, LLMBackend, TemplateBackend
from assistant.replies.grounding import GroundingGuard
from assistant.replies.product_qa import ProductQA
from assistant.replies.templates import TemplateReplies
from assistant.turn import Turn
from core.errors import BackendUnavailable
from core.state import Action, Decision, Outcome, Reply
from journey.guidance import Guidance

log = logging.getLogger(__name__)
POLICY_ACTIONS = {Action.POLICY, Action.ORDER_SUPPORT}


class Respond:
    """Drafts the grounded template reply, fits its next step, then lets the configured backend phrase it.

    Without `guidance` the template's own closing question and suggestions stand (guidance off, for comparison).
    A generated reply is shown only if `guard` finds it grounded; otherwise, or when the backend fails, the
    draft is the reply and the event is logged. A question about one product is answered from its listing by
    `product_qa`."""

    def __init__(
        self,
        templates: TemplateReplies,
        backend: LLMBackend,
        guard: GroundingGuard,
        product_qa: ProductQA,
        guidance: Guidance | None = None,
    ) -> None:
        self.templates = templates
        self.backend = backend
        self.guard = guard
        self.product_qa = product_qa
        self.guidance = guidance
        settings = templates.settings
        self.policies = (settings.shipping_policy, settings.payment_policy, settings.return_policy)

    def run(self, turn: Turn, decision: Decision, outcome: Outcome) -> Reply:
        # What the reply may state: the act's facts, and this step's own (a returning shopper's cart, the
        # answer to a question about the product, the next step), kept apart from the act's outcome.
        facts = dict(outcome.facts)
        if turn.welcome_back is not None:
            facts["welcome_back"] = turn.welcome_back
        # "what do you recommend?" asks for a pick, not about the product picked.
        if decision.action == Action.DETAILS and outcome.products and decision.reason != "our_pick":
            answer = self.product_qa.answer(turn.text, outcome.products[0])
            if answer is not None:
                facts["answer"] = answer.text
        shown = replace(outcome, facts=facts)
        draft, suggestions, act = self.templates.render(decision, shown, turn.state)
        events: list[tuple[str, dict]] = []
        products = outcome.products
        if self.guidance is not None:
            guide = self.guidance.run(turn.text, turn.stage, decision, shown, turn.state, turn.session)
            draft, suggestions, act = guide.apply(draft, suggestions, act)
            suggestions = self.guidance.suggestions(suggestions, turn.stage, decision.action)
            events.extend(guide.events)
            if guide.shows is not None:
                products = list(guide.shows)
            if guide.kind is not None:
                facts["next_step"] = guide.step
        context = GroundedContext(
            shopper_text=turn.text,
            stage=turn.stage.value,
            draft=draft,
            facts=facts,
            products=tuple(products),
            cart=tuple(outcome.cart),
            order=outcome.order,
            # Policies are facts of the turns that state them (policy and order support), no others.
            policies=self.policies if decision.action in POLICY_ACTIONS else (),
        )
        text = self.phrase(context, events)
        return Reply(text, suggestions, act, products, events)

    def phrase(self, context: GroundedContext, events: list[tuple[str, dict]]) -> str:
        """The backend's reply if it is grounded, else the draft (with an `ungrounded_reply` or `llm_fallback`
        event added to the reply's `events`, recorded with the turn)."""
        if isinstance(self.backend, TemplateBackend):
            return context.draft
        name = self.backend.name
        try:
            generated = "".join(self.backend.generate(context)).strip()
        except Exception as error:
            metrics.llm_called(name, "generate", "failed")
            if not isinstance(error, BackendUnavailable):
                raise  # a bug, not an outage: the turn fails with its traceback
            log.warning("The %s LLM backend failed (%s); replying with the template.", name, error)
            events.append(("llm_fallback", {"backend": name, "error": str(error)[:500]}))
            return context.draft
        verdict = self.guard.check(generated, context)
        metrics.llm_called(name, "generate", "grounded" if verdict.grounded else "ungrounded")
        if verdict.grounded:
            return generated
        log.warning(
            "Replaced an ungrounded reply of the %s LLM backend by the template: %s",
            name,
            "; ".join(verdict.problems),
        )
        events.append(
            (
                "ungrounded_reply",
                {"backend": name, "problems": list(verdict.problems), "reply": generated[:500]},
            )
        )
        return context.draft

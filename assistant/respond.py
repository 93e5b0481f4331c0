"""Step 4 of a turn — respond: the reply text, its next step (journey/guidance.py) and the quick-reply suggestions."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from assistant import metrics
from assistant.grounding import GroundingGuard
from assistant.llm import BackendUnavailable, GroundedContext, LLMBackend, TemplateBackend
from assistant.product_qa import ProductQA
from assistant.replies import TemplateReplies
from assistant.state import Action, Decision, DialogueState, Outcome, Reply
from assistant.taxonomy import Stage
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
        guidance: Guidance | None = None,
        guard: GroundingGuard | None = None,
        product_qa: ProductQA | None = None,
    ) -> None:
        self.templates = templates
        self.backend = backend
        self.guidance = guidance
        self.guard = guard or GroundingGuard()
        self.product_qa = product_qa or ProductQA(
            templates.settings.embedding_model, onnx_cache=templates.settings.onnx_cache
        )
        settings = templates.settings
        self.policies = (settings.shipping_policy, settings.payment_policy, settings.return_policy)

    def run(
        self,
        text: str,
        stage: str,
        decision: Decision,
        outcome: Outcome,
        state: DialogueState,
        session: Session,
    ) -> Reply:
        answer = (
            self.product_qa.answer(text, outcome.products[0])
            if decision.action == Action.DETAILS and outcome.products
            else None
        )
        if answer is not None:
            outcome.facts["answer"] = answer.text
        draft, suggestions, act = self.templates.render(decision, outcome, state)
        if self.guidance is not None:
            guide = self.guidance.run(text, Stage(stage), decision, outcome, state, session)
            draft, suggestions, act = guide.apply(draft, suggestions, act)
            suggestions = self.guidance.suggestions(suggestions, Stage(stage), decision.action)
        context = GroundedContext(
            shopper_text=text,
            stage=stage,
            draft=draft,
            facts=outcome.facts,
            products=tuple(outcome.products),
            cart=tuple(outcome.cart),
            order=outcome.order,
            # Policies are facts of the turns that state them (policy and order support), no others.
            policies=self.policies if decision.action in POLICY_ACTIONS else (),
        )
        return Reply(self.phrase(context, outcome), suggestions, act)

    def phrase(self, context: GroundedContext, outcome: Outcome) -> str:
        """The backend's reply if it is grounded, else the draft (with an `ungrounded_reply` or `llm_fallback`
        event on the outcome, recorded with the turn)."""
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
            outcome.events.append(("llm_fallback", {"backend": name, "error": str(error)[:500]}))
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
        outcome.events.append(
            (
                "ungrounded_reply",
                {"backend": name, "problems": list(verdict.problems), "reply": generated[:500]},
            )
        )
        return context.draft

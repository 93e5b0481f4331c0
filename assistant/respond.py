"""Step 4 of a turn — respond: the reply text, its next step (journey/guidance.py) and the quick-reply suggestions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.llm import GroundedContext, LLMBackend
from assistant.replies import TemplateReplies
from assistant.state import Decision, DialogueState, Outcome, Reply
from assistant.taxonomy import Stage
from journey.guidance import Guidance


class Respond:
    """Drafts the grounded template reply, fits its next step, then lets the configured backend phrase it.

    Without `guidance` the template's own closing question and suggestions stand (guidance off, for comparison)."""

    def __init__(
        self, templates: TemplateReplies, backend: LLMBackend, guidance: Guidance | None = None
    ) -> None:
        self.templates = templates
        self.backend = backend
        self.guidance = guidance

    def run(
        self,
        text: str,
        stage: str,
        decision: Decision,
        outcome: Outcome,
        state: DialogueState,
        session: Session,
    ) -> Reply:
        draft, suggestions, act = self.templates.render(decision, outcome, state)
        if self.guidance is not None:
            guide = self.guidance.run(text, Stage(stage), decision, outcome, state, session)
            draft, suggestions, act = guide.apply(draft, suggestions, act)
            suggestions = self.guidance.suggestions(suggestions, Stage(stage), decision.action)
        context = GroundedContext(shopper_text=text, stage=stage, draft=draft, facts=outcome.facts)
        return Reply("".join(self.backend.generate(context)), suggestions, act)

"""Step 4 of a turn — respond: the reply text and the quick-reply suggestions."""

from __future__ import annotations

from assistant.llm import GroundedContext, LLMBackend
from assistant.replies import TemplateReplies
from assistant.state import Decision, DialogueState, Outcome, Reply


class Respond:
    """Drafts the grounded template reply, then lets the configured backend phrase it."""

    def __init__(self, templates: TemplateReplies, backend: LLMBackend) -> None:
        self.templates = templates
        self.backend = backend

    def run(self, text: str, stage: str, decision: Decision, outcome: Outcome, state: DialogueState) -> Reply:
        draft, suggestions, act = self.templates.render(decision, outcome, state)
        context = GroundedContext(shopper_text=text, stage=stage, draft=draft, facts=outcome.facts)
        return Reply("".join(self.backend.generate(context)), suggestions, act)

"""Step 1 of a turn — understand: what the shopper wants (intent) and the details they gave (slots)."""

from __future__ import annotations

from typing import Literal

from assistant import metrics
from assistant.llm.protocol import IntentLLM, Reading
from assistant.turn import Turn
from assistant.understanding.intent_classifier import IntentClassifier
from assistant.understanding.intent_rules import reconcile
from assistant.understanding.needs import ASIDE, answers_need_question, is_a_need, read_need
from assistant.understanding.slots import SlotExtractor
from assistant.understanding.two_acts import SMALL_TALK, clauses, request_among
from core.state import Context, Understanding
from core.taxonomy import Intent, Stage

LABELS = [intent.value for intent in Intent]


class Understand:
    """Intent from the embedding classifier (or the LLM, when configured), read clause by clause when a turn
    carries small talk and a request, then reconciled with what is on screen (`intent_rules`); slots from rules.

    `intent_llm` is "off", "fallback" (ask the LLM only when the classifier is below `threshold`) or "always".
    The LLM chooses among the taxonomy's labels only, so its answer is always a valid intent; the slots it finds
    fill only those the rules did not (the rules know the catalog's words, the LLM does not).
    """

    def __init__(
        self,
        classifier: IntentClassifier,
        slots: SlotExtractor,
        llm: IntentLLM | None = None,
        intent_llm: Literal["off", "fallback", "always"] = "off",
        threshold: float = 0.45,
    ) -> None:
        if intent_llm != "off" and llm is None:
            raise ValueError(f"intent_llm={intent_llm!r} needs an LLM backend")
        self.classifier = classifier
        self.slots = slots
        self.llm = llm
        self.intent_llm = intent_llm
        self.threshold = threshold

    def run(self, turn: Turn) -> Understanding:
        return self.read(turn.text, turn.context)

    def read(self, text: str, context: Context) -> Understanding:
        """The intent and slots of `text` in `context`: the step itself, and offline evaluation and parsing."""
        slots = self.slots.run(text, context)
        # Who a present is for and what they enjoy are read here, never as search words.
        slots.update(
            {key: value for key, value in read_need(text, context.need_asked).items() if key not in slots}
        )
        # While checkout waits for details, an address or payment method continues checkout, whatever the
        # classifier makes of a street name; the rule is exact where the model would only be likely.
        if context.stage == Stage.CHECKOUT and ("address" in slots or "payment_method" in slots):
            return Understanding(text, Intent.CHECKOUT, 1.0, slots, "rules")
        intent, confidence = self.classify(text, context)
        names_model = self.slots.names_model(text)
        intent = reconcile(intent, text, slots, context, names_model)
        if names_model and intent == Intent.SEARCH_PRODUCTS:
            # A model the catalog's titles hold is a search it can answer, however unsure the classifier is of
            # words it never saw ("show me the AMD Ryzen 9 5900X").
            confidence = max(confidence, self.threshold)
        if context.need_asked and answers_need_question(intent, slots):
            intent, confidence = Intent.RECOMMEND, max(confidence, self.threshold)
        elif is_a_need(slots) and (
            intent == Intent.OUT_OF_SCOPE or (confidence < self.threshold and intent not in ASIDE)
        ):
            # In a shop, "my sister is obsessed with her dog" is a need, however far from shopping it reads.
            intent, confidence = Intent.RECOMMEND, max(confidence, self.threshold)
        source = "classifier"
        if self.intent_llm == "always" or (self.intent_llm == "fallback" and confidence < self.threshold):
            reading = self.ask_llm(text, context)
            if reading.intent is not None:
                # The LLM gives no calibrated probability; it counts as just confident enough to act on.
                intent, confidence, source = Intent(reading.intent), max(confidence, self.threshold), "llm"
                slots = {**unread(reading.slots, slots), **slots}
        # A kind of product the catalog has no word for ("yoga leggings" where only yoga mats are): the reply
        # says the store lacks it.
        if intent in (Intent.SEARCH_PRODUCTS, Intent.REFINE_SEARCH) and (
            missing := self.slots.not_carried(text)
        ):
            slots["not_carried"] = missing
        return Understanding(text, intent, confidence, slots, source)

    def classify(self, text: str, context: Context) -> tuple[Intent, float]:
        """The classifier's reading of the turn; when it reads small talk, its clauses are read too, and a
        confident request among them is the turn's intent (`two_acts`)."""
        whole = self.classifier.predict([text], [context])[0]
        if whole[0] not in SMALL_TALK:
            return whole
        parts = [part for part in clauses(text) if part != text.strip()]
        if not parts:
            return whole
        return request_among(whole, self.classifier.predict(parts, [context] * len(parts)), self.threshold)

    def ask_llm(self, text: str, context: Context) -> Reading:
        """The LLM's reading of the utterance (its intent None when it gives none); each call counted."""
        try:
            reading = self.llm.read(
                text, LABELS, {"stage": context.stage.value, "last_act": context.last_act}
            )
        except Exception:
            metrics.llm_called(self.llm.name, "classify", "failed")
            raise
        metrics.llm_called(self.llm.name, "classify", "declined" if reading.intent is None else "chosen")
        return reading


def unread(llm_slots: dict[str, object], rule_slots: dict[str, object]) -> dict[str, object]:
    """The LLM's slots that add to the rules' reading: a slot the rules did not fill, with a value they did not
    already read as another slot (the "40" of "under 40 dollars" is a ceiling, never also a quantity)."""
    read = {str(value).lower() for value in rule_slots.values()}
    return {
        key: value
        for key, value in llm_slots.items()
        if key not in rule_slots and str(value).lower() not in read
    }

"""Step 1 of a turn — understand: what the shopper wants (intent) and the details they gave (slots)."""

from __future__ import annotations

from assistant.intent_classifier import IntentClassifier
from assistant.slots import SlotExtractor
from assistant.state import Context, Understanding
from assistant.taxonomy import Intent, Stage


class Understand:
    """Intent from the embedding classifier, slots from rules; checkout details override in checkout."""

    def __init__(self, classifier: IntentClassifier, slots: SlotExtractor) -> None:
        self.classifier = classifier
        self.slots = slots

    def run(self, text: str, context: Context) -> Understanding:
        slots = self.slots.run(text, context)
        intent, confidence = self.classifier.predict([text], [context])[0]
        # While checkout waits for details, an address or payment method continues checkout, whatever the
        # classifier makes of a street name; the rule is exact where the model would only be likely.
        if context.stage == Stage.CHECKOUT and ("address" in slots or "payment_method" in slots):
            return Understanding(text, Intent.CHECKOUT, 1.0, slots, "rules")
        return Understanding(text, intent, confidence, slots, "classifier")

"""What a request for a need says: who it is for, their age, the occasion, and what they enjoy.

"a birthday present for my 6 year old niece who loves drawing" is recipient "niece", age 6, occasion "birthday",
interest "drawing". These become slots, never search words: the interest (or the age, or an occasion that says
what is needed) is what retrieval/recommendation.py matches to the catalog's categories by meaning, so the words
here are the language of giving (relations, ages, occasions), never a list of products for a need.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from core.taxonomy import NEED_SLOTS, Intent

# The words for the people a present is for. Children's words say a child without an age.
RELATIVES = {
    "dad", "father", "daddy", "papa", "mum", "mom", "mother", "mommy", "mummy", "mama", "parents", "wife",
    "husband", "partner", "spouse", "fiance", "fiancee", "boyfriend", "girlfriend", "son", "daughter", "niece",
    "nephew", "brother", "sister", "grandma", "grandmother", "granny", "nan", "nana", "grandpa", "grandfather",
    "granddad", "grandad", "grandson", "granddaughter", "aunt", "auntie", "uncle", "cousin", "friend", "bestie",
    "colleague", "coworker", "boss", "teacher", "neighbour", "neighbor", "host", "hostess", "in-laws",
    "gf", "bf", "hubby", "wifey", "bff", "bro", "sis", "grandkid", "grandkids", "mate",
}  # fmt: skip
CHILDREN = {"baby", "babies", "newborn", "toddler", "kid", "kids", "child", "children", "boy", "girl"}
PEOPLE = {"someone", "somebody", "him", "her", "them", "man", "woman", "guy", "lady", "teen", "teenager"}
# Occasions that say what is needed (a new home, a new baby) are part of the need; calendar dates
# (birthdays, Christmas) say only when.
EVENTS = (
    "housewarming", "house warming", "new mom", "new mum", "new dad", "new parents", "mom-to-be", "mum-to-be",
    "new home", "new house", "new flat", "new apartment", "wedding",
    "engagement", "baby shower", "new baby", "graduation", "retirement", "new job", "moving", "get well",
)  # fmt: skip
DATES = (
    "birthday", "bday", "christmas", "xmas", "anniversary", "valentine's day", "valentines day", "valentine's",
    "valentines", "mother's day", "mothers day", "father's day", "fathers day", "secret santa", "hanukkah",
    "diwali", "eid", "easter", "thank you", "thank-you",
)  # fmt: skip
GIFT_WORDS = {"gift", "gifts", "present", "presents", "stocking", "stuffer", "stuffers", "surprise"}
# Words that say someone likes something: what follows is what they like.
LIKES = {
    "likes", "loves", "enjoys", "enjoy", "into", "fan", "keen", "passionate", "obsessed", "lover", "lovers",
    "loving", "adores", "collects", "hobby", "hobbies",
}  # fmt: skip
# The rest of asking for a present: never what the person likes.
FILLER = {
    "like", "love", "crazy", "big", "mad", "huge", "who", "whos", "who's", "she's", "he's", "they're", "really",
    "idea", "ideas", "good", "nice", "great", "perfect", "cool", "thing", "things", "something", "anything",
    "looking", "need", "needs", "want", "wants", "buy", "buying", "get", "getting", "find", "recommend",
    "suggest", "suggestions", "help", "please", "thanks", "shopping", "old", "year", "years", "yo", "aged",
    "age", "turning", "turns", "budget", "around", "about", "roughly", "max", "bucks", "dollars", "euros",
    "pounds", "quid", "cheap", "affordable", "lot", "lots", "little", "bit", "kinda", "sort", "stuff",
    "doing", "does", "my", "our", "best", "sell", "have", "got", "tips", "special", "occasion", "fun", "options",
    # When, and coming and going, are never what someone enjoys.
    "just", "going", "coming", "soon", "tomorrow", "today", "tonight", "weekend", "week", "month", "next", "day",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "party", "visit", "visiting",
    "recently", "lately", "mine", "yours", "friend's",
    # Chat spellings of the words above.
    "wat", "wut", "smth", "sth", "pls", "plz", "gonna", "wanna", "gotta", "ur", "tho", "idk", "rn", "lol",
}  # fmt: skip
_AGE = re.compile(
    r"\b(\d{1,2})[- ]?(?:years?|yrs?|yo|y/o)(?:[- ]olds?)?\b|\baged?\s+(\d{1,2})\b"
    r"|\b(?:turning|turns|(?:she|he|they)(?:'s| is| are))\s+(\d{1,2})\b(?!\s*[$€£%])",
    re.I,
)
_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")
_FOR = re.compile(r"\bfor\s+(?:(?:my|our|a|an|the|this|that)\s+)?([a-z]+)")
# Requests that leave a need aside even while the assistant waits to hear more about it.
ASIDE = {
    Intent.ORDER_STATUS, Intent.CANCEL_ORDER, Intent.RETURN_REFUND, Intent.CHECKOUT, Intent.VIEW_CART,
    Intent.HUMAN_AGENT, Intent.GOODBYE, Intent.COMPLAINT, Intent.SHIPPING_INFO, Intent.PAYMENT_INFO,
}  # fmt: skip
# Slots that say exactly what to show: with one of them a need is a plain search ("red Nike shoes for my dad").
NAMED_SLOTS = ("brand", "color", "size", "material", "not_carried", "sort", "product_ref")
# Under this age a child's age says more about what suits them than anything else said.
CHILD_AGE = 13


def _phrase(found: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"\b(?:" + "|".join(re.escape(p) for p in sorted(found, key=len, reverse=True)) + r")\b"
    )


_EVENTS, _DATES = _phrase(EVENTS), _phrase(DATES)
_NOT_A_PRESENT = re.compile(
    r"\bgift[- ]?(?:cards?|certificates?|vouchers?|wrap\w*|receipts?|messages?|notes?)\b"
)


def read_need(text: str, asked: bool = False) -> dict[str, Any]:
    """The need slots of `text` (recipient, age, occasion, interest, gift); {} when it names no need.

    `asked` says the assistant has just asked who the present is for or what they enjoy, so the words of the
    answer ("gardening") are the interest even without "likes"."""
    # A gift card, gift wrap or a gift receipt is something to pay with or ask for, not a present to find.
    lowered = _NOT_A_PRESENT.sub(" ", text.lower().replace("’", "'"))
    slots: dict[str, Any] = {}
    said = _words(lowered)
    if age := _AGE.search(lowered):
        slots["age"] = int(next(group for group in age.groups() if group))
        lowered = lowered[: age.start()] + " " + lowered[age.end() :]
    # "him", "someone" are a recipient only after "for"; a relation or a child is one anywhere ("my dad cooks").
    after_for = {match.group(1) for match in _FOR.finditer(lowered)}
    recipient = next(
        (word for word in said if word in RELATIVES | CHILDREN or (word in PEOPLE and word in after_for)),
        None,
    )
    if recipient:
        slots["recipient"] = recipient
        # "my son is 8", "my niece's 6"
        if "age" not in slots and (
            age := re.search(rf"\b{recipient}(?:'s| is)\s+(\d{{1,2}})\b(?!\s*[$€£%])", lowered)
        ):
            slots["age"] = int(age.group(1))
    if occasion := _EVENTS.search(lowered) or _DATES.search(lowered):
        slots["occasion"] = occasion.group(0)
        lowered = _EVENTS.sub(" ", _DATES.sub(" ", lowered))
    if GIFT_WORDS.intersection(said):
        slots["gift"] = True
    liking = not LIKES.isdisjoint(said)
    if not (slots or liking or asked):
        return {}
    # A child named beside the recipient is what the present is about ("a friend who just had a baby").
    if interest := wanted_words(lowered, ignoring={recipient}):
        slots["interest"] = interest
    return slots


def wanted_words(text: str, ignoring: Collection[str | None] = ()) -> str:
    """The words of a request past those of asking, giving and people: what it is about ("what do you
    suggest for a small flat?" → "small flat"; "what do you recommend?" → "")."""
    ignored = RELATIVES | PEOPLE | GIFT_WORDS | LIKES | FILLER | ENGLISH_STOP_WORDS | set(ignoring)
    return " ".join(word for word in _words(text.lower()) if word not in ignored and len(word) > 2)


def answers_need_question(intent: Intent, slots: Mapping[str, Any]) -> bool:
    """Whether a turn said right after "who is it for?" or "what do they enjoy?" answers it ("he likes
    gardening", "around 60"), whatever intent the words alone read as."""
    if intent in ASIDE or names_products(slots):
        return False
    return any(key in slots for key in (*NEED_SLOTS, "min_price", "max_price"))


def is_a_need(slots: Mapping[str, Any]) -> bool:
    """Whether the slots name a person and what they enjoy, and no product: a need, said without asking."""
    return "recipient" in slots and "interest" in slots and not names_products(slots)


def names_products(slots: Mapping[str, Any]) -> bool:
    """Whether the slots say what to show, beyond a need: a brand, colour, size or material, a product shown, or
    a kind of product other than what the person enjoys ("mugs for my dad who loves hiking" is mugs; in "he
    loves hiking", hiking is what he enjoys, though titles say "hiking boots")."""
    if any(key in slots for key in NAMED_SLOTS):
        return True
    category = slots.get("category")
    return bool(category) and str(category).lower() not in str(slots.get("interest", "")).lower()


def _words(lowered: str) -> list[str]:
    """The words, without the "'s" of "what's" or "dad's"."""
    return [word.split("'")[0] for word in _WORD.findall(lowered)]


def need_query(need: Mapping[str, Any]) -> str | None:
    """What the need is matched to the catalog by: what the person enjoys, else a child's age or kind, else an
    occasion that says what is needed; None when nothing said does (only who, or a date)."""
    if need.get("interest"):
        return str(need["interest"])
    age, recipient = need.get("age"), need.get("recipient")
    if age is not None and age < CHILD_AGE:
        return f"for a {age} year old"
    if recipient in CHILDREN:
        return f"for {recipient}" if recipient.endswith(("s", "ren")) else f"for a {recipient}"
    occasion = need.get("occasion")
    if occasion and _EVENTS.fullmatch(occasion):
        return str(occasion)
    return None


def for_whom(need: Mapping[str, Any]) -> str:
    """ "for your dad", "for a 6 year old", "for your 6 year old niece", "for a housewarming", or ""."""
    recipient, age, occasion = need.get("recipient"), need.get("age"), need.get("occasion")
    aged = f"{age} year old" if age is not None else ""
    if occasion and recipient and recipient in occasion:
        return f"for a {occasion}"  # "a new mom"
    if recipient in RELATIVES:
        return f"for your {' '.join(filter(None, (aged, recipient)))}"
    if recipient in CHILDREN and recipient.endswith(("s", "ren")) and age is None:
        return f"for {recipient}"
    if recipient in CHILDREN or age is not None:
        who = " ".join(filter(None, (aged, recipient if recipient in CHILDREN else "")))
        article = "an" if who[0] in "aeiou8" or who.startswith(("11 ", "18 ")) else "a"
        return f"for {article} {who}"
    if recipient in ("him", "her", "them"):
        return f"for {recipient}"
    if occasion:
        return f"for a {occasion}"
    return ""

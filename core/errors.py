"""Every error a user of shopassist can cause, in one place: each is one clear sentence for the person who caused it.

Errors that are bugs are not here: they keep their traceback in the log.
"""

from __future__ import annotations


class ImportFailed(ValueError):
    """The file as a whole cannot be imported (missing, unreadable, unknown format or mapping)."""


class IndexMismatch(RuntimeError):
    """The saved index was built by another embedding model or for another catalog."""


class RelevanceFileError(ValueError):
    """The relevance file cannot be read or is not in the expected shape."""


class NotEnoughJourneys(ValueError):
    """The log holds too few journeys, with and without an order, to train on."""


class ModelMismatch(ValueError):
    """The saved model was trained on other features than this version computes."""


class InvalidMessage(ValueError):
    """The shopper's message cannot be processed (empty, too long, not text); nothing was stored."""


class UnknownConversation(LookupError):
    """No conversation has this id."""


class UnknownShopper(LookupError):
    """The store has no shopper with this id."""


class RepeatedKey(ValueError):
    """A request reuses an idempotency key of its conversation with another message; nothing was stored."""


class BackendUnavailable(RuntimeError):
    """The configured backend cannot run here."""


class EvaluationInputError(ValueError):
    """The labelled file or the mapping cannot be read."""


class AgentError(ValueError):
    """An agent cannot be created as asked (bad username, short password, name taken); one sentence."""


class TakeoverError(ValueError):
    """An agent's action that cannot be done as asked (no such conversation, not taken over, empty text)."""


class FeedbackError(ValueError):
    """The rating cannot be stored as asked (not a reply of this conversation, unknown rating)."""


class NotAnEmailAddress(ValueError):
    """What was given to search for is not an email address."""


class DialogueFileError(ValueError):
    """One or more dialogue files are malformed; `problems` holds one `FILE:LINE: what is wrong` each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class CatalogUnavailable(RuntimeError):
    """A dialogue's catalog file cannot be imported."""


class ServerDidNotStart(RuntimeError):
    """The process exited, or did not answer in time; the message ends with its log."""


class FormError(ValueError):
    """A checkout form field the shopper must correct; one sentence."""

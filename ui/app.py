"""The web application: REST API, health check, Prometheus metrics, agent console and shopper chat on one port.

While it serves, background tasks sweep every `sweep_interval_seconds`: idle carts into `abandoned`, and
conversations idle past `retention_days` into forgotten (assistant/privacy/erasure.py). The HTTP guards (frame-ancestors,
CORS, body size, console login throttle) are in ui/web_security.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from assistant.desk.agent_desk import AgentDesk
from assistant.pipeline import Assistant
from assistant.privacy.erasure import RetentionSweep
from journey.abandonment import AbandonmentSweep
from ui.api import ApiLimits, router
from ui.chat import CHAT_CSS, CHAT_HEAD, build_chat
from ui.console import build_console, login_checker
from ui.product_images import router as images_router
from ui.store import router as store_router
from ui.web_security import add_web_security

log = logging.getLogger(__name__)


async def sweep_periodically(name: str, sweep: Callable[[], str | None], interval_seconds: float) -> None:
    """Runs `sweep` now and then every interval until cancelled, logging what it reports; a failed sweep is
    logged and retried."""
    while True:
        try:
            if report := await asyncio.to_thread(sweep):
                log.info("%s sweep: %s", name, report)
        except Exception:  # the database may be briefly unavailable; the next sweep tries again
            log.exception("the %s sweep failed", name)
        await asyncio.sleep(interval_seconds)


def sweeping_lifespan(assistant: Assistant):
    """A FastAPI lifespan that runs the abandonment and retention sweeps in the background while the app serves."""
    settings = assistant.settings
    abandonment = AbandonmentSweep(assistant.db, settings.abandon_after_minutes, assistant.record.stages)
    retention = RetentionSweep(assistant.db, settings.retention_days)

    def abandon() -> str | None:
        marked = abandonment.run()
        return f"marked {marked} idle conversations abandoned" if marked else None

    def forget() -> str | None:
        forgotten = retention.run()
        return forgotten.summary() if forgotten.conversations else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        interval = settings.sweep_interval_seconds
        app.state.sweepers = [
            asyncio.create_task(sweep_periodically("abandonment", abandon, interval)),
            asyncio.create_task(sweep_periodically("retention", forget, interval)),
        ]
        try:
            yield
        finally:
            for sweeper in app.state.sweepers:
                sweeper.cancel()

    return lifespan


def create_app(assistant: Assistant) -> FastAPI:
    app = FastAPI(
        title="shopassist",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=sweeping_lifespan(assistant),
    )
    app.state.assistant = assistant
    limits = app.state.api_limits = ApiLimits(assistant.settings)
    add_web_security(app, assistant.settings)
    app.include_router(router)
    app.include_router(store_router)
    app.include_router(images_router)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "products": len(assistant.catalog)}

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """This process's metrics in the Prometheus text format (assistant/metrics.py)."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    # The chat mounted at "/" would otherwise answer the bare "/console" with its own 404.
    @app.get("/console", include_in_schema=False)
    def console_slash() -> RedirectResponse:
        return RedirectResponse("/console/")

    # Gradio apps are mounted last, the console before the chat, because "/" would match every path.
    # Agents' messages and notes are stored redacted as the shopper's words are.
    desk = AgentDesk(
        assistant.db, assistant.catalog, assistant.settings.propensity_dir, assistant.record.redactor
    )
    app = gr.mount_gradio_app(
        app,
        build_console(assistant, desk),
        path="/console",
        footer_links=[],
        auth=login_checker(desk),
        auth_message="Agents log in here. Create an account with: shopassist agent create NAME",
    )
    # The chat counts messages with the API's per-conversation limiter: one allowance per conversation.
    chat = build_chat(assistant, limits.per_conversation)
    return gr.mount_gradio_app(app, chat, path="/", footer_links=[], css=CHAT_CSS, head=CHAT_HEAD)

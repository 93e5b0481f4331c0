"""The web application: REST API, health check, agent console and shopper chat on one port.

While it serves, a background task sweeps idle carts into `abandoned` every `sweep_interval_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from assistant.pipeline import Assistant
from journey.abandonment import AbandonmentSweep
from ui.api import router
from ui.chat import build_chat
from ui.console import build_console, login_checker
from ui.store import router as store_router

log = logging.getLogger(__name__)


async def sweep_periodically(sweep: AbandonmentSweep, interval_seconds: float) -> None:
    """Runs the sweep now and then every interval until cancelled; a failed sweep is logged and retried."""
    while True:
        try:
            marked = await asyncio.to_thread(sweep.run)
            if marked:
                log.info("marked %d idle conversations abandoned", marked)
        except Exception:  # the database may be briefly unavailable; the next sweep tries again
            log.exception("the abandonment sweep failed")
        await asyncio.sleep(interval_seconds)


def sweeping_lifespan(assistant: Assistant):
    """A FastAPI lifespan that runs the abandonment sweep in the background while the app serves."""
    settings = assistant.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweep = AbandonmentSweep(assistant.db, settings.abandon_after_minutes, assistant.record.stages)
        app.state.sweeper = asyncio.create_task(sweep_periodically(sweep, settings.sweep_interval_seconds))
        try:
            yield
        finally:
            app.state.sweeper.cancel()

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
    app.include_router(router)
    app.include_router(store_router)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "products": len(assistant.catalog)}

    # The chat mounted at "/" would otherwise answer the bare "/console" with its own 404.
    @app.get("/console", include_in_schema=False)
    def console_slash() -> RedirectResponse:
        return RedirectResponse("/console/")

    # Gradio apps are mounted last, the console before the chat, because "/" would match every path.
    app = gr.mount_gradio_app(
        app,
        build_console(assistant),
        path="/console",
        footer_links=[],
        auth=login_checker(assistant),
        auth_message="Agents log in here. Create an account with: shopassist agent create NAME",
    )
    return gr.mount_gradio_app(app, build_chat(assistant), path="/", footer_links=[])

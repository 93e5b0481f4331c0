"""The web application: REST API, health check, agent console and shopper chat on one port."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from assistant.pipeline import Assistant
from ui.api import router
from ui.chat import build_chat
from ui.console import build_console


def create_app(assistant: Assistant) -> FastAPI:
    app = FastAPI(
        title="shopassist",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.assistant = assistant
    app.include_router(router)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "products": len(assistant.catalog)}

    # The chat mounted at "/" would otherwise answer the bare "/console" with its own 404.
    @app.get("/console", include_in_schema=False)
    def console_slash() -> RedirectResponse:
        return RedirectResponse("/console/")

    # Gradio apps are mounted last, the console before the chat, because "/" would match every path.
    app = gr.mount_gradio_app(app, build_console(assistant), path="/console", footer_links=[])
    return gr.mount_gradio_app(app, build_chat(assistant), path="/", footer_links=[])

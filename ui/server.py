"""Runs the web application with uvicorn after building (or reusing) everything the assistant needs."""

from __future__ import annotations

import gc
import sys

import uvicorn

from assistant.bootstrap import build_assistant
from core.settings import Settings
from ui.app import create_app
from ui.log_format import configure_logging


def serve(settings: Settings) -> None:
    configure_logging(settings)
    app = create_app(build_assistant(settings))
    # What is built by now (models, catalog, index, the web app) lives as long as the process: frozen, the full
    # collections that requests' garbage triggers no longer walk it, and each of those pauses stopped every thread.
    gc.collect()
    gc.freeze()
    base = f"http://{settings.host}:{settings.port}"
    print(
        f"shopassist is serving:\n  shopper chat   {base}/\n  agent console  {base}/console\n"
        f"  REST API       {base}/api/v1 (OpenAPI: {base}/api/v1/openapi.json)\n  health         {base}/healthz\n"
        f"Carts idle for {settings.abandon_after_minutes:g} minutes are marked abandoned "
        f"(swept every {settings.sweep_interval_seconds:g} s).",
        file=sys.stderr,
        flush=True,
    )
    # log_config=None: uvicorn's loggers keep the handler configure_logging set (format and redaction). The loop
    # and HTTP parser are uvicorn's "auto" choice: uvloop and httptools, installed with shopassist.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", log_config=None)

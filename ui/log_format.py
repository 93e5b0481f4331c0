"""Logging for the server: plain text lines or JSON objects (`log_format`), always with personal data redacted.

For operators: JSON logs (one object a line: time, level, logger, message, and the traceback when there is one)
go straight into a log pipeline such as Loki or Elasticsearch. Whatever the format, every record passes the
redacting filter (assistant/privacy/redaction.py), so a shopper's email, phone or card number typed into a message and
quoted in a log line is not written out.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from assistant.privacy.redaction import RedactingFilter, Redactor
from core.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OWN_PACKAGES = ("core", "db", "retrieval", "journey", "assistant", "harness", "ui", "cli")


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def log_handler(settings: Settings) -> logging.Handler:
    """A stderr handler in the configured format that redacts what the settings say to redact."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactingFilter(Redactor.from_settings(settings)))
    return handler


def configure_logging(settings: Settings) -> None:
    """Routes every logger (uvicorn's included) through one `log_handler` on the root logger: shopassist's own
    messages from INFO on (sweeps, fallbacks), libraries' from WARNING on."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(log_handler(settings))
    root.setLevel(logging.WARNING)
    for package in OWN_PACKAGES:
        logging.getLogger(package).setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True

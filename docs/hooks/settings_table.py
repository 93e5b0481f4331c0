"""MkDocs hook: the configuration page's table of every setting, generated from `core.settings.Settings`.

The table replaces the line `<!-- settings-table -->` of configuration.md, so the page lists exactly the fields
of the class: a setting added, renamed or removed changes the page with it (tests/docs checks the table).
Each row's description is the field's `description`, else the comment written above the field.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import get_origin

from pydantic_core import PydanticUndefined

from core.settings import Settings

MARKER = "<!-- settings-table -->"


def field_comments() -> dict[str, str]:
    """The comment lines right above each field of the Settings class, joined."""
    source = inspect.getsource(Settings)
    lines = source.splitlines()
    comments: dict[str, str] = {}
    for node in ast.parse(source).body[0].body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            above, row = [], node.lineno - 2
            while row >= 0 and lines[row].strip().startswith("#"):
                above.insert(0, lines[row].strip().lstrip("#").strip())
                row -= 1
            comments[node.target.id] = " ".join(above)
    return comments


def shown_default(field) -> str:
    if field.default_factory is not None:
        return "(computed)"
    if field.default is PydanticUndefined:
        return "(required)"
    if field.default is None:
        return "unset"
    if isinstance(field.default, Path):
        return f"`{field.default.as_posix()}`"
    if isinstance(field.default, str) and "\n" in field.default:
        return "(text)"
    return f"`{field.default!r}`".replace("|", "\\|")


def settings_table() -> str:
    prefix = Settings.model_config.get("env_prefix", "")
    comments = field_comments()
    rows = ["| environment variable | type | default | what it sets |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        generic = get_origin(field.annotation) is not None
        kind = str(field.annotation).replace("typing.", "") if generic else field.annotation.__name__
        about = field.description or comments.get(name, "")
        cells = [f"`{prefix}{name.upper()}`", f"`{kind}`".replace("|", "\\|"), shown_default(field), about]
        rows.append("| " + " | ".join(cell.replace("\n", " ") for cell in cells) + " |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page, config, files) -> str:
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, settings_table())

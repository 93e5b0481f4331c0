"""The documentation: the configuration page lists every setting exactly once (its table is generated from
`core.settings.Settings` by docs/hooks/settings_table.py), and the README stays a front door."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def settings_table() -> str:
    spec = importlib.util.spec_from_file_location(
        "settings_table", ROOT / "docs" / "hooks" / "settings_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.settings_table()


def test_the_configuration_table_lists_every_setting_once():
    table = settings_table()
    variables = re.findall(r"^\| `(SHOPASSIST_[A-Z0-9_]+)` \|", table, flags=re.M)
    assert sorted(variables) == sorted(f"SHOPASSIST_{name.upper()}" for name in Settings.model_fields)
    assert len(table.splitlines()) == 2 + len(Settings.model_fields)  # a header, its rule, a row per setting


def test_every_setting_says_what_it_sets():
    rows = settings_table().splitlines()[2:]
    assert [row for row in rows if row.rstrip().endswith("|  |")] == []


def test_the_configuration_page_is_where_the_table_goes():
    assert "<!-- settings-table -->" in (ROOT / "docs" / "configuration.md").read_text()


def test_the_readme_is_a_front_door():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    assert "make demo" in readme and "make test" in readme
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).is_file(), link

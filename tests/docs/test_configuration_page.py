"""The documentation: the configuration page lists every setting exactly once (its table is generated from
`core.settings.Settings` by docs/hooks/settings_table.py), the README stays a front door, and the dialogue files
the docs show are valid dialogue files."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "docs" / "hooks" / "settings_table.py"
ROW = re.compile(r"^\| `(SHOPASSIST_[A-Z0-9_]+)` \|")


def load_hook():
    """docs/ is not a package: the hook module is loaded from its path, as MkDocs loads it."""
    spec = importlib.util.spec_from_file_location("settings_table_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table_rows() -> list[str]:
    lines = load_hook().settings_table().splitlines()
    assert lines[0].startswith("| environment variable |")
    assert set(lines[1]) <= set("|-")
    return lines[2:]


def test_every_setting_appears_exactly_once_as_its_variable():
    prefix = Settings.model_config["env_prefix"]
    assert prefix == "SHOPASSIST_"
    variables = [ROW.match(row).group(1) for row in table_rows()]
    for name in Settings.model_fields:
        assert variables.count(f"{prefix}{name.upper()}") == 1, name


def test_the_table_has_no_extra_rows():
    rows = table_rows()
    assert all(ROW.match(row) for row in rows), [row for row in rows if not ROW.match(row)]
    assert len(rows) == len(Settings.model_fields)
    expected = {f"SHOPASSIST_{name.upper()}" for name in Settings.model_fields}
    assert {ROW.match(row).group(1) for row in rows} == expected


def test_every_row_has_four_cells_and_says_what_it_sets():
    for row in table_rows():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert len(cells) == 4, row
        variable, kind, default, about = cells
        assert kind and default, row
        assert about, f"{variable} has no description: give the field a description or a comment above it"


def test_defaults_name_no_path_of_this_machine():
    table = load_hook().settings_table()
    home = str(Path.home())
    assert len(home) <= 1 or home not in table
    assert "`~/.shopassist`" in table


def test_the_hook_fills_only_the_configuration_page():
    hook = load_hook()
    page = "# Configuration\n\n<!-- settings-table -->\n"
    filled = hook.on_page_markdown(page, page=None, config=None, files=None)
    assert "<!-- settings-table -->" not in filled
    assert filled.count("| `SHOPASSIST_") == len(Settings.model_fields)
    other = "# Elsewhere\n\nNo marker here.\n"
    assert hook.on_page_markdown(other, page=None, config=None, files=None) == other
    assert "\n<!-- settings-table -->\n" in (ROOT / "docs" / "configuration.md").read_text()


def test_the_readme_is_a_front_door():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    assert "make demo" in readme and "make test" in readme and "make docs" in readme
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).is_file(), link


def test_the_dialogue_examples_in_the_docs_are_valid_dialogue_files(tmp_path):
    from harness.dialogues.format import load_file

    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    examples = [
        (page.name, block)
        for page in pages
        for block in re.findall(r"```yaml\n(.*?)```", page.read_text(), flags=re.S)
        if re.search(r"^steps:", block, flags=re.M)
    ]
    assert len(examples) >= 3
    for number, (page, block) in enumerate(examples):
        path = tmp_path / f"{number}.yml"
        path.write_text(block)
        assert load_file(path), page

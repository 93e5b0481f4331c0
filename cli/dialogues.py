"""Scripted dialogue tests: `shopassist test-dialogues`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.app import DataDirOption, DbOption, app, fail, settings_for


@app.command("test-dialogues")
def test_dialogues(
    paths: list[Path],
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog", help="Catalog file for dialogues whose catalog is default (imported apart)."
        ),
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write a JUnit XML report here.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Only dialogues with this tag; repeatable.")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Run scripted dialogue tests (YAML files or directories); exit code 1 if any dialogue failed."""
    from assistant.bootstrap import build_assistant, stderr
    from core.errors import DialogueFileError
    from harness.dialogues.format import CatalogFile, load_dialogues
    from harness.dialogues.report import report, write_junit
    from harness.dialogues.runner import AssistantPool, isolated_settings, run_dialogues

    settings = settings_for(db, data_dir)
    try:
        scripts = load_dialogues(paths, tag or [])
    except DialogueFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        raise typer.Exit(2) from None
    if catalog is not None and not catalog.is_file():
        fail(f"no catalog file at {catalog}", code=2)
    override = CatalogFile(file=str(catalog.resolve())) if catalog is not None else None
    settings = isolated_settings(settings)
    pool = AssistantPool(lambda: build_assistant(settings), settings, override, log=stderr)
    try:
        results = run_dialogues(scripts, pool, progress=stderr)
    finally:
        pool.close()
    print(report(results))
    if junit is not None:
        write_junit(results, junit)
    if not all(result.passed for result in results):
        raise typer.Exit(1)

"""Playing dialogues: each in a fresh conversation on the assistant its catalog names, step by step."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.pipeline import Assistant
from core.errors import CatalogUnavailable
from harness.dialogues.checks import Failure, check_turn
from harness.dialogues.format import (
    CatalogFile,
    DialogueScript,
)
from journey.abandonment import AbandonmentSweep, let_time_pass

Log = Callable[[str], None]


@dataclass
class StepResult:
    number: int
    line: int
    user: str
    reply: str = ""
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None


@dataclass
class DialogueResult:
    script: DialogueScript
    steps: list[StepResult] = field(default_factory=list)
    error: str | None = None  # the dialogue could not start (its catalog failed to import)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and all(step.passed for step in self.steps)

    @property
    def not_run(self) -> int:
        return len(self.script.dialogue.steps) - len(self.steps)


def isolated_settings(base: Any) -> Any:
    """Settings for the default (embedded demo) catalog in a data directory of its own under the user's, so
    test conversations never reach the user's database or analytics; built once, reused by later runs."""
    settings = base.model_copy(update={"home": base.data_dir / "dialogue-tests", "db": None})
    # Trained intent models are shared through the cache directory; starting from the user's index spares a
    # rebuild (an index of another catalog is updated incrementally).
    for source, target in ((base.index_dir, settings.index_dir),):
        if source.is_dir() and not target.exists():
            shutil.copytree(source, target)
    return settings


class AssistantPool:
    """The assistants a run needs: the default one, and one per catalog file spec, each built once.

    A catalog file is imported into its own temporary data directory, never into the user's database; the
    intent model of the default data directory is copied there when it exists, to spare a retraining.
    """

    def __init__(
        self,
        default: Callable[[], Assistant] | Assistant,
        settings: Any = None,
        default_catalog: CatalogFile | None = None,
        log: Log = lambda _message: None,
    ) -> None:
        self._default = default
        self._settings = settings
        self._default_catalog = default_catalog
        self._log = log
        self._built: dict[tuple, Assistant] = {}
        self._failed: dict[tuple, str] = {}
        self._tempdirs: list[tempfile.TemporaryDirectory] = []

    def default(self) -> Assistant:
        if not isinstance(self._default, Assistant):
            self._default = self._default()
        return self._default

    def for_script(self, script: DialogueScript) -> Assistant:
        spec = script.catalog_file() or self._default_catalog
        return self.default() if spec is None else self.for_catalog(spec)

    def for_catalog(self, spec: CatalogFile) -> Assistant:
        key = (spec.file, spec.format, tuple(sorted(spec.map.items())))
        if key in self._failed:
            raise CatalogUnavailable(self._failed[key])
        if key not in self._built:
            try:
                self._built[key] = self._build(spec)
            except CatalogUnavailable as error:
                self._failed[key] = str(error)
                raise
        return self._built[key]

    def _build(self, spec: CatalogFile) -> Assistant:
        from assistant.bootstrap import build_assistant, open_database
        from retrieval.importer import ImportFailed, parse_mapping, read_catalog, upsert_products

        base = self._settings or self.default().settings
        try:
            mapping = parse_mapping([f"{field_}={column}" for field_, column in spec.map.items()])
            report = read_catalog(Path(spec.file), spec.format, mapping, base.currency)
        except ImportFailed as error:
            raise CatalogUnavailable(f"catalog {spec.file}: {error}") from None
        if not report.records:
            raise CatalogUnavailable(f"catalog {spec.file}: no valid product rows")
        for row_error in report.errors:
            self._log(f"catalog {spec.file}: skipped {row_error}")
        home = tempfile.TemporaryDirectory(prefix="shopassist-dialogues-")
        self._tempdirs.append(home)
        settings = base.model_copy(update={"home": Path(home.name), "db": None})
        self._log(f"Importing {spec.file} into a temporary data directory for the dialogues…")
        database = open_database(settings, self._log, demo_catalog=False)
        with database.transaction() as session:
            upsert_products(session, report)
        return build_assistant(settings, self._log)

    def close(self) -> None:
        for assistant in self._built.values():
            dispose = getattr(assistant.db, "dispose", None)
            if callable(dispose):
                dispose()
        for home in self._tempdirs:
            home.cleanup()
        self._built.clear()
        self._tempdirs.clear()


def run_dialogue(script: DialogueScript, pool: AssistantPool) -> DialogueResult:
    """Plays one dialogue in a fresh conversation; stops at the first failing step (later ones depend on it)."""
    started = time.perf_counter()
    result = DialogueResult(script)
    try:
        assistant = pool.for_script(script)
        load_store(assistant, script)
        conversation_id, _token = assistant.start_conversation(shopper_id=script.dialogue.shopper)
    except CatalogUnavailable as error:
        result.error = str(error)
        return result
    for number, (step, line) in enumerate(zip(script.dialogue.steps, script.step_lines, strict=True), 1):
        outcome = StepResult(number, line, step.user)
        result.steps.append(outcome)
        try:
            if step.idle_minutes is not None:
                pass_idle_time(assistant, conversation_id, step.idle_minutes)
            turn = assistant.handle(conversation_id, step.user)
        except Exception as error:  # a dialogue reports what the assistant raised, like a failed expectation
            outcome.error = f"{type(error).__name__}: {error}"
            break
        outcome.reply = turn.reply
        outcome.failures = check_turn(step.expect, turn, assistant)
        if outcome.failures:
            break
    result.seconds = time.perf_counter() - started
    return result


def load_store(assistant: Assistant, script: DialogueScript) -> None:
    """The dialogue's shoppers and orders imported again, as `shoppers import` and `orders import` do, so that it
    starts from the store's data as written whatever an earlier dialogue changed; a bad line stops the dialogue."""
    from db.store_data import import_orders, import_shoppers

    shoppers, orders = script.store_files()
    with assistant.db.transaction() as session:
        reports = []
        if shoppers is not None:
            reports.append((shoppers, import_shoppers(session, _lines(shoppers))))
        if orders is not None:
            reports.append((orders, import_orders(session, _lines(orders), assistant.settings.currency)))
    for path, report in reports:
        if report.problems:
            raise CatalogUnavailable(f"store data {path}: {report.problems[0]}")


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise CatalogUnavailable(f"store data {path}: {error}") from None


def pass_idle_time(assistant: Assistant, conversation_id: str, minutes: float) -> None:
    """The shopper was away `minutes`: the conversation ages by that much, then the server's sweep runs on it.

    The sweep is limited to this conversation: a run on the user's database leaves their conversations alone.
    """
    let_time_pass(assistant.db, conversation_id, minutes)
    sweep = AbandonmentSweep(assistant.db, assistant.settings.abandon_after_minutes, assistant.record.stages)
    sweep.run(conversation_ids=[conversation_id])


def run_dialogues(
    scripts: Iterable[DialogueScript], pool: AssistantPool, progress: Log | None = None
) -> list[DialogueResult]:
    results = []
    for script in scripts:
        results.append(run_dialogue(script, pool))
        if progress:
            progress(f"{'ok  ' if results[-1].passed else 'FAIL'} {script.path}: {script.name}")
    return results


# --- Reporting --------------------------------------------------------------------------------------------

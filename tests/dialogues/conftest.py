"""Collects every `tests/dialogues/**/*.yml` dialogue as one test, played on the session `assistant` fixture.

A failing dialogue reports exactly what `shopassist test-dialogues` reports; a malformed file fails its collection
with its `FILE:LINE: what is wrong` lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.pipeline import Assistant
from core.errors import DialogueFileError
from harness.dialogues.format import DialogueScript, load_file
from harness.dialogues.report import describe_failure
from harness.dialogues.runner import AssistantPool, run_dialogue

POOL = pytest.StashKey[AssistantPool]()


class DialogueFailed(AssertionError):
    """A dialogue step did not meet its expectations; the message is the dialogue report."""


class DialogueFile(pytest.File):
    def collect(self):
        try:
            scripts = load_file(self.path)
        except DialogueFileError as error:
            raise self.CollectError("\n".join(error.problems)) from None
        for script in scripts:
            yield DialogueItem.from_parent(self, name=script.name, callobj=_play, script=script)


def _play(assistant: Assistant, request: pytest.FixtureRequest) -> None:
    item: DialogueItem = request.node
    config = request.config
    if POOL not in config.stash:
        config.stash[POOL] = AssistantPool(assistant)
        config.add_cleanup(config.stash[POOL].close)
    result = run_dialogue(item.script, config.stash[POOL])
    if not result.passed:
        raise DialogueFailed(describe_failure(result))


class DialogueItem(pytest.Function):
    """A test function `_play(assistant, request)` bound to one dialogue, so fixtures resolve as usual."""

    def __init__(self, *, script: DialogueScript, **kwargs) -> None:
        super().__init__(**kwargs)
        self.script = script

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DialogueFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.script.line - 1, f"dialogue: {self.name}"


def pytest_collect_file(parent: pytest.Collector, file_path: Path):
    if file_path.suffix in (".yml", ".yaml"):
        return DialogueFile.from_parent(parent, path=file_path)
    return None

"""The report of a dialogue run: a text summary with expected and actual values, and a JUnit XML file for CI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from harness.dialogues.runner import (
    DialogueResult,
)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)


def describe_failure(result: DialogueResult) -> str:
    """What went wrong in one dialogue: file, step, the shopper's words, each failed expectation, the reply."""
    script = result.script
    lines = [f"FAIL {script.path}:{script.line}: {script.name}"]
    if result.error:
        lines.append(f"  {result.error}")
        return "\n".join(lines)
    for step in result.steps:
        if step.passed:
            continue
        lines.append(f"  step {step.number} ({script.path}:{step.line}), shopper: {step.user!r}")
        if step.error:
            lines.append(f"    raised {step.error}")
        for failure in step.failures:
            lines.append(
                f"    {failure.key}: expected {_show(failure.expected)}, actual {_show(failure.actual)}"
            )
        if step.reply:
            reply = step.reply.replace("\n", "\n           ")
            lines.append(f"    reply: {reply}")
    if result.not_run:
        lines.append(f"  ({result.not_run} later step{'s' if result.not_run > 1 else ''} not run)")
    return "\n".join(lines)


def summary(results: list[DialogueResult]) -> str:
    passed = sum(result.passed for result in results)
    return f"{passed} passed, {len(results) - passed} failed"


def report(results: list[DialogueResult]) -> str:
    """Every failing dialogue's description, then the line `N passed, M failed`."""
    parts = [describe_failure(result) for result in results if not result.passed]
    return "\n\n".join([*parts, summary(results)])


def write_junit(results: list[DialogueResult], path: Path) -> None:
    """A JUnit XML file for CI: one testcase per dialogue, the failure's details in its message and text."""
    failed = sum(not result.passed for result in results)
    seconds = sum(result.seconds for result in results)
    suites = ET.Element("testsuites", tests=str(len(results)), failures=str(failed), time=f"{seconds:.3f}")
    suite = ET.SubElement(
        suites, "testsuite", name="dialogues", tests=str(len(results)), failures=str(failed), errors="0",
        skipped="0", time=f"{seconds:.3f}",
    )  # fmt: skip
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=result.script.path.with_suffix("").as_posix().replace("/", "."),
            name=result.script.name,
            file=str(result.script.path),
            line=str(result.script.line),
            time=f"{result.seconds:.3f}",
        )
        if not result.passed:
            details = describe_failure(result)
            message = " ".join(line.strip() for line in details.splitlines()[1:3]) or details
            failure = ET.SubElement(case, "failure", message=message, type="DialogueFailure")
            failure.text = details
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)

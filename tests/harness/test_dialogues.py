"""Tests of harness/dialogues/format.py and `shopassist test-dialogues`: loading, checking, reporting, catalogs."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import DialogueFileError
from db.models import Conversation, Product
from harness.dialogues.checks import slot_equal
from harness.dialogues.format import load_dialogues, load_file
from harness.dialogues.report import report, write_junit
from harness.dialogues.runner import AssistantPool, run_dialogue, run_dialogues

GOOD = """\
name: greet
tags: [chatter]
steps:
  - user: hi
    expect: {intent: greet, stage: entry}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DialogueFileError) as caught:
        load_file(path)
    return caught.value.problems


def test_a_valid_file_loads_with_its_step_lines(tmp_path):
    (script,) = load_file(write(tmp_path, "ok.yml", GOOD))
    assert script.name == "greet"
    assert script.step_lines == (4,)
    assert script.dialogue.steps[0].expect.intent == ["greet"]


def test_malformed_yaml_reports_file_and_line(tmp_path):
    path = write(tmp_path, "bad.yml", "name: x\nsteps:\n  - user: hi\n   expect: [\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4: invalid YAML")


def test_unknown_key_reports_its_line(tmp_path):
    path = write(tmp_path, "bad.yml", GOOD + "  - user: bye\n    expect:\n      intnet: goodbye\n")
    (problem,) = problems_of(path)
    assert problem == f"{path}:8: unknown key 'intnet' in steps.2.expect"


def test_wrong_type_reports_its_line(tmp_path):
    path = write(tmp_path, "bad.yml", GOOD + "  - user: bye\n    expect:\n      cart: {lines: many}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:8: steps.2.expect.cart.lines:")


def test_unknown_intent_and_missing_user_are_reported(tmp_path):
    path = write(tmp_path, "bad.yml", "name: x\nsteps:\n  - expect: {intent: serch}\n")
    found = problems_of(path)
    assert f"{path}:3: missing required key 'steps.1.user'" in found
    assert any(p.startswith(f"{path}:3: steps.1.expect.intent: unknown intent 'serch'") for p in found)


def test_unquoted_no_gets_a_hint(tmp_path):
    path = write(tmp_path, "bad.yml", "name: x\nsteps:\n  - user: no\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3:") and "quote" in problem


def test_duplicate_names_and_missing_catalog_file(tmp_path):
    write(tmp_path, "a.yml", GOOD)
    write(tmp_path, "c.yml", GOOD)
    write(
        tmp_path,
        "sub/b.yaml",
        GOOD.replace("tags: [chatter]", "catalog: nowhere.csv").replace("name: greet", "name: b"),
    )
    with pytest.raises(DialogueFileError) as caught:
        load_dialogues([tmp_path])
    text = "\n".join(caught.value.problems)
    assert "b.yaml:2: catalog file" in text and "does not exist" in text
    assert f"{tmp_path / 'c.yml'}:1: the dialogue name 'greet' is also used by {tmp_path / 'a.yml'}" in text


def test_tags_select_dialogues(tmp_path):
    write(tmp_path, "a.yml", GOOD)
    write(tmp_path, "b.yml", GOOD.replace("name: greet", "name: other").replace("[chatter]", "[cart]"))
    assert [s.name for s in load_dialogues([tmp_path], ["cart"])] == ["other"]
    assert [s.name for s in load_dialogues([tmp_path])] == ["greet", "other"]


def test_slot_comparison_rules():
    assert slot_equal(100, "100.0")
    assert slot_equal("Running Shoes", "running shoes")
    assert slot_equal([2, 1], [1, 2])
    assert not slot_equal([1], [1, 2])


def test_a_broken_expectation_reports_expected_actual_and_reply(tmp_path, assistant):
    bad = GOOD.replace("intent: greet", "intent: checkout") + "  - user: bye\n"
    (script,) = load_file(write(tmp_path, "bad.yml", bad))
    (good,) = load_file(write(tmp_path, "good.yml", GOOD.replace("name: greet", "name: fine")))
    results = run_dialogues([script, good], AssistantPool(assistant))
    text = report(results)
    assert "step 1" in text and "shopper: 'hi'" in text
    assert "intent: expected checkout, actual greet" in text
    assert "reply: " in text and "(1 later step not run)" in text
    assert text.splitlines()[-1] == "1 passed, 1 failed"


def test_junit_file_has_one_testcase_per_dialogue(tmp_path, assistant):
    (bad,) = load_file(write(tmp_path, "bad.yml", GOOD.replace("stage: entry", "stage: purchased")))
    (good,) = load_file(write(tmp_path, "good.yml", GOOD.replace("name: greet", "name: fine")))
    results = run_dialogues([bad, good], AssistantPool(assistant))
    write_junit(results, tmp_path / "out" / "junit.xml")
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot().find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    failure = cases["greet"].find("failure")
    assert "stage: expected purchased, actual entry" in failure.get("message")
    assert cases["fine"].find("failure") is None


def test_a_catalog_file_is_imported_apart_from_the_default_database(tmp_path, assistant):
    write(
        tmp_path,
        "tiny.csv",
        "sku,name,price,category\nt-1,Blue Teapot,25,Kitchen > Teapots\nt-2,Red Kettle,40,Kitchen > Kettles\n",
    )
    dialogue = """\
name: teapot shop
catalog: {file: tiny.csv, map: {id: sku, title: name}}
steps:
  - user: show me teapots
    expect:
      products: {min: 1, include_ids: [t-1], all_match: {category: teapot}}
"""
    (script,) = load_file(write(tmp_path, "shop.yml", dialogue))
    with assistant.db.transaction() as session:
        before = session.scalar(select(func.count()).select_from(Product))
    pool = AssistantPool(assistant)
    try:
        result = run_dialogue(script, pool)
        assert pool.for_catalog(script.catalog_file()) is not assistant
    finally:
        pool.close()
    assert result.passed, report([result])
    with assistant.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Product)) == before
        assert session.get(Product, "t-1") is None


def cli(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "cli", "test-dialogues", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def test_cli_reports_malformed_files_with_exit_code_2(tmp_path):
    write(tmp_path, "bad.yml", "name: x\nsteps:\n  - user: hi\n    expect: {colour: red}\n")
    write(tmp_path, "worse.yml", "name: [unclosed\n")
    done = cli(str(tmp_path), "--data-dir", str(tmp_path / "home"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{tmp_path / 'bad.yml'}:4: unknown key 'colour'" in done.stderr
    assert f"{tmp_path / 'worse.yml'}:2: invalid YAML" in done.stderr
    assert not (tmp_path / "home").exists()


def test_cli_runs_dialogues_and_exits_1_on_failure(tmp_path, settings, assistant):
    with assistant.db.transaction() as session:
        conversations_before = session.scalar(select(func.count()).select_from(Conversation))
    write(tmp_path, "a.yml", GOOD)
    wrong = GOOD.replace("name: greet", "name: wrong").replace("stage: entry", "stage: cart")
    write(tmp_path, "b.yml", wrong.replace("[chatter]", "[cart]"))
    done = cli(str(tmp_path), "--data-dir", str(settings.home), "--junit", str(tmp_path / "j.xml"))
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[-1] == "1 passed, 1 failed"
    assert "stage: expected cart, actual entry" in done.stdout
    assert (tmp_path / "j.xml").is_file()
    selected = cli(str(tmp_path), "--data-dir", str(settings.home), "--tag", "chatter", "--tag", "none")
    assert selected.returncode == 0, selected.stderr
    assert selected.stdout.splitlines()[-1] == "1 passed, 0 failed"
    # The runs played in a data directory of their own: the user's database holds none of their conversations.
    with assistant.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == conversations_before


@pytest.mark.parametrize(
    ("value", "message"), [('"45"', "valid number"), ("yes", "valid number"), ("0", "greater")]
)
def test_idle_minutes_must_be_a_positive_number(tmp_path, value, message):
    text = f"name: idle\nsteps:\n  - user: hi\n  - user: hello again\n    idle_minutes: {value}\n"
    (problem,) = problems_of(write(tmp_path, "idle.yml", text))
    assert problem.startswith(f"{tmp_path / 'idle.yml'}:5: steps.2.idle_minutes: ") and message in problem


# Each dialogue's last step expects the other outcome with one new key (a run stops at the first failing step).
BACKPACKS = "  - user: show me backpacks\n"
TO_ORDER = BACKPACKS + (
    "  - user: add the first one to my cart\n  - user: checkout\n"
    "  - user: ship to 5 Oak Road, Portland and pay with cash on delivery\n"
)
WRONG = {
    "sorted_by": (BACKPACKS + "  - user: cheapest first\n    expect: {products: {sorted_by: price_desc}}\n"),
    "clarifies_false": BACKPACKS + "  - user: is it waterproof?\n    expect: {clarifies: false}\n",
    "clarifies_reason": BACKPACKS
    + "  - user: is it waterproof?\n    expect: {clarifies: nothing_to_confirm}\n",
    "clarifies_true": BACKPACKS + "  - user: add the first one to my cart\n    expect: {clarifies: true}\n",
    "cart_items": BACKPACKS
    + "  - user: add the first one to my cart\n    expect: {cart: {items: [{title: backpack, quantity: 2}]}}\n",
    "order": TO_ORDER
    + '  - user: "yes"\n    expect: {order: {placed_in_this_turn: false, status: cancelled, lines: 2}}\n',
    "suggestions": BACKPACKS
    + "  - user: add the first one to my cart\n"
    + "    expect: {suggestions_contain: [Pay with], suggestions_not_contain: [checkout]}\n",
}


def test_each_new_expectation_key_fails_on_the_other_outcome(tmp_path, assistant):
    scripts = [
        load_file(write(tmp_path, f"{name}.yml", f"name: {name}\nsteps:\n{steps}"))[0]
        for name, steps in WRONG.items()
    ]
    results = run_dialogues(scripts, AssistantPool(assistant))
    failed = {
        result.script.dialogue.name: {failure.key: failure.actual for failure in result.steps[-1].failures}
        for result in results
    }
    assert [len(result.steps) for result in results] == [len(script.dialogue.steps) for script in scripts]
    assert list(failed["sorted_by"]) == ["products.sorted_by"]  # the backpacks are cheapest first
    assert failed["clarifies_false"] == {"clarifies": "asked (which_product)"}  # several shown, none named
    assert failed["clarifies_reason"] == {"clarifies": "asked (which_product)"}
    assert failed["clarifies_true"] == {"clarifies": "did not ask"}
    assert list(failed["cart_items"]) == ["cart.items"]
    assert list(failed["suggestions"]) == ["suggestions_contain", "suggestions_not_contain"]
    assert failed["order"] == {
        "order.placed_in_this_turn": failed["order"]["order.placed_in_this_turn"],
        "order.status": "placed",
        "order.lines": 1,
    }


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ("{cart: {items: [{quantity: 2}]}}", "names its product by either id or title"),
        ("{cart: {items: [{id: a, title: b}]}}", "names its product by either id or title"),
        ("{clarifies: which_colour}", "clarifies"),
        ("{order: {status: placed, colour: red}}", "order"),
        ("{products: {sorted_by: cheapest}}", "products.sorted_by"),
    ],
)
def test_malformed_new_keys_are_reported_with_their_line(tmp_path, expect, message):
    path = write(tmp_path, "bad.yml", f"name: x\nsteps:\n  - user: hi\n    expect: {expect}\n")
    problems = problems_of(path)
    assert problems and all(problem.startswith(f"{path}:4:") for problem in problems), problems
    assert any(message in problem for problem in problems), problems

"""bench/load.py with small numbers: concurrent simulated shoppers over the REST API of a real server process
on its own SQLite database; afterwards every acknowledged message is stored once, carts and orders are
consistent, and no response was a 5xx."""

from __future__ import annotations

import pytest

from assistant.pipeline import Assistant
from bench.load import run_load
from core.settings import Settings
from harness.server_process import data_dir_with

pytestmark = pytest.mark.slow


def test_a_short_load_loses_nothing(assistant: Assistant, tmp_path) -> None:
    built = assistant.settings
    home = data_dir_with(tmp_path, built.index_dir)
    report = run_load(Settings(home=home), shoppers=8, seconds=10)
    # Nothing lost, whatever the rate: how many turns and orders fit in the window is bench/load.py's to report.
    assert {check.name: check.failures[:5] for check in report.checks if not check.passed} == {}
    assert report.traffic.turns > 0

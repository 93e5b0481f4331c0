"""Journey fixtures: the session assistant's parts on a database of each test's own.

Counting journeys needs a database that holds only the test's conversations; the catalog, index and intent model
are the session's, so nothing is rebuilt.
"""

from __future__ import annotations

import pytest

from assistant.pipeline import Assistant
from tests.conversations import assistant_on


@pytest.fixture
def fresh_assistant(assistant: Assistant, tmp_path) -> Assistant:
    return assistant_on(assistant, f"sqlite:///{tmp_path / 'journeys.db'}")

"""Shared fixtures: real parts, built once per test session.

One data directory holds a real SQLite database with the embedded demo catalog, a real FAISS index and the
trained intent model; the MiniLM model is loaded once. Tests that write conversations start their own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from assistant.bootstrap import build_assistant
from assistant.pipeline import Assistant
from core.settings import DEFAULT_EMBEDDING_MODEL, Settings
from harness.server_process import free_port
from retrieval.embeddings import Embedder

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("shopassist-home"))


@pytest.fixture(scope="session")
def assistant(settings: Settings) -> Assistant:
    # The trained intent model is kept in the cache directory, keyed by its data and encoders: a session
    # reuses the last one's unless the data or the recipe changed.
    return build_assistant(settings, log=lambda _message: None)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder.shared(DEFAULT_EMBEDDING_MODEL)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip("../shared/data is absent (evaluation data is not part of the repository)")
    return data


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL cluster from the installed server binaries, for the session."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL server binaries are not installed at {PG_BIN}")
    # Not under pytest's private (0700, root-owned) temp tree: the cluster's user must reach it.
    directory = Path(tempfile.mkdtemp(prefix="shopassist-pg-"))
    data, port = directory / "data", free_port()
    # initdb refuses to run as root; run the cluster as the postgres system user then.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(directory, "postgres")
    run = lambda *args: subprocess.run([*as_user, *args], check=True, capture_output=True)  # noqa: E731
    run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "shop", "--no-sync")
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(directory / "log"), "-w", "start")
    try:
        run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "shop", "shopassist")
        yield f"postgresql+psycopg://shop@127.0.0.1:{port}/shopassist"
    finally:
        run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)

"""A local server process as the tests and benchmarks start one: a free port, then wait until it answers.

Used for `shopassist demo`/`serve` processes and llama-cpp-python's OpenAI-compatible server alike.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

from core.errors import ServerDidNotStart


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(process: subprocess.Popen, url: str, timeout: float, log: Path) -> None:
    """Returns once GET `url` answers 200. If the process exits or `timeout` seconds pass first, the process is
    killed and ServerDidNotStart says why, with the end of `log`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise ServerDidNotStart(f"{url} did not answer within {timeout:g} s: {log.read_text()[-2000:]}")


def data_dir_with(home: Path, *built: Path) -> Path:
    """A data directory `home` for a server, with directories already built elsewhere (the index, the intent
    model) copied in under their own names, so that the server does not build them again."""
    for directory in built:
        shutil.copytree(directory, home / directory.name)
    return home


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Asks the server to stop, and kills it if it has not within `timeout` seconds (an open events stream can
    keep uvicorn waiting)."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

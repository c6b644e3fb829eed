"""The real `renas-serve` (and `renas-worker`) for the deployment tests: on a free loopback port,
stopped on exit."""

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent  # the console scripts of the environment running the tests
# The commands of the deployments (docker-compose's services run exactly these; the tests run them).
SERVE = ("renas-serve",)
WORKERS = {queue: ("renas-worker", "--queue", queue) for queue in ("search", "train")}


def answers_ready(url: str) -> bool:
    """Whether the service at ``url`` is up and says it is ready."""
    try:
        return httpx.get(f"{url}/readyz").status_code == 200
    except httpx.TransportError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(
    env: Mapping[str, str],
    ready: Callable[[], bool],
    timeout: float = 60,
    command: Sequence[str] = SERVE,
) -> Iterator[subprocess.Popen]:
    """``command`` (a console script of this environment) with ``env``, yielded once ``ready()``; the
    test fails if it exits or times out. Stopped with SIGTERM on exit, unless the test killed it."""
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a full pipe would block the server
        name, *args = command
        server = subprocess.Popen([BIN / name, *args], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not ready():
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    server.wait()
                    log.seek(0)
                    pytest.fail(f"{name} did not become ready:\n{log.read().decode()}")
                time.sleep(0.3)
            yield server
        finally:
            server.terminate()
            server.wait(timeout=30)

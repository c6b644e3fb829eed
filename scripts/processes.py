"""Processes the benchmark scripts start: a console script or module on a free loopback port, ready
when a check says so, stopped on exit."""

import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers_ready(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/readyz").status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def started(
    command: Sequence[str], env: Mapping[str, str], ready: Callable[[], bool], timeout: float = 120
) -> Iterator[subprocess.Popen]:
    """``command`` with ``env``, yielded once ``ready()``; RuntimeError if it exits or times out first."""
    process = subprocess.Popen(list(command), env=dict(env))
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not become ready")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)

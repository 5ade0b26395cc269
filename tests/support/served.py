"""`python -m edxelera_gql serve` as `make run` starts it: a subprocess on a free port, on the
embedded defaults (SQLite, in-process cache, local storage, sandbox), in development."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, NamedTuple

import httpx
import pytest

from tests.support.paystack import free_port

ROOT = Path(__file__).resolve().parents[2]
# The test run's services are not the served app's: it must find its embedded defaults.
_NOT_PASSED = {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "APP_ENV", "PUBLIC_BASE_URL"}


class Served(NamedTuple):
    base: str
    log: IO[str]
    pid: int


@contextmanager
def served(workdir: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Yields the base URL, the server's log (stdout and stderr, open for reading) and its pid.

    No PUBLIC_BASE_URL, as `make run PORT=...` leaves it: it follows --port, so the signed /cdn
    URLs and the sandbox's webhooks point at this server, not at :8000.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in _NOT_PASSED} | (env or {})
    env["EDXELERA_VAR_DIR"] = str(workdir / "var")
    env["APP_ENV"] = "development"  # what `make run` says; unset means production
    # This checkout's server, whatever the virtualenv's editable install points at.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    log = (workdir / "server.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "edxelera_gql", "serve", "--port", str(port), *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(base, proc, log)
        yield Served(base, log, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _wait_for_health(base: str, proc: subprocess.Popen[bytes], log: IO[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("server did not answer /healthz within 60 s")

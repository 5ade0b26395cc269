"""The README's first command on a fresh checkout: `serve` migrates, seeds and answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path):
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "APP_ENV"}
    }
    env["EDXELERA_VAR_DIR"] = str(tmp_path / "var")
    log = (tmp_path / "server.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "edxelera_gql", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"server exited with {proc.returncode}:\n{log.read()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not answer /healthz within 60 s")
        yield base, log
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_serve_on_embedded_defaults_shows_graphiql_and_demo_programs(served) -> None:
    base, log = served
    page = httpx.get(f"{base}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()

    result = httpx.post(
        f"{base}/graphql",
        json={
            "query": "{ programs { nodes { slug priceMinor courses { slug } weeks { number } } } }"
        },
    ).json()
    programs = {p["slug"]: p for p in result["data"]["programs"]["nodes"]}
    assert set(programs) == {"demo-data-analytics", "demo-python-foundations"}
    for program in programs.values():
        assert len(program["courses"]) == 3
        assert [w["number"] for w in program["weeks"]] == [1, 2, 3, 4, 5, 6]
    assert programs["demo-python-foundations"]["priceMinor"] == 0
    assert programs["demo-data-analytics"]["priceMinor"] > 0

    log.seek(0)
    output = log.read()
    assert "admin@demo.edxelera.test" in output  # the demo accounts are printed on first start
    assert '"logger": "edxelera_gql.access"' in output  # JSON access log lines

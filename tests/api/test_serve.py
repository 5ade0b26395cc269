"""The README's first command on a fresh checkout: `serve` migrates, seeds and answers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.support.served import served as serve_app


@pytest.fixture
def served(tmp_path: Path):
    with serve_app(tmp_path) as (base, log, _pid):
        yield base, log


def _log_once_it_says(log: IO[str], text: str, seconds: float = 5) -> str:
    deadline = time.monotonic() + seconds
    while True:
        log.seek(0)
        output = log.read()
        if text in output or time.monotonic() > deadline:
            return output
        time.sleep(0.05)


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

    # The access line is written once the answer has gone out: give it a moment to land.
    output = _log_once_it_says(log, "POST /graphql 200")
    assert "admin@demo.edxelera.test" in output  # the demo accounts are printed on first start
    # Development logs are readable lines (JSON is for production), without terminal colours.
    access = [line for line in output.splitlines() if "edxelera_gql.access" in line]
    assert access, output
    assert not access[0].lstrip().startswith("{")
    assert "POST /graphql 200" in output
    assert "\x1b[" not in output


SIGN_IN = """mutation($e: String!, $p: String!) {
  signIn(input: {email: $e, password: $p}) { accessToken errors { code } } }"""
PLAY = """query($p: String!, $c: String!, $l: String!) {
  lessonPlayback(programSlug: $p, courseSlug: $c, lessonSlug: $l) { url mimeType } }"""
CERTIFICATES = "{ certificates { id type certificateNumber } }"
DOWNLOAD = "query($id: ID!) { certificateDownload(certificateId: $id) { url } }"


def test_serve_plays_a_demo_lesson_and_downloads_a_demo_certificate(served) -> None:
    """The no-AWS path of `make run`: signed URLs to the app's own /cdn, over real HTTP."""
    base, log = served
    log.seek(0)
    found = re.search(r"ada@demo\.edxelera\.test\s+(\S+)", log.read())
    assert found, "the demo student's password is printed on first start"

    def gql(query: str, variables: dict | None = None, token: str | None = None) -> dict:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables or {}}
        result = httpx.post(f"{base}/graphql", json=body, headers=headers, timeout=10).json()
        assert "errors" not in result, result
        return result["data"]

    signed_in = gql(SIGN_IN, {"e": "ada@demo.edxelera.test", "p": found.group(1)})["signIn"]
    token = signed_in["accessToken"]
    assert token, signed_in

    playback = gql(
        PLAY,
        {"p": "demo-git-essentials", "c": "demo-git-basics", "l": "branches-and-merges"},
        token,
    )["lessonPlayback"]
    assert playback["url"].startswith(f"{base}/cdn/")
    seek = httpx.get(playback["url"], headers={"range": "bytes=100-199"})
    assert seek.status_code == 206
    assert len(seek.content) == 100
    assert seek.headers["content-type"] == "video/mp4"
    unsigned = playback["url"].split("?")[0]
    assert httpx.get(unsigned).status_code == 403

    certificates = gql(CERTIFICATES, token=token)["certificates"]
    assert sorted(c["type"] for c in certificates) == ["COURSE", "PROGRAM"]
    url = gql(DOWNLOAD, {"id": certificates[0]["id"]}, token)["certificateDownload"]["url"]
    pdf = httpx.get(url)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_several_workers_need_redis(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env |= {"APP_ENV": "development", "EDXELERA_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-m", "edxelera_gql", "serve", "--workers", "2", "--port", "1"],
        env=env, capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "needs REDIS_URL" in done.stderr


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="several workers share state in Redis")
def test_serve_runs_several_workers_that_share_redis(tmp_path: Path) -> None:
    redis_url = os.environ["REDIS_URL"]
    with serve_app(tmp_path, "--workers", "2", env={"REDIS_URL": redis_url}) as served:
        answers = [
            httpx.post(f"{served.base}/graphql", json={"query": "{ programs { nodes { slug } } }"})
            for _ in range(20)
        ]
        workers = Path(f"/proc/{served.pid}/task").exists() and [
            p for p in Path("/proc").iterdir()
            if p.name.isdigit() and _parent_of(p) == served.pid
        ]  # fmt: skip
    assert all(a.status_code == 200 for a in answers)
    assert all(len(a.json()["data"]["programs"]["nodes"]) == 2 for a in answers)
    assert workers, "no worker processes"
    assert len(workers) >= 2, workers


def _parent_of(proc_dir: Path) -> int | None:
    try:
        fields = (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1])

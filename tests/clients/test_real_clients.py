"""Real GraphQL clients against the live server, as `make run` starts it.

`clients/` holds the Node scripts: graphql-http's GraphQL-over-HTTP audit, Apollo Client's
normalised cache (the refetch loop, ids, errorPolicy "all") and Apollo's persisted-query link.
Each prints a JSON report and exits non-zero when a check fails. They skip on a machine without
node or `clients/node_modules` (`npm ci --prefix clients`), and fail in CI, which installs both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from typing import Any, NoReturn

import pytest

from tests.support.served import ROOT, served

CLIENTS = ROOT / "clients"
STUDENT = "ada@demo.edxelera.test"  # enrolled in the free demo program (edxelera_gql/demo)


def _skip_or_fail(reason: str) -> NoReturn:
    # As tests/support/browser.py: CI installs node and the packages (.ci/run), so only a
    # developer's bare machine may skip.
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI installs it (.ci/run), so it must not be missing")
    pytest.skip(reason)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        _skip_or_fail("needs node (Node.js 20+)")
    if not (CLIENTS / "node_modules").is_dir():
        _skip_or_fail("needs clients/node_modules: run `npm ci --prefix clients`")
    return node


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """`serve` on embedded defaults, as tests/api/test_serve.py starts it; yields the GraphQL
    URL and the demo student's password (printed once on first start)."""
    _node()
    with served(tmp_path_factory.mktemp("clients")) as (base, log, _pid):
        log.seek(0)
        found = re.search(rf"{re.escape(STUDENT)}\s+(\S+)", log.read())
        assert found, "the demo student's password is printed on first start"
        yield f"{base}/graphql", found.group(1)


def _run(script: str, url: str, **env: str) -> tuple[int, dict[str, Any], str]:
    """Runs clients/<script> against the server; returns its exit code, JSON report and stderr."""
    done = subprocess.run(
        [_node(), str(CLIENTS / script), url],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"{script} printed no JSON report (exit {done.returncode}):\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
    return done.returncode, report, done.stderr


def _failed_checks(report: dict[str, Any]) -> str:
    failed = [c for c in report["checks"] if not c["ok"]]
    return json.dumps(failed, indent=2)


def test_graphql_http_audit_passes_every_item(server) -> None:
    url, _password = server
    code, report, stderr = _run("audit.mjs", url)
    assert "fatal" not in report, report["fatal"]
    not_ok = [r for r in report["results"] if r["status"] != "ok"]
    assert not not_ok, (
        f"graphql-http audit: {report['counts']}\n{json.dumps(not_ok, indent=2)}\n{stderr}"
    )
    assert report["counts"]["ok"] == len(report["results"]) > 0
    assert code == 0, stderr


def test_apollo_cache_normalises_without_refetching(server) -> None:
    url, password = server
    code, report, stderr = _run(
        "apollo_normalize.mjs",
        url,
        EDXELERA_DEMO_EMAIL=STUDENT,
        EDXELERA_DEMO_PASSWORD=password,
    )
    per_operation = report.get("requestsPerOperation")
    assert report["ok"], f"{_failed_checks(report)}\nrequests: {per_operation}\n{stderr}"
    assert report["requestsPerOperation"] == {"SignIn": 1, "ProgramList": 1, "ProgramHome": 1}
    assert not report["console"], report["console"]
    assert code == 0, stderr


def test_apollo_persisted_queries_by_post_and_get(server) -> None:
    url, _password = server
    code, report, stderr = _run("apq.mjs", url)
    assert report["ok"], f"{_failed_checks(report)}\n{stderr}"
    for mode in ("POST", "GET"):
        steps = report["modes"][mode]["steps"]
        first = steps["first"]["requests"]
        assert [(r["method"], r["hasQuery"]) for r in first] == [(mode, False), ("POST", True)]
        assert first[0]["errorCodes"] == ["PERSISTED_QUERY_NOT_FOUND"]
        for again in ("again", "fresh client"):
            assert [(r["method"], r["hasQuery"]) for r in steps[again]["requests"]] == [
                (mode, False)
            ]
    assert code == 0, stderr

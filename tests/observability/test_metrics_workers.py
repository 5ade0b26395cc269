"""`serve --workers 2`: the workers share a metrics directory, so any worker's /metrics counts
the requests every worker answered."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from tests.support.metrics import Scrape
from tests.support.served import served as serve_app

QUERY = "query ListPrograms { programs { nodes { slug } } }"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="several workers share state in Redis")
def test_every_worker_answers_metrics_for_all_of_them(tmp_path: Path) -> None:
    with serve_app(tmp_path, "--workers", "2", env={"REDIS_URL": os.environ["REDIS_URL"]}) as s:
        # A new connection each: the kernel spreads them over the workers.
        for _ in range(20):
            answer = httpx.post(f"{s.base}/graphql", json={"query": QUERY})
            assert answer.status_code == 200
        scrapes = [Scrape(httpx.get(f"{s.base}/metrics").text) for _ in range(6)]
        shared = tmp_path / "var" / "prometheus"
        pids = {m.group(1) for p in shared.iterdir() if (m := re.search(r"_(\d+)\.db$", p.name))}
    latency = "edxelera_graphql_request_duration_seconds_count"
    assert [x.value(latency, operation="ListPrograms", type="query") for x in scrapes] == [20] * 6
    assert len(pids) >= 2, pids  # both workers wrote their values there

"""`make bench` keeps working: a tiny rush through the real tool (its own database, gunicorn
on loopback, the load generator), in a subprocess so it sets Django up its own way."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.redis
def test_a_small_rush_gives_exactly_the_places_and_writes_its_figures(require_postgres, redis_url, tmp_path):
    env = {**os.environ, "REDIS_URL": redis_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    before = set((ROOT / "bench" / "results").glob("*.json"))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.rush",
            "--visitors",
            "60",
            "--capacity",
            "10",
            "--concurrency",
            "8",
            "--ceiling-requests",
            "40",
            "--label",
            "test smoke",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    written = sorted(set((ROOT / "bench" / "results").glob("*.json")) - before)
    assert written, run.stdout[-2000:]
    results = json.loads(written[-1].read_text())
    for path in written:
        path.unlink()  # the developer's own results stay; this run's go
    rush = results["rush"]
    assert rush["oversold"] == 0 and rush["booked_counter"] == 10 and rush["successful_responses"] == 10
    assert results["phases"]["rush"]["status"] == {"302": 10, "409": 50}
    assert results["phases"]["booking_page"]["status"] == {"200": 60}
    assert results["checks"]["no_5xx_or_connection_errors"]
    assert {"booking_vs_healthz", "availability_vs_healthz"} <= set(results["ratios"])
    assert "cleaned up" in run.stdout  # its database and Redis keys are gone

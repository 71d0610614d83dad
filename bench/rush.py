"""The booking rush, measured: ``make bench`` / ``make bench-quick`` (docs/performance.md).

One run, on one server, on loopback only:

1. creates its own PostgreSQL database (``jaklitera_bench_<pid>``) next to ``DATABASE_URL``,
   migrates it and collects static files into a temporary directory;
2. seeds N verified members, each already logged in (session cookie + CSRF token),
   and the week's sessions; the rush targets tomorrow's first session (capacity 300);
3. starts the real app under gunicorn (``deploy/gunicorn.conf.py``, ``bench.settings`` =
   production) on a free port of 127.0.0.1 and warms it up;
4. measures the ceilings: ``/healthz`` (one query), the availability page (logged in)
   and ``/api/v1/sessions/``; then every visitor opens the booking page (measured too;
   ``--no-page-first`` skips it) and the rush: every visitor POSTs the booking form once,
   C at a time, like a browser (cookies, CSRF token, house-rules box, form token);
5. counts the reservations in the database against the capacity (oversold must be 0),
   prints the figures and writes ``bench/results/<timestamp>.json``;
6. stops gunicorn, drops the database and deletes its own Redis keys.

Every loop is bounded in count and time. Exit status 1 if anything was oversold, the
counter disagrees with the reservations, or any request failed with a 5xx or a connection error.
"""

import argparse
import asyncio
import collections
import contextlib
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/jaklitera"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
REQUEST_TIMEOUT_S = 30


# --- measuring ----------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    started: float = 0.0
    finished: float = 0.0
    samples: list[tuple[float, float, int]] = field(default_factory=list)  # (start, end, status); 0 = no answer
    errors: collections.Counter = field(default_factory=collections.Counter)

    def summary(self) -> dict:
        done = len(self.samples)
        latencies = sorted((end - start) * 1000 for start, end, _ in self.samples)
        statuses = collections.Counter(str(status) for _, _, status in self.samples)
        duration = self.finished - self.started
        return {
            "requests": done,
            "duration_s": round(duration, 3),
            "rps": round(done / duration, 1) if duration > 0 else 0.0,
            "latency_ms": {
                "p50": _pct(latencies, 50),
                "p90": _pct(latencies, 90),
                "p99": _pct(latencies, 99),
                "max": round(latencies[-1], 1) if latencies else None,
            },
            "status": dict(sorted(statuses.items())),
            "errors_5xx": sum(n for status, n in statuses.items() if status.startswith("5")),
            "connection_errors": statuses.get("0", 0),
            "connection_error_kinds": dict(self.errors),
        }


def _pct(sorted_values: list[float], pct: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return round(sorted_values[index], 1)


async def fire(*, base_url: str, name: str, requests, count: int, concurrency: int, time_limit: float) -> Phase:
    """Send ``count`` requests (``requests(i)`` → method, path, headers, body), ``concurrency``
    at a time, stopping early after ``time_limit`` seconds. Loopback only (see main)."""
    phase = Phase(name)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    next_index = iter(range(count))
    async with aiohttp.ClientSession(
        base_url, connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False
    ) as http:
        stop_at = time.perf_counter() + time_limit

        async def client():
            for i in next_index:
                if time.perf_counter() > stop_at:
                    return
                method, path, headers, body = requests(i)
                start = time.perf_counter()
                try:
                    async with http.request(method, path, headers=headers, data=body, allow_redirects=False) as resp:
                        await resp.read()
                        status = resp.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    status = 0
                    phase.errors[type(exc).__name__] += 1
                phase.samples.append((start, time.perf_counter(), status))

        phase.started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        phase.finished = time.perf_counter()
    return phase


# --- the server and its data --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_connection(database_url: str):
    import psycopg2

    parts = urllib.parse.urlsplit(database_url)
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname="postgres",
    )
    connection.autocommit = True
    return connection


def _with_database(database_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def _manage(env: dict, *args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own


def _wait_healthy(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up; see its log")
        with contextlib.suppress(OSError), urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310
            if response.status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def _redis_cleanup(redis_url: str, run: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    keys = list(client.scan_iter(match=f"*{run}*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])
    return len(keys)


def _machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


# --- the run ------------------------------------------------------------------------


def _loopback_urls() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    for url in (database_url, redis_url):  # the load goes to loopback only
        host = urllib.parse.urlsplit(url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"refusing a non-loopback service: {host}")
    return database_url, redis_url


@contextlib.contextmanager
def prepared(*, extra_env: dict | None = None):
    """A fresh database (``jaklitera_bench_<pid>``) migrated, static files collected, Django set
    up in this process on ``bench.settings``; everything dropped and removed afterwards.
    Yields the environment the app server must get."""
    database_url, redis_url = _loopback_urls()
    run = f"jaklitera_bench_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix=f"{run}-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": _with_database(database_url, run),
        "REDIS_URL": redis_url,
        "BENCH_RUN": run,
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "BENCH_WORKDIR": str(workdir),
        **(extra_env or {}),
    }
    admin = _admin_connection(database_url)
    try:
        print(f"== {run}: database, migrations, static files")
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{run}"')
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput")
        os.environ.update(env)  # this process seeds and checks the same database
        import django

        django.setup()
        yield env
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
        admin.close()
        removed = _redis_cleanup(redis_url, run)
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"== cleaned up: database {run} dropped, {removed} Redis keys removed")


def seeded(*, visitors: int, capacity: int):
    from django.db import connections

    from bench.seed import seed

    print(f"== seeding {visitors} logged-in verified members")
    started = time.perf_counter()
    session_id, people = seed(visitors=visitors, capacity=capacity)
    connections.close_all()
    print(f"   {len(people)} visitors in {time.perf_counter() - started:.1f} s; rush on session {session_id}")
    return session_id, people


@contextlib.contextmanager
def served(env: dict):
    """gunicorn with deploy/gunicorn.conf.py on a free loopback port; yields the base URL."""
    port = _free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "SITE_URL": f"http://127.0.0.1:{port}"}
    log_path = Path(env["BENCH_WORKDIR"]) / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "jaklitera.wsgi", "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        lines = log_path.read_text(errors="replace").splitlines()
        problems = [line for line in lines if " ERROR " in line or "Traceback" in line or "[CRITICAL]" in line]
        if problems:
            print("== gunicorn log problems (last 20):")
            print("\n".join(problems[-20:]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=10_000, help="visitors in the rush (default 10000)")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight (default 64)")
    parser.add_argument("--capacity", type=int, default=300, help="places in the session (default 300)")
    parser.add_argument("--ceiling-requests", type=int, default=5000, help="requests per ceiling (default 5000)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: deploy/gunicorn.conf.py)")
    parser.add_argument("--worker-class", default=None, help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--threads", type=int, default=None, help="threads per gthread worker")
    parser.add_argument("--phase-time-limit", type=float, default=180, help="seconds per phase at most")
    parser.add_argument("--label", default="", help="a note stored with the results")
    parser.add_argument(
        "--no-page-first",
        dest="page_first",
        action="store_false",
        help="visitors POST without opening the booking page first (cold caches; default: they open it)",
    )
    args = parser.parse_args(argv)

    extra = {}
    for name, value in (
        ("GUNICORN_WORKERS", args.workers),
        ("GUNICORN_WORKER_CLASS", args.worker_class),
        ("GUNICORN_THREADS", args.threads),
    ):
        if value is not None:
            extra[name] = str(value)
    with prepared(extra_env=extra) as env:
        session_id, visitors = seeded(visitors=args.visitors, capacity=args.capacity)
        with served(env) as base_url:
            gunicorn = _gunicorn_config(env)
            print(f"== gunicorn on {base_url}: {gunicorn}")
            results = asyncio.run(_measure(args, base_url, session_id, visitors))
        results["server"] = {"gunicorn": gunicorn, "settings": "bench.settings (jaklitera.settings.production)"}
        results["rush"].update(_count_places(session_id, results["phases"]["rush"]))
        return _report(args, results)


def _gunicorn_config(env: dict) -> dict:
    """What deploy/gunicorn.conf.py resolves to under this environment."""
    import runpy

    saved = dict(os.environ)
    try:
        os.environ.update(env)
        conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {name: conf.get(name) for name in ("worker_class", "workers", "threads", "max_requests")}


def _count_places(session_id: int, rush: dict) -> dict:
    """Oversold places are counted in the database: reservations held vs the capacity."""
    from django.db import connections
    from django.db.models import Sum

    from visits.models import Reservation, Session
    from visits.services import quota_check

    session = Session.objects.get(pk=session_id)
    people = Reservation.objects.filter(session=session, status=Reservation.Status.ACTIVE).aggregate(
        n=Sum("party_size")
    )["n"]
    people = people or 0
    counts = {
        "capacity": session.capacity,
        "booked_counter": session.booked,
        "reserved_people": people,
        "oversold": max(0, people - session.capacity),
        "counter_matches_reservations": not quota_check(),
        "successful_responses": rush["status"].get("302", 0),
    }
    connections.close_all()
    return counts


async def _measure(args, base_url: str, session_id: int, visitors) -> dict:
    host = base_url.removeprefix("http://")
    origin = f"https://{host}"
    proxy = {"X-Forwarded-Proto": "https"}  # as the TLS proxy sets it (docs/deployment.md)
    book_path = f"/jadwal/sesi/{session_id}/pesan/"
    tomorrow = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=7, days=1)).date().isoformat()
    limit = args.phase_time_limit
    n = len(visitors)

    def cookies(v) -> str:
        return f"sessionid={v.sessionid}; csrftoken={v.csrf_cookie}"

    def healthz(i):
        return "GET", "/healthz", proxy, None

    def availability(i):
        return "GET", "/jadwal/", {**proxy, "Cookie": cookies(visitors[i % n])}, None

    def sessions_api(i):
        return "GET", f"/api/v1/sessions/?date={tomorrow}", proxy, None

    def booking_form(i):
        return "GET", book_path, {**proxy, "Cookie": cookies(visitors[i % n])}, None

    def book(i):
        v = visitors[i]
        body = {
            "csrfmiddlewaretoken": v.csrf_token,
            "token": str(uuid.uuid4()),
            "acknowledge": "on",
            **{f"child_{k}_{f}": "" for k in range(1, 5) for f in ("name", "age")},
        }
        headers = {
            **proxy,
            "Cookie": cookies(v),
            "Origin": origin,
            "Referer": origin + book_path,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return "POST", book_path, headers, urllib.parse.urlencode(body)

    c = args.concurrency
    load_before = [round(x, 2) for x in os.getloadavg()]
    print("== warm-up (not counted)")
    for requests in (healthz, availability, sessions_api, booking_form):
        await fire(base_url=base_url, name="warm-up", requests=requests, count=4 * c, concurrency=c, time_limit=60)
    phases = {}

    async def measure(name, requests, count):
        phases[name] = await fire(
            base_url=base_url, name=name, requests=requests, count=count, concurrency=c, time_limit=limit
        )
        print(f"   {name:<13} {_line(phases[name].summary())}")

    # The ceiling is measured right before and right after what it is compared with: on this
    # kind of machine two back-to-back runs of the same requests differ a lot (docs/performance.md),
    # so a ceiling from a minute earlier would say little.
    await measure("healthz", healthz, args.ceiling_requests)
    await measure("availability", availability, args.ceiling_requests)
    await measure("sessions_api", sessions_api, args.ceiling_requests)
    await measure("healthz_2", healthz, args.ceiling_requests)
    if args.page_first:
        # A real visitor presses "Pesan" on the booking page they opened moments before; that
        # page is load too, so it is measured here (and it is what makes their user row warm).
        await measure("booking_page", booking_form, n)
        await measure("healthz_3", healthz, args.ceiling_requests)
    print(f"== the rush: {n} visitors, {c} at a time, {args.capacity} places")
    rush = await fire(base_url=base_url, name="rush", requests=book, count=n, concurrency=c, time_limit=limit)
    booked_at = [end for _, end, status in rush.samples if status == 302]
    print(f"   {'rush':<13} {_line(rush.summary())}")
    await measure("healthz_4", healthz, args.ceiling_requests)
    summaries = {name: phase.summary() for name, phase in phases.items()}
    summaries["rush"] = rush.summary()
    if booked_at:
        # The two halves of a rush: while places are given (the expensive path) and the "penuh" after.
        last = max(booked_at)
        filling = [sample for sample in rush.samples if sample[0] <= last]
        after = [sample for sample in rush.samples if sample[0] > last]
        for name, started, finished, samples in (
            ("rush_filling", rush.started, last, filling),
            ("rush_after", last, rush.finished, after),
        ):
            summaries[name] = Phase(name, started, finished, samples).summary()
            print(f"     {name:<11} {_line(summaries[name])}")

    def ceiling(*names) -> float:
        return round(sum(summaries[name]["rps"] for name in names) / len(names), 1) or 1.0

    before_rush = "healthz_3" if args.page_first else "healthz_2"
    pages_ceiling = ceiling("healthz", "healthz_2")
    rush_ceiling = ceiling(before_rush, "healthz_4")
    return {
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "profile": {
            "visitors": n,
            "concurrency": c,
            "capacity": args.capacity,
            "ceiling_requests": args.ceiling_requests,
            "page_first": args.page_first,
        },
        "phases": summaries,
        "rush": {
            "last_place_taken_s": round(max(booked_at) - rush.started, 3) if booked_at else None,
            "drain_s": round(rush.finished - rush.started, 3),
        },
        "ratios": {
            # Each against the mean of the /healthz runs right before and right after it.
            "ceiling_for_pages_rps": pages_ceiling,
            "ceiling_for_rush_rps": rush_ceiling,
            "booking_vs_healthz": round(summaries["rush"]["rps"] / rush_ceiling, 2),
            "availability_vs_healthz": round(summaries["availability"]["rps"] / pages_ceiling, 2),
            "sessions_api_vs_healthz": round(summaries["sessions_api"]["rps"] / pages_ceiling, 2),
        },
        "machine": {**_machine(), "load_average_before": load_before},
    }


def _line(s: dict) -> str:
    lat = s["latency_ms"]
    return (
        f"{s['requests']:>6} req {s['rps']:>8.1f}/s  p50 {lat['p50']} p90 {lat['p90']} p99 {lat['p99']} "
        f"max {lat['max']} ms  status {s['status']}"
    )


def _report(args, results: dict) -> int:
    rush, phases, ratios = results["rush"], results["phases"], results["ratios"]
    # rush_filling and rush_after are the rush's own requests again: not counted twice.
    errors = sum(p["errors_5xx"] + p["connection_errors"] for name, p in phases.items() if not name.startswith("rush_"))
    checks = {
        "oversold_is_0": rush["oversold"] == 0 and rush["booked_counter"] <= rush["capacity"],
        "counter_matches_reservations": rush["counter_matches_reservations"],
        "no_5xx_or_connection_errors": errors == 0,
        "booking_rps_ge_half_ceiling": ratios["booking_vs_healthz"] >= 0.5,
        "availability_rps_ge_half_ceiling": ratios["availability_vs_healthz"] >= 0.5,
        "booking_p99_le_300ms": (phases["rush"]["latency_ms"]["p99"] or 0) <= 300,
    }
    results["checks"] = checks
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{stamp}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print("== results")
    print(
        f"   places {rush['capacity']}: taken {rush['booked_counter']} (counter), "
        f"{rush['reserved_people']} (reservations), oversold {rush['oversold']}; "
        f"302 responses {rush['successful_responses']}"
    )
    print(f"   last place taken after {rush['last_place_taken_s']} s; rush drained in {rush['drain_s']} s")
    print(
        f"   ceilings (/healthz right before and after): pages {ratios['ceiling_for_pages_rps']}/s, "
        f"rush {ratios['ceiling_for_rush_rps']}/s"
    )
    print(
        f"   booking/healthz {ratios['booking_vs_healthz']}  availability/healthz "
        f"{ratios['availability_vs_healthz']}  api/healthz {ratios['sessions_api_vs_healthz']}"
    )
    print(f"   machine: {results['machine']}")
    for name, ok in checks.items():
        print(f"   {'PASS' if ok else 'MISS'} {name}")
    print(f"== written {path.relative_to(ROOT)}")
    hard = ("oversold_is_0", "counter_matches_reservations", "no_5xx_or_connection_errors")
    return 0 if all(checks[name] for name in hard) else 1


if __name__ == "__main__":
    sys.exit(main())

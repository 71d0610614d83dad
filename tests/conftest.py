"""Shared fixtures. Service-backed tests skip on a laptop without the service,
but under JAKLITERA_STRICT_SERVICES=1 (CI) a missing service fails the run."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

STRICT = os.environ.get("JAKLITERA_STRICT_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _require(available: bool, reason: str) -> None:
    if available:
        return
    if STRICT:
        pytest.fail(f"{reason} (required in CI: JAKLITERA_STRICT_SERVICES=1)")
    pytest.skip(reason)


def pytest_sessionfinish(session, exitstatus):
    # In CI a skipped test means a service test did not run: that is a failure.
    if not STRICT:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"STRICT: {len(skipped)} test(s) skipped; CI requires every test to run.", red=True)
        session.exitstatus = 1


@pytest.fixture
def require_postgres(settings):
    from django.db import connection

    _require(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    available = False
    if url:
        import redis

        try:
            available = bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
        except redis.RedisError:
            available = False
    _require(available, "needs Redis: set REDIS_URL=redis://...")
    return url


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; each test starts from zero (and renders its own pages).
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _english_off(settings):
    settings.LANGUAGE_CODE = "id"


@pytest.fixture
def artifacts_dir():
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test-artifacts")
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def _playwright_browser():
    _require(shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM), f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def screen(_playwright_browser):
    """Another device: ``screen(width, height)`` is a fresh page in its own browser context
    (its own cookies), closed after the test."""
    contexts = []

    def make(width: int, height: int):
        context = _playwright_browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
        contexts.append(context)
        new_page = context.new_page()
        new_page.set_default_timeout(15_000)
        return new_page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(screen):
    """A phone-sized page (360×740)."""
    return screen(360, 740)

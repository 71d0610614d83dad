"""Settings for `make bench`: ``jaklitera.settings.production`` unchanged, except what a
benchmark on a shared machine needs (see docs/performance.md):

- the cache key prefix and the Celery queue are the run's own (``BENCH_RUN``), so the
  bench removes exactly what it wrote to a shared Redis and no worker picks its emails;
- static files are collected into the run's temporary directory.

Everything else is production: DEBUG off, the full middleware stack (WhiteNoise, CSP,
sessions, CSRF, auth, messages, clickjacking, rate limits), sessions in Redis backed by
PostgreSQL, persistent database connections, secure cookies and SECURE_SSL_REDIRECT on
(the load generator sends ``X-Forwarded-Proto: https`` like the TLS proxy does).
"""

from jaklitera.settings.production import *  # noqa: F403
from jaklitera.settings.production import CACHES, env

BENCH_RUN = env("BENCH_RUN")
CACHES["default"]["KEY_PREFIX"] = BENCH_RUN
CELERY_TASK_DEFAULT_QUEUE = BENCH_RUN
STATIC_ROOT = env("BENCH_STATIC_ROOT")

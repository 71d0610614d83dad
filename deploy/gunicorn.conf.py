"""gunicorn settings for production. Worker class and count: see docs/deployment.md."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Chosen by `make bench` (docs/performance.md): gthread, cores + 1 processes × 4 threads. The
# booking request waits on PostgreSQL and Redis for part of its time, threads fill that wait;
# the threads keep connections alive, and more processes than cores + 1 only add switching.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = 30
graceful_timeout = 30
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

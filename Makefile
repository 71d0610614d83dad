# Jaklitera: `make run` for a laptop, `make test` for the whole suite.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv run migrate seed test lint format messages worker beat web clean bench bench-quick bench-profile

help:
	@echo "make run      - set up .venv, migrate SQLite, seed demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test     - run the whole test suite (PostgreSQL/Redis/Chromium tests skip if absent, except in CI)"
	@echo "make lint     - ruff"
	@echo "make messages - refresh translations, fill Indonesian, compile (needs GNU gettext; see docs/i18n.md)"
	@echo "make web / worker / beat - production-like processes (need DATABASE_URL, REDIS_URL)"
	@echo "make bench    - the booking rush under gunicorn: 10,000 visitors, 64 at a time (PostgreSQL + Redis)"
	@echo "make bench-quick / bench-profile - 1,000 visitors / pyinstrument profile of a booking"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo "Jaklitera on http://$(HOST):$(PORT)  (emails, incl. OTP codes, are printed below)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: venv
	$(PY) manage.py makemessages -l id -l en --no-location --ignore=.venv --ignore=tests --ignore=test-artifacts --ignore=var
	$(PY) scripts/po_fill_identity.py
	$(PY) manage.py compilemessages --ignore=.venv

web: venv
	DJANGO_SETTINGS_MODULE=jaklitera.settings.production $(PY) manage.py collectstatic --noinput
	DJANGO_SETTINGS_MODULE=jaklitera.settings.production $(VENV)/bin/gunicorn jaklitera.wsgi -c deploy/gunicorn.conf.py

worker: venv
	DJANGO_SETTINGS_MODULE=jaklitera.settings.production $(VENV)/bin/celery -A jaklitera worker -l info

beat: venv
	DJANGO_SETTINGS_MODULE=jaklitera.settings.production $(VENV)/bin/celery -A jaklitera beat -l info --schedule var/celerybeat-schedule

# The booking rush, measured (docs/performance.md). Uses DATABASE_URL / REDIS_URL or the local
# services; creates and drops its own database. Pass options with BENCH_ARGS="--workers 3 ...".
bench: venv
	$(PY) -m bench.rush $(BENCH_ARGS)

bench-quick: venv
	$(PY) -m bench.rush --visitors 1000 --ceiling-requests 1000 $(BENCH_ARGS)

bench-profile: venv
	$(PY) -m bench.profile $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles test-artifacts

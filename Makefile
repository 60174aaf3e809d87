# Newsroom: `make run` serves the demo, `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench serve loadtest worker clean

$(VENV)/.installed: requirements.txt
	@PYBIN=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

install: $(VENV)/.installed

db: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_countries

run: db
	$(PY) manage.py ingest seeds/
	@echo "Newsroom on http://$(HOST):$(PORT)/ (task worker running beside it; Ctrl-C stops both)"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(PY) manage.py db_worker --interval 1 --no-reload & \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# Production serving: gunicorn (static files through whitenoise), the task workers, and a
# watcher that re-queues annotations a dead worker left half-done. Settings come from the
# environment (README, "Deployment"): at least SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
# Workers and threads: sized for the machine by newsroom/gunicorn.conf.py unless set here.
WEB_WORKERS ?=
WEB_THREADS ?=
TASK_WORKERS ?= 1
serve: install
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Newsroom (production) on http://$(HOST):$(PORT)/; Ctrl-C stops everything"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(PY) manage.py requeue_stale --every 300 & \
	for i in $$(seq $(TASK_WORKERS)); do $(PY) manage.py db_worker --no-reload --interval 1 & done; \
	WEB_WORKERS=$(WEB_WORKERS) WEB_THREADS=$(WEB_THREADS) $(VENV)/bin/gunicorn newsroom.wsgi \
	  -c newsroom/gunicorn.conf.py --bind $(HOST):$(PORT) --access-logfile -

# Load test (not part of `make test`): 50 users for 60 s against gunicorn on 127.0.0.1 and
# the 100,000-statement PostgreSQL database LOAD_DB (created and filled once), then a
# stress run that finds the highest request rate served with p95 <= 300 ms.
loadtest: install
	$(PY) loadtest/run.py

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Benchmarks (not part of `make test`): ingest throughput, parallel ingest, memory, and
# page timings, cache off and on, at 10k/100k statements on SQLite and 10k/100k/1M on
# PostgreSQL when a server answers (BENCH_SIZES, BENCH_SKIP: see bench/run.py).
bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache

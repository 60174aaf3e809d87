# Newsroom: `make run` serves the demo, `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench serve faulttest loadtest worker clean

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
	@echo "Newsroom on http://$(HOST):$(PORT)/ (task worker and feed clock running beside it; Ctrl-C stops all)"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(PY) manage.py work --interval 1 --no-reload --queue-name default,large & \
	$(PY) manage.py feeds poll --every 60 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# Production serving under supervisord (docs/operations.md): gunicorn (static files through
# whitenoise), the annotation workers, the watcher and the feed clock, each restarted when
# it stops. Settings come from the environment: at least SECRET_KEY, ALLOWED_HOSTS and
# DATABASE_URL. `make serve` stays in the foreground; SIGTERM or Ctrl-C stops everything.
# Gunicorn workers and threads: sized for the machine by newsroom/gunicorn.conf.py unless set.
WEB_WORKERS ?=
WEB_THREADS ?=
TASK_WORKERS ?= 1
RUN_DIR ?= var
serve: install
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput -v 0
	mkdir -p $(RUN_DIR)
	$(PY) scripts/supervisord_conf.py --host $(HOST) --port $(PORT) --run-dir $(RUN_DIR) \
	  $(if $(WEB_WORKERS),--web-workers $(WEB_WORKERS)) $(if $(WEB_THREADS),--web-threads $(WEB_THREADS)) --task-workers $(TASK_WORKERS) \
	  > $(RUN_DIR)/supervisord.conf.new
	mv $(RUN_DIR)/supervisord.conf.new $(RUN_DIR)/supervisord.conf
	@echo "Newsroom (production) on http://$(HOST):$(PORT)/; supervisorctl -c $(RUN_DIR)/supervisord.conf status"
	exec $(VENV)/bin/supervisord -c $(RUN_DIR)/supervisord.conf

# Fault test (not part of `make test`): a throwaway PostgreSQL on a free port, `make serve`
# against it, then database outages, a frozen database, killed workers, a big article,
# concurrent ingests and a gunicorn reload under load; one line per scenario.
faulttest: install
	$(PY) scripts/faulttest.py

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
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache var

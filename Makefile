# Newsroom: `make run` serves the demo, `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench serve worker clean

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

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Benchmarks (not part of `make test`): ingest throughput, parallel ingest, memory, and
# page timings at 10k/100k statements on SQLite and, when a server answers, PostgreSQL.
bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache

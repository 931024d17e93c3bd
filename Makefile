# make run   — set up and serve the site on http://127.0.0.1:8000 (SQLite and demo data by default)
# make test  — set up, lint and run the whole suite (again on PostgreSQL when TEST_DATABASE_URL is set)
# make bench — load-test the site against a minimal Flask app with wrk (PostgreSQL: BENCH_DATABASE_URL)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
FLASK := $(BIN)/flask --app wsgi

.PHONY: install run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[postgres,redis,test]'
	touch $@

install: $(STAMP)

# Links in pages, mail and calendar files point where make run serves, unless SITE_URL is set.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	GUNICORN_BIND=$(HOST):$(PORT) WEB_CONCURRENCY=$${WEB_CONCURRENCY:-2} \
		$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	@echo "== test suite on SQLite =="
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== test suite on PostgreSQL =="; \
		$(BIN)/pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "TEST_DATABASE_URL is not set: CI must run the suite on PostgreSQL too." >&2; exit 1; \
	else \
		echo "Skipped the PostgreSQL run: set TEST_DATABASE_URL=postgresql://user@host/db to include it."; \
	fi

bench: $(STAMP)
	@if ! command -v wrk >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing wrk (Debian package) ..."; \
			apt-get install -y -q wrk || { apt-get update -q && apt-get install -y -q wrk; }; \
		else \
			echo "make bench needs the load generator wrk: run 'sudo apt-get install wrk'" \
				"(Debian/Ubuntu) or install it from https://github.com/wg/wrk, then try again." >&2; \
			exit 1; \
		fi; \
	fi
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

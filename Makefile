# make run   — set up and serve the site on http://127.0.0.1:8000 (SQLite and demo data by default)
# make test  — set up, lint and run the whole suite (again on PostgreSQL when TEST_DATABASE_URL is set)
# make test-clock — the date-sensitive tests again, the clock pinned at each awkward instant below
# make bench — load-test the site against a minimal Flask app with wrk (PostgreSQL: BENCH_DATABASE_URL)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
FLASK := $(BIN)/flask --app wsgi

.PHONY: install run test test-clock lint format bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=69'
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
	$(BIN)/lint-imports --no-cache

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

# Instants (UTC) where a test that assumes how "today" looks breaks: a month's first minutes
# (still the last evening of the old month in the US), the 9th at noon, the last evening of
# February and of the year, a late evening, the eves of the US spring-forward and fall-back
# changes and noon on the day after each.
CLOCK_INSTANTS ?= 2027-04-01T00:10:00Z 2027-06-09T12:00:00Z 2027-02-28T23:50:00Z \
	2026-12-31T23:50:00Z 2027-05-19T21:45:00Z 2027-03-13T23:30:00Z 2027-03-15T12:00:00Z \
	2027-11-06T23:30:00Z 2027-11-08T12:00:00Z

# The tests marked `clock` (booking, calendar, waitlist offers and expiry, the admin's calls,
# the browser flows), on SQLite, once per instant: TEST_CLOCK_AT pins every test's clock there.
# CLOCK_JOBS instants run at once (each in its own folder); a failing one's output is shown.
CLOCK_JOBS ?= 2
test-clock: $(STAMP)
	@logs=$$(mktemp -d); \
	printf '%s\n' $(CLOCK_INSTANTS) | xargs -P $(CLOCK_JOBS) -I{} sh -c ' \
		if TEST_DATABASE_URL= TEST_CLOCK_AT={} $(BIN)/pytest -m clock -q \
			--basetemp='"$$logs"'/{}.tmp $(PYTEST_ARGS) > '"$$logs"'/{}.log 2>&1; \
		then echo "== clock pinned at {}: $$(tail -n 1 '"$$logs"'/{}.log)"; \
		else echo "== clock pinned at {}: FAILED"; cat '"$$logs"'/{}.log; exit 1; fi'; \
	status=$$?; rm -rf "$$logs"; exit $$status

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

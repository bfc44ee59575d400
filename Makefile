# `make run` works on a fresh machine with nothing but Python 3.11; `make test` adds the Debian packages below.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test test-packages lint format audit bench bench-lanes clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	mkdir -p var/static
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo --skip-unless-debug
	DEBUG=$${DEBUG:-true} PORT=$(PORT) exec bash bin/serve

PYTEST_ARGS ?= -n 2

# What the tests run for real, from Debian's packages, installed when missing: Chromium for the
# browser tests (Playwright cannot download a browser here); redis-server and PostgreSQL's own
# binaries (initdb, pg_ctl) for the fault tests, which start and kill copies of their own.
TEST_PACKAGES := $(if $(wildcard /usr/bin/chromium),,chromium) \
	$(if $(wildcard /usr/bin/redis-server),,redis-server) \
	$(if $(wildcard /usr/lib/postgresql/*/bin/initdb),,postgresql)

test-packages:
	$(if $(strip $(TEST_PACKAGES)),apt-get update -qq && apt-get install -y -qq $(TEST_PACKAGES) >/dev/null,@true)

test: $(STAMP) test-packages
	mkdir -p var/static
	$(BIN)/ruff check .
	DEBUG=true $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

# Known vulnerabilities in the dependencies (pip-audit); says "SKIPPED" where pypi.org cannot answer.
audit: $(STAMP)
	$(BIN)/python bin/audit

bench: $(STAMP)
	DEBUG=true $(BIN)/python manage.py bench_speed_to_lead --apps bare,product --leads 120 --rounds 3 $(BENCH_ARGS)

bench-lanes: $(STAMP)
	DEBUG=true $(BIN)/python manage.py bench_lanes --leads 40 --rate 4 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3*

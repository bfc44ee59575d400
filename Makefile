# `make run` and `make test` work on a fresh machine with nothing but Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format audit bench bench-lanes clean

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

# Browser tests drive Debian's Chromium: Playwright cannot download a browser here.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium >/dev/null

test: $(STAMP) $(CHROMIUM)
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

# The Partnership Portal. `make run` sets everything up and serves it; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# gunicorn for `make serve` (and `make bench`): chosen from measurements in docs/PERFORMANCE.md.
WORKERS ?= 2
THREADS ?= 4
# pytest-xdist workers for `make test` (0 runs the tests in this one process). Each worker has its
# own SQLite files, live servers, Chromium and PostgreSQL database (<name>_gw0, <name>_gw1...).
TEST_WORKERS ?= 2
export FLASK_APP := wsgi

.DEFAULT_GOAL := help
.PHONY: help setup run serve bench test test-multi test-browser lint format mutation db-upgrade seed screenshots clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

app/static/vendor/.built: node_modules/.installed scripts/build-assets.mjs $(wildcard app/static/scss/*.scss) $(wildcard app/static/js/*.mjs) app/static/favicon.svg
	node scripts/build-assets.mjs
	touch $@

setup: $(BIN)/.installed app/static/vendor/.built ## Create the virtualenv, install packages, build assets

db-upgrade: setup ## Apply database migrations (DATABASE_URL, default a SQLite file in instance/)
	$(BIN)/flask db upgrade

seed: db-upgrade ## Load the demo partnership (idempotent; never in production)
	$(BIN)/flask demo seed

run: db-upgrade ## Set up, migrate, seed an empty database and serve on 127.0.0.1:$(PORT)
	$(BIN)/flask demo seed --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

serve: db-upgrade ## Serve as in production: gunicorn, $(WORKERS) workers x $(THREADS) threads on 127.0.0.1:$(PORT)
	$(BIN)/gunicorn --workers $(WORKERS) --worker-class gthread --threads $(THREADS) \
		--bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

bench: setup scripts/lighthouse/node_modules/.installed ## Load-test the key pages on county-scale data against bare Flask (docs/PERFORMANCE.md); BENCH_DATABASE_URL for PostgreSQL
	$(BIN)/python scripts/bench.py

# Lighthouse is for the benchmark only, pinned in its own package.json (not part of `make setup`).
scripts/lighthouse/node_modules/.installed: scripts/lighthouse/package.json scripts/lighthouse/package-lock.json
	cd scripts/lighthouse && npm ci --no-audit --no-fund
	touch $@

test: setup ## Run every test (also on PostgreSQL when TEST_DATABASE_URL is set)
	mkdir -p build
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --junitxml=build/junit.xml

test-multi: setup ## Two app instances on one PostgreSQL and Redis (needs TEST_DATABASE_URL, TEST_REDIS_URL)
	$(BIN)/pytest -n 0 tests/test_multi_instance.py

test-browser: setup ## Run only the browser tests (Chromium: sudo apt-get install -y chromium)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal tests/browser

screenshots: setup ## Screenshot every page at 1280px and 375px wide into screenshots/
	rm -rf screenshots
	PORTAL_SCREENSHOTS=screenshots $(BIN)/pytest -q tests/browser
	@echo "$$(find screenshots -name '*.png' | wc -l) screenshots are in screenshots/, one folder per role."

lint: setup ## Check the code with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

mutation: setup ## Break each rule in the services in turn: some test must fail (docs/MUTATION.md)
	$(BIN)/python scripts/mutate.py

format: setup ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove everything the build made (keeps instance/ and its database)
	rm -rf $(VENV) node_modules app/static/vendor build .pytest_cache .ruff_cache

# Two commands for a newcomer: `make run` (the demo on http://127.0.0.1:8000, http://lima.localhost:8000
# and http://carmen.localhost:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format messages services bench bench-scale loadtest audit screenshots migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

# Links in the portal's e-mails point where it runs (SITE_URL, unless already set); its port is
# also the demo sites' (lima.localhost and carmen.localhost: browsers send *.localhost to the
# loopback, where the server listens).
run: export SITE_URL ?= http://$(HOST)
run: migrate
	$(BIN)/python manage.py seed_demo --listings 120 --only-if-empty
	$(BIN)/python manage.py runserver $(HOST)

# The suite runs in a random order (pytest-randomly; the seed is printed in its header):
# PYTEST_ARGS="-p randomly --randomly-seed=N" repeats an order, "-p no:randomly" keeps file order.
# The suite runs in one process per core (pytest-xdist); each worker gets its own test database,
# Elasticsearch index, media folders and live-server port. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the Spanish/English catalogues after changing strings (needs GNU gettext);
# the compiled .mo files are committed so that a new machine needs no gettext.
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l es -l en --ignore=.venv --ignore=node_modules --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

# PostgreSQL, Elasticsearch and Chromium for a developer's machine (see .ci/README.md).
services:
	bash .ci/services.sh

# Benchmarks (docs/benchmarks.md): starts PostgreSQL and Elasticsearch, then every benchmark at
# 100,000 listings, each step with a time limit, within 20 minutes.
bench: $(VENV)/.installed-bench
	command -v wrk >/dev/null || apt-get install -y -q wrk
	eval "$$(bash .ci/services.sh postgres postgres-replica elasticsearch)" && $(BIN)/python benchmarks/run.py

# The scale curves (docs/bench-scale.svg): API, page, rebuild and import at 10,000, 100,000 and
# 1,000,000 listings over fifty municipalities (BENCH_SIZES to choose). The databases of each size
# are seeded once and kept; the first run takes about an hour, later ones less.
BENCH_SIZES ?= 10000,100000,1000000
bench-scale: $(VENV)/.installed-bench
	command -v wrk >/dev/null || apt-get install -y -q wrk
	eval "$$(bash .ci/services.sh postgres elasticsearch)" && $(BIN)/python benchmarks/run.py --scale --sizes $(BENCH_SIZES)

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

# Load test: 50 users for 60 s while staff approve applications. Then the faults, each under the
# same load: PostgreSQL restarted (a cluster of its own, .ci/services.sh postgres-faults, port
# 5440), and a two-node Elasticsearch cluster with a node killed, the cluster stopped (the
# database answers) and restarted (the index catches up by itself). About 15 minutes.
loadtest: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/load_test.py
	eval "$$(bash .ci/services.sh postgres-faults)" && $(BIN)/python benchmarks/faults_postgres.py
	eval "$$(bash .ci/services.sh elasticsearch-cluster)" && $(BIN)/python benchmarks/faults_elasticsearch.py

# Audit of the served demo (README, "Audit"): Lighthouse (mobile), axe-core and the Nu Html Checker
# over every public page and every wizard step, with thresholds; slow, so not part of `make test`.
audit: $(VENV)/.installed-dev
	command -v java >/dev/null || (apt-get update -qq && apt-get install -y -q --no-install-recommends default-jre-headless)
	eval "$$(bash .ci/services.sh chromium)" && $(BIN)/python tools/audit/audit.py

# The README's screenshots (docs/screenshots/*.png): a 360-pixel-wide phone, first screen.
screenshots: $(VENV)/.installed-dev
	eval "$$(bash .ci/services.sh chromium)" && $(BIN)/python tools/audit/screenshots.py

clean:
	rm -rf var db.sqlite3

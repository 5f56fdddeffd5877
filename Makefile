# surveykit: the three commands of the README, plus helpers.
#   make demo   set up, build the demo database, serve every Voila app (prints their URLs)
#   make test   set up and run the whole test suite (lint, unit, notebooks, browser, PostgreSQL)
#   make lab    set up and open JupyterLab on notebooks/
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.surveykit-installed
PORT ?= 8866
# the suite on every core (test files kept whole on one worker: their module fixtures start servers once)
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: setup demo serve test lab bench lint format clean

$(STAMP): pyproject.toml tools/bootstrap_venv.py
	$(PYTHON) tools/bootstrap_venv.py $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/surveykit db upgrade
	$(BIN)/surveykit demo build --if-missing --plant-falsifiers
	$(BIN)/surveykit serve --port $(PORT)

serve: setup
	$(BIN)/surveykit serve --port $(PORT)

# JupyterHub's proxy (configurable-http-proxy, from npm) for the hub test, into .venv/node (git-ignored);
# without npm the hub test is skipped (in CI, .ci/run installs npm and SURVEYKIT_REQUIRE_BROWSER=1 fails instead)
CHP := $(VENV)/node/node_modules/.bin/configurable-http-proxy

$(CHP):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix $(VENV)/node --no-audit --no-fund --loglevel=error configurable-http-proxy@5; \
	else echo "npm not found: the JupyterHub test will be skipped (apt-get install npm)"; fi

test: setup $(CHP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: setup
	$(BIN)/surveykit db upgrade
	$(BIN)/surveykit demo build --if-missing --plant-falsifiers
	$(BIN)/jupyter lab --notebook-dir=notebooks

bench: setup
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check surveykit tests benchmarks

format: setup
	$(BIN)/ruff format surveykit tests benchmarks
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis artifacts

# datagen: set-up, checks, demo and benchmarks. `make` alone runs `make build` (lint + test).
# Needs GNU make and Python 3.11; everything else is installed into ./.venv on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := build

# The interpreter that creates the virtualenv: python3.11 if present, else python3.
ifndef PYTHON
PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
endif

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Written after a successful install; a requirements file or pyproject.toml newer
# than its stamp means the virtualenv is refreshed. RUNTIME_STAMP: requirements.txt
# and the project (all `make demo` needs); STAMP: requirements-dev.txt on top.
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
SERVICES := scripts/services.sh
AZCOPY_SCRIPT := scripts/azcopy_output.sh
PIP := $(PY) -m pip --disable-pip-version-check --no-input

# Recipes see the virtualenv first on PATH, as if it were activated, so scripts and
# tests find `python`, `datagen` and the tools installed there.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)

DEMO_SEED ?= 42
DEMO_JOURNEYS := output/journeys/demo
PYTEST_ARGS ?=
BENCH ?= $(wildcard bench/bench_*.py)

.PHONY: help build .venv venv dev lint black test demo bench services-up services-down \
	azcopy_output clean distclean

help:  ## List the targets.
	@grep -E '^[a-z_. -]+:.*## ' $(MAKEFILE_LIST) \
		| awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

build: lint test  ## lint + test (the default).

.venv venv: $(RUNTIME_STAMP)  ## Create ./.venv with the runtime (requirements.txt) and the project.

dev: $(STAMP)  ## .venv, plus the sinks' libraries and the test stack (requirements-dev.txt).

$(RUNTIME_STAMP): requirements.txt pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "make: no python3.11 or python3 on PATH; install Python 3.11" >&2; exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "make: $(PYTHON) is older than 3.11; install Python 3.11" >&2; exit 1; }
	@if [ ! -x $(PY) ]; then \
		echo "==> creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV) || { echo "make: '$(PYTHON) -m venv' failed" \
			"(on Debian/Ubuntu: apt-get install python3.11-venv)" >&2; exit 1; }; \
	fi
	@echo "==> installing the runtime requirements (requirements.txt) into $(VENV)"
	@$(PIP) install --quiet -r requirements.txt
	@echo "==> installing the project into $(VENV) (pip install -e .)"
	@$(PIP) install --quiet -e .
	@touch $@

$(STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	@echo "==> installing the sinks' libraries and the test, lint and benchmark" \
		"stack (requirements-dev.txt) into $(VENV)"
	@$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

lint: $(STAMP)  ## flake8 over the project (settings in .flake8), mypy over datagen/.
	$(BIN)/flake8 .
	$(BIN)/mypy

black: $(STAMP)  ## Format the code with black.
	$(BIN)/black .

# pytest exits 5 when it collected no tests: that is a failure here, never a pass.
test: $(STAMP)  ## Start the test servers (scripts/services.sh) and run pytest.
	@if [ -f $(SERVICES) ]; then bash $(SERVICES) up; fi
	@status=0; $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then \
		echo "make test: pytest collected no tests; treating that as a failure" >&2; \
		exit 1; \
	fi; exit $$status

demo: $(RUNTIME_STAMP)  ## Generate documents and journeys (fixed seed) into ./output, replay them.
	@echo "==> 1/5 20 starfleet_account documents, one pretty JSON file each, in output/documents"
	$(PY) generate.py document -p starfleet_account -q 20 --seed $(DEMO_SEED) \
		-o output/documents
	@echo "==> 2/5 10,000 e-commerce orders as JSON lines in output/documents/order.jsonl"
	$(PY) generate.py document -p order -q 10000 --format jsonl --seed $(DEMO_SEED) \
		-o output/documents
	@echo "==> 3/5 3 starfleet journeys (a zip + metadata JSON each) in $(DEMO_JOURNEYS)"
	rm -rf $(DEMO_JOURNEYS)
	$(PY) generate.py journey -p starfleet -q 3 --seed $(DEMO_SEED) -o $(DEMO_JOURNEYS)
	@echo "==> 4/5 replay of those journeys on one timeline, as fast as possible, to stdout"
	$(PY) generate.py replay $(DEMO_JOURNEYS) --speed 0
	@echo "==> 5/5 the banking state machine drawn into output/banking.svg (Graphviz's dot)"
	@bash scripts/graphviz.sh
	@if command -v dot >/dev/null; then \
		$(PY) generate.py graph banking -o output/banking.svg; fi
	@echo "==> done: the same seed gives the same bytes on every run;" \
		"try '$(PY) generate.py --help'"

bench: $(STAMP)  ## Run the benchmarks in bench/ (BENCH=bench/x.py for one); figures in README.
	@if [ -f $(SERVICES) ]; then bash $(SERVICES) up; fi
	@for script in $(BENCH); do \
		echo "==> $$script"; $(PY) $$script || exit 1; \
	done

services-up: $(STAMP)  ## Start the test servers on 127.0.0.1 (Kafka, registry, moto, Azurite).
	@test -f $(SERVICES) || { echo "make: $(SERVICES) is missing" >&2; exit 1; }
	bash $(SERVICES) up

services-down:  ## Stop the test servers that services-up started.
	@if [ -f $(SERVICES) ]; then bash $(SERVICES) down; fi

azcopy_output: $(STAMP)  ## Copy ./output to BLOB_CONTAINER_URL with BLOB_SAS_TOKEN (azcopy).
	@test -f $(AZCOPY_SCRIPT) || { echo "make: $(AZCOPY_SCRIPT) is missing" >&2; exit 1; }
	bash $(AZCOPY_SCRIPT)

clean:  ## Remove ./output, caches and build files (keeps .venv).
	rm -rf output build dist .pytest_cache *.egg-info
	find . -path ./$(VENV) -prune -o -path ./.services -prune -o \
		-name __pycache__ -type d -exec rm -rf {} +

distclean: services-down clean  ## clean, and remove .venv and the test servers' files.
	rm -rf $(VENV) .services

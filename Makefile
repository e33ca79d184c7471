# privmon: `make demo` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMPS := .make-stamps

.PHONY: help setup demo farm-demo test test-device bench clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: $(STAMPS)/system $(STAMPS)/venv $(STAMPS)/hooks $(STAMPS)/networks ## Install everything: Debian packages, venv, npm packages for hooks/ and the network-owner database

$(STAMPS)/system: scripts/install-system-deps.sh
	@bash scripts/install-system-deps.sh
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/venv: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "privmon needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/hooks: hooks/package.json hooks/package-lock.json
	cd hooks && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/networks: monitor/knowledge/networks/package.json monitor/knowledge/networks/package-lock.json
	cd monitor/knowledge/networks && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

demo: setup ## Run the demo lab session: findings, evidence bundle, then the dashboard (DEMO_SERVE=0 to skip it)
	@bash scripts/demo.sh

farm-demo: setup ## The farm on this machine: Redis, three simulated phones and their workers, nine queued runs, then the dashboard (FARM_SERVE=0 to skip it)
	@bash scripts/farm-demo.sh

test: setup ## Run the test suite (the lab end-to-end tests included)
	bash scripts/run-tests.sh

test-device: setup ## Run the tests that need a real phone or emulator (adb must see it)
	PRIVMON_DEVICE_TESTS=1 $(PY) -m pytest -m device

bench: setup ## Run the benchmarks (results go in docs/performance.md)
	bash scripts/install-system-deps.sh bench
	$(PY) bench/bench_writer.py --record
	$(PY) bench/bench_proxy.py --record
	$(PY) bench/bench_proxy.py --path run --record
	$(PY) bench/bench_analysis.py --record
	$(PY) bench/bench_live.py --record
	$(PY) bench/bench_farm.py --record
	$(PY) bench/bench_dashboard.py --report --record
	$(PY) bench/bench_matcher.py --record
	$(PY) bench/bench_hooks.py --record
	$(PY) bench/bench_redirect.py --record

clean: ## Remove the venv, node_modules and build stamps
	rm -rf $(VENV) hooks/node_modules monitor/knowledge/networks/node_modules $(STAMPS) demo-output

#!/usr/bin/env bash
# Runs the test suite. pytest's "no tests collected" (exit 5) counts as a failure here on
# purpose: a suite that silently ran nothing must not pass CI.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
# House rules first (pyproject.toml [tool.ruff]): lint, then formatting, lines <= 110.
.venv/bin/ruff check . || exit 1
.venv/bin/ruff format --check . || exit 1
# Tests that need a real phone are deselected here (not skipped): `make test-device` runs them.
.venv/bin/python -m pytest -m "not device" "$@"

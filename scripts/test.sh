#!/usr/bin/env bash
# README command 2: install with the dev and serving extras (serving: `transformers serve`,
# the real OpenAI-compatible server the HTTP backend is tested against), then run the suite
# (slow tests excluded by default; add `-m slow` arguments to run those).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh dev,serving
.venv/bin/python -m ruff check .
.venv/bin/python -m ruff format --check .
.venv/bin/python -m pytest -q "$@"

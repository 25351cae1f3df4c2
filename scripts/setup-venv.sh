#!/usr/bin/env bash
# Create .venv and install codeintel into it (torch's CPU build first, so pip keeps it).
# Usage: bash scripts/setup-venv.sh [EXTRAS]   e.g. "dev"
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip show -q torch >/dev/null 2>&1 || .venv/bin/python -m pip install -q "torch==2.13.0"
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install -q -e ".[$extras]"
else
  .venv/bin/python -m pip install -q -e .
fi

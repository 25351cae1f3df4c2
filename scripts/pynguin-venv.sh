#!/usr/bin/env bash
# Pynguin 0.48 in its own virtualenv (build/pynguin), for `python -m benchmarks testgen
# --pynguin build/pynguin/bin/python`. Not needed by the package or its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv build/pynguin
build/pynguin/bin/pip install --quiet "pynguin==0.48.0"
build/pynguin/bin/python -c "import importlib.metadata as m; print('pynguin', m.version('pynguin'))"

#!/usr/bin/env bash
# README command 1: install, then run the main job (repair) on the bundled example
# with the bundled default model. Prints the validated diff; touches no file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
.venv/bin/codeintel repair examples/repair/running_mean.py --tests examples/repair/test_running_mean.py

#!/usr/bin/env bash
# Set up (with test extras and the browser) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    fi
fi
# Lint and type checks first (ruff and mypy, pinned in the test extra, settings in pyproject.toml):
# a failure stops the run.
.venv/bin/ruff check catalogue ingest search api tests benchmarks scripts
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"

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
# The whole suite (no arguments): the e2e server's catalogue (all of data/, embedded with the
# real model, the slowest step) starts now, beside the lint and type checks, and the session
# adopts it (tests/e2e/catalogue.py). If a check fails, it is stopped with the run.
if [ $# -eq 0 ]; then
    e2e="$(mktemp -d)"
    setsid .venv/bin/python -m tests.e2e.catalogue "$e2e" &  # a process group of its own
    prepare=$!
    export PRAKTIJKBANK_TEST_E2E_CATALOGUE="$e2e"
    trap 'kill -9 -- "-$prepare" 2>/dev/null; rm -rf "$e2e"' EXIT
fi
# Lint and type checks first (ruff and mypy, pinned in the test extra, settings in pyproject.toml):
# a failure stops the run.
.venv/bin/ruff check catalogue ingest search api tests benchmarks scripts
.venv/bin/mypy
trap - EXIT
exec .venv/bin/python -m pytest "$@"

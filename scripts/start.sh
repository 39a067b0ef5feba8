#!/usr/bin/env bash
# Set up, ingest the bundled catalogue (data/) and serve the search page and API.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PRAKTIJKBANK_HOME="${PRAKTIJKBANK_HOME:-$PWD/.praktijkbank}"
.venv/bin/praktijkbank init
.venv/bin/praktijkbank ingest data/
exec .venv/bin/praktijkbank serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"

#!/usr/bin/env bash
# make bench: run every benchmark and print figures and ratios measured side by side in one run.
set -euo pipefail
build=${1:?build dir}
echo "== credential resolution vs raw SQLite (100,000 mappings) =="
"$build/tests/bench/resolve_bench" --benchmark_min_time=1

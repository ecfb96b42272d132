#!/usr/bin/env bash
# Start the peers the tests need, run every test through ctest, stop what was started.
#   scripts/run-tests.sh BUILD_DIR [ctest args...]
set -uo pipefail
build=${1:?build dir}; shift
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/ssogate-test.XXXXXX)
chmod 755 "$work"
cleanup() { "$root/tests/peers/postgres.sh" stop "$work/pg" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT INT TERM

t0=$(date +%s)
if ! SSOGATE_TEST_PG_URL=$("$root/tests/peers/postgres.sh" start "$work/pg"); then
  echo "run-tests: could not start PostgreSQL; the PostgreSQL tests will fail" >&2
  SSOGATE_TEST_PG_URL=
fi
export SSOGATE_TEST_PG_URL
echo "run-tests: peers up in $(( $(date +%s) - t0 ))s (PostgreSQL ${SSOGATE_TEST_PG_URL:+on 127.0.0.1:$(cat "$work/pg/port")})"

ctest --test-dir "$build" --output-on-failure --timeout 300 -j "$(nproc)" "$@"
rc=$?
echo "run-tests: ctest finished in $(( $(date +%s) - t0 ))s, exit $rc"
exit $rc

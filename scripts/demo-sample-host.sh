#!/usr/bin/env bash
# make demo: start the sample TN3270 host on a free loopback port (in the background, logging to
# DIR/sample-host.log) and print how to reach it. A host this script started before is stopped
# first (its PID is in DIR/sample-host.pid).
set -euo pipefail
bin=${1:?ssogate binary}; dir=${2:?demo folder}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
if [[ -f "$dir/sample-host.pid" ]]; then
  old=$(cat "$dir/sample-host.pid")
  if [[ -r /proc/$old/cmdline ]] && tr '\0' ' ' </proc/"$old"/cmdline | grep -q "sample-host tn3270"; then
    kill "$old" 2>/dev/null || true
  fi
  rm -f "$dir/sample-host.pid"
fi
setsid "$bin" sample-host tn3270 --listen 127.0.0.1:0 --users "$here/samples/tn3270/users.toml" \
  --attempt-log "$dir/sign-on-attempts.jsonl" </dev/null >"$dir/sample-host.log" 2>&1 &
echo $! >"$dir/sample-host.pid"
port=
for _ in $(seq 100); do
  port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$dir/sample-host.log" 2>/dev/null | head -1 | cut -d: -f2 || true)
  [[ -n "$port" ]] && break
  sleep 0.1
done
if [[ -z "$port" ]]; then echo "the sample host did not start:"; cat "$dir/sample-host.log"; exit 1; fi
cat <<TXT

Sample TN3270 host (TSO-like logon, users in samples/tn3270/users.toml: ALICE / ALICE1, BOB
expired, CAROL revoked) listening on 127.0.0.1:$port, PID $(cat "$dir/sample-host.pid"):
  c3270 127.0.0.1:$port                       # or: s3270, x3270; N:127.0.0.1:$port for plain TN3270
  $bin probe tn3270://127.0.0.1:$port
  echo ALICE1 | $bin probe tn3270://127.0.0.1:$port --type ALICE --type-stdin --at 8,17 --key enter
  sign-on attempts: $dir/sign-on-attempts.jsonl     stop it: kill $(cat "$dir/sample-host.pid")
TXT

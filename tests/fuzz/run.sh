#!/usr/bin/env bash
# make fuzz: run every libFuzzer target for SECONDS each, seeded from tests/fuzz/corpus.
set -euo pipefail
build=${1:?build dir}; seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ssogate-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
for t in fuzz_sealed_keyring fuzz_principal fuzz_config fuzz_codecs fuzz_telnet fuzz_datastream fuzz_tn3270e fuzz_negotiate fuzz_pac fuzz_cert_rules fuzz_sample_host fuzz_ldap_codec; do
  mkdir -p "$work/$t"
  case $t in
    fuzz_principal) cp "$here"/corpus/principal-* "$work/$t/" ;;
    fuzz_config) cp "$here"/corpus/config-* "$work/$t/" ;;
    fuzz_negotiate) cp "$here"/../unit/identity/data/negotiate-* "$work/$t/" ;;
    fuzz_cert_rules) cp "$here"/corpus/cert-* "$work/$t/" ;;
    fuzz_ldap_codec) cp "$here"/corpus/ldap-* "$work/$t/" ;;
    fuzz_telnet) cp "$here"/../data/fuzz/telnet-* "$work/$t/" ;;
    fuzz_datastream) cp "$here"/../data/fuzz/datastream-* "$work/$t/" ;;
    fuzz_sample_host) cp "$here"/corpus/sample-host-* "$work/$t/" ;;
    fuzz_tn3270e) cp "$here"/../data/fuzz/tn3270e-* "$work/$t/" ;;
    fuzz_pac)  # a real Samba PAC (hex, '#' comments) and truncations of it
      perl -ne 'next if /^#/; s/\s//g; print pack("H*", $_)' "$here"/../data/samba_pac_logon_info.hex >"$work/$t/pac-samba"
      for n in 8 16 20 120 236 300 455; do head -c "$n" "$work/$t/pac-samba" >"$work/$t/pac-cut-$n"; done ;;
  esac
  echo "== $t (${seconds}s)"
  mkdir -p "$build/fuzz-artifacts"
  if ! "$build/tests/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 \
       -artifact_prefix="$build/fuzz-artifacts/$t-" "$work/$t" >"$work/$t.log" 2>&1; then
    grep -E "ERROR|SUMMARY|Test unit written" "$work/$t.log" || tail -20 "$work/$t.log"
    echo "fuzz: $t found a crash (input kept in $build/fuzz-artifacts/)"; exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "$work/$t.log"
done
echo "fuzz: all targets ran ${seconds}s without a crash"

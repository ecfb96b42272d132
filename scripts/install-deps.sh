#!/usr/bin/env bash
# Install the Debian packages a target needs, if any are missing.
#   scripts/install-deps.sh build|test|bench|fuzz
# As root: apt-get installs what is missing. Otherwise: prints the exact apt-get line and fails.
set -euo pipefail

build_pkgs=(g++ cmake ninja-build pkg-config make
  libboost1.81-all-dev libssl-dev libsoci-dev libsqlite3-dev libpq-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  libkrb5-dev libldap-dev)
test_pkgs=(libgtest-dev libgmock-dev postgresql sqlite3 python3 openssl gdb util-linux
  krb5-kdc krb5-admin-server krb5-user curl
  s3270 hercules slapd ldap-utils libsasl2-modules-gssapi-mit
  samba samba-ad-dc samba-ad-provision winbind iproute2)
bench_pkgs=(libbenchmark-dev sqlite3)
fuzz_pkgs=(clang libclang-rt-14-dev)

case "${1:-build}" in
  build) want=("${build_pkgs[@]}") ;;
  test)  want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz)  want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  *) echo "usage: $0 build|test|bench|fuzz" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "ssogate: missing Debian packages; as root run:" >&2
  echo "  apt-get update && $line" >&2
  exit 1
fi
echo "ssogate: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/ssogate-apt.log 2>&1 || {
  tail -20 /tmp/ssogate-apt.log >&2; echo "ssogate: apt-get failed (log: /tmp/ssogate-apt.log)" >&2; exit 1; }

#!/usr/bin/env bash
# A throw-away Active Directory domain (Samba AD DC) for the identity suite: realm SAMBA.EXAMPLE,
# NetBIOS domain SAMBA, services ldap, cldap and kdc only, bound to loopback.
#
# A DC's ports are fixed (88, 389, 464, 636, 3268, 3269 on 127.0.0.1 and ::1), so it runs in a
# network namespace of its own: nothing on the machine can clash with it, and two runs never
# meet. Needs root and the Debian packages samba samba-ad-dc samba-ad-provision winbind
# ldap-utils iproute2 (util-linux's unshare). A missing tool is an error, never a skip.
#
#   samba_ad.sh run CMD [ARGS...]   in a new network namespace (lo up): provision and start a
#                                   DC in a fresh folder, run CMD with SSOGATE_SAMBA_DIR=<folder>,
#                                   stop the DC, remove the folder; exit with CMD's status.
#   samba_ad.sh start DIR           provision and start a DC in DIR (run it inside a namespace
#                                   of your own: `unshare --net`, then `ip link set lo up`)
#   samba_ad.sh stop DIR            SIGTERM to the DC (its children follow), SIGKILL after 10 s
#
# What `start` leaves in DIR (all the suite needs; passwords never on a command line of ours
# except samba-tool's own, inside the namespace):
#   krb5.conf        client configuration (no DNS: kdc = 127.0.0.1:88)
#   gateway.keytab   keys of the service account ssogatesvc (AES256, AES128; exported by
#                    sAMAccountName), which holds the SPN HTTP/localhost
#   gateway.password that account's password (0600), for simple LDAP binds
#   domain.env       REALM, DOMAIN, BASE_DN, DOMAIN_SID, timings
#   samba.pid        the DC's process id; samba.log its output
# Users (password in brackets):
#   alice [AlicePw1!x]      MainframeUsers, AS400Users; MainframeUsers is nested in GatewayAdmins
#   bob   [BobPw1!x]        AS400Users
#   carol [CarolPw1!x]      disabled
#   dave  [DavePw1!x]       must change the password at next logon (pwdLastSet = 0: expired)
#   erin  [ErinPw1!x]       enabled; the suite disables her after she holds a ticket
#   o(ne)&il [MetaPw1!x]    a name with LDAP filter metacharacters (sAMAccountName forbids *)
# domain.env also holds SID_<name>=S-1-5-21-... for these users and groups, read from LDAP.
set -euo pipefail

realm=SAMBA.EXAMPLE
domain=SAMBA
base_dn=DC=samba,DC=example
admin_password='Adm1nPass!2024'

die() { echo "samba_ad.sh: $*" >&2; exit 1; }

require_tools() {
    local t
    for t in samba samba-tool ldapmodify ldapsearch ip unshare klist; do
        command -v "$t" >/dev/null || die "$t not found: as root run apt-get install samba samba-ad-dc samba-ad-provision winbind ldap-utils iproute2 krb5-user util-linux"
    done
    [[ -d /usr/share/samba/setup/ad-schema ]] || die "samba-ad-provision is missing: apt-get install samba-ad-provision"
    [[ $(id -u) == 0 ]] || die "a Samba AD DC needs root (privileged fixed ports, xattrs)"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

wait_port() {  # port: until the DC accepts TCP on 127.0.0.1
    local i
    for i in $(seq 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$(cat "$D/samba.pid")" 2>/dev/null || { tail -20 "$D/samba.log" >&2; die "samba exited during start"; }
        sleep 0.1
    done
    die "samba does not listen on port $1 after 30 s"
}

tool() { samba-tool "$@" -s "$D/dc/etc/smb.conf" >>"$D/setup.log" 2>&1 || { tail -5 "$D/setup.log" >&2; die "samba-tool $1 $2 failed"; }; }

ldap_admin() {  # LDIF on stdin, applied as Administrator (simple bind; strong auth relaxed below)
    ldapmodify -x -H ldap://127.0.0.1 -D "Administrator@samba.example" -y "$D/admin.password" \
        >>"$D/setup.log" 2>&1 || { tail -5 "$D/setup.log" >&2; die "ldapmodify failed"; }
}

start() {
    D=$1
    require_tools
    mkdir -p "$D"; D=$(cd "$D" && pwd)
    [[ -e $D/dc ]] && die "$D/dc exists: one DC per folder"
    umask 077
    local t0 t1 t2 t3
    t0=$(now)
    samba-tool domain provision --realm=$realm --domain=$domain --server-role=dc --dns-backend=NONE \
        --adminpass="$admin_password" --targetdir="$D/dc" --host-name=dc1 --host-ip=127.0.0.1 \
        --use-rfc2307 --option="interfaces = lo" --option="bind interfaces only = yes" \
        --option="server services = ldap, cldap, kdc" \
        --option="log file = $D/log.%m" --option="pid directory = $D/run" \
        --option="winbindd socket directory = $D/winbindd" \
        --option="ntp signd socket directory = $D/ntp_signd" >"$D/provision.log" 2>&1 \
        || { tail -20 "$D/provision.log" >&2; die "samba-tool domain provision failed"; }
    t1=$(now)
    printf '%s' "$admin_password" >"$D/admin.password"
    mkdir -p "$D/run" "$D/dc/cache"
    # provision drops --option="ldap server require strong auth = no": append it (simple binds on 389)
    sed -i 's/^\[global\]$/[global]\n\tldap server require strong auth = no/' "$D/dc/etc/smb.conf"
    cat >"$D/krb5.conf" <<CONF
[libdefaults]
    default_realm = $realm
    dns_lookup_realm = false
    dns_lookup_kdc = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
[realms]
    $realm = {
        kdc = 127.0.0.1:88
        kpasswd_server = 127.0.0.1:464
    }
[domain_realm]
    localhost = $realm
    .samba.example = $realm
CONF
    chmod 0644 "$D/krb5.conf"
    export KRB5_CONFIG=$D/krb5.conf KRB5CCNAME=FILE:$D/setup.ccache
    samba -i -M single -s "$D/dc/etc/smb.conf" </dev/null >"$D/samba.log" 2>&1 &
    echo $! >"$D/samba.pid"
    wait_port 389
    wait_port 88
    t2=$(now)

    tool user create alice 'AlicePw1!x'
    tool user create bob 'BobPw1!x'
    tool user create carol 'CarolPw1!x'
    tool user disable carol
    tool user create dave 'DavePw1!x' --must-change-at-next-login
    tool user create erin 'ErinPw1!x'
    tool user create 'o(ne)&il' 'MetaPw1!x'
    tool group add MainframeUsers
    tool group add AS400Users
    tool group add GatewayAdmins
    tool group addmembers MainframeUsers alice
    tool group addmembers AS400Users alice,bob
    tool group addmembers GatewayAdmins MainframeUsers      # nested: alice is in it through MainframeUsers
    tool spn add ldap/localhost 'DC1$'                      # SASL/GSSAPI to ldap://localhost without DNS
    # The gateway's service account: SPN HTTP/localhost, AES keys only, a password for simple binds.
    local svc_password
    svc_password="Gw$(head -c 18 /dev/urandom | base64 | tr -d '/+=')1!"
    printf '%s\n' "$svc_password" >"$D/gateway.password"
    tool user create ssogatesvc "$svc_password"
    tool spn add HTTP/localhost ssogatesvc
    printf 'dn: CN=ssogatesvc,CN=Users,%s\nchangetype: modify\nreplace: msDS-SupportedEncryptionTypes\nmsDS-SupportedEncryptionTypes: 24\n' \
        "$base_dn" | ldap_admin
    # by sAMAccountName: an export by SPN holds only the RC4 key
    tool domain exportkeytab "$D/gateway.keytab" --principal=ssogatesvc
    ldapsearch -LLL -o ldif-wrap=no -x -H ldap://127.0.0.1 -D "Administrator@samba.example" -y "$D/admin.password" \
        -b "$base_dn" '(|(objectClass=user)(objectClass=group)(objectClass=domain))' sAMAccountName objectSid \
        >"$D/sids.ldif" 2>>"$D/setup.log" || die "ldapsearch for the SIDs failed"
    python3 - "$D/sids.ldif" >"$D/sids.env" <<'PY' || die "cannot decode the SIDs"
import base64, re, struct, sys
def sid(b):
    n = b[1]
    return "S-%d-%d" % (b[0], int.from_bytes(b[2:8], "big")) + "".join("-%d" % x for x in struct.unpack("<%dI" % n, b[8:8 + 4 * n]))
for entry in open(sys.argv[1]).read().split("\n\n"):
    name = re.search(r"^sAMAccountName: (.*)$", entry, re.M)
    value = re.search(r"^objectSid:: (.*)$", entry, re.M)
    if not value: continue
    key = re.sub(r"[^A-Za-z0-9]", "_", name.group(1)) if name else "DOMAIN"
    print("SID_%s=%s" % (key, sid(base64.b64decode(value.group(1)))))
PY
    t3=$(now)
    cat >"$D/domain.env" <<ENV
REALM=$realm
DOMAIN=$domain
BASE_DN=$base_dn
$(cat "$D/sids.env")
PROVISION_SECONDS=$(elapsed "$t0" "$t1")
START_SECONDS=$(elapsed "$t1" "$t2")
POPULATE_SECONDS=$(elapsed "$t2" "$t3")
ENV
    rm -f "$D/setup.ccache"
    echo "samba_ad.sh: $realm up in $(elapsed "$t0" "$t3") s (provision $(elapsed "$t0" "$t1"), start $(elapsed "$t1" "$t2"), users/groups/keytab $(elapsed "$t2" "$t3"))" >&2
}

stop() {
    D=$1
    [[ -f $D/samba.pid ]] || return 0
    local pid i
    pid=$(cat "$D/samba.pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$D/samba.pid"
}

run() {
    [[ $# -ge 1 ]] || die "usage: samba_ad.sh run CMD [ARGS...]"
    require_tools
    if [[ ${SSOGATE_SAMBA_NETNS:-} != "$$" ]]; then
        # Re-run in a network namespace of our own; SSOGATE_SAMBA_NETNS marks the inner shell.
        # --kill-child: if unshare is killed (a ctest timeout), the inner shell gets SIGTERM and
        # stops the DC and the tests instead of leaving them in an orphaned namespace.
        exec unshare --net --fork --kill-child=TERM -- /usr/bin/env bash -c 'export SSOGATE_SAMBA_NETNS=$$; exec bash "$0" run "$@"' "$0" "$@"
    fi
    ip link set lo up
    local status=0 t0
    t0=$(now)
    run_dir=$(mktemp -d /tmp/ssogate-samba.XXXXXX)
    trap 'stop "$run_dir"; rm -rf "$run_dir"' EXIT
    trap 'exit 143' TERM INT
    start "$run_dir"
    # in the background, so that a TERM reaches the trap at once (bash defers traps while a
    # foreground child runs)
    SSOGATE_SAMBA_DIR=$run_dir "$@" &
    test_pid=$!
    trap 'kill -TERM "$test_pid" 2>/dev/null; exit 143' TERM INT
    wait "$test_pid" || status=$?
    stop "$run_dir"
    echo "samba_ad.sh: suite finished in $(elapsed "$t0" "$(now)") s (exit $status)" >&2
    return "$status"
}

case ${1:-} in
    run) shift; run "$@" ;;
    start) start "${2:?usage: samba_ad.sh start DIR}" ;;
    stop) stop "${2:?usage: samba_ad.sh stop DIR}" ;;
    *) die "usage: samba_ad.sh run CMD [ARGS...] | start DIR | stop DIR" ;;
esac

#pragma once
// The `[identity]` section of the gateway's TOML configuration, read by the identity library
// itself (so it does not depend on the gateway layer). Relative paths resolve against the config
// file's folder. Unknown keys in [identity] and its sub-tables are errors; keys of other sections
// are ignored here (the gateway's own config reader checks those).
//
//   [identity]
//   default_domain = "CORP"                      # a bare `alice` means CORP\alice
//   keytab = "gateway.keytab"                    # the gateway's service keys
//   service_principal = "HTTP/sso.corp.example"  # realm optional; default: any key in the keytab
//   krb5_conf = "/etc/krb5.conf"                 # default: $KRB5_CONFIG, else /etc/krb5.conf
//   replay_cache = "/var/lib/ssogate/rcache"     # Negotiate replay cache file
//   [identity.domains]
//   CORP = "CORP.EXAMPLE"
//   [identity.kdc]                               # overrides krb5.conf for these realms
//   "CORP.EXAMPLE" = ["dc1.corp.example", "dc2.corp.example:88"]
//   [identity.throttle]
//   user_failures = 5          # within window_seconds, per user (keep below AD's lockout)
//   source_failures = 20       # per source address
//   window_seconds = 900
#include <ssogate/credstore/principal.hpp>
#include <ssogate/identity/certificate_rules.hpp>
#include <ssogate/identity/ldap_config.hpp>
#include <ssogate/identity/throttle.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ssogate::identity {

/// A configuration problem: "FILE: line N: what is wrong". Thrown at start-up only.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct identity_config {
    std::filesystem::path file;            // the config file (for messages)
    credstore::realm_map realms;           // default_domain + [identity.domains]
    /// The realms the gateway serves (upper-case): the default domain's realm and every realm of
    /// [identity.domains]. A principal of any other realm is refused without a KDC exchange.
    std::vector<std::string> known_realms;
    std::filesystem::path keytab;          // empty: $KRB5_KTNAME or the system keytab
    std::string service_principal;         // empty: any principal in the keytab
    std::filesystem::path krb5_conf;       // empty: $KRB5_CONFIG or /etc/krb5.conf
    std::filesystem::path replay_cache;    // empty: the Kerberos library's default
    /// [identity.kdc]: REALM -> "host[:port]" KDCs, tried in order, instead of krb5.conf's.
    std::map<std::string, std::vector<std::string>> kdcs;
    throttle_limits throttle;
    /// [identity.ldap]: groups, SID and account state from the directory (ldap_config.hpp).
    std::optional<ldap_config> ldap;
    /// [[identity.certificates.rule]]: TLS client certificate rules, tried in order
    /// (certificate_rules.hpp).
    std::vector<certificate_rule> certificate_rules;

    [[nodiscard]] bool serves_realm(std::string_view realm) const;
};

/// The keys allowed directly in [identity] (what the gateway's config reader must allow too).
inline constexpr std::string_view identity_keys[] = {
    "default_domain", "domains", "keytab", "service_principal", "krb5_conf",
    "replay_cache",   "kdc",     "throttle", "ldap", "certificates"};

/// Read [identity] from TOML text as if read from `file`. No [identity] gives the defaults.
/// Throws config_error.
identity_config parse_identity_config(std::string_view toml_text, const std::filesystem::path& file);
/// Read [identity] from a config file. Throws config_error.
identity_config load_identity_config(const std::filesystem::path& file);

}  // namespace ssogate::identity

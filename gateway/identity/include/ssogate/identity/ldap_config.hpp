#pragma once
// [identity.ldap]: where the gateway reads groups, SIDs and account state (ldap_directory.hpp).
// Parsed by parse_identity_config (identity_config.cpp); documented in docs/reference.md.
//
//   [identity.ldap]
//   url = "ldaps://dc1.corp.example"      # or ["ldaps://dc1...", "ldaps://dc2..."], tried in order
//   flavour = "ad"                        # "ad" (tokenGroups, objectSid) or "ldap" (memberOf)
//   base_dn = "DC=corp,DC=example"
//   user_attribute = "uid"                # ldap flavour: the attribute holding the user name
//   bind = "gssapi"                       # or "simple" (bind_dn + bind_password_file)
//   bind_principal = "ssogate@CORP.EXAMPLE"   # gssapi: the keytab key to bind with
//   ca_file = "corp-ca.pem"               # ldaps:// and starttls
//   starttls = false
//   network_timeout_seconds = 5           # connect
//   operation_timeout_seconds = 10        # each bind and search
//   cache_seconds = 300                   # groups, SID and account state per principal
//   negative_cache_seconds = 60           # "no such user in the directory"
//   nesting_depth = 8                     # ldap flavour: levels of groups in groups
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace ssogate::identity {

enum class directory_flavour {
    ad,    // Active Directory / Samba: objectSid, userAccountControl, tokenGroups
    ldap,  // RFC 4519/2307 directories (OpenLDAP with the memberof overlay): memberOf
};

enum class ldap_bind_method {
    gssapi,  // SASL/GSSAPI with the gateway's Kerberos key from its keytab
    simple,  // a service account's DN and password (read from bind_password_file)
};

struct ldap_config {
    std::vector<std::string> urls;         // ldap://host[:port] or ldaps://host[:port]
    directory_flavour flavour = directory_flavour::ldap;
    std::string base_dn;
    std::string user_attribute = "uid";    // ldap flavour
    std::string group_name_attribute;      // default: cn (ldap), sAMAccountName (ad)
    ldap_bind_method bind = ldap_bind_method::gssapi;
    std::string bind_dn;                   // simple
    std::filesystem::path bind_password_file;  // simple: first line; mode 0600 or stricter
    std::string bind_principal;            // gssapi; empty: [identity] service_principal, else
                                           // the first key of the keytab
    std::filesystem::path bind_keytab;     // gssapi; empty: [identity] keytab
    std::filesystem::path ca_file;         // empty: the system's CAs
    bool starttls = false;
    bool allow_plaintext = false;          // ldap:// to a non-loopback host with a simple bind
    std::chrono::seconds network_timeout{5};
    std::chrono::seconds operation_timeout{10};
    std::chrono::seconds cache_ttl{300};
    std::chrono::seconds negative_cache_ttl{60};
    int nesting_depth = 8;
    std::size_t cache_max_entries = 100000;

    /// The attribute that names a group: group_name_attribute or the flavour's default.
    [[nodiscard]] std::string group_name_attr() const {
        if (!group_name_attribute.empty()) return group_name_attribute;
        return flavour == directory_flavour::ad ? "sAMAccountName" : "cn";
    }
};

}  // namespace ssogate::identity

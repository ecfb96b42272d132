#pragma once
// The directory over LDAP (OpenLDAP's libldap): Active Directory / Samba (`flavour = "ad"`) or a
// plain LDAP directory such as OpenLDAP with the memberof overlay (`flavour = "ldap"`).
//
// Flow of lookup(principal):
//   connected? else: ldap_initialize(urls) -> TLS options (ca_file) -> StartTLS when configured
//     -> bind: SASL/GSSAPI with a credential from the gateway's keytab (client keytab, MEMORY
//        ccache; no canonicalisation of the server name), or simple with the service account's
//        DN and the password read from bind_password_file at each (re)connect
//   ad:   (&(objectClass=user)(|(sAMAccountName=NAME)(userPrincipalName=NAME@REALM))) under
//         base_dn -> objectSid, userAccountControl, accountExpires
//         -> base search on the user's DN: tokenGroups (transitive; AD computes it only with
//            scope base) and msDS-User-Account-Control-Computed (lockout)
//         -> one search (|(objectSid=...)...) for the SIDs not cached yet -> sAMAccountName;
//            SID -> name kept for cache_seconds. BUILTIN SIDs (S-1-5-32-*) are not groups of
//            the domain and are left out.
//   ldap: (USER_ATTRIBUTE=NAME) under base_dn -> memberOf, nsAccountLock, pwdAccountLockedTime,
//         shadowExpire -> each group's entry (base search): its name (cn) and its own memberOf,
//         level by level up to nesting_depth levels of nesting, each group once (cycles end).
//   Every value in a filter is escaped (RFC 4515). A name that matches two entries is an error
//   (directory_error), never a guess.
//   A connection the server dropped is re-made once per lookup.
//
// BLOCKING: one connection (TCP, TLS, bind) per directory object, re-used; lookups are
// serialised on it. Each step is bounded by network_timeout (connect) and operation_timeout
// (every bind and search).
//
// Outcomes: errc::not_in_directory; errc::directory_unavailable (no server answered, a timeout,
// the connection dropped); errc::directory_error (the bind was refused: wrong password, unknown
// bind principal, TLS certificate not trusted, strong authentication required; a search was
// refused; the entry is ambiguous). Messages never contain the bind password.
#include <ssogate/identity/directory.hpp>

#include <functional>
#include <map>
#include <memory>

namespace ssogate::identity {

class ldap_directory final : public directory {
public:
    using clock_fn = std::function<std::chrono::system_clock::time_point()>;

    /// Needs cfg.ldap. Checks what can be checked without the network (the bind password file is
    /// readable and private; the keytab exists); throws config_error. Does not connect yet.
    explicit ldap_directory(const identity_config& cfg, clock_fn now = {});
    ~ldap_directory() override;
    ldap_directory(const ldap_directory&) = delete;
    ldap_directory& operator=(const ldap_directory&) = delete;

    directory_answer lookup(const credstore::principal& who) override;

    /// SIDs ("S-1-5-21-...-1104") -> the directory's names for them (group_name_attribute,
    /// sAMAccountName on AD), with one search for the SIDs not named within cache_seconds. For
    /// naming the group SIDs of an MS-PAC. SIDs the directory does not know (and malformed ones)
    /// are absent from the map. nullopt when the directory cannot be asked; `why` says why.
    std::optional<std::map<std::string, std::string>> name_sids(const std::vector<std::string>& sids,
                                                                 std::string* why = nullptr);

    /// Connect and bind now (start-up check, `identity check`): "" when it works, else the
    /// one-line reason.
    std::string probe();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ssogate::identity

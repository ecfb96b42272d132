#pragma once
// HTTP Negotiate (RFC 4559): the acceptor side of SPNEGO (RFC 4178) with Kerberos (RFC 4121),
// using the gateway's keytab.
//
// Flow of accept():
//   header -> parse_negotiate_header (malformed / NTLM -> refusal, no GSSAPI call)
//   -> gss_accept_sec_context with a fresh context and the keytab credential
//        (the replay cache rejects an authenticator seen before)
//   -> complete? (a second SPNEGO round is refused: continue_needed, with the reply token)
//   -> client name -> one-component user principal of a served realm -> credstore principal
//   -> an Active Directory ticket's PAC logon info (pac.hpp): the user's SID; refused when the
//      PAC marks the account disabled or locked, or does not decode; its groups named by
//      use_pac_groups' namer when the ticket's logon is younger than the trust window
//   -> verified identity + the mutual-authentication token for `WWW-Authenticate: Negotiate`.
//
// BLOCKING but local: no KDC exchange, only the keytab and the replay cache on disk.
// Thread-safe: the credential is shared, each call has its own security context.
// Delegated credentials are never kept. Stage 2 checks the account's disabled/locked state in
// the directory, since a ticket stays valid for its lifetime after an account is disabled.
#include <ssogate/identity/identity.hpp>
#include <ssogate/identity/identity_config.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssogate::identity {

/// The outcome for a failed gss_accept_sec_context (major status, krb5 minor status).
errc classify_accept_error(std::uint32_t major, std::int32_t minor) noexcept;

class negotiate_acceptor {
public:
    /// Acquires the acceptor credential from the keytab (and the configured service principal,
    /// or any key in the keytab). Throws config_error when that fails (start-up misconfiguration).
    explicit negotiate_acceptor(const identity_config& cfg);
    ~negotiate_acceptor();
    negotiate_acceptor(const negotiate_acceptor&) = delete;
    negotiate_acceptor& operator=(const negotiate_acceptor&) = delete;

    /// `authorization`: the Authorization field value ("Negotiate YII..."). Never throws on bad
    /// input: garbage, replayed or foreign tokens are refusals.
    outcome accept(std::string_view authorization) const;

    /// Names the group SIDs of `user`'s ticket PAC (primary group, nested groups, extra SIDs),
    /// e.g. through the directory's SID cache. Returns the groups it can name (SIDs it does not
    /// know, such as well-known ones, are left out), or nullopt when it cannot answer now; then
    /// the identity gets no groups from the PAC (fail closed).
    using pac_group_namer = std::function<std::optional<std::vector<group>>(const credstore::principal& user,
                                                                            const std::vector<std::string>& sids)>;
    /// Take groups from the PAC of tickets whose logon (the TGT's authtime) is at most
    /// `trust_window` old (the directory's cache TTL: a PAC is no fresher than that). Older
    /// tickets still give the user's SID, but no groups. Call before the first accept().
    void use_pac_groups(pac_group_namer namer, std::chrono::seconds trust_window);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ssogate::identity

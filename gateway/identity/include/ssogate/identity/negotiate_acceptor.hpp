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
//   -> verified identity + the mutual-authentication token for `WWW-Authenticate: Negotiate`.
//
// BLOCKING but local: no KDC exchange, only the keytab and the replay cache on disk.
// Thread-safe: the credential is shared, each call has its own security context.
// Delegated credentials are never kept. Stage 2 checks the account's disabled/locked state in
// the directory, since a ticket stays valid for its lifetime after an account is disabled.
#include <ssogate/identity/identity.hpp>
#include <ssogate/identity/identity_config.hpp>

#include <cstdint>
#include <memory>
#include <string_view>

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

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace ssogate::identity

#pragma once
// Outcomes of identity checks. Every refusal carries one of these codes; the code says what
// happened, the refusal's message says it in words for an operator (never with a secret in it).
//
// Three families:
//  - the caller's evidence was refused (wrong password, unknown user, garbage token, ...):
//    normal, expected, per attempt;
//  - the gateway could not decide now (KDC unreachable, throttled, clock skew): temporary;
//  - the gateway's own configuration is broken (keytab): `is_fatal`, every attempt will fail
//    until an operator acts.
#include <string_view>
#include <system_error>

namespace ssogate::identity {

enum class errc {
    ok = 0,
    // the evidence itself, refused before any Kerberos exchange
    bad_name = 1,            // the user name is not a principal (credstore's rules)
    unknown_realm,           // a realm the gateway does not serve ([identity] realms)
    invalid_password_input,  // empty, contains a NUL byte, or longer than 1024 bytes
    throttled,               // too many recent failures for this user or source address
    // the KDC's verdict on a password (RFC 4120 section 7.5.9 error codes)
    wrong_password,          // KDC_ERR_PREAUTH_FAILED / KRB_AP_ERR_BAD_INTEGRITY
    password_expired,        // KDC_ERR_KEY_EXPIRED: the user must change it on Windows
    account_disabled,        // KDC_ERR_CLIENT_REVOKED: disabled or locked out; KDC_ERR_POLICY
    account_expired,         // KDC_ERR_NAME_EXP
    unknown_user,            // KDC_ERR_C_PRINCIPAL_UNKNOWN
    kdc_unreachable,         // no KDC answered, or none is known for the realm
    clock_skew,              // KRB_AP_ERR_SKEW: this host's clock and the KDC's differ
    verification_failed,     // the KDC's ticket did not verify with our own key: spoofed KDC?
    // HTTP Negotiate (RFC 4559)
    malformed_header,        // not `Negotiate <base64 token>`
    unsupported_mechanism,   // NTLM, or another mechanism than Kerberos
    token_rejected,          // GSSAPI refused the token (garbage, other service, stale key, ...)
    replayed_token,          // KRB_AP_ERR_REPEAT: the authenticator was seen before
    continue_needed,         // SPNEGO wants a second round trip; not supported
    not_a_user,              // a service or anonymous principal, or a name we cannot map
    // the gateway itself
    keytab_error,            // the keytab is missing, unreadable or lacks the service key
    kerberos_error,          // any other failure of the Kerberos library (message has details)
    // TLS client certificates (certificate_authenticator.hpp)
    bad_certificate,         // not a DER X.509 chain, or one that cannot be verified as such
    untrusted_certificate,   // no certificate rule's CA anchors the chain
    certificate_expired,     // a certificate of the chain is outside its validity dates
    certificate_revoked,     // on one of the rule's CRLs
    crl_unavailable,         // a CRL the rule needs is missing, unreadable, expired: fail closed
    no_client_auth_usage,    // the certificate lacks the clientAuth extended key usage
    certificate_unmapped,    // a rule's CA verified it, but no rule's mapping yields a usable name
    // the directory ([identity.ldap], ldap_directory.hpp)
    directory_unavailable,   // no directory server answered or one failed mid-lookup: temporary
    directory_error,         // the directory refused the gateway's bind or its searches: config
    not_in_directory,        // the directory has no entry for the user
};

const std::error_category& identity_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), identity_category()};
}

/// A stable snake_case name for logs, JSON and metrics ("wrong_password").
std::string_view to_string(errc e) noexcept;

/// The gateway's own configuration is broken: every attempt fails until an operator acts.
bool is_fatal(std::error_code ec) noexcept;
/// The same evidence may succeed later (KDC back, throttle window passed, clock fixed).
bool is_temporary(std::error_code ec) noexcept;

/// A message safe to show the person signing on. Unlike the refusal's message it never tells
/// whether a user exists (wrong password and unknown user read the same) and names no server.
std::string_view user_message(std::error_code ec) noexcept;

}  // namespace ssogate::identity

template <>
struct std::is_error_code_enum<ssogate::identity::errc> : std::true_type {};

#pragma once
// TLS client certificates: a chain the TLS layer verified in its handshake, checked again here
// against each [[identity.certificates.rule]] and mapped to a principal.
//
// Flow, per rule in configuration order:
//   1. verify the chain with an X509_STORE holding only this rule's `ca` (a rule never accepts a
//      certificate of another CA, even one another rule trusts; a CA that is not self-signed is
//      a trust anchor of its own: X509_V_FLAG_PARTIAL_CHAIN), purpose SSL client, validity
//      dates, and, when the rule lists CRLs, revocation (X509_V_FLAG_CRL_CHECK, and
//      X509_V_FLAG_CRL_CHECK_ALL with crl_check = "chain"). The CRL files are read on every
//      check, so a new CRL needs no restart; a CRL that is missing, unreadable, expired or not
//      from the issuer fails closed (crl_unavailable);
//   2. require the clientAuth extended key usage on the client's certificate;
//   3. map its name (map_certificate_name);
//   4. with [identity.ldap], the directory's word on the principal, as on the Kerberos paths
//      (apply_directory): SID, groups, and a disabled, locked or expired account refused; a
//      directory that cannot answer refuses the certificate (nobody else checked the account).
// The chain not anchored at this rule's CA, or no name under this rule: the next rule. Any other
// verdict of a rule whose CA anchors the chain (expired, revoked, CRL unavailable, no clientAuth)
// is final: a later rule trusting the same CA cannot overturn it.
//
// Errors: bad_certificate, untrusted_certificate, certificate_expired, certificate_revoked,
// crl_unavailable, no_client_auth_usage, certificate_unmapped, unsupported_mechanism (evidence
// that is not a certificate), and the directory's account_disabled, account_expired,
// directory_unavailable, directory_error. Blocking (reads CRL files; asks the directory) and
// thread-safe.
#include <ssogate/identity/certificate_rules.hpp>
#include <ssogate/identity/directory.hpp>
#include <ssogate/identity/identity.hpp>
#include <ssogate/identity/identity_config.hpp>

#include <memory>
#include <string>
#include <vector>

struct ssl_st;  // OpenSSL's SSL

namespace ssogate::identity {

/// The client's chain of a TLS connection after its handshake (server side): the client's
/// certificate first, then what else the client sent. Empty chain when it sent none. After a
/// resumed session OpenSSL keeps only the client's certificate, not its intermediates: a rule
/// whose `ca` is the issuing CA still verifies it, one that names only the root does not.
certificate_evidence certificate_evidence_from_tls(const ssl_st& ssl, std::string source_address);

/// One check with the details `identity check --cert` shows.
struct certificate_verdict {
    outcome result;
    std::string rule;     // the rule that matched, or whose verdict was final; "" when none
    std::string subject;  // of the client's certificate (RFC 2253), "" when it did not parse
    std::string issuer;
};

class certificate_authenticator final : public authenticator {
public:
    /// Keeps a copy of `cfg`; loads every rule's CA file. Throws config_error when one is missing
    /// or holds no certificate. Groups, SID and account state come from make_directory(cfg)
    /// ([identity.ldap], or none).
    explicit certificate_authenticator(const identity_config& cfg);
    /// The same with a directory of the caller's (nullptr: none).
    certificate_authenticator(const identity_config& cfg, std::shared_ptr<directory> dir);
    ~certificate_authenticator() override;
    certificate_authenticator(const certificate_authenticator&) = delete;
    certificate_authenticator& operator=(const certificate_authenticator&) = delete;

    /// certificate_evidence only; other evidence is refused (unsupported_mechanism).
    outcome authenticate(const evidence& e) override;
    /// The same with the rule and the certificate's names (for `identity check --cert`).
    [[nodiscard]] certificate_verdict check(const certificate_evidence& e) const;
    [[nodiscard]] directory* groups_directory() const noexcept { return directory_.get(); }

    /// Limits on the evidence: more certificates or larger ones are bad_certificate.
    static constexpr std::size_t max_chain = 16;
    static constexpr std::size_t max_der = 64 * 1024;

private:
    struct rule_state;
    identity_config cfg_;
    std::vector<std::unique_ptr<rule_state>> rules_;
    std::shared_ptr<directory> directory_;
    [[nodiscard]] certificate_verdict verify(const certificate_evidence& e) const;
};

}  // namespace ssogate::identity

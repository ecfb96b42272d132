#pragma once
// Certificate-to-principal rules: `[[identity.certificates.rule]]` in the configuration, and the
// mapping of one certificate's names to a principal under one rule. The chain checks (the rule's
// CA, dates, CRLs, clientAuth) are certificate_authenticator's; this file only reads names.
//
//   [[identity.certificates.rule]]
//   name = "corp-smartcards"          # for messages and `identity check`; default "rule N"
//   ca = "corp-issuing-ca.pem"        # PEM: the CA certificate(s) this rule trusts, and only these
//   map = "upn"                       # upn | email | cn
//   domains = ["corp.example"]        # upn/email: the accepted domain parts; default: any
//   realm = "CORP.EXAMPLE"            # the principal's realm (or a NetBIOS domain of
//                                     #   [identity.domains]); required for cn; for upn/email
//                                     #   default: the name's domain part, upper-cased
//   crls = ["corp-issuing-ca.crl"]    # PEM or DER CRLs, re-read on every check; default: none
//   crl_check = "leaf"                # leaf | chain (every certificate of the chain)
//
// Names are read strictly (see map_certificate_name): a certificate whose names of the rule's kind
// are malformed or disagree gives no name under that rule.
#include <ssogate/credstore/principal.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct x509_st;  // OpenSSL's X509

namespace ssogate::identity {

struct identity_config;

/// Which name of the certificate becomes the principal.
enum class certificate_map {
    upn,    // Microsoft UPN: SAN otherName 1.3.6.1.4.1.311.20.2.3, a UTF8String `user@domain`
    email,  // SAN rfc822Name `user@domain`
    cn,     // subject commonName `user`, in the rule's realm
};

struct certificate_rule {
    std::string name;                         // "rule 1" unless named
    std::filesystem::path ca;                 // PEM file of the trusted CA certificate(s)
    certificate_map map = certificate_map::upn;
    std::vector<std::string> domains;         // upn/email: accepted domain parts (lower-case); empty: any
    std::string realm;                        // upper-case; empty: the name's domain part upper-cased
    std::vector<std::filesystem::path> crls;  // empty: no revocation check
    bool crl_check_chain = false;             // crl_check = "chain": X509_V_FLAG_CRL_CHECK_ALL
};

/// The keys of one [[identity.certificates.rule]] table.
inline constexpr std::string_view certificate_rule_keys[] = {"name",  "ca",   "map",      "domains",
                                                             "realm", "crls", "crl_check"};

/// The name a rule found in a certificate, or why it found none.
struct certificate_name {
    std::optional<credstore::principal> principal;  // normalised; its realm is one the gateway serves
    std::string found;                              // the name as the certificate spells it
    std::string why;                                // no principal: one line, printable
};

/// Reads the rule's kind of name from `cert` (which the caller has verified or not: this looks at
/// names only) and makes it a principal by the credstore rules and `cfg.realms`.
///
/// The documented strict reading:
///  - upn: every UPN otherName must be a UTF8String of valid UTF-8 without control characters
///    (no NUL) of the form `user@domain`; any malformed one means no name. An rfc822Name must be
///    IA5 (ASCII) without control characters or spaces. A CN may be any ASN.1 string type that
///    converts to UTF-8 without control characters.
///  - names whose domain part is not in `rule.domains` are ignored (upn/email);
///  - the names left must all be the same (ASCII case-insensitive): several different users in
///    one certificate is ambiguous and gives no name, never "the first one";
///  - a SAN extension that does not decode, or two SAN extensions, give no name (upn/email).
///  - the principal's realm must be one the gateway serves (`cfg.serves_realm`).
certificate_name map_certificate_name(const x509_st& cert, const certificate_rule& rule,
                                      const identity_config& cfg);

/// The certificate carries the extended key usage extension and it lists clientAuth
/// (id-kp-clientAuth, RFC 5280 section 4.2.1.12). Certificates without the extension fail: the
/// usage is required, not merely "not excluded". Shared with the secret server's client check.
bool has_client_auth_usage(x509_st& cert);

/// The subject of `cert` in RFC 2253 form, control characters replaced (for messages).
std::string certificate_subject(const x509_st& cert);
/// The issuer, likewise.
std::string certificate_issuer(const x509_st& cert);

}  // namespace ssogate::identity

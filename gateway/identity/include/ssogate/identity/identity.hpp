#pragma once
// The one interface every route shares (TN3270 and TN5250 logon screens, HTTP):
//
//     authenticate(evidence) -> verified identity (principal, SID when known, groups)
//                             | refusal (an errc and a one-line message)
//
// Evidence is what the caller showed: a Windows user name and password typed into the gateway's
// logon screen, an HTTP `Authorization: Negotiate` header, or a TLS client certificate chain.
// Every identity source returns principals normalised by credstore::principal, so `CORP\Alice`
// from a logon screen and `alice@CORP.EXAMPLE` from a Kerberos ticket are the same key in the store.
//
// Calls are BLOCKING: they may talk to a KDC (normally milliseconds; seconds when a KDC is
// silent and the Kerberos library walks its retry schedule). The gateway's I/O layer calls them
// off its event loop threads. Implementations are thread-safe.
#include <ssogate/credstore/principal.hpp>
#include <ssogate/credstore/secret_bytes.hpp>
#include <ssogate/identity/errc.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace ssogate::identity {

/// A Windows user name and password, e.g. from the gateway's own logon screen.
struct password_evidence {
    std::string user;               // `CORP\alice`, `alice@CORP.EXAMPLE` or `alice`
    credstore::secret_bytes password;
    std::string source_address;     // the caller's IP address, for throttling ("" = unknown)
};

/// An HTTP `Authorization` header value (RFC 4559): "Negotiate <base64 SPNEGO token>".
struct negotiate_evidence {
    std::string authorization;      // the field value, without "Authorization:"
    std::string source_address;
};

/// A TLS client certificate chain as the peer sent it, leaf first, each certificate DER-encoded
/// (certificate_evidence_from_tls() fills it from an OpenSSL connection after the handshake).
/// The TLS layer has verified it against the listener's CAs; certificate_authenticator checks
/// again what it relies on, against each rule's own CA and CRLs (certificate_authenticator.hpp).
struct certificate_evidence {
    std::vector<std::vector<unsigned char>> chain;  // DER; chain[0] is the client's certificate
    std::string source_address;
};

using evidence = std::variant<password_evidence, negotiate_evidence, certificate_evidence>;

/// How the identity was proven.
enum class auth_method { password, negotiate, certificate };

/// A group the principal belongs to. Filled from the directory in stage 2 (LDAP/AD).
struct group {
    credstore::principal principal;  // CORP\MainframeUsers
    std::optional<std::string> sid;  // S-1-5-21-...
};

/// What the directory says about the account ([identity.ldap]). unknown: no directory, or it
/// says nothing (a plain LDAP schema without lock attributes).
enum class account_state { unknown, enabled, disabled, locked, expired };

/// Where `groups` (and `sid`, `account`) came from. A route may grant a mapping by group only
/// when groups_usable(): on `unavailable` the directory could not be asked and nothing cached is
/// younger than the TTL, so `groups` is empty and must not be read as "member of nothing".
enum class groups_status {
    not_configured,    // no [identity.ldap]: groups are not looked up
    fresh,             // from the directory during this authentication
    cached,            // from the cache, younger than [identity.ldap] cache_seconds
    not_in_directory,  // the directory has no entry for the user: no groups
    unavailable,       // directory down or refusing the gateway, nothing fresh cached: fail closed
    pac,               // Negotiate: the ticket's PAC (pac.hpp), its logon younger than
                       // [identity.ldap] cache_seconds, its SIDs named by the directory
};

struct verified_identity {
    credstore::principal principal;            // normalised (credstore rules)
    std::string kerberos_name;                 // as the KDC spelled it: alice@CORP.EXAMPLE
    std::optional<std::string> sid;            // known from the PAC or AD (later stages)
    std::vector<group> groups;                 // stage 2; empty for now
    auth_method method = auth_method::password;
    /// When the KDC said the password expires (password method only, when it says so).
    std::optional<std::chrono::system_clock::time_point> password_expires;
    // ---- from the directory (stage 2; see groups_status)
    account_state account = account_state::unknown;
    groups_status groups_from = groups_status::not_configured;
    std::string directory_dn{};   // the user's entry, when found
    std::string directory_note{}; // why groups are missing (unavailable / not_in_directory)

    /// May a mapping be granted because of `groups`? Only on fresh or cached (within TTL) data.
    [[nodiscard]] bool groups_usable() const noexcept {
        return groups_from == groups_status::fresh || groups_from == groups_status::cached ||
               groups_from == groups_status::pac;
    }
};

struct refusal {
    std::error_code code;          // an identity::errc
    std::string message;           // one line for operators and logs; never holds a secret
    std::chrono::seconds retry_after{0};  // throttled: when the next attempt is allowed
};

/// The answer to authenticate(). Exactly one of `identity` and `refused.code` is set.
struct outcome {
    std::optional<verified_identity> identity;
    refusal refused;
    /// Negotiate only: the base64 token for `WWW-Authenticate: Negotiate <token>` (mutual
    /// authentication on success; an SPNEGO reject on some refusals). Empty when there is none.
    std::string negotiate_reply;

    [[nodiscard]] explicit operator bool() const noexcept { return identity.has_value(); }
    [[nodiscard]] std::error_code code() const noexcept { return refused.code; }

    static outcome success(verified_identity id) {
        outcome o;
        o.identity = std::move(id);
        return o;
    }
    static outcome failure(errc code, std::string message) {
        outcome o;
        o.refused.code = make_error_code(code);
        o.refused.message = std::move(message);
        return o;
    }
};

/// Verifies evidence. One implementation per kind of directory (stage 1: Kerberos).
class authenticator {
public:
    virtual ~authenticator() = default;
    /// Blocking; thread-safe. Never throws on bad evidence: bad input is a refusal.
    virtual outcome authenticate(const evidence& e) = 0;
};

}  // namespace ssogate::identity

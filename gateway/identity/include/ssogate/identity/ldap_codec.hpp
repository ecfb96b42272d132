#pragma once
// Pure functions on directory data: no libldap, no sockets, no clock. Everything the LDAP
// directory client builds (filters) or reads (binary SIDs, tokenGroups, account flags, DNs) goes
// through here, so it can be unit-tested and fuzzed on bytes in memory.
//
// Nothing here throws on bad input: a value that does not decode is std::nullopt.
#include <ssogate/identity/identity.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ssogate::identity::ldap_codec {

/// RFC 4515 section 3: a value for an LDAP search filter. `*`, `(`, `)`, `\` and NUL must be
/// escaped as `\XX`; every other byte outside printable ASCII is escaped too (allowed by the RFC,
/// and it keeps control characters and raw bytes of binary values out of the filter text).
std::string escape_filter_value(std::string_view value);
/// The same for a binary value (objectSid): every byte as `\XX`.
std::string escape_filter_bytes(std::span<const std::uint8_t> value);
/// The inverse of escape_filter_value for an assertion value: `\XX` pairs decoded; nullopt when
/// a `\` is not followed by two hex digits or an unescaped `*`, `(`, `)` or NUL appears.
std::optional<std::string> unescape_filter_value(std::string_view escaped);

/// RFC 4514 section 2.4: an attribute value for a DN string (`uid=<value>,ou=people,...`).
/// `"`, `+`, `,`, `;`, `<`, `>`, `\` and `=` are escaped with a backslash; a leading `#` or space
/// and a trailing space too; NUL and other control bytes as `\XX`.
std::string escape_dn_value(std::string_view value);
/// The value of the first RDN of a DN string (`cn=Main\2C Frame,ou=groups,...` -> `Main, Frame`),
/// RFC 4514 escapes decoded. nullopt for a DN it cannot read (no `=`, a bad escape, a hex-string
/// `#...` value, a multi-valued first RDN, or an empty value).
std::optional<std::string> first_rdn_value(std::string_view dn);

/// A Windows security identifier ([MS-DTYP] 2.4.2): revision 1, up to 15 sub-authorities.
struct sid {
    std::uint64_t authority = 0;                 // 48 bits
    std::vector<std::uint32_t> sub_authorities;  // at most 15

    /// [MS-DTYP] 2.4.2.1: "S-1-5-21-1004336348-1177238915-682003330-512". An authority of 2^32
    /// or more is written in hex ("S-1-0x123456789ABC-...").
    [[nodiscard]] std::string to_string() const;
    /// The binary form of [MS-DTYP] 2.4.2.2 (objectSid, tokenGroups).
    [[nodiscard]] std::vector<std::uint8_t> to_bytes() const;
    friend bool operator==(const sid&, const sid&) = default;
};
/// Decodes the binary form; nullopt unless the length matches the sub-authority count exactly.
std::optional<sid> decode_sid(std::span<const std::uint8_t> bytes);
/// Parses the string form; nullopt for anything else ("S-1-" then the authority and at most 15
/// sub-authorities, each a decimal number in range).
std::optional<sid> parse_sid(std::string_view text);

/// A decimal integer as LDAP sends it (INTEGER syntax, RFC 4517 3.3.16): optional '-', digits,
/// no leading zeros beyond "0", in int64 range.
std::optional<std::int64_t> parse_integer(std::string_view text);

/// userAccountControl flags ([MS-ADTS] 2.2.16).
inline constexpr std::uint32_t uac_accountdisable = 0x0002;
inline constexpr std::uint32_t uac_lockout = 0x0010;
inline constexpr std::uint32_t uac_password_expired = 0x00800000;

/// What an AD user object says about its account: userAccountControl (disabled),
/// msDS-User-Account-Control-Computed (locked out: AD keeps lockout there, not in
/// userAccountControl) and accountExpires (a FILETIME, 100 ns since 1601; 0 and 2^63-1 mean
/// never). A missing attribute is std::nullopt. Disabled wins over locked, locked over expired.
account_state ad_account_state(std::optional<std::int64_t> user_account_control,
                               std::optional<std::int64_t> uac_computed,
                               std::optional<std::int64_t> account_expires,
                               std::chrono::system_clock::time_point now);

/// What a plain LDAP entry says: nsAccountLock ("TRUE": disabled), pwdAccountLockedTime
/// (OpenLDAP ppolicy: present means locked; "000001010000Z" means locked by an administrator
/// for good, reported as disabled), shadowExpire (days since 1970-01-01; -1 never).
/// unknown when the entry has none of them (the schema says nothing); enabled when it has some
/// and none of them says otherwise.
account_state ldap_account_state(const std::vector<std::string>& ns_account_lock,
                                 const std::vector<std::string>& pwd_account_locked_time,
                                 const std::vector<std::string>& shadow_expire,
                                 std::chrono::system_clock::time_point now);

/// Is this the host of a loopback address (127.0.0.0/8, ::1, localhost)?
bool is_loopback_host(std::string_view host);

/// One LDAP URL split ("ldaps://dc1.corp.example:636/" -> scheme "ldaps", host, port 636).
struct ldap_url {
    std::string scheme;  // "ldap" or "ldaps"
    std::string host;    // without brackets
    int port = 0;        // 389 / 636 when not given
};
/// Parses `ldap://host[:port][/]` and `ldaps://...`; nullopt for anything else (other schemes,
/// a path, a query, ldapi://, user info, control characters).
std::optional<ldap_url> parse_ldap_url(std::string_view url);

}  // namespace ssogate::identity::ldap_codec

#pragma once
// The MS-PAC logon information (PAC_LOGON_INFO, [MS-PAC] section 2.5): who the user is and which
// groups Active Directory put in the Kerberos ticket, decoded from the bytes MIT's GSSAPI hands
// out as the name attribute `urn:mspac:logon-info` once the acceptor has verified the ticket.
//
// The buffer is a KERB_VALIDATION_INFO marshalled with NDR ([MS-RPCE] section 2.2.6, type
// serialization version 1): a common and a private header, a top-level pointer, the structure's
// fixed part, then the deferred referents of its pointers in order (the six strings, GroupIds,
// LogonServer, LogonDomainName, LogonDomainId, ExtraSids with their SIDs, ResourceGroupDomainSid,
// ResourceGroupIds). Every length, count and offset is checked against the buffer before it is
// used; anything that does not fit is a refusal with a reason, never a read past the end.
//
// The KDC signs the PAC; MIT checks the server signature before it reports the attribute as
// authenticated. This decoder trusts nothing of that: it is a pure function of bytes in memory.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ssogate::identity {

/// What PAC_LOGON_INFO says about the user. SIDs in the S-1-5-21-... string form.
struct pac_logon_info {
    std::string account_name;  // EffectiveName: the sAMAccountName ("alice")
    std::string domain_name;   // LogonDomainName: the NetBIOS domain ("SAMBA")
    std::string domain_sid;    // LogonDomainId
    std::string user_sid;      // LogonDomainId + UserId
    std::uint32_t user_account_control = 0;  // SAM USER_* flags as the KDC saw them
    std::uint32_t user_flags = 0;            // LOGON_EXTRA_SIDS (0x20), LOGON_RESOURCE_GROUPS (0x200)
    /// Every enabled group of the token, no duplicates, in PAC order: the primary group and
    /// GroupIds (relative to the domain SID), ExtraSids (full SIDs: other domains, well-known
    /// SIDs such as S-1-18-1), then ResourceGroupIds (relative to ResourceGroupDomainSid).
    std::vector<std::string> group_sids;
};

/// Caps that keep a hostile buffer from costing more than a real one: AD limits a token to 1015
/// groups; a PAC over 64 KiB is refused before decoding.
inline constexpr std::size_t max_pac_logon_info = 64 * 1024;
inline constexpr std::size_t max_pac_groups = 4096;

/// Decode a PAC_LOGON_INFO buffer. nullopt on any malformed input, with a one-line reason in
/// `why` (when given) naming the field and the offset. Never throws on bad input.
std::optional<pac_logon_info> parse_pac_logon_info(std::span<const std::uint8_t> buffer,
                                                   std::string* why = nullptr);

}  // namespace ssogate::identity

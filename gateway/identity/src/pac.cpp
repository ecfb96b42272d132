#include <ssogate/identity/pac.hpp>

#include <algorithm>

namespace ssogate::identity {
namespace {

// [MS-PAC] 2.5 (KERB_VALIDATION_INFO), [MS-DTYP] 2.4.2.2 (SID), [MS-RPCE] 2.2.6 (type
// serialization version 1), C706 chapter 14 (NDR: alignment, conformant/varying arrays,
// deferred pointer referents).
constexpr std::uint32_t se_group_enabled = 0x00000004;
constexpr std::size_t max_sub_authorities = 15;

// Reads little-endian NDR primitives from a bounded buffer. The first failure sticks: later
// reads return zero and `why` keeps the first reason, so a decoder can read a whole structure
// and check once.
class ndr_reader {
public:
    explicit ndr_reader(std::span<const std::uint8_t> b) noexcept : b_(b) {}

    [[nodiscard]] bool ok() const noexcept { return why_.empty(); }
    [[nodiscard]] const std::string& why() const noexcept { return why_; }
    [[nodiscard]] std::size_t offset() const noexcept { return pos_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return b_.size() - pos_; }

    void fail(const std::string& what) {
        if (ok()) why_ = what + " at offset " + std::to_string(pos_);
    }

    // NDR aligns every primitive to its size, relative to the start of the stream.
    void align(std::size_t n, const char* what) {
        const std::size_t pad = (n - pos_ % n) % n;
        if (pad > remaining()) return fail(std::string("truncated before ") + what);
        pos_ += pad;
    }
    std::span<const std::uint8_t> bytes(std::size_t n, const char* what) {
        if (!ok()) return {};
        if (n > remaining()) {
            fail(std::string("truncated ") + what + " (" + std::to_string(n) + " bytes announced, " +
                 std::to_string(remaining()) + " left)");
            return {};
        }
        auto s = b_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    std::uint8_t u8(const char* what) {
        const auto s = bytes(1, what);
        return s.empty() ? 0 : s[0];
    }
    std::uint16_t u16(const char* what) {
        align(2, what);
        const auto s = bytes(2, what);
        return s.empty() ? 0 : static_cast<std::uint16_t>(s[0] | s[1] << 8);
    }
    std::uint32_t u32(const char* what) {
        align(4, what);
        const auto s = bytes(4, what);
        if (s.empty()) return 0;
        return static_cast<std::uint32_t>(s[0]) | static_cast<std::uint32_t>(s[1]) << 8 |
               static_cast<std::uint32_t>(s[2]) << 16 | static_cast<std::uint32_t>(s[3]) << 24;
    }
    /// A conformance or variance count that announces `item` bytes per element: refused when the
    /// rest of the buffer cannot hold that many (so nothing is reserved for a lying count).
    std::uint32_t count(std::size_t item, const char* what) {
        const std::uint32_t n = u32(what);
        if (ok() && item > 0 && n > remaining() / item)
            fail(std::string(what) + " announces " + std::to_string(n) + " elements, more than the buffer holds");
        return ok() ? n : 0;
    }

private:
    std::span<const std::uint8_t> b_;
    std::size_t pos_ = 0;
    std::string why_;
};

// RPC_UNICODE_STRING ([MS-DTYP] 2.3.10): the fixed part holds the byte lengths and a pointer.
struct unicode_string_head {
    std::uint16_t length = 0;
    std::uint16_t maximum_length = 0;
    std::uint32_t pointer = 0;
};

unicode_string_head read_string_head(ndr_reader& r, const char* what) {
    unicode_string_head h;
    h.length = r.u16(what);
    h.maximum_length = r.u16(what);
    h.pointer = r.u32(what);
    if (r.ok() && (h.length % 2 != 0 || h.length > h.maximum_length))
        r.fail(std::string(what) + " has inconsistent lengths");
    return h;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xc0 | cp >> 6));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xe0 | cp >> 12));
        out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        out.push_back(static_cast<char>(0xf0 | cp >> 18));
        out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
}

// UTF-16LE to UTF-8; nullopt for an unpaired surrogate or a NUL (a name never holds one).
std::optional<std::string> utf16le_to_utf8(std::span<const std::uint8_t> b) {
    std::string out;
    for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
        std::uint32_t cp = static_cast<std::uint32_t>(b[i] | b[i + 1] << 8);
        if (cp == 0) return std::nullopt;
        if (cp >= 0xdc00 && cp <= 0xdfff) return std::nullopt;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (i + 3 >= b.size()) return std::nullopt;
            const std::uint32_t low = static_cast<std::uint32_t>(b[i + 2] | b[i + 3] << 8);
            if (low < 0xdc00 || low > 0xdfff) return std::nullopt;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            i += 2;
        }
        append_utf8(out, cp);
    }
    return out;
}

// The deferred referent of an RPC_UNICODE_STRING: a conformant varying array of WCHAR
// (maximum count, offset, actual count, then the characters).
std::string read_string_body(ndr_reader& r, const unicode_string_head& h, const char* what) {
    if (h.pointer == 0) {
        if (h.length != 0) r.fail(std::string(what) + " has a length but no characters");
        return {};
    }
    const std::uint32_t max = r.u32(what);
    const std::uint32_t offset = r.u32(what);
    const std::uint32_t actual = r.count(2, what);
    if (!r.ok()) return {};
    // MaximumLength and the maximum count are capacities that KDCs fill differently; the
    // characters present must be exactly Length bytes.
    if (offset != 0 || actual > max || static_cast<std::size_t>(actual) * 2 != h.length) {
        r.fail(std::string(what) + " does not match its announced lengths");
        return {};
    }
    const auto chars = r.bytes(static_cast<std::size_t>(actual) * 2, what);
    if (!r.ok()) return {};
    auto text = utf16le_to_utf8(chars);
    if (!text) {
        r.fail(std::string(what) + " is not valid UTF-16");
        return {};
    }
    return *text;
}

std::string format_sid(std::uint8_t revision, std::uint64_t authority, const std::vector<std::uint32_t>& subs) {
    std::string s = "S-" + std::to_string(revision) + "-";
    if (authority < (std::uint64_t{1} << 32)) {
        s += std::to_string(authority);
    } else {  // MS-DTYP 2.4.2.1: an authority of 2^32 or more is written in hexadecimal
        static constexpr char hex[] = "0123456789ABCDEF";
        std::string h;
        for (int shift = 44; shift >= 0; shift -= 4) h.push_back(hex[(authority >> shift) & 0xf]);
        s += "0x" + h;
    }
    for (const std::uint32_t sub : subs) s += "-" + std::to_string(sub);
    return s;
}

// An RPC_SID referent: the conformance (sub-authority count) first, then the SID itself.
std::string read_rpc_sid(ndr_reader& r, const char* what) {
    const std::uint32_t conformance = r.count(4, what);
    const std::uint8_t revision = r.u8(what);
    const std::uint8_t count = r.u8(what);
    const auto authority_bytes = r.bytes(6, what);
    if (!r.ok()) return {};
    if (revision != 1 || count != conformance || count > max_sub_authorities) {
        r.fail(std::string(what) + " is not a revision 1 SID with a consistent count");
        return {};
    }
    std::uint64_t authority = 0;
    for (const std::uint8_t b : authority_bytes) authority = authority << 8 | b;  // big-endian
    std::vector<std::uint32_t> subs;
    for (std::uint8_t i = 0; i < count; ++i) subs.push_back(r.u32(what));
    if (!r.ok()) return {};
    return format_sid(revision, authority, subs);
}

struct group_membership {
    std::uint32_t relative_id = 0;
    std::uint32_t attributes = 0;
};

// A conformant array of GROUP_MEMBERSHIP whose fixed-part count is `expected`.
std::vector<group_membership> read_groups(ndr_reader& r, std::uint32_t pointer, std::uint32_t expected,
                                          const char* what) {
    std::vector<group_membership> out;
    if (pointer == 0) {
        if (expected != 0) r.fail(std::string(what) + " counts " + std::to_string(expected) + " but is absent");
        return out;
    }
    const std::uint32_t n = r.count(8, what);
    if (r.ok() && n != expected) r.fail(std::string(what) + " count differs from the structure's count");
    if (!r.ok()) return out;
    out.reserve(n);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
        group_membership g;
        g.relative_id = r.u32(what);
        g.attributes = r.u32(what);
        out.push_back(g);
    }
    return out;
}

void add_unique(std::vector<std::string>& v, std::string sid) {
    if (std::find(v.begin(), v.end(), sid) == v.end()) v.push_back(std::move(sid));
}

}  // namespace

std::optional<pac_logon_info> parse_pac_logon_info(std::span<const std::uint8_t> buffer, std::string* why) {
    auto refuse = [&](const std::string& reason) -> std::optional<pac_logon_info> {
        if (why != nullptr) *why = "PAC logon info: " + reason;
        return std::nullopt;
    };
    if (buffer.size() > max_pac_logon_info)
        return refuse("larger than " + std::to_string(max_pac_logon_info) + " bytes");

    // Type serialization version 1 ([MS-RPCE] 2.2.6.1, 2.2.6.2): common header, private header.
    ndr_reader head(buffer);
    const std::uint8_t version = head.u8("common header");
    const std::uint8_t endianness = head.u8("common header");
    const std::uint16_t header_length = head.u16("common header");
    head.u32("common header filler");
    const std::uint32_t object_length = head.u32("private header");
    head.u32("private header filler");
    if (!head.ok()) return refuse(head.why());
    if (version != 1) return refuse("not NDR type serialization version 1");
    if (endianness != 0x10) return refuse("not little-endian NDR (only little-endian is produced by AD)");
    if (header_length != 8) return refuse("common header length is not 8");
    if (object_length > head.remaining()) return refuse("object length exceeds the buffer");

    // Offsets stay relative to the start of the buffer (the headers are 16 bytes, so NDR's
    // 8-byte alignment is the same either way); the reader sees only the announced object.
    ndr_reader r(buffer.first(16 + object_length));
    r.bytes(16, "headers");
    if (r.u32("top-level pointer") == 0 && r.ok()) return refuse("the KERB_VALIDATION_INFO pointer is null");

    // The fixed part of KERB_VALIDATION_INFO ([MS-PAC] 2.5).
    r.bytes(6 * 8, "logon times");  // LogonTime .. PasswordMustChange (FILETIME: two ULONGs)
    const auto effective_name = read_string_head(r, "EffectiveName");
    const auto full_name = read_string_head(r, "FullName");
    const auto logon_script = read_string_head(r, "LogonScript");
    const auto profile_path = read_string_head(r, "ProfilePath");
    const auto home_directory = read_string_head(r, "HomeDirectory");
    const auto home_drive = read_string_head(r, "HomeDirectoryDrive");
    r.u16("LogonCount");
    r.u16("BadPasswordCount");
    const std::uint32_t user_id = r.u32("UserId");
    const std::uint32_t primary_group_id = r.u32("PrimaryGroupId");
    const std::uint32_t group_count = r.u32("GroupCount");
    const std::uint32_t group_ids_ptr = r.u32("GroupIds");
    pac_logon_info info;
    info.user_flags = r.u32("UserFlags");
    r.bytes(16, "UserSessionKey");
    const auto logon_server = read_string_head(r, "LogonServer");
    const auto logon_domain_name = read_string_head(r, "LogonDomainName");
    const std::uint32_t logon_domain_id_ptr = r.u32("LogonDomainId");
    r.u32("Reserved1");
    r.u32("Reserved1");
    info.user_account_control = r.u32("UserAccountControl");
    r.u32("SubAuthStatus");
    r.bytes(2 * 8, "interactive logon times");  // LastSuccessfulILogon, LastFailedILogon
    r.u32("FailedILogonCount");
    r.u32("Reserved3");
    const std::uint32_t sid_count = r.u32("SidCount");
    const std::uint32_t extra_sids_ptr = r.u32("ExtraSids");
    const std::uint32_t resource_domain_ptr = r.u32("ResourceGroupDomainSid");
    const std::uint32_t resource_group_count = r.u32("ResourceGroupCount");
    const std::uint32_t resource_groups_ptr = r.u32("ResourceGroupIds");
    if (!r.ok()) return refuse(r.why());
    if (static_cast<std::size_t>(group_count) + sid_count + resource_group_count > max_pac_groups)
        return refuse("more than " + std::to_string(max_pac_groups) + " groups");

    // The deferred referents, in the order of their pointers in the fixed part.
    info.account_name = read_string_body(r, effective_name, "EffectiveName");
    read_string_body(r, full_name, "FullName");
    read_string_body(r, logon_script, "LogonScript");
    read_string_body(r, profile_path, "ProfilePath");
    read_string_body(r, home_directory, "HomeDirectory");
    read_string_body(r, home_drive, "HomeDirectoryDrive");
    const auto groups = read_groups(r, group_ids_ptr, group_count, "GroupIds");
    read_string_body(r, logon_server, "LogonServer");
    info.domain_name = read_string_body(r, logon_domain_name, "LogonDomainName");
    if (logon_domain_id_ptr == 0) return refuse("LogonDomainId is absent");
    info.domain_sid = read_rpc_sid(r, "LogonDomainId");
    if (!r.ok()) return refuse(r.why());

    std::vector<std::pair<std::uint32_t, std::uint32_t>> extra;  // (SID pointer, attributes)
    if (extra_sids_ptr != 0) {
        const std::uint32_t n = r.count(8, "ExtraSids");
        if (r.ok() && n != sid_count) r.fail("ExtraSids count differs from SidCount");
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
            const std::uint32_t p = r.u32("ExtraSids");
            extra.emplace_back(p, r.u32("ExtraSids"));
        }
    } else if (sid_count != 0) {
        r.fail("SidCount is " + std::to_string(sid_count) + " but ExtraSids is absent");
    }
    std::vector<std::pair<std::string, std::uint32_t>> extra_sids;
    for (const auto& [p, attributes] : extra) {
        if (!r.ok()) break;
        if (p == 0) continue;
        extra_sids.emplace_back(read_rpc_sid(r, "ExtraSids SID"), attributes);
    }
    std::string resource_domain;
    if (resource_domain_ptr != 0) resource_domain = read_rpc_sid(r, "ResourceGroupDomainSid");
    const auto resource_groups =
        read_groups(r, resource_groups_ptr, resource_group_count, "ResourceGroupIds");
    if (!r.ok()) return refuse(r.why());
    if (!resource_groups.empty() && resource_domain.empty())
        return refuse("ResourceGroupIds without a ResourceGroupDomainSid");
    if (info.account_name.empty()) return refuse("EffectiveName is empty");

    info.user_sid = info.domain_sid + "-" + std::to_string(user_id);
    if (primary_group_id != 0) add_unique(info.group_sids, info.domain_sid + "-" + std::to_string(primary_group_id));
    for (const auto& g : groups)
        if ((g.attributes & se_group_enabled) != 0)
            add_unique(info.group_sids, info.domain_sid + "-" + std::to_string(g.relative_id));
    for (auto& [sid, attributes] : extra_sids)
        if ((attributes & se_group_enabled) != 0) add_unique(info.group_sids, std::move(sid));
    for (const auto& g : resource_groups)
        if ((g.attributes & se_group_enabled) != 0)
            add_unique(info.group_sids, resource_domain + "-" + std::to_string(g.relative_id));
    return info;
}

}  // namespace ssogate::identity

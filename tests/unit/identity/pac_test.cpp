// The MS-PAC logon info decoder on bytes in memory: a real PAC captured from a Samba AD DC
// (tests/data/samba_pac_logon_info.hex), every truncation of it, corrupted counts, flipped
// bytes and garbage. Nothing here may crash or read past the buffer (ASan build).
#include <ssogate/identity/pac.hpp>

#include "hex.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <random>
#include <sstream>

using namespace ssogate;
using namespace ssogate::identity;

namespace {

const std::string domain_sid = "S-1-5-21-1690655885-548077554-2540689066";

std::vector<std::uint8_t> real_pac() {
    std::ifstream in(std::string(SSOGATE_TEST_DATA_DIR) + "/samba_pac_logon_info.hex");
    std::string text, line;
    while (std::getline(in, line))
        if (!line.empty() && line[0] != '#') text += line + "\n";
    std::vector<std::uint8_t> out;
    for (const std::byte b : test::parse_hex(text)) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

std::optional<pac_logon_info> parse(const std::vector<std::uint8_t>& b, std::string* why = nullptr) {
    return parse_pac_logon_info(std::span<const std::uint8_t>(b.data(), b.size()), why);
}

void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// A KERB_VALIDATION_INFO built by hand, NDR as [MS-RPCE] 2.2.6 and C706 chapter 14 lay it out,
// for the parts a Samba PAC of this test domain does not have (resource groups, disabled group
// attributes, null SID pointers, non-ASCII names, large authorities).
struct sid_spec {
    std::uint64_t authority = 5;
    std::vector<std::uint32_t> subs;
};
struct pac_spec {
    std::u16string name = u"alice";
    std::u16string domain = u"CORP";
    sid_spec domain_sid{5, {21, 1, 2, 3}};
    std::uint32_t user_id = 1105;
    std::uint32_t primary_group = 513;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> groups{{513, 7}};
    std::vector<std::pair<std::optional<sid_spec>, std::uint32_t>> extra;
    std::optional<sid_spec> resource_domain;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> resource_groups;
};

class ndr_builder {
public:
    std::vector<std::uint8_t> b;
    void align(std::size_t n) {
        while (b.size() % n != 0) b.push_back(0);
    }
    void u16(std::uint16_t v) {
        align(2);
        b.push_back(static_cast<std::uint8_t>(v));
        b.push_back(static_cast<std::uint8_t>(v >> 8));
    }
    void u32(std::uint32_t v) {
        align(4);
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void zeros(std::size_t n) { b.insert(b.end(), n, 0); }
    void string_head(const std::u16string& s, std::uint32_t& ref) {
        u16(static_cast<std::uint16_t>(s.size() * 2));
        u16(static_cast<std::uint16_t>(s.size() * 2));
        u32(s.empty() ? 0 : ++ref);
    }
    void string_body(const std::u16string& s) {
        if (s.empty()) return;
        u32(static_cast<std::uint32_t>(s.size()));
        u32(0);
        u32(static_cast<std::uint32_t>(s.size()));
        for (const char16_t c : s) u16(static_cast<std::uint16_t>(c));
    }
    void sid(const sid_spec& s) {
        u32(static_cast<std::uint32_t>(s.subs.size()));
        b.push_back(1);
        b.push_back(static_cast<std::uint8_t>(s.subs.size()));
        for (int shift = 40; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(s.authority >> shift));
        for (const auto sub : s.subs) u32(sub);
    }
    void groups(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& g) {
        u32(static_cast<std::uint32_t>(g.size()));
        for (const auto& [rid, attrs] : g) {
            u32(rid);
            u32(attrs);
        }
    }
};

std::vector<std::uint8_t> build_pac(const pac_spec& p) {
    ndr_builder n;
    std::uint32_t ref = 0x20000;
    n.b = {0x01, 0x10, 0x08, 0x00, 0xcc, 0xcc, 0xcc, 0xcc, 0, 0, 0, 0, 0, 0, 0, 0};
    n.u32(ref);
    n.zeros(48);
    n.string_head(p.name, ref);
    for (int i = 0; i < 5; ++i) n.string_head(u"", ref);
    n.u16(0);
    n.u16(0);
    n.u32(p.user_id);
    n.u32(p.primary_group);
    n.u32(static_cast<std::uint32_t>(p.groups.size()));
    n.u32(p.groups.empty() ? 0 : ++ref);
    n.u32(p.extra.empty() ? 0 : 0x20);  // UserFlags
    n.zeros(16);
    n.string_head(u"", ref);  // LogonServer
    n.string_head(p.domain, ref);
    n.u32(++ref);  // LogonDomainId
    n.zeros(8);
    n.u32(0x10);  // UserAccountControl: USER_NORMAL_ACCOUNT
    n.u32(0);
    n.zeros(16);
    n.u32(0);
    n.u32(0);
    n.u32(static_cast<std::uint32_t>(p.extra.size()));
    n.u32(p.extra.empty() ? 0 : ++ref);
    n.u32(p.resource_domain ? ++ref : 0);
    n.u32(static_cast<std::uint32_t>(p.resource_groups.size()));
    n.u32(p.resource_groups.empty() ? 0 : ++ref);
    n.string_body(p.name);
    if (!p.groups.empty()) n.groups(p.groups);
    n.string_body(p.domain);
    n.sid(p.domain_sid);
    if (!p.extra.empty()) {
        n.u32(static_cast<std::uint32_t>(p.extra.size()));
        for (const auto& [sid, attrs] : p.extra) {
            n.u32(sid ? ++ref : 0);
            n.u32(attrs);
        }
        for (const auto& [sid, attrs] : p.extra)
            if (sid) n.sid(*sid);
    }
    if (p.resource_domain) n.sid(*p.resource_domain);
    if (!p.resource_groups.empty()) n.groups(p.resource_groups);
    n.align(8);
    put32(n.b, 8, static_cast<std::uint32_t>(n.b.size() - 16));
    return n.b;
}

// Offsets in the real buffer: 16 bytes of headers, the 4-byte top-level pointer, then the fixed
// part of KERB_VALIDATION_INFO ([MS-PAC] 2.5).
constexpr std::size_t fixed = 20;
constexpr std::size_t group_count_at = fixed + 108;
constexpr std::size_t sid_count_at = fixed + 196;

}  // namespace

TEST(PacLogonInfo, DecodesARealSambaPac) {
    const auto b = real_pac();
    ASSERT_EQ(b.size(), 456u);
    std::string why;
    const auto info = parse(b, &why);
    ASSERT_TRUE(info) << why;
    EXPECT_EQ(info->account_name, "alice");
    EXPECT_EQ(info->domain_name, "SAMBA");
    EXPECT_EQ(info->domain_sid, domain_sid);
    EXPECT_EQ(info->user_sid, domain_sid + "-1102");
    EXPECT_EQ(info->user_account_control & 0x1, 0u);  // not disabled
    const std::vector<std::string> groups{domain_sid + "-513", domain_sid + "-1108", domain_sid + "-1110",
                                          domain_sid + "-1109", "S-1-18-1"};
    EXPECT_EQ(info->group_sids, groups);
}

TEST(PacLogonInfo, EveryTruncationIsRefused) {
    const auto b = real_pac();
    for (std::size_t n = 0; n < b.size(); ++n) {
        std::vector<std::uint8_t> cut(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
        std::string why;
        EXPECT_FALSE(parse(cut, &why)) << n;
        EXPECT_FALSE(why.empty()) << n;
        // and with the private header's object length made to agree, so the decoder itself
        // meets the end of the buffer in every field
        if (n >= 16) {
            put32(cut, 8, static_cast<std::uint32_t>(n - 16));
            EXPECT_FALSE(parse(cut, &why)) << n;
            EXPECT_NE(why.find("PAC logon info: "), std::string::npos) << why;
        }
    }
}

TEST(PacLogonInfo, RefusesHeadersItDoesNotKnow) {
    const auto b = real_pac();
    std::string why;
    auto big_endian = b;
    big_endian[1] = 0x00;
    EXPECT_FALSE(parse(big_endian, &why));
    EXPECT_NE(why.find("little-endian"), std::string::npos) << why;
    auto version2 = b;
    version2[0] = 2;
    EXPECT_FALSE(parse(version2));
    auto null_top = b;
    put32(null_top, 16, 0);
    EXPECT_FALSE(parse(null_top, &why));
    EXPECT_NE(why.find("null"), std::string::npos) << why;
    EXPECT_FALSE(parse(std::vector<std::uint8_t>(max_pac_logon_info + 1, 0)));
}

TEST(PacLogonInfo, RefusesCountsThatDisagreeOrCannotFit) {
    const auto b = real_pac();
    std::string why;
    auto more_groups = b;
    put32(more_groups, group_count_at, 5);  // the array below says 4
    EXPECT_FALSE(parse(more_groups, &why));
    EXPECT_NE(why.find("GroupIds"), std::string::npos) << why;
    auto huge = b;
    put32(huge, group_count_at, 0xffffffff);
    EXPECT_FALSE(parse(huge, &why));
    EXPECT_NE(why.find("groups"), std::string::npos) << why;
    auto extra = b;
    put32(extra, sid_count_at, 2);
    EXPECT_FALSE(parse(extra, &why));
    EXPECT_NE(why.find("ExtraSids"), std::string::npos) << why;
}

TEST(PacLogonInfo, AFlippedByteNeverCrashesAndNeverInventsAnotherUser) {
    const auto b = real_pac();
    const auto original = parse(b);
    ASSERT_TRUE(original);
    for (std::size_t i = 0; i < b.size(); ++i) {
        for (const std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xff}}) {
            auto f = b;
            f[i] ^= mask;
            const auto info = parse(f);
            if (!info) continue;
            // a flip that still decodes changed a field; the shape stays sane
            EXPECT_EQ(info->user_sid.rfind("S-1-", 0), 0u) << i;
            EXPECT_LE(info->group_sids.size(), max_pac_groups) << i;
        }
    }
}

TEST(PacLogonInfo, GarbageIsRefused) {
    std::mt19937 rng(20261127);
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::uint8_t> g(rng() % 600);
        for (auto& x : g) x = static_cast<std::uint8_t>(rng());
        if (round % 2 == 0 && g.size() >= 16) {  // a plausible header, garbage after it
            g[0] = 1;
            g[1] = 0x10;
            g[2] = 8;
            g[3] = 0;
            put32(g, 8, static_cast<std::uint32_t>(g.size() - 16));
        }
        (void)parse(g);
    }
    EXPECT_FALSE(parse({}));
    EXPECT_FALSE(parse(std::vector<std::uint8_t>(456, 0)));
}

TEST(PacLogonInfo, AccountFlagsFromTheKdcAreReported) {
    auto b = real_pac();
    put32(b, fixed + 164, 0x1);  // UserAccountControl: USER_ACCOUNT_DISABLED
    const auto info = parse(b);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->user_account_control, 0x1u);
}

TEST(PacLogonInfo, ResourceGroupsExtraSidsAndDisabledGroups) {
    pac_spec p;
    p.groups = {{513, 7}, {1200, 7}, {1201, 0x10}};                 // 1201: deny-only, not enabled
    p.extra = {{sid_spec{18, {1}}, 7}, {std::nullopt, 7}, {sid_spec{5, {21, 9, 9, 9, 1300}}, 7}};
    p.resource_domain = sid_spec{5, {21, 7, 7, 7}};
    p.resource_groups = {{2000, 0x20000007}, {2001, 0}};
    std::string why;
    const auto info = parse(build_pac(p), &why);
    ASSERT_TRUE(info) << why;
    EXPECT_EQ(info->account_name, "alice");
    EXPECT_EQ(info->domain_name, "CORP");
    EXPECT_EQ(info->domain_sid, "S-1-5-21-1-2-3");
    EXPECT_EQ(info->user_sid, "S-1-5-21-1-2-3-1105");
    EXPECT_EQ(info->user_flags, 0x20u);
    const std::vector<std::string> groups{"S-1-5-21-1-2-3-513", "S-1-5-21-1-2-3-1200", "S-1-18-1",
                                          "S-1-5-21-9-9-9-1300", "S-1-5-21-7-7-7-2000"};
    EXPECT_EQ(info->group_sids, groups);
}

TEST(PacLogonInfo, NamesAreUtf16AndAuthoritiesCanBeLarge) {
    pac_spec p;
    p.name = u"j\u00fcrgen\U0001F600";
    p.domain_sid = sid_spec{0x123456789abcULL, {1, 2}};
    p.primary_group = 0;
    p.groups.clear();
    const auto info = parse(build_pac(p));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->account_name, "j\xc3\xbcrgen\xf0\x9f\x98\x80");
    EXPECT_EQ(info->user_sid, "S-1-0x123456789ABC-1-2-1105");
    EXPECT_TRUE(info->group_sids.empty());

    pac_spec bad;
    bad.name = u"a\xd800" u"b";  // an unpaired surrogate
    std::string why;
    EXPECT_FALSE(parse(build_pac(bad), &why));
    EXPECT_NE(why.find("UTF-16"), std::string::npos) << why;
}

TEST(PacLogonInfo, RefusesWhatAKdcNeverSends) {
    std::string why;
    pac_spec no_name;
    no_name.name.clear();
    EXPECT_FALSE(parse(build_pac(no_name), &why));
    EXPECT_NE(why.find("EffectiveName"), std::string::npos) << why;

    pac_spec orphan;  // resource groups without their domain
    orphan.resource_groups = {{2000, 7}};
    EXPECT_FALSE(parse(build_pac(orphan), &why));
    EXPECT_NE(why.find("ResourceGroup"), std::string::npos) << why;

    pac_spec sixteen;  // a SID with 16 sub-authorities
    sixteen.domain_sid.subs.assign(16, 1);
    EXPECT_FALSE(parse(build_pac(sixteen), &why));
    EXPECT_NE(why.find("LogonDomainId"), std::string::npos) << why;

    // the builder itself makes what the decoder takes
    EXPECT_TRUE(parse(build_pac(pac_spec{})));
}

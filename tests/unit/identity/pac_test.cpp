// The MS-PAC logon info decoder on bytes in memory: a real PAC captured from a Samba AD DC
// (tests/data/samba_pac_logon_info.hex), every truncation of it, corrupted counts, flipped
// bytes and garbage. Nothing here may crash or read past the buffer (ASan build).
#include <ssogate/identity/pac.hpp>

#include "hex.hpp"

#include <gtest/gtest.h>

#include <fstream>
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

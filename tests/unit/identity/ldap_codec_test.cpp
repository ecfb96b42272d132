// Directory data on bytes in memory: RFC 4515 filter values, RFC 4514 DN values, binary SIDs,
// LDAP integers, account flags and LDAP URLs. No libldap, no sockets.
#include <ssogate/identity/ldap_codec.hpp>

#include <gtest/gtest.h>

#include <limits>

using namespace ssogate::identity;
using namespace ssogate::identity::ldap_codec;
using namespace std::string_literals;

namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> v) {
    std::vector<std::uint8_t> out;
    for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));  // 2027-01-15

}  // namespace

TEST(LdapFilterValue, EscapesTheFiveMetacharactersOfRfc4515) {
    EXPECT_EQ(escape_filter_value("a*b(c)d\\e\0f"s), "a\\2ab\\28c\\29d\\5ce\\00f");
    EXPECT_EQ(escape_filter_value("*"), "\\2a");
    EXPECT_EQ(escape_filter_value("alice"), "alice");
    EXPECT_EQ(escape_filter_value(""), "");
}

TEST(LdapFilterValue, EscapesControlAndNonAsciiBytesToo) {
    EXPECT_EQ(escape_filter_value("a\nb\x7f"), "a\\0ab\\7f");
    EXPECT_EQ(escape_filter_value("J\xc3\xb6rg"), "J\\c3\\b6rg");
}

TEST(LdapFilterValue, AnEscapedValueCannotCloseOrWidenTheFilter) {
    const std::string attack = "*)(uid=*))(|(uid=*";
    const std::string escaped = escape_filter_value(attack);
    EXPECT_EQ(escaped.find_first_of("*()"), std::string::npos) << escaped;
    EXPECT_EQ(unescape_filter_value(escaped), attack);
}

TEST(LdapFilterValue, RoundTripsEveryByte) {
    std::string all;
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
    EXPECT_EQ(unescape_filter_value(escape_filter_value(all)), all);
    const auto raw = bytes({0x01, 0x05, 0x00, 0x2a, 0x28, 0xff});
    EXPECT_EQ(escape_filter_bytes(raw), "\\01\\05\\00\\2a\\28\\ff");
    EXPECT_EQ(unescape_filter_value(escape_filter_bytes(raw)), std::string(raw.begin(), raw.end()));
}

TEST(LdapFilterValue, UnescapeRefusesWhatIsNotAnEscapedValue) {
    EXPECT_FALSE(unescape_filter_value("a*"));
    EXPECT_FALSE(unescape_filter_value("(a"));
    EXPECT_FALSE(unescape_filter_value("a)"));
    EXPECT_FALSE(unescape_filter_value("a\\"));
    EXPECT_FALSE(unescape_filter_value("a\\4"));
    EXPECT_FALSE(unescape_filter_value("a\\zz"));
    EXPECT_FALSE(unescape_filter_value("a\0b"s));
    EXPECT_EQ(unescape_filter_value("\\2A\\2a"), "**");
}

TEST(LdapDnValue, EscapesTheSpecialsOfRfc4514) {
    EXPECT_EQ(escape_dn_value("Smith, John"), "Smith\\, John");
    EXPECT_EQ(escape_dn_value("a+b\"c\\d<e>f;g=h"), "a\\+b\\\"c\\\\d\\<e\\>f\\;g\\=h");
    EXPECT_EQ(escape_dn_value("#hash"), "\\#hash");
    EXPECT_EQ(escape_dn_value("a#b"), "a#b");
    EXPECT_EQ(escape_dn_value(" padded "), "\\ padded\\ ");
    EXPECT_EQ(escape_dn_value("nul\0x"s), "nul\\00x");
    EXPECT_EQ(escape_dn_value("eve*(admin)"), "eve*(admin)");
}

TEST(LdapDnValue, FirstRdnValueDecodesEscapes) {
    EXPECT_EQ(first_rdn_value("cn=mainframe-users,ou=groups,dc=corp,dc=example"), "mainframe-users");
    EXPECT_EQ(first_rdn_value("CN=Main\\2C Frame,OU=x"), "Main, Frame");
    EXPECT_EQ(first_rdn_value("cn=Smith\\, John,ou=x"), "Smith, John");
    EXPECT_EQ(first_rdn_value("cn=" + escape_dn_value(" a,b+c\\ ") + ",dc=x"), " a,b+c\\ ");
    EXPECT_EQ(first_rdn_value("cn=single"), "single");
}

TEST(LdapDnValue, FirstRdnValueRefusesWhatItCannotName) {
    EXPECT_FALSE(first_rdn_value("no value here"));
    EXPECT_FALSE(first_rdn_value("=x,dc=y"));
    EXPECT_FALSE(first_rdn_value("cn=,dc=y"));
    EXPECT_FALSE(first_rdn_value("cn=#04024869,dc=y"));
    EXPECT_FALSE(first_rdn_value("cn=a+sn=b,dc=y"));
    EXPECT_FALSE(first_rdn_value("cn=a\\"));
    EXPECT_FALSE(first_rdn_value("cn=a\\4"));
    EXPECT_FALSE(first_rdn_value("cn=a\\00b"));
}

TEST(WindowsSid, DecodesTheBinaryFormOfMsDtyp) {
    // S-1-5-21-1004336348-1177238915-682003330-512 (Domain Admins of the MS-DTYP example domain)
    const auto b = bytes({0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00, 0xdc, 0xf4,
                          0xdc, 0x3b, 0x83, 0x3d, 0x2b, 0x46, 0x82, 0x8b, 0xa6, 0x28, 0x00, 0x02, 0x00, 0x00});
    const auto s = decode_sid(b);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->to_string(), "S-1-5-21-1004336348-1177238915-682003330-512");
    EXPECT_EQ(s->to_bytes(), b);
    EXPECT_EQ(parse_sid("S-1-5-21-1004336348-1177238915-682003330-512"), s);
}

TEST(WindowsSid, WellKnownAndLargeAuthorities) {
    const auto builtin_users = bytes({0x01, 0x02, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0, 0x21, 0x02, 0, 0});
    EXPECT_EQ(decode_sid(builtin_users)->to_string(), "S-1-5-32-545");
    EXPECT_EQ(decode_sid(bytes({0x01, 0x00, 0, 0, 0, 0, 0, 1}))->to_string(), "S-1-1");
    const auto big = bytes({0x01, 0x01, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 1, 0, 0, 0});
    EXPECT_EQ(decode_sid(big)->to_string(), "S-1-0x123456789ABC-1");
    EXPECT_EQ(parse_sid("S-1-0x123456789ABC-1")->to_bytes(), big);
    EXPECT_EQ(parse_sid("S-1-5-4294967295")->sub_authorities.back(), 4294967295u);
}

TEST(WindowsSid, RefusesMalformedBinaryAndText) {
    EXPECT_FALSE(decode_sid(bytes({})));
    EXPECT_FALSE(decode_sid(bytes({0x01, 0x01, 0, 0, 0, 0, 0, 5})));                      // too short
    EXPECT_FALSE(decode_sid(bytes({0x01, 0x01, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0, 9})));       // too long
    EXPECT_FALSE(decode_sid(bytes({0x02, 0x00, 0, 0, 0, 0, 0, 5})));                      // revision 2
    std::vector<std::uint8_t> sixteen = bytes({0x01, 16, 0, 0, 0, 0, 0, 5});
    sixteen.resize(8 + 64);
    EXPECT_FALSE(decode_sid(sixteen));
    for (const char* bad : {"", "S-1-", "S-1-5-", "S-2-5-32", "s-1-5", "S-1-5-4294967296", "S-1-05-1", "S-1-5--1",
                            "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", "S-1-0x", "S-1-0x1234567890ABCD"})
        EXPECT_FALSE(parse_sid(bad)) << bad;
}

TEST(LdapInteger, ParsesIntegerSyntax) {
    EXPECT_EQ(parse_integer("0"), 0);
    EXPECT_EQ(parse_integer("514"), 514);
    EXPECT_EQ(parse_integer("-1"), -1);
    EXPECT_EQ(parse_integer("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(parse_integer("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
    for (const char* bad : {"", "-", "-0", "01", "1a", " 1", "9223372036854775808", "+1"})
        EXPECT_FALSE(parse_integer(bad)) << bad;
}

TEST(AccountState, ActiveDirectoryFlags) {
    EXPECT_EQ(ad_account_state(std::nullopt, std::nullopt, std::nullopt, now), account_state::unknown);
    EXPECT_EQ(ad_account_state(512, 0, 0, now), account_state::enabled);
    EXPECT_EQ(ad_account_state(514, 0, 0, now), account_state::disabled);        // 512 | ACCOUNTDISABLE
    EXPECT_EQ(ad_account_state(512, 16, 0, now), account_state::locked);         // computed UF_LOCKOUT
    EXPECT_EQ(ad_account_state(514, 16, 0, now), account_state::disabled);       // disabled wins
    EXPECT_EQ(ad_account_state(512, 0, std::numeric_limits<std::int64_t>::max(), now), account_state::enabled);
    // accountExpires 2020-01-01 (FILETIME) is before now; 2040-01-01 after
    EXPECT_EQ(ad_account_state(512, 0, 132223104000000000, now), account_state::expired);
    EXPECT_EQ(ad_account_state(512, 0, 138534624000000000, now), account_state::enabled);
}

TEST(AccountState, PlainLdapAttributes) {
    EXPECT_EQ(ldap_account_state({}, {}, {}, now), account_state::unknown);
    EXPECT_EQ(ldap_account_state({"FALSE"}, {}, {}, now), account_state::enabled);
    EXPECT_EQ(ldap_account_state({"true"}, {}, {}, now), account_state::disabled);
    EXPECT_EQ(ldap_account_state({}, {"000001010000Z"}, {}, now), account_state::disabled);
    EXPECT_EQ(ldap_account_state({}, {"20261127000000Z"}, {}, now), account_state::locked);
    EXPECT_EQ(ldap_account_state({}, {}, {"1"}, now), account_state::expired);
    EXPECT_EQ(ldap_account_state({}, {}, {"-1"}, now), account_state::enabled);
    EXPECT_EQ(ldap_account_state({}, {}, {"30000"}, now), account_state::enabled);  // 2052
    EXPECT_EQ(ldap_account_state({}, {}, {"garbage"}, now), account_state::enabled);
}

TEST(LdapUrl, ParsesLdapAndLdapsOnly) {
    auto u = parse_ldap_url("ldaps://dc1.corp.example");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->scheme, "ldaps");
    EXPECT_EQ(u->host, "dc1.corp.example");
    EXPECT_EQ(u->port, 636);
    u = parse_ldap_url("ldap://127.0.0.1:13389/");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->port, 13389);
    u = parse_ldap_url("ldap://[::1]:389");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "::1");
    for (const char* bad : {"", "ldap://", "http://x", "ldapi:///var/run/slapd", "ldap://x:0", "ldap://x:65536",
                            "ldap://x/dc=corp", "ldap://u@x", "ldap://x?uid", "ldap://a b", "ldap://x:1:2", "ldap://[::1"})
        EXPECT_FALSE(parse_ldap_url(bad)) << bad;
}

TEST(LdapUrl, KnowsLoopbackHosts) {
    EXPECT_TRUE(is_loopback_host("localhost"));
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.1.2.3"));
    EXPECT_TRUE(is_loopback_host("::1"));
    EXPECT_FALSE(is_loopback_host("10.0.0.1"));
    EXPECT_FALSE(is_loopback_host("dc1.corp.example"));
    EXPECT_FALSE(is_loopback_host("localhost.evil.example"));
}

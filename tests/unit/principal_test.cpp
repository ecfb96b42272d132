#include <ssogate/credstore/principal.hpp>

#include <gtest/gtest.h>

using namespace ssogate::credstore;

namespace {
realm_map corp() {
    realm_map m;
    m.add("CORP", "CORP.EXAMPLE");
    m.add("dev", "dev.corp.example");
    m.set_default_domain("corp");
    return m;
}
std::string key(std::string_view s, const realm_map& m = corp()) {
    auto p = principal::parse(s, m);
    return p ? p->key() : "<invalid>";
}
}  // namespace

TEST(Principal, DownLevelAndUpnSpellingsAreOnePrincipal) {
    EXPECT_EQ(key("CORP\\alice"), "alice@corp.example");
    EXPECT_EQ(key("alice@CORP.EXAMPLE"), "alice@corp.example");
    EXPECT_EQ(key("corp\\ALICE"), "alice@corp.example");
    EXPECT_EQ(key("Alice@corp.example"), "alice@corp.example");
    EXPECT_EQ(key("alice"), "alice@corp.example");  // default domain
    EXPECT_EQ(key("DEV\\bob"), "bob@dev.corp.example");
}

TEST(Principal, UnmappedDomainIsItsOwnRealm) {
    EXPECT_EQ(key("OTHER\\carol"), "carol@other");
    EXPECT_NE(key("OTHER\\carol"), key("carol@OTHER.EXAMPLE"));
}

TEST(Principal, DisplayPrefersTheDomainForm) {
    const auto m = corp();
    EXPECT_EQ(principal::parse("alice@corp.example", m)->display(m), "CORP\\alice");
    EXPECT_EQ(principal::parse("x@ELSEWHERE.ORG", m)->display(m), "x@ELSEWHERE.ORG");
    EXPECT_EQ(principal::parse("CORP\\Domain Users", m)->display(m), "CORP\\Domain Users");
}

TEST(Principal, GroupNamesWithSpacesAndSpecialCharacters) {
    EXPECT_EQ(key("CORP\\Domain Users"), "domain users@corp.example");
    EXPECT_EQ(key("CORP\\Mainframe$Ops#1"), "mainframe$ops#1@corp.example");
}

TEST(Principal, BadSpellingsAreRefusedWithAReason) {
    realm_map none;
    std::string why;
    EXPECT_FALSE(principal::parse("alice", none, &why));
    EXPECT_NE(why.find("no default domain"), std::string::npos);
    for (std::string_view bad : {"", "\\alice", "CORP\\", "@REALM", "alice@", "a\\b\\c",
                                 "CORP\\al\x01ice", " CORP\\alice", "CORP\\alice ", "a@b@c@ d"}) {
        EXPECT_FALSE(principal::parse(bad, corp(), &why)) << bad;
        EXPECT_FALSE(why.empty());
    }
    EXPECT_FALSE(principal::parse(std::string(300, 'a') + "@CORP", corp()));
}

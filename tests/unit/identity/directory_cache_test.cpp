// The per-principal cache (cached_directory) with an injected clock, and the policy that puts a
// directory answer into an authentication outcome (apply_directory). The directory behind the
// cache is an in-memory table here: these tests are about time and policy, not LDAP (the LDAP
// client is tested against a real slapd in tests/integration/identity/ldap_directory_test.cpp).
#include <ssogate/identity/directory.hpp>

#include <gtest/gtest.h>

using namespace ssogate;
using namespace ssogate::identity;
using namespace std::chrono_literals;

namespace {

credstore::realm_map realms() {
    credstore::realm_map m;
    m.add("CORP", "CORP.EXAMPLE");
    m.set_default_domain("CORP");
    return m;
}

credstore::principal P(const std::string& s) { return *credstore::principal::parse(s, realms()); }

// Answers from a table; "down" answers directory_unavailable. Counts the questions.
class table_directory final : public directory {
public:
    std::map<std::string, directory_entry> entries;
    bool down = false;
    int asked = 0;

    directory_answer lookup(const credstore::principal& who) override {
        ++asked;
        if (down) return directory_answer::failure(errc::directory_unavailable, "Can't contact LDAP server");
        const auto it = entries.find(who.key());
        if (it == entries.end()) return directory_answer::failure(errc::not_in_directory, "no entry");
        directory_answer a;
        a.entry = it->second;
        return a;
    }
};

directory_entry alice_entry() {
    directory_entry e;
    e.dn = "uid=alice,ou=people,dc=corp,dc=example";
    e.sid = "S-1-5-21-1-2-3-1104";
    e.account = account_state::enabled;
    e.groups.push_back(group{P("CORP\\mainframe-users"), "S-1-5-21-1-2-3-1105"});
    return e;
}

struct fixture {
    std::shared_ptr<table_directory> table = std::make_shared<table_directory>();
    cached_directory::clock::time_point t{};
    cached_directory cache{table, 300s, 60s, 3, [this] { return t; }};
};

outcome verified(const std::string& who, auth_method m) {
    verified_identity id{P(who), "alice@CORP.EXAMPLE", std::nullopt, {}, m, std::nullopt};
    auto o = outcome::success(std::move(id));
    o.negotiate_reply = "oRQw";
    return o;
}

errc code_of(const outcome& o) { return static_cast<errc>(o.code().value()); }

}  // namespace

TEST(DirectoryCache, AnEntryIsServedFromTheCacheWithinItsTtl) {
    fixture f;
    f.table->entries["alice@corp.example"] = alice_entry();
    auto a = f.cache.lookup(P("CORP\\alice"));
    ASSERT_TRUE(a);
    EXPECT_FALSE(a.from_cache);
    f.t += 299s;
    f.table->down = true;  // an outage within the TTL goes unnoticed
    a = f.cache.lookup(P("alice@CORP.EXAMPLE"));
    ASSERT_TRUE(a) << a.message;
    EXPECT_TRUE(a.from_cache);
    EXPECT_EQ(a.age, 299s);
    EXPECT_EQ(a.entry->groups.size(), 1u);
    EXPECT_EQ(f.table->asked, 1);
}

TEST(DirectoryCache, BeyondTheTtlADownDirectoryFailsClosed) {
    fixture f;
    f.table->entries["alice@corp.example"] = alice_entry();
    ASSERT_TRUE(f.cache.lookup(P("CORP\\alice")));
    f.table->down = true;
    f.t += 300s;
    const auto a = f.cache.lookup(P("CORP\\alice"));
    EXPECT_FALSE(a);
    EXPECT_EQ(a.code, errc::directory_unavailable);
    EXPECT_NE(a.message.find("Can't contact LDAP server"), std::string::npos) << a.message;
    EXPECT_NE(a.message.find("300 s old, beyond cache_seconds = 300"), std::string::npos) << a.message;
    EXPECT_EQ(f.table->asked, 2);
    // the stale entry is gone: even back within "its" time it is not used again
    EXPECT_EQ(f.cache.size(), 0u);
}

TEST(DirectoryCache, BeyondTheTtlTheDirectoryIsAskedAgain) {
    fixture f;
    f.table->entries["alice@corp.example"] = alice_entry();
    ASSERT_TRUE(f.cache.lookup(P("CORP\\alice")));
    f.table->entries["alice@corp.example"].groups.clear();  // removed from her group meanwhile
    f.t += 301s;
    const auto a = f.cache.lookup(P("CORP\\alice"));
    ASSERT_TRUE(a);
    EXPECT_FALSE(a.from_cache);
    EXPECT_TRUE(a.entry->groups.empty());
}

TEST(DirectoryCache, NoSuchUserIsKeptForTheNegativeTtlOnly) {
    fixture f;
    EXPECT_EQ(f.cache.lookup(P("CORP\\ghost")).code, errc::not_in_directory);
    f.t += 59s;
    const auto cached = f.cache.lookup(P("CORP\\ghost"));
    EXPECT_EQ(cached.code, errc::not_in_directory);
    EXPECT_TRUE(cached.from_cache);
    EXPECT_EQ(f.table->asked, 1);
    f.t += 1s;
    EXPECT_EQ(f.cache.lookup(P("CORP\\ghost")).code, errc::not_in_directory);
    EXPECT_EQ(f.table->asked, 2);
}

TEST(DirectoryCache, FailuresAreNeverCached) {
    fixture f;
    f.table->entries["alice@corp.example"] = alice_entry();
    f.table->down = true;
    EXPECT_EQ(f.cache.lookup(P("CORP\\alice")).code, errc::directory_unavailable);
    f.table->down = false;
    const auto a = f.cache.lookup(P("CORP\\alice"));
    ASSERT_TRUE(a);
    EXPECT_FALSE(a.from_cache);
    EXPECT_EQ(f.table->asked, 2);
}

TEST(DirectoryCache, KeepsAtMostMaxEntriesDroppingTheOldest) {
    fixture f;
    for (const char* u : {"a", "b", "c", "d"}) {
        f.table->entries[std::string(u) + "@corp.example"] = alice_entry();
        ASSERT_TRUE(f.cache.lookup(P(std::string("CORP\\") + u)));
        f.t += 1s;
    }
    EXPECT_EQ(f.cache.size(), 3u);
    f.table->down = true;
    EXPECT_TRUE(f.cache.lookup(P("CORP\\d")));   // kept
    EXPECT_FALSE(f.cache.lookup(P("CORP\\a")));  // the oldest, dropped
}

TEST(DirectoryCache, ATtlOfZeroCachesNothing) {
    auto table = std::make_shared<table_directory>();
    table->entries["alice@corp.example"] = alice_entry();
    cached_directory cache(table, 0s, 0s, 10, [] { return cached_directory::clock::time_point{}; });
    ASSERT_TRUE(cache.lookup(P("CORP\\alice")));
    ASSERT_TRUE(cache.lookup(P("CORP\\alice")));
    EXPECT_EQ(table->asked, 2);
    EXPECT_EQ(cache.size(), 0u);
}

TEST(DirectoryPolicy, FoundGivesSidAccountAndGroups) {
    table_directory t;
    t.entries["alice@corp.example"] = alice_entry();
    const auto o = apply_directory(verified("CORP\\alice", auth_method::negotiate), &t);
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->sid, "S-1-5-21-1-2-3-1104");
    EXPECT_EQ(o.identity->account, account_state::enabled);
    EXPECT_EQ(o.identity->groups_from, groups_status::fresh);
    EXPECT_TRUE(o.identity->groups_usable());
    ASSERT_EQ(o.identity->groups.size(), 1u);
    EXPECT_EQ(o.identity->groups[0].principal.display(realms()), "CORP\\mainframe-users");
    EXPECT_EQ(o.identity->directory_dn, "uid=alice,ou=people,dc=corp,dc=example");
    EXPECT_EQ(o.negotiate_reply, "oRQw");
}

TEST(DirectoryPolicy, DisabledLockedAndExpiredAccountsAreRefusedOnEveryPath) {
    for (const auto m : {auth_method::password, auth_method::negotiate}) {
        for (const auto& [state, code] : {std::pair{account_state::disabled, errc::account_disabled},
                                         std::pair{account_state::locked, errc::account_disabled},
                                         std::pair{account_state::expired, errc::account_expired}}) {
            table_directory t;
            t.entries["alice@corp.example"] = alice_entry();
            t.entries["alice@corp.example"].account = state;
            const auto o = apply_directory(verified("CORP\\alice", m), &t);
            EXPECT_FALSE(o);
            EXPECT_EQ(code_of(o), code);
            EXPECT_NE(o.refused.message.find(std::string(to_string(state))), std::string::npos) << o.refused.message;
        }
    }
}

TEST(DirectoryPolicy, NotInDirectoryIsAnIdentityWithoutGroups) {
    table_directory t;
    const auto o = apply_directory(verified("CORP\\alice", auth_method::negotiate), &t);
    ASSERT_TRUE(o);
    EXPECT_EQ(o.identity->groups_from, groups_status::not_in_directory);
    EXPECT_FALSE(o.identity->groups_usable());
    EXPECT_TRUE(o.identity->groups.empty());
}

TEST(DirectoryPolicy, DirectoryDownPasswordPathSucceedsWithoutUsableGroups) {
    table_directory t;
    t.down = true;
    const auto o = apply_directory(verified("CORP\\alice", auth_method::password), &t);
    ASSERT_TRUE(o);
    EXPECT_EQ(o.identity->groups_from, groups_status::unavailable);
    EXPECT_FALSE(o.identity->groups_usable());
    EXPECT_TRUE(o.identity->groups.empty());
    EXPECT_NE(o.identity->directory_note.find("no group is granted"), std::string::npos);
}

TEST(DirectoryPolicy, DirectoryDownNegotiateIsRefusedTheAccountStateIsUnknown) {
    table_directory t;
    t.down = true;
    const auto o = apply_directory(verified("CORP\\alice", auth_method::negotiate), &t);
    EXPECT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::directory_unavailable);
    EXPECT_TRUE(is_temporary(o.code()));
    EXPECT_NE(o.refused.message.find("cannot check the account state"), std::string::npos) << o.refused.message;
}

TEST(DirectoryPolicy, NoDirectoryLeavesTheOutcomeAlone) {
    const auto o = apply_directory(verified("CORP\\alice", auth_method::negotiate), nullptr);
    ASSERT_TRUE(o);
    EXPECT_EQ(o.identity->groups_from, groups_status::not_configured);
    const auto refused = apply_directory(outcome::failure(errc::wrong_password, "wrong"), nullptr);
    EXPECT_EQ(code_of(refused), errc::wrong_password);
}

// Groups, account state and the cache against a real OpenLDAP slapd (memberof overlay) and a
// real MIT KDC: SASL/GSSAPI binds with the gateway's key, simple binds over StartTLS and
// ldaps:// with a test CA, the directory stopped under a cache, and the authenticator and
// `identity check` with [identity.ldap].
#include "check_runner.hpp"
#include "corp_directory.hpp"

#include <ssogate/identity/check_command.hpp>
#include <ssogate/identity/directory.hpp>
#include <ssogate/identity/kerberos_authenticator.hpp>
#include <ssogate/identity/ldap_directory.hpp>
#include <ssogate/identity/negotiate_header.hpp>

extern "C" {
#include <et/com_err.h>
}
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <set>
#include <sstream>

using namespace ssogate;
using namespace ssogate::identity;
using namespace std::chrono_literals;

namespace {

errc code_of(const outcome& o) { return static_cast<errc>(o.code().value()); }

std::set<std::string> names(const std::vector<group>& groups, const identity_config& cfg) {
    std::set<std::string> out;
    for (const auto& g : groups) out.insert(g.principal.display(cfg.realms));
    return out;
}

credstore::principal P(const identity_config& cfg, const std::string& s) {
    return *credstore::principal::parse(s, cfg.realms);
}

const std::set<std::string> alice_groups{"CORP\\mainframe-users", "CORP\\as400-users", "CORP\\host-operators",
                                         "CORP\\all-staff"};

gss_OID_desc spnego_oid = {6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};

// A Kerberos token for HTTP@localhost from the ccache in KRB5CCNAME (what a browser sends).
std::string negotiate_token() {
    OM_uint32 minor = 0;
    std::string service = "HTTP@localhost";
    gss_buffer_desc name{service.size(), service.data()};
    gss_name_t target = GSS_C_NO_NAME;
    EXPECT_EQ(gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE, &target), GSS_S_COMPLETE);
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
    const OM_uint32 major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx, target, &spnego_oid, GSS_C_MUTUAL_FLAG, 0,
                                                 GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, nullptr, &out, nullptr,
                                                 nullptr);
    EXPECT_FALSE(GSS_ERROR(major)) << std::hex << major << " " << minor << " " << error_message(static_cast<long>(minor));
    std::string token = base64_encode({static_cast<const std::uint8_t*>(out.value), out.length});
    gss_release_buffer(&minor, &out);
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    gss_release_name(&minor, &target);
    return "Negotiate " + token;
}

class LdapDirectory : public ::testing::Test {
protected:
    test::corp_directory corp;
};

}  // namespace

TEST_F(LdapDirectory, AliceHasHerDirectAndNestedGroupsOverAGssapiBind) {
    const auto cfg = corp.config(corp.gssapi_section());
    ldap_directory dir(cfg);
    const auto a = dir.lookup(P(cfg, "CORP\\alice"));
    ASSERT_TRUE(a) << a.message << "\n" << corp.server->log();
    EXPECT_EQ(a.entry->dn, "uid=alice,ou=people,dc=corp,dc=example");
    EXPECT_EQ(names(a.entry->groups, cfg), alice_groups);
    EXPECT_EQ(a.entry->account, account_state::unknown);  // no lock attributes on her entry
    EXPECT_FALSE(a.entry->sid);                           // a plain LDAP directory has no SIDs
}

TEST_F(LdapDirectory, NestingStopsAtTheConfiguredDepth) {
    auto cfg = corp.config(corp.gssapi_section("nesting_depth = 0\n"));
    EXPECT_EQ(names(ldap_directory(cfg).lookup(P(cfg, "alice")).entry->groups, cfg),
              (std::set<std::string>{"CORP\\mainframe-users", "CORP\\as400-users"}));
    cfg = corp.config(corp.gssapi_section("nesting_depth = 1\n"));
    EXPECT_EQ(names(ldap_directory(cfg).lookup(P(cfg, "alice")).entry->groups, cfg),
              (std::set<std::string>{"CORP\\mainframe-users", "CORP\\as400-users", "CORP\\host-operators"}));
}

TEST_F(LdapDirectory, AGroupCycleEndsWithEachGroupOnce) {
    const auto cfg = corp.config(corp.gssapi_section());
    const auto a = ldap_directory(cfg).lookup(P(cfg, "CORP\\bob"));
    ASSERT_TRUE(a) << a.message;
    EXPECT_EQ(a.entry->groups.size(), 3u);
    EXPECT_EQ(names(a.entry->groups, cfg),
              (std::set<std::string>{"CORP\\as400-users", "CORP\\cycle-a", "CORP\\cycle-b"}));
}

TEST_F(LdapDirectory, AnUnknownUserIsNotInTheDirectory) {
    const auto cfg = corp.config(corp.gssapi_section());
    const auto a = ldap_directory(cfg).lookup(P(cfg, "CORP\\mallory"));
    EXPECT_FALSE(a);
    EXPECT_EQ(a.code, errc::not_in_directory);
    EXPECT_NE(a.message.find("(uid=mallory)"), std::string::npos) << a.message;
}

TEST_F(LdapDirectory, FilterMetacharactersInANameAreEscaped) {
    const auto cfg = corp.config(corp.gssapi_section());
    ldap_directory dir(cfg);
    // Unescaped, (uid=a*) would match alice and (uid=*) everyone.
    for (const char* name : {"a*", "*", "alice)(uid=*", "*)(|(uid=*"}) {
        const auto a = dir.lookup(P(cfg, std::string("CORP\\") + name));
        EXPECT_EQ(a.code, errc::not_in_directory) << name << ": " << a.message;
    }
    const auto eve = dir.lookup(P(cfg, "CORP\\eve*(admin)"));
    ASSERT_TRUE(eve) << eve.message;
    EXPECT_EQ(eve.entry->dn, "uid=eve*(admin),ou=people,dc=corp,dc=example");
    EXPECT_EQ(names(eve.entry->groups, cfg),
              (std::set<std::string>{"CORP\\mainframe-users", "CORP\\host-operators", "CORP\\all-staff"}));
}

TEST_F(LdapDirectory, AccountStateComesFromPpolicyAndShadowAttributes) {
    const auto cfg = corp.config(corp.gssapi_section());
    ldap_directory dir(cfg);
    EXPECT_EQ(dir.lookup(P(cfg, "heidi")).entry->account, account_state::disabled);
    EXPECT_EQ(dir.lookup(P(cfg, "grace")).entry->account, account_state::locked);
    EXPECT_EQ(dir.lookup(P(cfg, "frank")).entry->account, account_state::expired);
}

TEST_F(LdapDirectory, SimpleBindOverStartTlsWithTheTestCa) {
    const auto cfg = corp.config(corp.simple_section(
        corp.server->url(), "starttls = true\nca_file = \"" + (corp.pki / "ca.pem").string() + "\"\n"));
    ldap_directory dir(cfg);
    const auto a = dir.lookup(P(cfg, "CORP\\alice"));
    ASSERT_TRUE(a) << a.message << "\n" << corp.server->log();
    EXPECT_EQ(names(a.entry->groups, cfg), alice_groups);
}

TEST_F(LdapDirectory, SimpleBindOverLdapsWithTheTestCa) {
    const auto cfg = corp.config(
        corp.simple_section(corp.server->ldaps_url(), "ca_file = \"" + (corp.pki / "ca.pem").string() + "\"\n"));
    const auto a = ldap_directory(cfg).lookup(P(cfg, "CORP\\alice"));
    ASSERT_TRUE(a) << a.message;
    EXPECT_EQ(names(a.entry->groups, cfg), alice_groups);
}

TEST_F(LdapDirectory, AServerCertificateFromAnotherCaIsAConfigurationError) {
    for (const bool starttls : {false, true}) {
        const auto cfg = corp.config(corp.simple_section(
            starttls ? corp.server->url() : corp.server->ldaps_url(),
            std::string(starttls ? "starttls = true\n" : "") + "ca_file = \"" + (corp.pki / "other-ca.pem").string() +
                "\"\n"));
        const auto a = ldap_directory(cfg).lookup(P(cfg, "CORP\\alice"));
        EXPECT_FALSE(a);
        EXPECT_EQ(a.code, errc::directory_error) << a.message;
        EXPECT_TRUE(is_fatal(a.code));
        EXPECT_NE(a.message.find("other-ca.pem"), std::string::npos) << a.message;
    }
}

TEST_F(LdapDirectory, AWrongBindPasswordIsAClearErrorWithoutThePassword) {
    test::write_file(corp.service_password, "NotTheSvcPw9\n");
    const auto cfg = corp.config(corp.simple_section(corp.server->url()));
    const auto a = ldap_directory(cfg).lookup(P(cfg, "CORP\\alice"));
    EXPECT_FALSE(a);
    EXPECT_EQ(a.code, errc::directory_error);
    EXPECT_NE(a.message.find("Invalid credentials"), std::string::npos) << a.message;
    EXPECT_NE(a.message.find("cn=ssogate,ou=services,dc=corp,dc=example"), std::string::npos) << a.message;
    EXPECT_EQ(a.message.find("NotTheSvcPw9"), std::string::npos) << a.message;
}

TEST_F(LdapDirectory, APasswordFileOpenToOthersIsRefusedAtStart) {
    test::write_file(corp.service_password, "SvcPw1!\n", 0644);
    const auto cfg = corp.config(corp.simple_section(corp.server->url()));
    try {
        ldap_directory dir(cfg);
        FAIL() << "a world-readable password file was accepted";
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("is open to group or others (mode 0644); run chmod 600"), std::string::npos)
            << e.what();
    }
}

TEST_F(LdapDirectory, AnUnknownBindPrincipalIsAClearError) {
    const auto cfg = corp.config(corp.gssapi_section() + "");
    auto bad = cfg;
    bad.ldap->bind_principal = "nobody@CORP.EXAMPLE";
    const auto a = ldap_directory(bad).lookup(P(cfg, "CORP\\alice"));
    EXPECT_FALSE(a);
    EXPECT_EQ(a.code, errc::directory_error);
    EXPECT_NE(a.message.find("nobody@CORP.EXAMPLE"), std::string::npos) << a.message;
}

TEST_F(LdapDirectory, DirectoryDownWithoutACachedEntryIsUnavailable) {
    const auto cfg = corp.config(corp.gssapi_section());
    corp.server->stop();
    const auto a = make_directory(cfg)->lookup(P(cfg, "CORP\\alice"));
    EXPECT_FALSE(a);
    EXPECT_EQ(a.code, errc::directory_unavailable);
    EXPECT_TRUE(is_temporary(a.code));
    EXPECT_NE(a.message.find("Can't contact LDAP server"), std::string::npos) << a.message;
}

TEST_F(LdapDirectory, DirectoryDownACachedEntryServesWithinTheTtlAndFailsClosedAfter) {
    const auto cfg = corp.config(corp.gssapi_section("cache_seconds = 60\n"));
    cached_directory::clock::time_point t{};
    cached_directory dir(std::make_shared<ldap_directory>(cfg), 60s, 10s, 100, [&t] { return t; });
    ASSERT_TRUE(dir.lookup(P(cfg, "CORP\\alice")));
    corp.server->stop();
    t += 59s;
    const auto cached = dir.lookup(P(cfg, "alice@CORP.EXAMPLE"));
    ASSERT_TRUE(cached) << cached.message;
    EXPECT_TRUE(cached.from_cache);
    EXPECT_EQ(names(cached.entry->groups, cfg), alice_groups);
    t += 1s;
    const auto stale = dir.lookup(P(cfg, "CORP\\alice"));
    EXPECT_FALSE(stale);
    EXPECT_EQ(stale.code, errc::directory_unavailable);
    EXPECT_NE(stale.message.find("beyond cache_seconds = 60"), std::string::npos) << stale.message;
    // back up: the directory answers again (a new connection)
    corp.server->start();
    const auto again = dir.lookup(P(cfg, "CORP\\alice"));
    ASSERT_TRUE(again) << again.message;
    EXPECT_FALSE(again.from_cache);
}

TEST_F(LdapDirectory, ASilentServerIsUnavailableAfterTheOperationTimeout) {
    // a listener on 127.0.0.1 that accepts and never answers
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    const std::string url = "ldap://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    for (const char* extra : {"", "starttls = true\n"}) {
        const auto cfg = corp.config(corp.simple_section(url, std::string(extra) + "operation_timeout_seconds = 1\n"));
        const auto t0 = std::chrono::steady_clock::now();
        const auto a = ldap_directory(cfg).lookup(P(cfg, "CORP\\alice"));
        const auto took = std::chrono::steady_clock::now() - t0;
        EXPECT_EQ(a.code, errc::directory_unavailable) << a.message;
        EXPECT_NE(a.message.find("did not answer"), std::string::npos) << a.message;
        EXPECT_NE(a.message.find("operation_timeout_seconds = 1"), std::string::npos) << a.message;
        EXPECT_LT(took, 5s);
    }
    ::close(fd);
}

TEST_F(LdapDirectory, ThreadsShareOneDirectory) {
    const auto cfg = corp.config(corp.gssapi_section());
    const auto dir = make_directory(cfg);  // behind the cache, as the authenticator has it
    ldap_directory direct(cfg);
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                const auto who = P(cfg, (t + i) % 2 == 0 ? "CORP\\alice" : "CORP\\bob");
                const auto a = dir->lookup(who);
                const auto b = direct.lookup(who);
                if (a && b && a.entry->dn == b.entry->dn && a.entry->groups.size() == b.entry->groups.size()) ++good;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(good, 20);
}

TEST_F(LdapDirectory, AConnectionTheServerDroppedIsMadeAgain) {
    const auto cfg = corp.config(corp.gssapi_section());
    ldap_directory dir(cfg);
    ASSERT_TRUE(dir.lookup(P(cfg, "CORP\\alice")));
    corp.server->stop();
    corp.server->start();  // same port
    const auto a = dir.lookup(P(cfg, "CORP\\alice"));
    ASSERT_TRUE(a) << a.message;
}

// ---- the authenticator with [identity.ldap]

TEST_F(LdapDirectory, PasswordSignOnGetsGroupsFromTheDirectory) {
    kerberos_authenticator auth(corp.config(corp.gssapi_section()));
    const auto o = auth.authenticate(password_evidence{"CORP\\alice", credstore::secret_bytes::copy_of("AlicePw1!"), "10.0.0.1"});
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->groups_from, groups_status::fresh);
    EXPECT_TRUE(o.identity->groups_usable());
    EXPECT_EQ(names(o.identity->groups, corp.config(corp.gssapi_section())), alice_groups);
}

TEST_F(LdapDirectory, ADisabledOrLockedAccountIsRefusedOnThePasswordPath) {
    kerberos_authenticator auth(corp.config(corp.gssapi_section()));
    auto o = auth.authenticate(password_evidence{"CORP\\heidi", credstore::secret_bytes::copy_of("HeidiPw1!"), ""});
    EXPECT_EQ(code_of(o), errc::account_disabled) << o.refused.message;
    EXPECT_NE(o.refused.message.find("is disabled (directory)"), std::string::npos) << o.refused.message;
    o = auth.authenticate(password_evidence{"CORP\\grace", credstore::secret_bytes::copy_of("GracePw1!"), ""});
    EXPECT_EQ(code_of(o), errc::account_disabled) << o.refused.message;
    EXPECT_NE(o.refused.message.find("is locked"), std::string::npos) << o.refused.message;
    o = auth.authenticate(password_evidence{"CORP\\frank", credstore::secret_bytes::copy_of("FrankPw1!"), ""});
    EXPECT_EQ(code_of(o), errc::account_expired) << o.refused.message;
}

TEST_F(LdapDirectory, ADisabledAccountIsRefusedOnTheNegotiatePathToo) {
    kerberos_authenticator auth(corp.config(corp.gssapi_section()));
    // heidi's ticket is valid: the KDC does not know the directory disabled her
    ASSERT_EQ(corp.realm.kdc.kinit("heidi", "HeidiPw1!", corp.realm.tmp / "client.ccache").exit_code, 0);
    const auto o = auth.authenticate(negotiate_evidence{negotiate_token(), "10.0.0.1"});
    EXPECT_EQ(code_of(o), errc::account_disabled) << o.refused.message;
    ASSERT_EQ(corp.realm.kdc.kinit("alice", "AlicePw1!", corp.realm.tmp / "client.ccache").exit_code, 0);
    const auto ok = auth.authenticate(negotiate_evidence{negotiate_token(), "10.0.0.1"});
    ASSERT_TRUE(ok) << ok.refused.message;
    EXPECT_EQ(ok.identity->groups.size(), alice_groups.size());
    EXPECT_FALSE(ok.negotiate_reply.empty());
}

TEST_F(LdapDirectory, DirectoryDownPasswordSucceedsWithoutGroupsNegotiateIsRefused) {
    const auto cfg = corp.config(corp.gssapi_section());
    kerberos_authenticator auth(cfg);
    corp.server->stop();
    const auto pw = auth.authenticate(password_evidence{"CORP\\alice", credstore::secret_bytes::copy_of("AlicePw1!"), ""});
    ASSERT_TRUE(pw) << pw.refused.message;
    EXPECT_EQ(pw.identity->groups_from, groups_status::unavailable);
    EXPECT_FALSE(pw.identity->groups_usable());
    EXPECT_TRUE(pw.identity->groups.empty());
    EXPECT_NE(pw.identity->directory_note.find("no group is granted"), std::string::npos);
    ASSERT_EQ(corp.realm.kdc.kinit("alice", "AlicePw1!", corp.realm.tmp / "client.ccache").exit_code, 0);
    const auto ng = auth.authenticate(negotiate_evidence{negotiate_token(), ""});
    EXPECT_EQ(code_of(ng), errc::directory_unavailable) << ng.refused.message;
}

// ---- ssogate identity check with [identity.ldap]

namespace {

using result = test::check_result;

check_args args(const std::string& config, const std::string& user, bool password_stdin, bool json) {
    check_args a;
    a.config = config;
    a.user = user;
    a.password_stdin = password_stdin;
    a.json = json;
    return a;
}

result check(const check_args& a, const std::string& input) { return test::run_check(a, input); }

}  // namespace

TEST_F(LdapDirectory, IdentityCheckPrintsAccountAndGroups) {
    const auto config = corp.realm.write_config("", corp.gssapi_section("nesting_depth = 0\n")).string();
    const auto r = check(args(config, "CORP\\alice", true, false), "AlicePw1!\n");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "principal  CORP\\alice\n"
              "kerberos   alice@CORP.EXAMPLE\n"
              "key        alice@corp.example\n"
              "sid        -\n"
              "state      active\n"
              "account    unknown\n"
              "directory  uid=alice,ou=people,dc=corp,dc=example (fresh)\n"
              "groups     CORP\\mainframe-users, CORP\\as400-users\n");
}

TEST_F(LdapDirectory, IdentityCheckJsonAndRefusals) {
    const auto config = corp.realm.write_config("", corp.gssapi_section()).string();
    auto r = check(args(config, "CORP\\alice", true, true), "AlicePw1!\n");
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["groups_status"], "fresh");
    EXPECT_EQ(j["account"], "unknown");
    EXPECT_EQ(j["dn"], "uid=alice,ou=people,dc=corp,dc=example");
    EXPECT_EQ(j["groups"].size(), 4u);
    EXPECT_EQ(j["groups"][0]["name"], "CORP\\mainframe-users");

    r = check(args(config, "CORP\\heidi", true, true), "HeidiPw1!\n");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(nlohmann::json::parse(r.out)["state"], "account_disabled");

    // without a password: what the directory says, unverified
    r = check(args(config, "CORP\\grace", false, true), "");
    ASSERT_EQ(r.code, 0) << r.err;
    j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["state"], "unverified");
    EXPECT_EQ(j["account"], "locked");

    // the directory down: what the gateway would do on stdout, one line on stderr, exit 1
    corp.server->stop();
    r = check(args(config, "CORP\\alice", true, false), "AlicePw1!\n");
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.out.find("directory  - (unavailable)\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("groups     - (no directory server answered"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.rfind("ssogate: the directory cannot answer for CORP\\alice (the password is right): "
                          "no directory server answered (ldap://", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.find("AlicePw1!"), std::string::npos);
    r = check(args(config, "CORP\\alice", false, true), "");
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["groups_status"], "unavailable");
    EXPECT_NE(r.err.find("ssogate: the directory cannot answer for CORP\\alice: no directory server answered"),
              std::string::npos) << r.err;
}

TEST_F(LdapDirectory, AUserInMoreGroupsThanTheCapIsRefusedNotReadWithoutEnd) {
    // 4097 groups: one more than ldap_directory reads for one user (each is a round trip);
    // added 512 at a time, each ldapadd within its own time limit on a busy machine
    corp.server->add(test::corp_directory::person("wide"));
    for (int first = 0; first < 4097; first += 512) {
        std::string ldif;
        for (int i = first; i < std::min(first + 512, 4097); ++i)
            ldif += test::corp_directory::group("wide-" + std::to_string(i), {"uid=wide,ou=people,dc=corp,dc=example"}) + "\n";
        corp.server->add(ldif);
    }
    const auto cfg = corp.config(corp.gssapi_section());
    const auto a = ldap_directory(cfg).lookup(P(cfg, "CORP\\wide"));
    ASSERT_FALSE(a);
    EXPECT_EQ(a.code, errc::directory_error);
    EXPECT_NE(a.message.find("is in more than 4096 groups in the directory"), std::string::npos) << a.message;
}

// Windows passwords verified by a real MIT KDC (started per test on a port chosen at run time),
// then the KDC's ticket verified with the gateway's own key from its keytab.
#include "corp_realm.hpp"

#include <ssogate/identity/kerberos_authenticator.hpp>
#include <ssogate/identity/password_verifier.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <sstream>

using namespace ssogate;
using namespace ssogate::identity;
using credstore::secret_bytes;
using namespace std::chrono_literals;

namespace {

struct fake_clock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
    attempt_throttle::clock_fn fn() {
        return [this] { return now; };
    }
};

// How many AS requests for `who` the KDC has logged so far.
int as_requests(const test::mit_kdc& kdc, const std::string& who) {
    std::istringstream log(kdc.log());
    const std::string client = who + "@" + kdc.realm() + " for krbtgt";
    int n = 0;
    for (std::string line; std::getline(log, line);)
        if (line.find("AS_REQ") != std::string::npos && line.find(client) != std::string::npos) ++n;
    return n;
}

outcome verify(password_verifier& v, const std::string& user, const std::string& password,
               const std::string& source = "192.0.2.10") {
    return v.verify(user, secret_bytes::copy_of(password), source);
}

errc code_of(const outcome& o) { return static_cast<errc>(o.code().value()); }

class KerberosPassword : public ::testing::Test {
protected:
    test::corp_realm realm;
};

}  // namespace

TEST_F(KerberosPassword, AcceptsTheRightPasswordAndVerifiesTheTicketWithTheKeytab) {
    password_verifier v(realm.config());
    const auto o = verify(v, "CORP\\alice", "AlicePw1!");
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->principal.display(realm.config().realms), "CORP\\alice");
    EXPECT_EQ(o.identity->principal.key(), "alice@corp.example");
    EXPECT_EQ(o.identity->kerberos_name, "alice@CORP.EXAMPLE");
    EXPECT_EQ(o.identity->method, auth_method::password);
    EXPECT_FALSE(o.identity->sid.has_value());
    EXPECT_TRUE(o.identity->groups.empty());
    // every spelling of the user is the same principal
    for (const char* spelling : {"alice", "alice@CORP.EXAMPLE", "corp\\alice", "alice@corp.example"}) {
        const auto again = verify(v, spelling, "AlicePw1!");
        ASSERT_TRUE(again) << spelling << ": " << again.refused.message;
        EXPECT_EQ(again.identity->principal.key(), "alice@corp.example");
    }
    // the verification asked the KDC for a ticket to our own service
    EXPECT_NE(realm.kdc.log().find("HTTP/localhost@CORP.EXAMPLE"), std::string::npos);
}

TEST_F(KerberosPassword, RefusesAWrongPasswordWithoutQuotingIt) {
    password_verifier v(realm.config());
    const auto o = verify(v, "CORP\\alice", "Secret-Guess-42");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::wrong_password);
    EXPECT_EQ(o.refused.message, "wrong password for CORP\\alice");
    EXPECT_EQ(o.refused.message.find("Secret-Guess-42"), std::string::npos);
    EXPECT_EQ(user_message(o.code()), user_message(make_error_code(errc::unknown_user)));
}

TEST_F(KerberosPassword, ReportsAnExpiredPassword) {
    password_verifier v(realm.config());
    const auto o = verify(v, "CORP\\bob", "BobPw1!");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::password_expired);
    EXPECT_NE(o.refused.message.find("CORP\\bob has expired"), std::string::npos) << o.refused.message;
    // MIT's KDC reports the expiry before it checks the password (AD checks the password first),
    // so the outcome proves nothing about the password, and it counts against the throttle
    EXPECT_EQ(code_of(verify(v, "CORP\\bob", "nope")), errc::password_expired);
    EXPECT_EQ(v.throttle().user_count("bob@corp.example"), 2);
}

TEST_F(KerberosPassword, ReportsTheComingPasswordExpiry) {
    password_verifier v(realm.config());
    const auto o = verify(v, "CORP\\erin", "ErinPw1!");
    ASSERT_TRUE(o) << o.refused.message;
    ASSERT_TRUE(o.identity->password_expires.has_value());
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(o.identity->password_expires->time_since_epoch()).count(),
              1924992000);  // 2031-01-01T00:00:00Z
}

TEST_F(KerberosPassword, ReportsADisabledAccount) {
    password_verifier v(realm.config());
    const auto o = verify(v, "CORP\\carol", "CarolPw1!");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::account_disabled);
    EXPECT_NE(o.refused.message.find("CORP\\carol is disabled or locked out"), std::string::npos) << o.refused.message;
}

TEST_F(KerberosPassword, ReportsAnAccountTheKdcLockedOut) {
    password_verifier v(realm.config("", "[identity.throttle]\nuser_failures = 0\nsource_failures = 0\n"));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(code_of(verify(v, "CORP\\dave", "wrong")), errc::wrong_password);
    const auto o = verify(v, "CORP\\dave", "DavePw1!");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::account_disabled);
}

TEST_F(KerberosPassword, ReportsAnUnknownUser) {
    password_verifier v(realm.config());
    const auto o = verify(v, "CORP\\zed", "whatever");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::unknown_user);
    EXPECT_NE(o.refused.message.find("does not know CORP\\zed"), std::string::npos) << o.refused.message;
}

TEST_F(KerberosPassword, ReportsAStoppedKdcQuicklyAndWorksAgainWhenItIsBack) {
    password_verifier v(realm.config());
    realm.kdc.stop();
    const auto t0 = std::chrono::steady_clock::now();
    const auto o = verify(v, "CORP\\alice", "AlicePw1!");
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::kdc_unreachable);
    EXPECT_TRUE(is_temporary(o.code()));
    EXPECT_NE(o.refused.message.find("no KDC of CORP.EXAMPLE could be reached"), std::string::npos) << o.refused.message;
    EXPECT_LT(took, 5s);
    // an unreachable KDC is not the user's failure
    EXPECT_EQ(v.throttle().user_count("alice@corp.example"), 0);
    realm.kdc.start();
    const auto back = verify(v, "CORP\\alice", "AlicePw1!");
    EXPECT_TRUE(back) << back.refused.message;
}

TEST_F(KerberosPassword, ThrottlesAUserAfterRepeatedFailuresWithoutAskingTheKdc) {
    fake_clock clock;
    password_verifier v(realm.config("", "[identity.throttle]\nuser_failures = 3\nwindow_seconds = 600\n"),
                        clock.fn());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(code_of(verify(v, "CORP\\alice", "guess" + std::to_string(i))), errc::wrong_password);
        clock.now += 10s;
    }
    const int asked = as_requests(realm.kdc, "alice");
    // even the right password waits: the throttle answers before the KDC is asked
    const auto o = verify(v, "alice@corp.example", "AlicePw1!", "198.51.100.7");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::throttled);
    EXPECT_EQ(o.refused.retry_after, 570s);  // the first failure (30 s ago) leaves the window at 600 s
    EXPECT_NE(o.refused.message.find("too many failed sign-ons for CORP\\alice"), std::string::npos) << o.refused.message;
    EXPECT_EQ(as_requests(realm.kdc, "alice"), asked);
    // another user is not affected
    EXPECT_TRUE(verify(v, "CORP\\erin", "ErinPw1!"));
    // the window slides: once the first failure is 600 s old, one more attempt is allowed
    clock.now += 570s;
    const auto later = verify(v, "CORP\\alice", "AlicePw1!");
    EXPECT_TRUE(later) << later.refused.message;
    EXPECT_EQ(v.throttle().user_count("alice@corp.example"), 0);  // success forgets the failures
}

TEST_F(KerberosPassword, ThrottlesASourceAddressThatSpraysManyUsers) {
    fake_clock clock;
    password_verifier v(realm.config("", "[identity.throttle]\nuser_failures = 5\nsource_failures = 4\n"), clock.fn());
    const char* users[] = {"alice", "bob", "dave", "erin"};
    for (const char* u : users)  // wrong password, expired, ...: all refused by the KDC
        EXPECT_FALSE(verify(v, std::string("CORP\\") + u, "Spring2026!", "203.0.113.9"));
    const auto o = verify(v, "CORP\\carol", "Spring2026!", "203.0.113.9");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::throttled);
    EXPECT_NE(o.refused.message.find("from 203.0.113.9"), std::string::npos) << o.refused.message;
    // unknown users and bad names count against the source too
    EXPECT_EQ(code_of(verify(v, "CORP\\zed", "x", "203.0.113.50")), errc::unknown_user);
    EXPECT_EQ(v.throttle().source_count("203.0.113.50"), 1);
    // another address is fine, and a success from the spraying address does not reset it
    EXPECT_TRUE(verify(v, "CORP\\alice", "AlicePw1!", "192.0.2.1"));
    EXPECT_EQ(code_of(verify(v, "CORP\\erin", "ErinPw1!", "203.0.113.9")), errc::throttled);
}

TEST_F(KerberosPassword, KeepsTheKdcLockoutAwayFromAnAccountUnderAttack) {
    // dave is locked by the KDC after 3 failures; the gateway allows 2 per window
    fake_clock clock;
    password_verifier v(realm.config("", "[identity.throttle]\nuser_failures = 2\nsource_failures = 0\n"), clock.fn());
    int refused_by_kdc = 0, throttled = 0;
    for (int i = 0; i < 10; ++i) {
        const auto e = code_of(verify(v, "CORP\\dave", "guess" + std::to_string(i)));
        refused_by_kdc += e == errc::wrong_password ? 1 : 0;
        throttled += e == errc::throttled ? 1 : 0;
    }
    EXPECT_EQ(refused_by_kdc, 2);
    EXPECT_EQ(throttled, 8);
    EXPECT_EQ(as_requests(realm.kdc, "dave"), 2 * 2);  // each attempt: an AS-REQ without and one with pre-auth
    clock.now += 901s;
    const auto o = verify(v, "CORP\\dave", "DavePw1!");
    EXPECT_TRUE(o) << "dave was locked out: " << o.refused.message;
}

TEST_F(KerberosPassword, RefusesATicketFromASpoofedKdc) {
    // A second KDC for the same realm name, run by an attacker: it knows alice under a password
    // of the attacker's choosing, and has its own key for HTTP/localhost.
    test::mit_kdc rogue(realm.tmp / "rogue");
    rogue.add_user("alice", "Attacker1!");
    rogue.add_service("HTTP/localhost", "rogue.keytab");
    rogue.start();
    // the gateway is pointed at it ([identity.kdc] wins over krb5.conf) but keeps its own keytab
    password_verifier v(realm.config(
        "", "[identity.kdc]\n\"CORP.EXAMPLE\" = \"127.0.0.1:" + std::to_string(rogue.port()) + "\"\n"));
    const auto o = verify(v, "CORP\\alice", "Attacker1!");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::verification_failed);
    EXPECT_NE(o.refused.message.find("the KDC may be spoofed"), std::string::npos) << o.refused.message;
    EXPECT_NE(rogue.log().find("AS_REQ"), std::string::npos);  // the rogue KDC was the one asked
}

TEST_F(KerberosPassword, FindsTheKdcFromTheOverrideAloneWithoutAnyKrb5Conf) {
    const std::string toml =
        "[identity]\ndefault_domain = \"CORP\"\nkeytab = \"" + realm.keytab.string() +
        "\"\nkrb5_conf = \"" + (realm.tmp / "no-such-krb5.conf").string() +
        "\"\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n[identity.kdc]\n\"CORP.EXAMPLE\" = [\"127.0.0.1:" +
        std::to_string(realm.kdc.port()) + "\"]\n";
    password_verifier v(parse_identity_config(toml, realm.tmp / "gw.toml"));
    const auto o = verify(v, "CORP\\alice", "AlicePw1!");
    EXPECT_TRUE(o) << o.refused.message;
}

TEST_F(KerberosPassword, RefusesRealmsItDoesNotServeWithoutContactingAnyKdc) {
    password_verifier v(realm.config());
    const auto o = verify(v, "alice@EVIL.EXAMPLE", "AlicePw1!");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::unknown_realm);
    EXPECT_EQ(code_of(verify(v, "CORP\\al/ice", "x")), errc::bad_name);
    EXPECT_EQ(code_of(verify(v, "CORP\\alice", "")), errc::invalid_password_input);
    EXPECT_EQ(as_requests(realm.kdc, "alice"), 0);
}

TEST_F(KerberosPassword, KeytabWithoutTheGatewaysKeyFailsVerification) {
    // The keytab holds an old key: HTTP/localhost was re-keyed in the KDC since.
    realm.kdc.kadmin("cpw -randkey HTTP/localhost");
    password_verifier v(realm.config());
    const auto o = verify(v, "CORP\\alice", "AlicePw1!");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::verification_failed);
    EXPECT_NE(o.refused.message.find("keytab is stale"), std::string::npos) << o.refused.message;
}

TEST_F(KerberosPassword, TheAuthenticatorInterfaceAnswersForPasswords) {
    kerberos_authenticator auth(realm.config());
    const auto ok = auth.authenticate(password_evidence{"CORP\\alice", secret_bytes::copy_of("AlicePw1!"), "192.0.2.4"});
    ASSERT_TRUE(ok) << ok.refused.message;
    EXPECT_EQ(ok.identity->principal.key(), "alice@corp.example");
    const auto bad = auth.authenticate(password_evidence{"CORP\\alice", secret_bytes::copy_of("x"), "192.0.2.4"});
    EXPECT_EQ(code_of(bad), errc::wrong_password);
}

TEST_F(KerberosPassword, VerifiesFromManyThreadsAtOnce) {
    password_verifier v(realm.config("", "[identity.throttle]\nuser_failures = 0\nsource_failures = 0\n"));
    std::atomic<int> right{0}, wrong{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                const bool good = (t + i) % 2 == 0;
                const auto o = verify(v, t % 2 == 0 ? "CORP\\alice" : "erin@CORP.EXAMPLE",
                                      good ? (t % 2 == 0 ? "AlicePw1!" : "ErinPw1!") : "wrong");
                if (good && o) ++right;
                else if (!good && code_of(o) == errc::wrong_password) ++wrong;
                else ++other;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(right + wrong, 30);
    EXPECT_EQ(other, 0);
}

TEST_F(KerberosPassword, KeepsTheKdcLockoutAwayFromGuessesSentAllAtOnce) {
    // dave is locked by the KDC after 3 failures; 12 guesses arrive together on 12 threads: the
    // ones under way count, so at most 2 reach the KDC
    fake_clock clock;
    password_verifier v(realm.config("", "[identity.throttle]\nuser_failures = 2\nsource_failures = 0\n"), clock.fn());
    std::atomic<int> refused_by_kdc{0}, throttled{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 12; ++i)
        threads.emplace_back([&, i] {
            const auto e = code_of(verify(v, "CORP\\dave", "guess" + std::to_string(i)));
            (e == errc::wrong_password ? refused_by_kdc : e == errc::throttled ? throttled : other)++;
        });
    for (auto& t : threads) t.join();
    EXPECT_LE(refused_by_kdc, 2);
    EXPECT_GE(refused_by_kdc, 1);
    EXPECT_EQ(refused_by_kdc + throttled, 12);
    EXPECT_EQ(other, 0);
    EXPECT_LE(as_requests(realm.kdc, "dave"), 2 * 2);
    clock.now += 901s;
    const auto o = verify(v, "CORP\\dave", "DavePw1!");
    EXPECT_TRUE(o) << "dave was locked out: " << o.refused.message;
}

// Windows passwords against a real Active Directory (Samba AD DC): the AS exchange with the DC's
// KDC, then the DC's ticket verified with the gateway's own AES key exported from AD.
#include "samba_domain.hpp"

#include <ssogate/identity/kerberos_authenticator.hpp>
#include <ssogate/identity/password_verifier.hpp>

#include <gtest/gtest.h>

#include <chrono>

using namespace ssogate;
using namespace ssogate::identity;

namespace {

errc code_of(const outcome& o) { return static_cast<errc>(o.code().value()); }

credstore::secret_bytes secret(std::string_view s) {
    credstore::secret_bytes b(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) b.data()[i] = static_cast<std::byte>(s[i]);
    return b;
}

class SambaPassword : public test::samba_test {};

}  // namespace

TEST_F(SambaPassword, TheRightWindowsPasswordIsVerifiedByTheDomainAndOurKey) {
    kerberos_authenticator auth(config());
    const auto o = auth.authenticate(password_evidence{"SAMBA\\alice", secret("AlicePw1!x"), "192.0.2.1"});
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->principal.display(config().realms), "SAMBA\\alice");
    EXPECT_EQ(o.identity->principal.key(), "alice@samba.example");
    EXPECT_EQ(o.identity->kerberos_name, "alice@SAMBA.EXAMPLE");
    EXPECT_EQ(o.identity->method, auth_method::password);
    // AD's default policy: passwords expire after 42 days, and the KDC says when
    ASSERT_TRUE(o.identity->password_expires.has_value());
    EXPECT_GT(*o.identity->password_expires, std::chrono::system_clock::now() + std::chrono::hours(24 * 40));
}

TEST_F(SambaPassword, EverySpellingOfTheNameIsOnePrincipal) {
    password_verifier v(config());
    for (const char* user : {"alice", "SAMBA\\Alice", "alice@SAMBA.EXAMPLE", "ALICE@samba.example"}) {
        const auto o = v.verify(user, secret("AlicePw1!x"), "192.0.2.1");
        ASSERT_TRUE(o) << user << ": " << o.refused.message;
        EXPECT_EQ(o.identity->principal.key(), "alice@samba.example") << user;
    }
}

TEST_F(SambaPassword, AWrongPasswordIsRefusedAsSuch) {
    password_verifier v(config());
    const auto o = v.verify("SAMBA\\alice", secret("AlicePw1!y"), "192.0.2.1");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::wrong_password) << o.refused.message;
    EXPECT_EQ(o.refused.message.find("AlicePw1"), std::string::npos);
}

TEST_F(SambaPassword, AnUnknownUserIsRefusedAsSuch) {
    password_verifier v(config());
    const auto o = v.verify("SAMBA\\nobody", secret("Whatever1!"), "192.0.2.1");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::unknown_user) << o.refused.message;
}

TEST_F(SambaPassword, ADisabledAccountIsRefusedEvenWithItsPassword) {
    password_verifier v(config());
    const auto o = v.verify("SAMBA\\carol", secret("CarolPw1!x"), "192.0.2.1");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::account_disabled) << o.refused.message;
}

TEST_F(SambaPassword, APasswordThatMustBeChangedIsExpired) {
    password_verifier v(config());  // dave: "must change at next logon" (pwdLastSet = 0)
    const auto o = v.verify("SAMBA\\dave", secret("DavePw1!x"), "192.0.2.1");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::password_expired) << o.refused.message;
}

TEST_F(SambaPassword, ANameWithLdapFilterMetacharactersSignsOn) {
    password_verifier v(config());
    const auto o = v.verify("SAMBA\\o(ne)&il", secret("MetaPw1!x"), "192.0.2.1");
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->kerberos_name, "o(ne)&il@SAMBA.EXAMPLE");
    EXPECT_EQ(o.identity->principal.display(config().realms), "SAMBA\\o(ne)&il");
    const auto wrong = v.verify("SAMBA\\o(ne)&*", secret("MetaPw1!x"), "192.0.2.1");
    EXPECT_FALSE(wrong);
}

TEST_F(SambaPassword, GuessesAreThrottledBeforeTheDomainLocksTheAccountOut) {
    attempt_throttle::clock::time_point now = attempt_throttle::clock::now();
    password_verifier v(config("", "[identity.throttle]\nuser_failures = 3\nsource_failures = 5\nwindow_seconds = 60\n"),
                        [&] { return now; });
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(code_of(v.verify("SAMBA\\bob", secret("guess" + std::to_string(i)), "198.51.100.7")),
                  errc::wrong_password);
    // the fourth guess never reaches the DC, and neither does the right password now
    const auto blocked = v.verify("SAMBA\\bob", secret("BobPw1!x"), "198.51.100.7");
    ASSERT_FALSE(blocked);
    EXPECT_EQ(code_of(blocked), errc::throttled) << blocked.refused.message;
    EXPECT_GT(blocked.refused.retry_after.count(), 0);
    // the address is limited across users too: two more failures on other names close it
    EXPECT_EQ(code_of(v.verify("SAMBA\\alice", secret("nope"), "198.51.100.7")), errc::wrong_password);
    EXPECT_EQ(code_of(v.verify("SAMBA\\nobody", secret("nope"), "198.51.100.7")), errc::unknown_user);
    EXPECT_EQ(code_of(v.verify("SAMBA\\alice", secret("AlicePw1!x"), "198.51.100.7")), errc::throttled);
    // from elsewhere alice is fine; after the window bob is too
    EXPECT_TRUE(v.verify("SAMBA\\alice", secret("AlicePw1!x"), "203.0.113.9"));
    now += std::chrono::seconds(61);
    const auto later = v.verify("SAMBA\\bob", secret("BobPw1!x"), "198.51.100.7");
    EXPECT_TRUE(later) << later.refused.message;
}

TEST_F(SambaPassword, AnUnreachableKdcIsItsOwnOutcome) {
    // The DC's KDC is the only one in this namespace; port 89 has no listener.
    password_verifier v(config("", "[identity.kdc]\n\"SAMBA.EXAMPLE\" = [\"127.0.0.1:89\"]\n"));
    const auto started = std::chrono::steady_clock::now();
    const auto o = v.verify("SAMBA\\alice", secret("AlicePw1!x"), "192.0.2.1");
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::kdc_unreachable) << o.refused.message;
    EXPECT_TRUE(is_temporary(o.code()));
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

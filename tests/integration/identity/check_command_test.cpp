// `ssogate identity check`: identity_check_command as the CLI will call it, with the password on
// a pipe as standard input, against a real MIT KDC.
#include "check_runner.hpp"
#include "corp_realm.hpp"

#include <ssogate/identity/check_command.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <sstream>

using namespace ssogate;
using namespace ssogate::identity;

namespace {

using result = test::check_result;

result check(const check_args& a, const std::string& input) { return test::run_check(a, input); }

class IdentityCheck : public ::testing::Test {
protected:
    test::corp_realm realm;
    std::string config = realm.write_config().string();
};

}  // namespace

TEST_F(IdentityCheck, PrintsTheVerifiedPrincipalForPeople) {
    const auto r = check({config, "CORP\\alice", true, false}, "AlicePw1!\n");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "principal  CORP\\alice\n"
              "kerberos   alice@CORP.EXAMPLE\n"
              "key        alice@corp.example\n"
              "sid        -\n"
              "state      active\n"
              "groups     -\n");
    EXPECT_EQ(r.err, "");
}

TEST_F(IdentityCheck, PrintsJsonWithThePasswordExpiry) {
    const auto r = check({config, "erin@corp.example", true, true}, "ErinPw1!\r\n");
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["principal"], "CORP\\erin");
    EXPECT_EQ(j["kerberos"], "erin@CORP.EXAMPLE");
    EXPECT_EQ(j["state"], "active");
    EXPECT_EQ(j["password_expires"], "2031-01-01T00:00:00Z");
    EXPECT_TRUE(j["sid"].is_null());
    EXPECT_EQ(j["groups"], nlohmann::json::array());
    EXPECT_EQ(j["verified_by"], "kdc+keytab");
}

TEST_F(IdentityCheck, AWrongPasswordIsOneLineOnStderrAndExitOne) {
    const auto r = check({config, "CORP\\alice", true, false}, "NotHerPassword\n");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "ssogate: wrong password for CORP\\alice\n");
}

TEST_F(IdentityCheck, StatesAreNamedInJson) {
    struct {
        const char* user;
        const char* password;
        const char* state;
    } cases[] = {{"CORP\\bob", "BobPw1!", "password_expired"},
                 {"CORP\\carol", "CarolPw1!", "account_disabled"},
                 {"CORP\\zed", "x", "unknown_user"},
                 {"alice@ELSEWHERE.EXAMPLE", "x", "unknown_realm"},
                 {"CORP\\", "x", "bad_name"}};
    for (const auto& c : cases) {
        const auto r = check({config, c.user, true, true}, std::string(c.password) + "\n");
        EXPECT_EQ(r.code, 1) << c.user;
        const auto j = nlohmann::json::parse(r.out);
        EXPECT_EQ(j["state"], c.state) << c.user << ": " << r.out;
        EXPECT_EQ(r.err.rfind("ssogate: ", 0), 0u) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        if (std::string(c.password).size() > 1) {
            EXPECT_EQ(r.err.find(c.password), std::string::npos) << r.err;
        }
    }
}

TEST_F(IdentityCheck, WithoutAPasswordOnlyNormalisesTheName) {
    const auto r = check({config, "alice", false, true}, "");
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["principal"], "CORP\\alice");
    EXPECT_EQ(j["state"], "unverified");
    EXPECT_TRUE(j["verified_by"].is_null());
}

TEST_F(IdentityCheck, AnUnreachableKdcIsReported) {
    realm.kdc.stop();
    const auto r = check({config, "CORP\\alice", true, false}, "AlicePw1!\n");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("no KDC of CORP.EXAMPLE could be reached"), std::string::npos) << r.err;
}

TEST_F(IdentityCheck, AMissingKeytabIsAConfigurationError) {
    const auto cfg = realm.tmp / "bad.toml";
    test::write_file(cfg, "[identity]\ndefault_domain = \"CORP\"\nkeytab = \"missing.keytab\"\n"
                          "[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n");
    const auto r = check({cfg.string(), "CORP\\alice", true, false}, "AlicePw1!\n");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("[identity] keytab: cannot read the keytab FILE:" + (realm.tmp / "missing.keytab").string()),
              std::string::npos)
        << r.err;
}

TEST_F(IdentityCheck, AMissingUserIsAUsageError) {
    EXPECT_EQ(check({config, "", true, false}, "x\n").code, 2);
}

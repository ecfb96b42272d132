// TLS client certificates with [identity.ldap]: the principal a certificate maps to gets its
// groups and account state from a real OpenLDAP slapd (GSSAPI bind with the gateway's key from a
// real MIT KDC), exactly as on the Kerberos paths: a disabled or expired account is refused, and
// a directory that cannot answer refuses the certificate (nobody else checked the account).
#include "cert_factory.hpp"
#include "corp_directory.hpp"

#include <ssogate/identity/certificate_authenticator.hpp>
#include <ssogate/identity/check_command.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

using namespace ssogate;
using namespace ssogate::identity;

namespace {

class CertificateDirectory : public ::testing::Test {
protected:
    test::corp_directory corp;
    test::test_ca ca{"Corp Smartcard CA"};
    std::filesystem::path ca_file = corp.realm.tmp / "smartcard-ca.pem";

    void SetUp() override { test::write_file(ca_file, ca.pem()); }

    [[nodiscard]] std::string rules() const {
        return "\n[[identity.certificates.rule]]\nname = \"smartcards\"\nca = \"" + ca_file.string() +
               "\"\nmap = \"upn\"\ndomains = [\"corp.example\"]\n";
    }
    [[nodiscard]] certificate_evidence card(const std::string& user) const {
        test::leaf_spec s;
        s.cn = user;
        s.upns = {{user + "@corp.example"}};
        certificate_evidence e;
        e.chain = {ca.issue(s).der()};
        e.source_address = "192.0.2.7";
        return e;
    }
};

std::set<std::string> names(const std::vector<group>& groups, const identity_config& cfg) {
    std::set<std::string> out;
    for (const auto& g : groups) out.insert(g.principal.display(cfg.realms));
    return out;
}

}  // namespace

TEST_F(CertificateDirectory, AMappedCertificateGetsTheUsersGroupsAndAccountState) {
    const auto cfg = corp.config(corp.gssapi_section() + rules());
    certificate_authenticator auth(cfg);
    ASSERT_NE(auth.groups_directory(), nullptr);

    const auto alice = auth.authenticate(evidence{card("alice")});
    ASSERT_TRUE(alice) << alice.refused.message;
    EXPECT_EQ(alice.identity->principal.display(cfg.realms), "CORP\\alice");
    EXPECT_EQ(alice.identity->method, auth_method::certificate);
    EXPECT_EQ(alice.identity->groups_from, groups_status::fresh);
    EXPECT_EQ(alice.identity->directory_dn, "uid=alice,ou=people,dc=corp,dc=example");
    EXPECT_EQ(names(alice.identity->groups, cfg),
              (std::set<std::string>{"CORP\\mainframe-users", "CORP\\as400-users", "CORP\\host-operators",
                                     "CORP\\all-staff"}));

    const auto heidi = auth.authenticate(evidence{card("heidi")});  // disabled by an administrator
    EXPECT_EQ(heidi.code(), errc::account_disabled) << heidi.refused.message;
    const auto frank = auth.authenticate(evidence{card("frank")});  // shadowExpire in 1970
    EXPECT_EQ(frank.code(), errc::account_expired) << frank.refused.message;

    const auto zed = auth.authenticate(evidence{card("zed")});  // a valid card, no directory entry
    ASSERT_TRUE(zed) << zed.refused.message;
    EXPECT_EQ(zed.identity->groups_from, groups_status::not_in_directory);
    EXPECT_TRUE(zed.identity->groups.empty());
}

TEST_F(CertificateDirectory, ADirectoryThatCannotAnswerRefusesTheCertificateOnceTheCacheIsOld) {
    const auto cfg = corp.config(corp.gssapi_section("cache_seconds = 300\n") + rules());
    certificate_authenticator auth(cfg);
    ASSERT_TRUE(auth.authenticate(evidence{card("alice")}));
    corp.server->stop();
    const auto cached = auth.authenticate(evidence{card("alice")});  // within cache_seconds
    ASSERT_TRUE(cached) << cached.refused.message;
    EXPECT_EQ(cached.identity->groups_from, groups_status::cached);
    const auto bob = auth.authenticate(evidence{card("bob")});  // never asked: nothing cached
    EXPECT_EQ(bob.code(), errc::directory_unavailable) << bob.refused.message;
    EXPECT_TRUE(is_temporary(bob.code()));
}

TEST_F(CertificateDirectory, IdentityCheckPrintsTheDirectorysAnswerForACertificate) {
    const auto config = corp.realm.write_config("", corp.gssapi_section() + rules());
    test::leaf_spec s;
    s.cn = "bob";
    s.upns = {{"bob@corp.example"}};
    const auto cert = corp.realm.tmp / "bob.pem";
    test::write_file(cert, ca.issue(s).pem());
    check_args a;
    a.config = config.string();
    a.cert = cert.string();
    a.json = true;
    std::ostringstream out, err;
    ASSERT_EQ(identity_check_command(a, -1, out, err), 0) << err.str();
    const auto j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["rule"], "smartcards");
    EXPECT_EQ(j["principal"], "CORP\\bob");
    EXPECT_EQ(j["account"], "unknown");  // a plain LDAP entry without lock attributes
    EXPECT_EQ(j["groups_status"], "fresh");
    EXPECT_EQ(j["dn"], "uid=bob,ou=people,dc=corp,dc=example");
    std::set<std::string> groups;
    for (const auto& g : j["groups"]) groups.insert(g["name"].get<std::string>());
    EXPECT_EQ(groups, (std::set<std::string>{"CORP\\as400-users", "CORP\\cycle-a", "CORP\\cycle-b"}));
}

// TLS client certificates to principals: certificates and CRLs made in memory (cert_factory),
// CA and CRL files in a temp folder, no sockets.
#include "cert_factory.hpp"
#include "temp_dir.hpp"

#include <ssogate/identity/certificate_authenticator.hpp>

#include <gtest/gtest.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

using namespace ssogate;
using namespace ssogate::identity;
using test::issued;
using test::leaf_spec;
using test::san_upn;
using test::test_ca;
using namespace std::string_literals;

namespace {

constexpr const char* header =
    "[identity]\ndefault_domain = \"CORP\"\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\nLAB = \"LAB.EXAMPLE\"\n";

class Certificates : public ::testing::Test {
protected:
    test::temp_dir tmp;
    test_ca corp{"Corp Issuing CA"};
    test_ca other{"Other CA"};

    void SetUp() override {
        test::write_file(tmp / "corp.pem", corp.pem());
        test::write_file(tmp / "other.pem", other.pem());
    }

    identity_config config(const std::string& rules) const {
        return parse_identity_config(std::string(header) + rules, tmp / "ssogate.toml");
    }

    certificate_verdict check(const std::string& rules, const issued& leaf, const std::vector<X509*>& more = {}) const {
        certificate_evidence e;
        e.chain.push_back(leaf.der());
        for (X509* x : more) e.chain.push_back(test::der_of(x));
        const certificate_authenticator auth(config(rules));
        return auth.check(e);
    }

    static std::string principal_of(const certificate_verdict& v) {
        if (!v.result) return "refused: " + v.result.refused.message;
        return v.result.identity->principal.key();
    }
    static errc code_of(const certificate_verdict& v) { return static_cast<errc>(v.result.code().value()); }
};

leaf_spec upn(const std::string& value, const std::string& cn = "alice") {
    leaf_spec s;
    s.cn = cn;
    s.upns = {san_upn{value}};
    return s;
}

const std::string upn_rule = "[[identity.certificates.rule]]\nname = \"corp-upn\"\nca = \"corp.pem\"\nmap = \"upn\"\n";

}  // namespace

TEST_F(Certificates, UpnRuleMapsTheMicrosoftUpnToItsRealm) {
    const auto v = check(upn_rule, corp.issue(upn("Alice@corp.example")));
    ASSERT_TRUE(v.result) << v.result.refused.message;
    const auto& id = *v.result.identity;
    EXPECT_EQ(id.principal.key(), "alice@corp.example");
    EXPECT_EQ(id.principal.display(config(upn_rule).realms), "CORP\\Alice");
    EXPECT_EQ(id.kerberos_name, "Alice@CORP.EXAMPLE");
    EXPECT_EQ(id.method, auth_method::certificate);
    EXPECT_TRUE(id.groups.empty());
    EXPECT_EQ(v.rule, "corp-upn");
    EXPECT_EQ(v.subject, "CN=alice,O=ssogate tests");
    EXPECT_EQ(v.issuer, "CN=Corp Issuing CA,O=ssogate tests");
}

TEST_F(Certificates, EmailRuleRewritesTheMailDomainToTheRealm) {
    const std::string rule = "[[identity.certificates.rule]]\nca = \"corp.pem\"\nmap = \"email\"\n"
                             "domains = [\"mail.corp.example\"]\nrealm = \"CORP\"\n";
    leaf_spec s;
    s.emails = {"private@elsewhere.example", "Bob@Mail.Corp.Example"};
    const auto v = check(rule, corp.issue(s));
    EXPECT_EQ(principal_of(v), "bob@corp.example");
    EXPECT_EQ(v.rule, "rule 1");
}

TEST_F(Certificates, EmailRuleWithoutRealmUsesTheMailDomainAsRealm) {
    const std::string rule = "[[identity.certificates.rule]]\nca = \"corp.pem\"\nmap = \"email\"\n";
    leaf_spec s;
    s.emails = {"dave@lab.example"};
    EXPECT_EQ(principal_of(check(rule, corp.issue(s))), "dave@lab.example");
    s.emails = {"dave@gmail.example"};  // not a realm the gateway serves
    const auto v = check(rule, corp.issue(s));
    EXPECT_EQ(code_of(v), errc::certificate_unmapped);
    EXPECT_NE(v.result.refused.message.find("GMAIL.EXAMPLE, not one of the gateway's realms"), std::string::npos)
        << v.result.refused.message;
}

TEST_F(Certificates, CnRuleUsesTheConfiguredDomain) {
    const std::string rule = "[[identity.certificates.rule]]\nca = \"corp.pem\"\nmap = \"cn\"\nrealm = \"LAB\"\n";
    leaf_spec s;
    s.cn = "carol";
    EXPECT_EQ(principal_of(check(rule, corp.issue(s))), "carol@lab.example");
    s.cn = "carol@corp.example";  // a cn rule takes bare names
    EXPECT_EQ(code_of(check(rule, corp.issue(s))), errc::certificate_unmapped);
}

TEST_F(Certificates, ACertificateOfAnotherCaIsUntrusted) {
    const auto v = check(upn_rule, other.issue(upn("alice@corp.example")));
    EXPECT_EQ(code_of(v), errc::untrusted_certificate);
    EXPECT_EQ(v.result.refused.message,
              "the certificate 'CN=alice,O=ssogate tests' was issued by 'CN=Other CA,O=ssogate tests', which no "
              "certificate rule trusts");
    EXPECT_EQ(v.rule, "");
}

TEST_F(Certificates, ACaWithTheSameNameButAnotherKeyIsUntrusted) {
    const test_ca forged{"Corp Issuing CA"};
    EXPECT_EQ(code_of(check(upn_rule, forged.issue(upn("alice@corp.example")))), errc::untrusted_certificate);
    // even when the client sends the forged CA along
    EXPECT_EQ(code_of(check(upn_rule, forged.issue(upn("alice@corp.example")), {forged.cert()})),
              errc::untrusted_certificate);
}

TEST_F(Certificates, ARuleNeverAcceptsACertificateOfTheCaOfAnotherRule) {
    // rule 1 would find a name (the CN) but does not trust `other`; rule 2 trusts it but maps by e-mail
    const std::string rules = "[[identity.certificates.rule]]\nname = \"corp-cn\"\nca = \"corp.pem\"\nmap = \"cn\"\n"
                              "realm = \"CORP\"\n"
                              "[[identity.certificates.rule]]\nname = \"partner-mail\"\nca = \"other.pem\"\n"
                              "map = \"email\"\ndomains = [\"corp.example\"]\n";
    leaf_spec s;
    s.cn = "alice";
    const auto v = check(rules, other.issue(s));
    EXPECT_EQ(code_of(v), errc::certificate_unmapped);
    EXPECT_EQ(v.result.refused.message,
              "the certificate 'CN=alice,O=ssogate tests' maps to no user: rule 'partner-mail': the certificate has "
              "no subject alternative name");
    s.emails = {"erin@corp.example"};
    const auto w = check(rules, other.issue(s));
    EXPECT_EQ(principal_of(w), "erin@corp.example");
    EXPECT_EQ(w.rule, "partner-mail");
    // and rule 1 still takes its own CA's certificates
    EXPECT_EQ(check(rules, corp.issue(s)).rule, "corp-cn");
}

TEST_F(Certificates, TheFirstRuleWhoseCaVerifiesAndWhoseNameMapsWins) {
    const std::string rules = upn_rule +
                              "[[identity.certificates.rule]]\nname = \"corp-cn\"\nca = \"corp.pem\"\nmap = \"cn\"\n"
                              "realm = \"LAB\"\n";
    const auto with_upn = check(rules, corp.issue(upn("frank@corp.example", "frank")));
    EXPECT_EQ(with_upn.rule, "corp-upn");
    EXPECT_EQ(principal_of(with_upn), "frank@corp.example");
    leaf_spec s;
    s.cn = "frank";
    const auto cn_only = check(rules, corp.issue(s));
    EXPECT_EQ(cn_only.rule, "corp-cn");
    EXPECT_EQ(principal_of(cn_only), "frank@lab.example");
}

TEST_F(Certificates, ARevokedCertificateIsRefusedAndNoLaterRuleOverturnsIt) {
    const issued alice = corp.issue(upn("alice@corp.example"));
    const issued bob = corp.issue(upn("bob@corp.example", "bob"));
    test::write_file(tmp / "corp.crl", corp.crl_pem({alice.serial}));
    const std::string rules = "[[identity.certificates.rule]]\nname = \"checked\"\nca = \"corp.pem\"\nmap = \"upn\"\n"
                              "crls = [\"corp.crl\"]\n"
                              "[[identity.certificates.rule]]\nname = \"unchecked\"\nca = \"corp.pem\"\nmap = \"upn\"\n";
    const auto v = check(rules, alice);
    EXPECT_EQ(code_of(v), errc::certificate_revoked);
    EXPECT_EQ(v.rule, "checked");
    EXPECT_EQ(v.result.refused.message,
              "the certificate 'CN=alice,O=ssogate tests' is revoked (serial on a CRL of rule 'checked')");
    EXPECT_EQ(principal_of(check(rules, bob)), "bob@corp.example");
    EXPECT_EQ(check(rules, bob).rule, "checked");
}

TEST_F(Certificates, AMissingOrExpiredCrlFailsClosed) {
    const issued alice = corp.issue(upn("alice@corp.example"));
    const std::string rule = upn_rule + "crls = [\"corp.crl\"]\n";

    auto v = check(rule, alice);  // no CRL file
    EXPECT_EQ(code_of(v), errc::crl_unavailable);
    EXPECT_NE(v.result.refused.message.find("corp.crl cannot be read; refused until the CRL is in place"),
              std::string::npos)
        << v.result.refused.message;
    EXPECT_TRUE(is_temporary(v.result.code()));

    test::write_file(tmp / "corp.crl", "not a CRL\n");
    EXPECT_EQ(code_of(check(rule, alice)), errc::crl_unavailable);

    test::write_file(tmp / "corp.crl", corp.crl_pem({}, -10, -1));  // nextUpdate yesterday
    v = check(rule, alice);
    EXPECT_EQ(code_of(v), errc::crl_unavailable);
    EXPECT_NE(v.result.refused.message.find("CRL has expired"), std::string::npos) << v.result.refused.message;

    test::write_file(tmp / "corp.crl", other.crl_pem({}));  // a current CRL, but of another CA
    EXPECT_EQ(code_of(check(rule, alice)), errc::crl_unavailable);

    test::write_file(tmp / "corp.crl", corp.crl_pem({}));  // read again on every check: no restart
    EXPECT_EQ(principal_of(check(rule, alice)), "alice@corp.example");
}

TEST_F(Certificates, AnEndlessCrlFileIsRefusedNotReadForever) {
    const auto v = check(upn_rule + "crls = [\"/dev/zero\"]\n", corp.issue(upn("alice@corp.example")));
    EXPECT_EQ(code_of(v), errc::crl_unavailable);
    EXPECT_NE(v.result.refused.message.find("/dev/zero is larger than 64 MiB"), std::string::npos)
        << v.result.refused.message;
}

TEST_F(Certificates, AMissingCrlOfOneRuleDoesNotBlockCertificatesOfOtherCas) {
    const std::string rules = upn_rule + "crls = [\"missing.crl\"]\n" +
                              "[[identity.certificates.rule]]\nname = \"partner\"\nca = \"other.pem\"\nmap = \"upn\"\n";
    const auto v = check(rules, other.issue(upn("gina@corp.example")));
    EXPECT_EQ(principal_of(v), "gina@corp.example");
    EXPECT_EQ(v.rule, "partner");
}

TEST_F(Certificates, ChainCrlCheckNeedsACrlForEveryLevel) {
    const test_ca root{"Corp Root CA"};
    const test_ca sub{"Corp Sub CA", &root};
    const test_ca sibling{"Corp Other Sub CA", &root};
    test::write_file(tmp / "root.pem", root.pem());
    test::write_file(tmp / "sub.pem", sub.pem());
    const issued alice = sub.issue(upn("alice@corp.example"));
    const std::string rule = "[[identity.certificates.rule]]\nca = \"root.pem\"\nmap = \"upn\"\n"
                             "crls = [\"sub.crl\", \"root.crl\"]\ncrl_check = \"chain\"\n";
    test::write_file(tmp / "sub.crl", sub.crl_pem({}));
    test::write_file(tmp / "root.crl", root.crl_pem({}));
    EXPECT_EQ(principal_of(check(rule, alice, {sub.cert()})), "alice@corp.example");

    test::write_file(tmp / "root.crl", root.crl_pem({sub.serial()}));  // the sub-CA revoked
    const auto v = check(rule, alice, {sub.cert()});
    EXPECT_EQ(code_of(v), errc::certificate_revoked);
    EXPECT_NE(v.result.refused.message.find("(certificate 2 of the chain)"), std::string::npos)
        << v.result.refused.message;

    const std::string only_sub_crl = "[[identity.certificates.rule]]\nca = \"root.pem\"\nmap = \"upn\"\n"
                                     "crls = [\"sub.crl\"]\ncrl_check = \"chain\"\n";
    EXPECT_EQ(code_of(check(only_sub_crl, alice, {sub.cert()})), errc::crl_unavailable);
    // crl_check = "leaf" only needs the issuer's CRL
    EXPECT_EQ(principal_of(check("[[identity.certificates.rule]]\nca = \"root.pem\"\nmap = \"upn\"\n"
                                 "crls = [\"sub.crl\"]\n",
                                 alice, {sub.cert()})),
              "alice@corp.example");
}

TEST_F(Certificates, AnIssuingCaIsATrustAnchorOfItsOwn) {
    const test_ca root{"Corp Root CA"};
    const test_ca sub{"Corp Sub CA", &root};
    const test_ca sibling{"Corp Other Sub CA", &root};
    test::write_file(tmp / "sub.pem", sub.pem());
    const std::string rule = "[[identity.certificates.rule]]\nca = \"sub.pem\"\nmap = \"upn\"\n";
    EXPECT_EQ(principal_of(check(rule, sub.issue(upn("alice@corp.example")))), "alice@corp.example");
    // a certificate of another sub-CA of the same root is not this rule's, even with the root sent along
    EXPECT_EQ(code_of(check(rule, sibling.issue(upn("alice@corp.example")), {sibling.cert(), root.cert()})),
              errc::untrusted_certificate);
}

TEST_F(Certificates, TheClientAuthUsageIsRequired) {
    leaf_spec s = upn("alice@corp.example");
    s.client_auth = false;  // serverAuth only
    auto v = check(upn_rule, corp.issue(s));
    EXPECT_EQ(code_of(v), errc::no_client_auth_usage);
    EXPECT_EQ(v.rule, "corp-upn");
    s.eku = false;  // no extendedKeyUsage at all: "any usage" for OpenSSL, not enough here
    v = check(upn_rule, corp.issue(s));
    EXPECT_EQ(code_of(v), errc::no_client_auth_usage);
    EXPECT_EQ(v.result.refused.message,
              "the certificate 'CN=alice,O=ssogate tests' lacks the clientAuth extended key usage [rule 'corp-upn']");
}

TEST_F(Certificates, ExpiredAndNotYetValidCertificatesAreRefused) {
    leaf_spec s = upn("alice@corp.example");
    s.not_before_days = -30;
    s.not_after_days = -1;
    auto v = check(upn_rule, corp.issue(s));
    EXPECT_EQ(code_of(v), errc::certificate_expired);
    EXPECT_NE(v.result.refused.message.find("certificate has expired"), std::string::npos) << v.result.refused.message;
    s.not_before_days = 2;
    s.not_after_days = 30;
    EXPECT_EQ(code_of(check(upn_rule, corp.issue(s))), errc::certificate_expired);
}

TEST_F(Certificates, OddUpnEncodingsGiveNoName) {
    struct {
        const char* what;
        std::vector<san_upn> upns;
        const char* why;
    } cases[] = {
        {"IA5String", {{"alice@corp.example", V_ASN1_IA5STRING}}, "is not a UTF8String"},
        {"BMPString", {{"\0a\0@\0c"s, V_ASN1_BMPSTRING}}, "is not a UTF8String"},
        {"embedded NUL", {{"alice@corp.example\0.evil.example"s}}, "NUL or control character"},
        {"invalid UTF-8", {{"al\xc3\x28@corp.example"}}, "invalid UTF-8"},
        {"overlong UTF-8", {{"al\xc0\xafx@corp.example"}}, "invalid UTF-8"},
        {"a good and a bad one", {{"alice@corp.example"}, {"bob@corp.example", V_ASN1_OCTET_STRING}}, "not a UTF8String"},
        {"two users", {{"alice@corp.example"}, {"mallory@corp.example"}}, "several different UPNs"},
        {"no domain", {{"alice"}}, "is not user@domain"},
        {"a service", {{"host/gw@corp.example"}}, "is not a user name"},
    };
    for (const auto& c : cases) {
        leaf_spec s;
        s.upns = c.upns;
        const auto v = check(upn_rule, corp.issue(s));
        EXPECT_EQ(code_of(v), errc::certificate_unmapped) << c.what;
        EXPECT_NE(v.result.refused.message.find(c.why), std::string::npos) << c.what << ": " << v.result.refused.message;
        EXPECT_EQ(v.result.refused.message.find('\0'), std::string::npos) << c.what;
    }
}

TEST_F(Certificates, TheSameUpnTwiceIsOneNameAndUtf8IsKept) {
    leaf_spec s;
    s.upns = {{"Zoë@corp.example"}, {"zoë@CORP.EXAMPLE"}};
    const auto v = check(upn_rule, corp.issue(s));
    ASSERT_TRUE(v.result) << v.result.refused.message;
    EXPECT_EQ(v.result.identity->principal.name(), "Zoë");
}

TEST_F(Certificates, DomainsRestrictWhichNamesARuleReads) {
    const std::string rule = upn_rule + "domains = [\"corp.example\"]\n";
    leaf_spec s;
    s.upns = {{"alice@partner.example"}, {"alice@corp.example"}};  // only one is this rule's
    EXPECT_EQ(principal_of(check(rule, corp.issue(s))), "alice@corp.example");
    const auto v = check(rule, corp.issue(upn("alice@partner.example")));
    EXPECT_EQ(code_of(v), errc::certificate_unmapped);
    EXPECT_NE(v.result.refused.message.find("no UPN of the domains corp.example (the certificate has alice@partner.example)"),
              std::string::npos)
        << v.result.refused.message;
}

TEST_F(Certificates, OddEmailEncodingsGiveNoName) {
    const std::string rule = "[[identity.certificates.rule]]\nca = \"corp.pem\"\nmap = \"email\"\n";
    leaf_spec s;
    s.emails = {"alice@corp.example\0@evil.example"s};
    EXPECT_EQ(code_of(check(rule, corp.issue(s))), errc::certificate_unmapped);
    s.emails = {"al ice@corp.example"};
    EXPECT_EQ(code_of(check(rule, corp.issue(s))), errc::certificate_unmapped);
    s.emails = {"alice@corp.example", "bob@corp.example"};
    EXPECT_EQ(code_of(check(rule, corp.issue(s))), errc::certificate_unmapped);
}

TEST_F(Certificates, EvidenceThatIsNoChainIsABadCertificate) {
    const certificate_authenticator auth(config(upn_rule));
    EXPECT_EQ(code_of(auth.check({})), errc::bad_certificate);
    certificate_evidence garbage;
    garbage.chain = {{0x30, 0x03, 0x02, 0x01, 0x01}};
    EXPECT_EQ(code_of(auth.check(garbage)), errc::bad_certificate);
    certificate_evidence trailing;
    trailing.chain = {corp.issue(upn("alice@corp.example")).der()};
    trailing.chain[0].push_back(0);
    EXPECT_EQ(code_of(auth.check(trailing)), errc::bad_certificate);
    certificate_evidence long_chain;
    long_chain.chain.assign(certificate_authenticator::max_chain + 1, corp.issue(upn("alice@corp.example")).der());
    EXPECT_EQ(code_of(auth.check(long_chain)), errc::bad_certificate);
}

TEST_F(Certificates, TheAuthenticatorInterfaceTakesCertificatesOnly) {
    certificate_authenticator auth(config(upn_rule));
    certificate_evidence e;
    e.chain = {corp.issue(upn("alice@corp.example")).der()};
    const auto o = auth.authenticate(evidence{e});
    ASSERT_TRUE(o);
    EXPECT_EQ(o.identity->principal.key(), "alice@corp.example");
    negotiate_evidence n;
    n.authorization = "Negotiate YII=";
    EXPECT_EQ(auth.authenticate(evidence{n}).code(), errc::unsupported_mechanism);
}

TEST_F(Certificates, NoRulesMeansNoCertificateIsTrusted) {
    const certificate_authenticator auth(config(""));
    certificate_evidence e;
    e.chain = {corp.issue(upn("alice@corp.example")).der()};
    const auto v = auth.check(e);
    EXPECT_EQ(code_of(v), errc::untrusted_certificate);
    EXPECT_NE(v.result.refused.message.find("no [[identity.certificates.rule]] is configured"), std::string::npos);
}

TEST_F(Certificates, HasClientAuthUsageIsTheOneSharedCheck) {
    leaf_spec s;
    EXPECT_TRUE(has_client_auth_usage(*corp.issue(s).cert));
    s.client_auth = false;
    EXPECT_FALSE(has_client_auth_usage(*corp.issue(s).cert));
    s.eku = false;
    EXPECT_FALSE(has_client_auth_usage(*corp.issue(s).cert));
}

TEST_F(Certificates, CertificateCodesHaveNamesAndUserMessages) {
    for (errc e : {errc::bad_certificate, errc::untrusted_certificate, errc::certificate_expired,
                   errc::certificate_revoked, errc::crl_unavailable, errc::no_client_auth_usage,
                   errc::certificate_unmapped}) {
        EXPECT_NE(make_error_code(e).message(), "unknown identity error");
        EXPECT_NE(to_string(e), "unknown");
        EXPECT_NE(user_message(e), "Sign-on failed.");
        EXPECT_FALSE(is_fatal(e));
    }
    EXPECT_EQ(to_string(errc::certificate_unmapped), "certificate_unmapped");
    EXPECT_TRUE(is_temporary(errc::crl_unavailable));
    EXPECT_FALSE(is_temporary(errc::certificate_revoked));
}

// ------------------------------------------------------------------ configuration

TEST_F(Certificates, RulesAreReadWithPathsBesideTheConfig) {
    const auto c = config("[[identity.certificates.rule]]\nname = \"smartcards\"\nca = \"corp.pem\"\nmap = \"email\"\n"
                          "domains = [\"Corp.Example\", \"mail.corp.example\"]\nrealm = \"CORP\"\n"
                          "crls = [\"a.crl\", \"/etc/ssogate/b.crl\"]\ncrl_check = \"chain\"\n"
                          "[[identity.certificates.rule]]\nca = \"/etc/ssogate/other.pem\"\nmap = \"cn\"\n"
                          "realm = \"LAB.EXAMPLE\"\n");
    ASSERT_EQ(c.certificate_rules.size(), 2u);
    const auto& r = c.certificate_rules[0];
    EXPECT_EQ(r.name, "smartcards");
    EXPECT_EQ(r.ca, tmp / "corp.pem");
    EXPECT_EQ(r.map, certificate_map::email);
    EXPECT_EQ(r.domains, (std::vector<std::string>{"corp.example", "mail.corp.example"}));
    EXPECT_EQ(r.realm, "CORP.EXAMPLE");
    EXPECT_EQ(r.crls, (std::vector<std::filesystem::path>{tmp / "a.crl", "/etc/ssogate/b.crl"}));
    EXPECT_TRUE(r.crl_check_chain);
    EXPECT_EQ(c.certificate_rules[1].name, "rule 2");
    EXPECT_EQ(c.certificate_rules[1].map, certificate_map::cn);
    EXPECT_FALSE(c.certificate_rules[1].crl_check_chain);
}

TEST_F(Certificates, BadRulesAreConfigurationErrors) {
    struct {
        std::string rule;
        std::string error;
    } cases[] = {
        {"ca = \"corp.pem\"\nmap = \"upn\"\ncolour = 1\n", "unknown key 'colour' in [[identity.certificates.rule]]"},
        {"map = \"upn\"\n", "ca is required"},
        {"ca = \"corp.pem\"\n", "map is required"},
        {"ca = \"corp.pem\"\nmap = \"sid\"\n", "map must be \"upn\", \"email\" or \"cn\""},
        {"ca = \"corp.pem\"\nmap = \"cn\"\n", "a cn rule needs realm"},
        {"ca = \"corp.pem\"\nmap = \"cn\"\nrealm = \"CORP\"\ndomains = [\"corp.example\"]\n", "domains applies to upn and email"},
        {"ca = \"corp.pem\"\nmap = \"upn\"\nrealm = \"EVIL.EXAMPLE\"\n", "realm EVIL.EXAMPLE is not one of the gateway's realms"},
        {"ca = \"corp.pem\"\nmap = \"upn\"\ndomains = [\"a b\"]\n", "domains must be domain names"},
        {"ca = \"corp.pem\"\nmap = \"upn\"\ncrl_check = \"chain\"\n", "crl_check needs crls"},
        {"ca = \"corp.pem\"\nmap = \"upn\"\ncrls = [\"x.crl\"]\ncrl_check = \"all\"\n", "crl_check must be \"leaf\" or \"chain\""},
        {"ca = \"\"\nmap = \"upn\"\n", "ca must be a file name"},
    };
    for (const auto& c : cases) {
        try {
            config("[[identity.certificates.rule]]\n" + c.rule);
            ADD_FAILURE() << "no error for " << c.rule;
        } catch (const config_error& e) {
            EXPECT_NE(std::string(e.what()).find(c.error), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("ssogate.toml: line "), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(config("[identity.certificates]\nrules = 1\n"), config_error);
    EXPECT_THROW(config("[identity.certificates]\nrule = 1\n"), config_error);
    EXPECT_THROW(config(upn_rule + upn_rule), config_error);  // the same name twice
}

TEST_F(Certificates, AnUnreadableCaFileIsAConfigurationError) {
    test::write_file(tmp / "empty.pem", "no certificate here\n");
    for (const char* ca : {"missing.pem", "empty.pem"}) {
        const auto c = config(std::string("[[identity.certificates.rule]]\nca = \"") + ca + "\"\nmap = \"upn\"\n");
        try {
            certificate_authenticator auth(c);
            ADD_FAILURE() << ca;
        } catch (const config_error& e) {
            EXPECT_NE(std::string(e.what()).find("[[identity.certificates.rule]] 'rule 1'"), std::string::npos) << e.what();
        }
    }
}

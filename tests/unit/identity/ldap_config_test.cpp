// [identity.ldap] as the identity library reads it.
#include <ssogate/identity/identity_config.hpp>

#include <gtest/gtest.h>

using namespace ssogate::identity;
using namespace std::chrono_literals;

namespace {

const std::string head = "[store]\nurl = \"sqlite:x.db\"\n\n[identity]\ndefault_domain = \"CORP\"\n\n[identity.ldap]\n";

identity_config parse(const std::string& ldap) { return parse_identity_config(head + ldap, "/etc/ssogate/ssogate.toml"); }

std::string error_of(const std::string& ldap) {
    try {
        parse(ldap);
    } catch (const config_error& e) {
        return e.what();
    }
    return "(no error)";
}

const std::string minimal = "url = \"ldap://127.0.0.1:389\"\nflavour = \"ldap\"\nbase_dn = \"dc=corp,dc=example\"\n";

}  // namespace

TEST(LdapConfig, AbsentMeansNoDirectory) {
    const auto c = parse_identity_config("[identity]\ndefault_domain = \"CORP\"\n", "/etc/ssogate/ssogate.toml");
    EXPECT_FALSE(c.ldap);
}

TEST(LdapConfig, ReadsEveryKey) {
    const auto c = parse(R"(url = ["ldaps://dc1.corp.example", "ldaps://dc2.corp.example:3269"]
flavour = "ad"
base_dn = "DC=corp,DC=example"
group_name_attribute = "cn"
bind = "simple"
bind_dn = "CN=ssogate,CN=Users,DC=corp,DC=example"
bind_password_file = "ldap.password"
ca_file = "/etc/ssl/corp-ca.pem"
network_timeout_seconds = 3
operation_timeout_seconds = 7
cache_seconds = 120
negative_cache_seconds = 30
nesting_depth = 4
cache_max_entries = 500
)");
    ASSERT_TRUE(c.ldap);
    const auto& l = *c.ldap;
    EXPECT_EQ(l.urls, (std::vector<std::string>{"ldaps://dc1.corp.example", "ldaps://dc2.corp.example:3269"}));
    EXPECT_EQ(l.flavour, directory_flavour::ad);
    EXPECT_EQ(l.base_dn, "DC=corp,DC=example");
    EXPECT_EQ(l.group_name_attr(), "cn");
    EXPECT_EQ(l.bind, ldap_bind_method::simple);
    EXPECT_EQ(l.bind_dn, "CN=ssogate,CN=Users,DC=corp,DC=example");
    EXPECT_EQ(l.bind_password_file, "/etc/ssogate/ldap.password");
    EXPECT_EQ(l.ca_file, "/etc/ssl/corp-ca.pem");
    EXPECT_FALSE(l.starttls);
    EXPECT_EQ(l.network_timeout, 3s);
    EXPECT_EQ(l.operation_timeout, 7s);
    EXPECT_EQ(l.cache_ttl, 120s);
    EXPECT_EQ(l.negative_cache_ttl, 30s);
    EXPECT_EQ(l.nesting_depth, 4);
    EXPECT_EQ(l.cache_max_entries, 500u);
}

TEST(LdapConfig, Defaults) {
    const auto c = parse(minimal);
    ASSERT_TRUE(c.ldap);
    const auto& l = *c.ldap;
    EXPECT_EQ(l.user_attribute, "uid");
    EXPECT_EQ(l.group_name_attr(), "cn");
    EXPECT_EQ(l.bind, ldap_bind_method::gssapi);
    EXPECT_EQ(l.network_timeout, 5s);
    EXPECT_EQ(l.operation_timeout, 10s);
    EXPECT_EQ(l.cache_ttl, 300s);
    EXPECT_EQ(l.negative_cache_ttl, 60s);
    EXPECT_EQ(l.nesting_depth, 8);
    ldap_config ad;
    ad.flavour = directory_flavour::ad;
    EXPECT_EQ(ad.group_name_attr(), "sAMAccountName");
}

TEST(LdapConfig, GssapiWithKeytabAndPrincipal) {
    const auto c = parse("url = \"ldap://localhost\"\nflavour = \"ad\"\nbase_dn = \"DC=samba,DC=example\"\n"
                         "bind = \"gssapi\"\nbind_principal = \"httpsvc@SAMBA.EXAMPLE\"\nbind_keytab = \"/k/http.keytab\"\n");
    EXPECT_EQ(c.ldap->bind_principal, "httpsvc@SAMBA.EXAMPLE");
    EXPECT_EQ(c.ldap->bind_keytab, "/k/http.keytab");
}

TEST(LdapConfig, RefusesMistakesWithTheirLine) {
    EXPECT_EQ(error_of("flavour = \"ldap\"\nbase_dn = \"dc=x\"\n"),
              "/etc/ssogate/ssogate.toml: [identity.ldap] url is required (ldaps://host[:port], or an array of them)");
    EXPECT_NE(error_of("url = \"http://x\"\nflavour = \"ldap\"\nbase_dn = \"dc=x\"\n").find("line 8: [identity.ldap] url must be"),
              std::string::npos);
    EXPECT_NE(error_of("url = []\nflavour = \"ldap\"\nbase_dn = \"dc=x\"\n").find("lists no server"), std::string::npos);
    EXPECT_NE(error_of("url = \"ldap://localhost\"\nbase_dn = \"dc=x\"\n").find("flavour is required"), std::string::npos);
    EXPECT_NE(error_of("url = \"ldap://localhost\"\nflavour = \"novell\"\nbase_dn = \"dc=x\"\n").find("flavour must be"),
              std::string::npos);
    EXPECT_NE(error_of("url = \"ldap://localhost\"\nflavour = \"ldap\"\n").find("base_dn is required"), std::string::npos);
    EXPECT_NE(error_of(minimal + "colour = \"blue\"\n").find("unknown key 'colour' in [identity.ldap]"), std::string::npos);
    EXPECT_NE(error_of(minimal + "user_attribute = \"uid)(x\"\n").find("user_attribute must be an attribute name"),
              std::string::npos);
    EXPECT_NE(error_of(minimal + "bind = \"anonymous\"\n").find("bind must be"), std::string::npos);
    EXPECT_NE(error_of(minimal + "bind = \"simple\"\nbind_dn = \"cn=x\"\n").find("needs bind_dn and bind_password_file"),
              std::string::npos);
    EXPECT_NE(error_of(minimal + "bind_dn = \"cn=x\"\n").find("are for bind = \"simple\""), std::string::npos);
    EXPECT_NE(error_of(minimal + "nesting_depth = 65\n").find("nesting_depth must be an integer from 0 to 64"),
              std::string::npos);
    EXPECT_NE(error_of(minimal + "cache_seconds = -1\n").find("cache_seconds must be an integer from 0 to 86400"),
              std::string::npos);
    EXPECT_NE(error_of(minimal + "starttls = \"yes\"\n").find("starttls must be true or false"), std::string::npos);
    EXPECT_NE(error_of("url = \"ldap://localhost\"\nflavour = \"ad\"\nbase_dn = \"dc=x\"\nuser_attribute = \"cn\"\n")
                  .find("user_attribute is for flavour \"ldap\""),
              std::string::npos);
}

TEST(LdapConfig, APasswordNeverTravelsInClearUnlessSaidSo) {
    const std::string simple =
        "flavour = \"ldap\"\nbase_dn = \"dc=x\"\nbind = \"simple\"\nbind_dn = \"cn=gw\"\nbind_password_file = \"pw\"\n";
    EXPECT_NE(error_of("url = \"ldap://dc1.corp.example\"\n" + simple).find("would carry the bind password"),
              std::string::npos);
    EXPECT_NO_THROW(parse("url = \"ldap://dc1.corp.example\"\n" + simple + "starttls = true\n"));
    EXPECT_NO_THROW(parse("url = \"ldaps://dc1.corp.example\"\n" + simple));
    EXPECT_NO_THROW(parse("url = \"ldap://127.0.0.1:13389\"\n" + simple));
    EXPECT_NO_THROW(parse("url = \"ldap://dc1.corp.example\"\n" + simple + "allow_plaintext = true\n"));
    EXPECT_NE(error_of("url = \"ldaps://dc1.corp.example\"\n" + simple + "starttls = true\n").find("is TLS already"),
              std::string::npos);
    // GSSAPI over ldap:// to another host: SASL's own encryption is required (minssf=56)
    EXPECT_NO_THROW(parse("url = \"ldap://dc1.corp.example\"\nflavour = \"ad\"\nbase_dn = \"dc=x\"\n"));
}

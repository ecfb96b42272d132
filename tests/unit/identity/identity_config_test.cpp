// [identity] as the identity library reads it.
#include <ssogate/identity/identity_config.hpp>

#include <gtest/gtest.h>

using namespace ssogate::identity;

namespace {

identity_config parse(const std::string& text) { return parse_identity_config(text, "/etc/ssogate/ssogate.toml"); }

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const config_error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(IdentityConfig, ReadsEveryKey) {
    const auto c = parse(R"(
[store]
url = "sqlite:x.db"

[identity]
default_domain = "CORP"
keytab = "gateway.keytab"
service_principal = "HTTP/sso.corp.example@CORP.EXAMPLE"
krb5_conf = "/etc/krb5.conf"
replay_cache = "/var/lib/ssogate/rcache"

[identity.domains]
CORP = "CORP.EXAMPLE"
SAMBA = "samba.example"

[identity.kdc]
"CORP.EXAMPLE" = ["dc1.corp.example", "[2001:db8::1]:88"]
"LAB.EXAMPLE" = "127.0.0.1:8888"

[identity.throttle]
user_failures = 3
source_failures = 50
window_seconds = 300
)");
    EXPECT_EQ(c.file, "/etc/ssogate/ssogate.toml");
    EXPECT_EQ(c.realms.default_domain(), "CORP");
    EXPECT_EQ(c.realms.realm_for_domain("samba"), "SAMBA.EXAMPLE");
    EXPECT_EQ(c.keytab, "/etc/ssogate/gateway.keytab");
    EXPECT_EQ(c.service_principal, "HTTP/sso.corp.example@CORP.EXAMPLE");
    EXPECT_EQ(c.krb5_conf, "/etc/krb5.conf");
    EXPECT_EQ(c.replay_cache, "/var/lib/ssogate/rcache");
    ASSERT_EQ(c.kdcs.size(), 2u);
    EXPECT_EQ(c.kdcs.at("CORP.EXAMPLE"), (std::vector<std::string>{"dc1.corp.example", "[2001:db8::1]:88"}));
    EXPECT_EQ(c.kdcs.at("LAB.EXAMPLE"), (std::vector<std::string>{"127.0.0.1:8888"}));
    EXPECT_EQ(c.throttle.user_failures, 3);
    EXPECT_EQ(c.throttle.source_failures, 50);
    EXPECT_EQ(c.throttle.window, std::chrono::seconds(300));
    EXPECT_TRUE(c.serves_realm("CORP.EXAMPLE"));
    EXPECT_TRUE(c.serves_realm("samba.example"));
    EXPECT_TRUE(c.serves_realm("LAB.EXAMPLE"));
    EXPECT_FALSE(c.serves_realm("EVIL.EXAMPLE"));
}

TEST(IdentityConfig, DefaultsWithoutAnIdentitySection) {
    const auto c = parse("[store]\nurl = \"sqlite:x.db\"\n");
    EXPECT_TRUE(c.keytab.empty());
    EXPECT_TRUE(c.known_realms.empty());
    EXPECT_EQ(c.throttle.user_failures, 5);
    EXPECT_EQ(c.throttle.source_failures, 20);
    EXPECT_EQ(c.throttle.window, std::chrono::seconds(900));
}

TEST(IdentityConfig, ADefaultDomainWithoutAMapIsItsOwnRealm) {
    const auto c = parse("[identity]\ndefault_domain = \"corp.example\"\n");
    EXPECT_EQ(c.known_realms, std::vector<std::string>{"CORP.EXAMPLE"});
}

TEST(IdentityConfig, ErrorsNameTheFileTheLineAndTheKey) {
    EXPECT_EQ(error_of("[identity]\nkeytabs = \"x\"\n"),
              "/etc/ssogate/ssogate.toml: line 2: unknown key 'keytabs' in [identity]");
    EXPECT_EQ(error_of("[identity.throttle]\nuser_failure = 3\n"),
              "/etc/ssogate/ssogate.toml: line 2: unknown key 'user_failure' in [identity.throttle]");
    EXPECT_EQ(error_of("[identity]\nkeytab = 3\n"), "/etc/ssogate/ssogate.toml: line 2: [identity] keytab must be a string");
    EXPECT_EQ(error_of("[identity.throttle]\nwindow_seconds = 0\n"),
              "/etc/ssogate/ssogate.toml: line 2: [identity.throttle] window_seconds must be an integer from 1 to 86400");
    EXPECT_EQ(error_of("[identity.throttle]\nuser_failures = -1\n"),
              "/etc/ssogate/ssogate.toml: line 2: [identity.throttle] user_failures must be an integer from 0 to 1000");
    EXPECT_NE(error_of("[identity]\nkeytab = \"\"\n").find("[identity] keytab must not be empty"), std::string::npos);
    EXPECT_NE(error_of("[identity]\ndefault_domain = \"a b\"\n").find("is not a domain name"), std::string::npos);
    EXPECT_NE(error_of("[identity.domains]\nCORP = 1\n").find("must be a realm string"), std::string::npos);
    EXPECT_NE(error_of("[identity.domains]\nCORP = \"A@B\"\n").find("must map a domain name to a realm name"),
              std::string::npos);
    EXPECT_NE(error_of("[identity]\nkdc = \"x\"\n").find("[identity.kdc] must be a table"), std::string::npos);
    EXPECT_NE(error_of("[identity]\nthrottle = 1\n").find("[identity.throttle] must be a table"), std::string::npos);
    EXPECT_NE(error_of("[identity]\nservice_principal = \"HTTP/\"\n").find("must be a Kerberos service name"),
              std::string::npos);
    EXPECT_NE(error_of("identity = 3\n").find("identity must be a table"), std::string::npos);
    EXPECT_NE(error_of("[identity\n").find("/etc/ssogate/ssogate.toml:1:"), std::string::npos);
}

TEST(IdentityConfig, KdcEntriesMustBeHostAndPort) {
    for (const char* ok : {"dc1", "dc1.corp.example:88", "127.0.0.1:8888", "[::1]:88", "[2001:db8::1]"})
        EXPECT_NO_THROW(parse(std::string("[identity.kdc]\n\"CORP.EXAMPLE\" = \"") + ok + "\"\n")) << ok;
    for (const char* bad : {"", "dc1:", "dc1:0", "dc1:65536", "dc1:8x", "::1", "[::1", "[::1]x", "[]:88", "dc 1",
                            "udp/dc1", "dc1:88:99", "{evil}", "a=b"})
        EXPECT_NE(error_of(std::string("[identity.kdc]\n\"CORP.EXAMPLE\" = \"") + bad + "\"\n")
                      .find("must be \"host\", \"host:port\""),
                  std::string::npos)
            << bad;
    EXPECT_NE(error_of("[identity.kdc]\n\"CORP.EXAMPLE\" = []\n").find("lists no KDC"), std::string::npos);
    EXPECT_NE(error_of("[identity.kdc]\n\"A B\" = \"dc1\"\n").find("is not a realm name"), std::string::npos);
}

TEST(IdentityConfig, TheAllowListMatchesWhatTheReaderTakes) {
    std::string text = "[identity]\n";
    for (auto k : identity_keys) {
        if (k == "domains" || k == "kdc" || k == "throttle" || k == "certificates" || k == "ldap") continue;  // tables
        text += std::string(k) + " = \"" + (k == "service_principal" ? "HTTP/x" : k == "default_domain" ? "CORP" : "f") + "\"\n";
    }
    text += "[identity.domains]\n[identity.kdc]\n[identity.throttle]\n[identity.certificates]\n";
    EXPECT_NO_THROW(parse(text));
}

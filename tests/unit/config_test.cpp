#include <ssogate/gateway/config.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "temp_dir.hpp"

using namespace ssogate::gateway;
using ssogate::test::temp_dir;
using ssogate::test::write_file;

namespace {
std::string error_of(const std::filesystem::path& p) {
    try {
        (void)load_config(p);
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Config, FullConfigWithRelativePathsAndSecretFiles) {
    temp_dir d;
    write_file(d / "db.pw", "s3cret pw\n");
    write_file(d / "c.toml", R"(
[store]
url = "postgresql://ssogate@127.0.0.1:5432/sso"
password_file = "db.pw"
busy_timeout_ms = 1500
[keyring]
passphrase = "inline passphrase"
[identity]
default_domain = "corp"
[identity.domains]
CORP = "CORP.EXAMPLE"
[audit]
writer = "gw-1"
)");
    const config c = load_config(d / "c.toml");
    EXPECT_EQ(c.store.url, "postgresql://ssogate@127.0.0.1:5432/sso");
    EXPECT_EQ(c.store.password.reveal(), "s3cret pw");
    EXPECT_EQ(c.store.busy_timeout_ms, 1500);
    EXPECT_EQ(c.keyring.passphrase.reveal(), "inline passphrase");
    EXPECT_FALSE(c.keyring.key_file);
    EXPECT_EQ(c.realms.realm_for_domain("corp"), "CORP.EXAMPLE");
    EXPECT_EQ(c.realms.default_domain(), "CORP");
    EXPECT_EQ(c.audit.writer, "gw-1");
}

TEST(Config, SqlitePathAndKeyFileResolveAgainstTheConfigFolder) {
    temp_dir d;
    write_file(d / "c.toml", "[store]\nurl = \"sqlite:data/store.db\"\n[keyring]\nkey_file = \"k\"\n");
    const config c = load_config(d / "c.toml");
    EXPECT_EQ(c.store.url, "sqlite:" + (d.path() / "data/store.db").string());
    EXPECT_EQ(*c.keyring.key_file, d.path() / "k");
    EXPECT_FALSE(c.audit.writer.empty());
}

TEST(Config, BadConfigsGiveOneClearLine) {
    temp_dir d;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"[store\nurl=", ":1:"},                                           // malformed TOML
        {"[keyring]\nkey_file = \"k\"\n", "missing [store]"},
        {"[store]\nurl = \"mysql://x\"\n", "must start with sqlite: or postgresql://"},
        {"[store]\nurl = \"sqlite:x\"\nurll = 1\n", "unknown key 'urll'"},
        {"[store]\nurl = 5\n", "must be a string"},
        {"[store]\nurl = \"sqlite:x\"\n[keyring]\nkey_file = \"k\"\npassphrase = \"p\"\n", "give one"},
        {"[store]\nurl = \"sqlite:x\"\npassword = \"a\"\npassword_file = \"b\"\n", "give one"},
        {"[store]\nurl = \"sqlite:x\"\npassword_file = \"missing\"\n", "cannot read secret file"},
        {"[store]\nurl = \"sqlite:x\"\nbusy_timeout_ms = -3\n", "busy_timeout_ms"},
        {"[store]\nurl = \"sqlite:x\"\nbusy_timeout_ms = 0\n", "from 1 to 600000"},
        {"[store]\nurl = \"sqlite:x\"\n[identity.domains]\nCORP = 1\n", "realm string"},
        {"store = 1\n", "must be a table"},
        {"[store]\nurl = \"sqlite:x\"\n[identity]\ndefault_domain = \"bad domain\"\n", "is not a domain name"},
        {"[store]\nurl = \"sqlite:x\"\n[identity.domains]\nCORP = \"A B\"\n", "must map a domain name"},
        {"[store]\nurl = \"sqlite:x\"\n[audit]\nwriter = \"\"\n", "[audit] writer"},
        {"[store]\nurl = \"postgresql://[::1:5432/x\"\n", "bad IPv6 host"},
    };
    for (const auto& [text, expect] : cases) {
        write_file(d / "c.toml", text);
        const std::string e = error_of(d / "c.toml");
        EXPECT_NE(e.find(expect), std::string::npos) << "config:\n" << text << "\nerror: " << e;
        EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    }
    EXPECT_NE(error_of(d / "nope.toml").find("no such config file"), std::string::npos);
}

TEST(Config, CrlsOfTheSecretServiceResolveAgainstTheConfigFolder) {
    temp_dir d;
    const std::string ss = "[store]\nurl = \"sqlite:x\"\n[secret_server]\nlisten = \"127.0.0.1:7443\"\n"
                           "certificate = \"s.pem\"\nprivate_key = \"s.key\"\nclient_ca = \"ca.pem\"\n"
                           "allowed_clients = [\"gw-1\"]\n";
    const std::string gw = "[store]\nurl = \"sqlite:x\"\n[gateway]\nid = \"gw-1\"\nsecret_servers = [\"127.0.0.1:7443\"]\n"
                           "certificate = \"g.pem\"\nprivate_key = \"g.key\"\nca = \"ca.pem\"\n";
    write_file(d / "c.toml", ss + "crls = [\"crl/a.crl\", \"/etc/b.crl\"]\n");
    config c = load_config(d / "c.toml");
    ASSERT_EQ(c.secret_server.crls.size(), 2u);
    EXPECT_EQ(c.secret_server.crls[0], d.path() / "crl/a.crl");
    EXPECT_EQ(c.secret_server.crls[1], "/etc/b.crl");
    write_file(d / "c.toml", ss);
    EXPECT_TRUE(load_config(d / "c.toml").secret_server.crls.empty());

    write_file(d / "c.toml", gw + "secret_server_crls = \"servers.crl\"\n");
    c = load_config(d / "c.toml");
    ASSERT_EQ(c.gateway.secret_server_crls.size(), 1u);
    EXPECT_EQ(c.gateway.secret_server_crls[0], d.path() / "servers.crl");

    const std::vector<std::pair<std::string, std::string>> bad = {
        {ss + "crls = []\n", "[secret_server] crls is empty"},
        {ss + "crls = [1]\n", "[secret_server] crls must be a file name or an array of file names"},
        {ss + "crls = \"\"\n", "[secret_server] crls must be a file name"},
        {gw + "secret_server_crls = 3\n", "[gateway] secret_server_crls must be a file name"},
        {gw + "crls = [\"a.crl\"]\n", "unknown key 'crls'"},
    };
    for (const auto& [text, expect] : bad) {
        write_file(d / "c.toml", text);
        const std::string e = error_of(d / "c.toml");
        EXPECT_NE(e.find(expect), std::string::npos) << "config:\n" << text << "\nerror: " << e;
    }
}

TEST(Config, SecretFilesOpenToOthersAreRefused) {
    temp_dir d;
    write_file(d / "pp", "a passphrase\n", 0640);
    write_file(d / "pw", "db password\n", 0644);
    write_file(d / "c.toml", "[store]\nurl = \"sqlite:x\"\n[keyring]\npassphrase_file = \"pp\"\n");
    EXPECT_NE(error_of(d / "c.toml").find("chmod 600"), std::string::npos);
    write_file(d / "c.toml", "[store]\nurl = \"sqlite:x\"\npassword_file = \"pw\"\n");
    EXPECT_NE(error_of(d / "c.toml").find("chmod 640"), std::string::npos);
    ::chmod((d / "pw").c_str(), 0640);  // a group (the service's) may read a database password
    EXPECT_EQ(error_of(d / "c.toml"), "");
}

TEST(Config, SecretsNeverAppearInErrors) {
    temp_dir d;
    write_file(d / "c.toml", "[store]\nurl = \"sqlite:x\"\npassword = \"TOPSECRET\"\nbogus = 1\n");
    EXPECT_EQ(error_of(d / "c.toml").find("TOPSECRET"), std::string::npos);
}

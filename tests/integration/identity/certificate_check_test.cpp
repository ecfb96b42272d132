// TLS client certificates end to end: the real `ssogate identity check --cert` binary on every
// case (certificates made in memory, written to a temp folder), and a real TLS handshake on
// 127.0.0.1 (a port chosen at run time) with `openssl s_client` presenting the certificate to a
// small OpenSSL server here, whose peer chain then goes through the identity code.
#include "cert_factory.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <ssogate/identity/certificate_authenticator.hpp>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <thread>

using namespace ssogate;
using namespace ssogate::identity;
using test::issued;
using test::leaf_spec;
using test::test_ca;

namespace {

class CertificateCheck : public ::testing::Test {
protected:
    test::temp_dir tmp;
    test_ca corp{"Corp Issuing CA"};
    test_ca partner{"Partner CA"};
    test_ca stranger{"Stranger CA"};

    void SetUp() override {
        test::write_file(tmp / "corp.pem", corp.pem());
        test::write_file(tmp / "partner.pem", partner.pem());
        test::write_file(tmp / "corp.crl", corp.crl_pem({}));
        test::write_file(tmp / "ssogate.toml",
                         "[identity]\ndefault_domain = \"CORP\"\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n"
                         "[[identity.certificates.rule]]\nname = \"corp-upn\"\nca = \"corp.pem\"\nmap = \"upn\"\n"
                         "domains = [\"corp.example\"]\ncrls = [\"corp.crl\"]\n"
                         "[[identity.certificates.rule]]\nname = \"corp-cn\"\nca = \"corp.pem\"\nmap = \"cn\"\n"
                         "realm = \"CORP\"\ncrls = [\"corp.crl\"]\n"
                         "[[identity.certificates.rule]]\nname = \"partner-mail\"\nca = \"partner.pem\"\n"
                         "map = \"email\"\ndomains = [\"mail.corp.example\"]\nrealm = \"CORP\"\n");
    }

    std::string write(const std::string& name, const issued& c) const {
        test::write_file(tmp / name, c.pem());
        return (tmp / name).string();
    }

    test::run_result check(const std::string& cert_file, bool json = false) const {
        std::vector<std::string> argv = {SSOGATE_BIN, "--config", (tmp / "ssogate.toml").string(), "identity", "check",
                                         "--cert", cert_file};
        if (json) argv.emplace_back("--json");
        return test::run(argv);
    }

    // exit 1, one line on stderr holding `text`, and the JSON state `state`
    void expect_refused(const std::string& file, const std::string& state, const std::string& text) const {
        const auto r = check(file);
        EXPECT_EQ(r.exit_code, 1) << file;
        EXPECT_EQ(r.out, "") << file;
        EXPECT_EQ(r.err.rfind("ssogate: ", 0), 0u) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
        const auto j = check(file, true);
        EXPECT_EQ(j.exit_code, 1);
        const auto doc = nlohmann::json::parse(j.out);
        EXPECT_EQ(doc["state"], state) << j.out;
        EXPECT_EQ(doc["certificate"], file);
    }
};

leaf_spec upn(const std::string& v, const std::string& cn = "alice") {
    leaf_spec s;
    s.cn = cn;
    s.upns = {{v}};
    return s;
}

}  // namespace

TEST_F(CertificateCheck, PrintsTheRuleAndThePrincipalOfAUpnCertificate) {
    const auto r = check(write("alice.pem", corp.issue(upn("alice@corp.example"))));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "rule       corp-upn\n"
              "subject    CN=alice,O=ssogate tests\n"
              "issuer     CN=Corp Issuing CA,O=ssogate tests\n"
              "principal  CORP\\alice\n"
              "kerberos   alice@CORP.EXAMPLE\n"
              "key        alice@corp.example\n"
              "sid        -\n"
              "state      active (certificate verified)\n"
              "groups     -\n");
    EXPECT_EQ(r.err, "");
}

TEST_F(CertificateCheck, JsonForEmailAndCnRules) {
    leaf_spec mail;
    mail.cn = "Bob Example";
    mail.emails = {"bob@mail.corp.example"};
    auto r = check(write("bob.pem", partner.issue(mail)), true);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["rule"], "partner-mail");
    EXPECT_EQ(j["principal"], "CORP\\bob");
    EXPECT_EQ(j["kerberos"], "bob@CORP.EXAMPLE");
    EXPECT_EQ(j["verified_by"], "certificate");
    EXPECT_EQ(j["groups"], nlohmann::json::array());
    EXPECT_TRUE(j["sid"].is_null());

    leaf_spec cn;
    cn.cn = "carol";
    r = check(write("carol.pem", corp.issue(cn)), true);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["rule"], "corp-cn");
    EXPECT_EQ(j["principal"], "CORP\\carol");
}

TEST_F(CertificateCheck, RefusalsAreOneLineAndNamedInJson) {
    const issued revoked = corp.issue(upn("mallory@corp.example", "mallory"));
    test::write_file(tmp / "corp.crl", corp.crl_pem({revoked.serial}));
    expect_refused(write("revoked.pem", revoked), "certificate_revoked", "is revoked");

    expect_refused(write("stranger.pem", stranger.issue(upn("alice@corp.example"))), "untrusted_certificate",
                   "which no certificate rule trusts");

    // the partner CA is trusted by rule 3 only, whose mapping (e-mail) finds nothing; the CN and UPN
    // rules would have named someone but do not trust the partner CA
    expect_refused(write("partner-upn.pem", partner.issue(upn("alice@corp.example"))), "certificate_unmapped",
                   "maps to no user: rule 'partner-mail'");

    leaf_spec server = upn("alice@corp.example");
    server.client_auth = false;
    expect_refused(write("server.pem", corp.issue(server)), "no_client_auth_usage", "lacks the clientAuth");

    leaf_spec old = upn("alice@corp.example");
    old.not_before_days = -60;
    old.not_after_days = -30;
    expect_refused(write("expired.pem", corp.issue(old)), "certificate_expired", "outside its validity dates");

    leaf_spec odd;
    odd.cn = "";
    odd.upns = {{std::string("alice@corp.example\0.evil.example", 32)}};
    expect_refused(write("nul.pem", corp.issue(odd)), "certificate_unmapped", "NUL or control character");
    odd.upns = {{"alice@corp.example"}, {"bob@corp.example"}};
    expect_refused(write("two.pem", corp.issue(odd)), "certificate_unmapped", "ambiguous");
    odd.upns = {{"alice@corp.example", 22 /* IA5String */}};
    expect_refused(write("ia5.pem", corp.issue(odd)), "certificate_unmapped", "not a UTF8String");
}

TEST_F(CertificateCheck, AMissingOrExpiredCrlIsRefusedUntilReplaced) {
    const std::string alice = write("alice.pem", corp.issue(upn("alice@corp.example")));
    std::filesystem::remove(tmp / "corp.crl");
    expect_refused(alice, "crl_unavailable", "corp.crl cannot be read; refused until the CRL is in place");
    test::write_file(tmp / "corp.crl", corp.crl_pem({}, -20, -2));
    expect_refused(alice, "crl_unavailable", "CRL has expired");
    test::write_file(tmp / "corp.crl", corp.crl_pem({}));
    EXPECT_EQ(check(alice).exit_code, 0);
}

TEST_F(CertificateCheck, BadFilesAndBadUsage) {
    test::write_file(tmp / "garbage.der", "\x30\x03\x02\x01", 0600);
    expect_refused((tmp / "garbage.der").string(), "bad_certificate", "not DER X.509");
    const auto missing = check((tmp / "missing.pem").string());
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.err, "ssogate: cannot read the certificate file " + (tmp / "missing.pem").string() + "\n");
    const auto endless = check("/dev/zero");
    EXPECT_EQ(endless.exit_code, 1);
    EXPECT_EQ(endless.err, "ssogate: the certificate file /dev/zero is larger than 1 MiB\n");
    test::write_file(tmp / "bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    EXPECT_NE(check((tmp / "bad.pem").string()).err.find("holds no readable PEM certificate"), std::string::npos);

    const auto both = test::run({SSOGATE_BIN, "--config", (tmp / "ssogate.toml").string(), "identity", "check",
                                 "--user", "alice", "--cert", (tmp / "bad.pem").string()});
    EXPECT_EQ(both.exit_code, 2);
    EXPECT_EQ(both.err, "ssogate: give either --user (with --password-stdin) or --cert, not both\n");
    const auto neither = test::run({SSOGATE_BIN, "--config", (tmp / "ssogate.toml").string(), "identity", "check"});
    EXPECT_EQ(neither.exit_code, 2);
    EXPECT_NE(neither.err.find("--user or --cert is required"), std::string::npos) << neither.err;

    test::write_file(tmp / "broken.toml", "[identity]\n[[identity.certificates.rule]]\nca = \"nope.pem\"\nmap = \"upn\"\n");
    const auto cfg = test::run({SSOGATE_BIN, "--config", (tmp / "broken.toml").string(), "identity", "check",
                                "--cert", (tmp / "bad.pem").string()});
    EXPECT_EQ(cfg.exit_code, 1);
    EXPECT_NE(cfg.err.find("cannot read the CA file"), std::string::npos) << cfg.err;
}

TEST_F(CertificateCheck, AChainInThePemFileIsUsed) {
    const test_ca root{"Corp Root CA"};
    const test_ca sub{"Corp Sub CA", &root};
    test::write_file(tmp / "root.pem", root.pem());
    test::write_file(tmp / "chain.toml",
                     "[identity]\ndefault_domain = \"CORP\"\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n"
                     "[[identity.certificates.rule]]\nca = \"root.pem\"\nmap = \"upn\"\n");
    const issued alice = sub.issue(upn("alice@corp.example"));
    test::write_file(tmp / "alice-chain.pem", alice.pem() + sub.pem());
    test::write_file(tmp / "alice-alone.pem", alice.pem());
    auto r = test::run({SSOGATE_BIN, "--config", (tmp / "chain.toml").string(), "identity", "check", "--cert",
                        (tmp / "alice-chain.pem").string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = test::run({SSOGATE_BIN, "--config", (tmp / "chain.toml").string(), "identity", "check", "--cert",
                   (tmp / "alice-alone.pem").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("which no certificate rule trusts"), std::string::npos) << r.err;
}

// ------------------------------------------------------------------ a real TLS handshake

namespace {

// Accepts one TLS connection on 127.0.0.1 (port chosen by the kernel), requires a client
// certificate chaining to `ca_file`, and hands the peer's chain over as certificate_evidence.
class tls_server {
public:
    tls_server(const issued& server, const std::string& ca_file) : ctx_(SSL_CTX_new(TLS_server_method())) {
        SSL_CTX_use_certificate(ctx_, server.cert.get());
        SSL_CTX_use_PrivateKey(ctx_, server.key.get());
        SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr);
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 1) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        port_ = ntohs(a.sin_port);
    }
    ~tls_server() {
        ::close(fd_);
        SSL_CTX_free(ctx_);
    }
    [[nodiscard]] int port() const { return port_; }

    // One connection: the evidence, or an empty chain if the handshake failed.
    certificate_evidence accept_one() {
        certificate_evidence e;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 30000) != 1) return e;  // nobody came
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return e;
        timeval tv{10, 0};
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        SSL* ssl = SSL_new(ctx_);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) == 1) {
            e = certificate_evidence_from_tls(*ssl, "127.0.0.1");
            char buf[64];
            while (SSL_read(ssl, buf, sizeof buf) > 0) {
            }
        }
        ERR_clear_error();
        SSL_free(ssl);
        ::close(c);
        return e;
    }

private:
    SSL_CTX* ctx_;
    int fd_ = -1;
    int port_ = 0;
};

// The openssl command from PATH ("" when there is none).
std::string openssl_command() {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
        const auto end = std::min(dirs.find(':', start), dirs.size());
        const auto candidate = std::filesystem::path(dirs.substr(start, end - start)) / "openssl";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        start = end + 1;
    }
    return {};
}

}  // namespace

TEST_F(CertificateCheck, TheChainOfARealTlsHandshakeMapsToThePrincipal) {
    const std::string openssl = openssl_command();
    ASSERT_FALSE(openssl.empty()) << "the openssl command is needed (Debian package openssl)";
    const test_ca root{"Corp Root CA"};
    const test_ca sub{"Corp Sub CA", &root};
    test::write_file(tmp / "root.pem", root.pem());
    test::write_file(tmp / "sub.pem", sub.pem());
    test::write_file(tmp / "sub.crl", sub.crl_pem({}));
    leaf_spec server_spec;
    server_spec.cn = "127.0.0.1";
    server_spec.client_auth = false;
    const issued server = root.issue(server_spec);
    const issued alice = sub.issue(upn("alice@corp.example"));
    test::write_file(tmp / "alice.pem", alice.pem());
    test::write_file(tmp / "alice.key", alice.key_pem());

    tls_server tls(server, (tmp / "root.pem").string());
    auto accepted = std::async(std::launch::async, [&] { return tls.accept_one(); });
    const auto client = test::run({openssl, "s_client", "-connect", "127.0.0.1:" + std::to_string(tls.port()),
                                   "-cert", (tmp / "alice.pem").string(), "-key", (tmp / "alice.key").string(),
                                   "-cert_chain", (tmp / "sub.pem").string(), "-CAfile", (tmp / "root.pem").string()},
                                  "", 30);
    ASSERT_EQ(accepted.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    const certificate_evidence e = accepted.get();
    ASSERT_EQ(e.chain.size(), 2u) << client.out << client.err;  // alice's certificate, then the sub-CA
    EXPECT_EQ(e.source_address, "127.0.0.1");

    const auto cfg = parse_identity_config(
        "[identity]\ndefault_domain = \"CORP\"\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n"
        "[[identity.certificates.rule]]\nname = \"root-upn\"\nca = \"root.pem\"\nmap = \"upn\"\n"
        "crls = [\"sub.crl\"]\n",
        tmp / "ssogate.toml");
    certificate_authenticator auth(cfg);
    const auto o = auth.authenticate(evidence{e});
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->principal.display(cfg.realms), "CORP\\alice");
    EXPECT_EQ(o.identity->method, auth_method::certificate);

    // a rule that trusts only another CA refuses the same handshake's chain
    test::write_file(tmp / "stranger.pem", stranger.pem());
    const auto other = parse_identity_config(
        "[identity]\ndefault_domain = \"CORP\"\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n"
        "[[identity.certificates.rule]]\nca = \"stranger.pem\"\nmap = \"upn\"\n",
        tmp / "ssogate.toml");
    EXPECT_EQ(certificate_authenticator(other).check(e).result.code(), errc::untrusted_certificate);
}

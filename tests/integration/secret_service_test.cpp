// The secret server and the gateway as real processes on loopback, with certificates made by
// the test: sealed start, unseal when a secret server appears, a standby, a secret server that
// dies, and clients that must be refused. (Issue 3, stage 1 drills 1-3 and 7.)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "cert_factory.hpp"
#include "process.hpp"
#include "service.hpp"
#include "temp_dir.hpp"

using namespace std::chrono_literals;
using ssogate::test::http_get;
using ssogate::test::run;
using ssogate::test::service;
using ssogate::test::temp_dir;
using ssogate::test::write_file;
using json = nlohmann::json;

namespace {

class SecretService : public ::testing::Test {
protected:
    void SetUp() override {
        ssogate::test::make_pki(dir_.path(), {{"gw-1", true}, {"gw-noeku", false}, {"gw-unlisted", true}});
        // (the admin config below also serves `cred check`, which talks to a gateway's socket)
        write_file(dir_ / "admin.toml",
                   "[store]\nurl = \"sqlite:store.db\"\n[keyring]\nkey_file = \"unseal.key\"\n"
                   "[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n");
        auto r = admin({"secret", "init", "--json"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        fingerprint_ = json::parse(r.out)["fingerprint"];
        ASSERT_EQ(admin({"app", "create", "TSO", "--kind", "individual"}).exit_code, 0);
        ASSERT_EQ(admin({"map", "add", "TSO", "--principal", "CORP\\alice", "--host-user", "ALICE1"}).exit_code, 0);
        ASSERT_EQ(run({SSOGATE_BIN, "--config", (dir_ / "admin.toml").string(), "cred", "set", "TSO", "--principal",
                       "CORP\\alice", "--password-stdin"}, "ALICEPW1\n").exit_code, 0);
    }

    ssogate::test::run_result admin(std::vector<std::string> args) {
        std::vector<std::string> argv = {SSOGATE_BIN, "--config", (dir_ / "admin.toml").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }

    /// A secret server config on `port`, allowing gw-1 and gw-noeku (never gw-unlisted);
    /// `extra`: more [secret_server] lines.
    std::string secret_server_config(int port, const std::string& extra = "") {
        const std::string name = "ss-" + std::to_string(port) + ".toml";
        write_file(dir_ / name,
                   "[store]\nurl = \"sqlite:store.db\"\n[keyring]\nkey_file = \"unseal.key\"\n"
                   "[audit]\nwriter = \"ss-" + std::to_string(port) + "\"\n"
                   "[secret_server]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\n"
                   "certificate = \"server.pem\"\nprivate_key = \"server.key\"\nclient_ca = \"ca.pem\"\n"
                   "allowed_clients = [\"gw-1\", \"gw-noeku\"]\n" + extra);
        return (dir_ / name).string();
    }

    std::unique_ptr<service> start_secret_server(int port, const std::string& extra = "") {
        auto s = std::make_unique<service>(
            std::vector<std::string>{SSOGATE_BIN, "secret-server", "--config", secret_server_config(port, extra)},
            dir_ / ("ss-" + std::to_string(port) + ".log"));
        EXPECT_NE(s->wait_for("secret server listening on", 15s), "") << s->log();
        return s;
    }

    /// A gateway with client certificate `cert`, trying `ports` in order; returns its service
    /// and sets mgmt_port_. `extra`: more [gateway] lines.
    std::unique_ptr<service> start_gateway(const std::string& cert, std::vector<int> ports,
                                           const std::string& extra = "") {
        std::string servers;
        for (int p : ports) servers += (servers.empty() ? "\"" : ", \"") + std::string("127.0.0.1:") + std::to_string(p) + "\"";
        write_file(dir_ / (cert + "-gw.toml"),
                   "[store]\nurl = \"sqlite:store.db\"\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n"
                   "[gateway]\nid = \"" + cert + "\"\nmanagement_listen = \"127.0.0.1:0\"\n"
                   "secret_servers = [" + servers + "]\n"
                   "certificate = \"" + cert + ".pem\"\nprivate_key = \"" + cert + ".key\"\nca = \"ca.pem\"\n"
                   "recheck_seconds = 1\nconnect_timeout_ms = 1000\nbackoff_max_ms = 1000\n" + extra);
        auto g = std::make_unique<service>(
            std::vector<std::string>{SSOGATE_BIN, "gateway", "--config", (dir_ / (cert + "-gw.toml")).string()},
            dir_ / (cert + "-gw.log"));
        const auto line = g->wait_for("management listening on", 15s);
        mgmt_port_ = ssogate::test::logged_port(line);
        EXPECT_GT(mgmt_port_, 0) << g->log();
        return g;
    }

    json health(int* status = nullptr) {
        auto a = http_get(mgmt_port_, "/healthz");
        if (status) *status = a.status;
        auto j = json::parse(a.body, nullptr, false);
        return j.is_discarded() ? json::object() : j;
    }

    /// Poll /healthz until it reports `state` or `timeout` passes; returns how long it took.
    std::chrono::milliseconds wait_state(const std::string& state, std::chrono::milliseconds timeout) {
        const auto t0 = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - t0 < timeout) {
            if (health().value("state", "") == state) break;
            std::this_thread::sleep_for(50ms);
        }
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    }

    temp_dir dir_;
    std::string fingerprint_;
    int mgmt_port_ = 0;
};

}  // namespace

// Drill 2: no secret server at start -> sealed, 503; one appears -> unsealed within 5 s.
TEST_F(SecretService, GatewayStartsSealedAndUnsealsWhenASecretServerComes) {
    const int port = ssogate::test::free_port();
    auto gw = start_gateway("gw-1", {port});
    int status = 0;
    EXPECT_EQ(wait_state("sealed", 5s).count() < 5000, true);
    auto h = health(&status);
    EXPECT_EQ(status, 503);
    EXPECT_EQ(h["state"], "sealed");
    EXPECT_FALSE(h.value("reason", "").empty());
    EXPECT_TRUE(gw->running());

    auto ss = start_secret_server(port);
    const auto took = wait_state("unsealed", 10s);
    EXPECT_LT(took, 5000ms) << gw->log();
    h = health(&status);
    EXPECT_EQ(status, 200);
    EXPECT_EQ(h["keyring"], fingerprint_);
    EXPECT_EQ(h["key_versions"], json::array({1}));

    // the heartbeat says what it holds
    auto hb = run({"/usr/bin/sqlite3", (dir_ / "store.db").string(),
                   "SELECT state || ' ' || key_versions FROM gateway_heartbeats WHERE gateway_id = 'gw-1'"});
    EXPECT_EQ(hb.out, "unsealed 1\n");
    // metrics
    const auto m = http_get(mgmt_port_, "/metrics");
    EXPECT_EQ(m.status, 200);
    EXPECT_NE(m.body.find("ssogate_keyring_unsealed 1"), std::string::npos) << m.body;
    EXPECT_EQ(gw->stop(), 0);
    EXPECT_EQ(ss->stop(), 0);
}

// Drill 1: the secret server dies; the running gateway keeps its keyring.
TEST_F(SecretService, GatewayKeepsTheKeyringWhenEverySecretServerIsDown) {
    const int port = ssogate::test::free_port();
    auto ss = start_secret_server(port);
    auto gw = start_gateway("gw-1", {port});
    ASSERT_LT(wait_state("unsealed", 10s), 10000ms) << gw->log();
    ss->kill9();
    std::this_thread::sleep_for(2500ms);  // two failed re-checks (recheck_seconds = 1)
    // it still resolves credentials with the keyring it holds
    auto check = admin({"cred", "check", "TSO", "--principal", "CORP\\alice", "--gateway",
                        (dir_ / "gw-1.admin.sock").string()});
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_NE(check.out.find("host_user=ALICE1"), std::string::npos) << check.out;
    EXPECT_EQ(check.out.find("ALICEPW1"), std::string::npos);
    int status = 0;
    auto h = health(&status);
    EXPECT_EQ(status, 200);
    EXPECT_EQ(h["state"], "unsealed");
    EXPECT_EQ(h["keyring"], fingerprint_);
    EXPECT_FALSE(h.value("last_recheck_error", "").empty());
    const auto m = http_get(mgmt_port_, "/metrics");
    EXPECT_EQ(m.body.find("ssogate_keyring_fetch_total{result=\"error\"} 0"), std::string::npos) << m.body;
}

// Drill 3: the primary is down, the standby serves.
TEST_F(SecretService, GatewayUnsealsFromTheStandby) {
    const int primary = ssogate::test::free_port(), standby = ssogate::test::free_port();
    auto ss = start_secret_server(standby);
    auto gw = start_gateway("gw-1", {primary, standby});
    ASSERT_LT(wait_state("unsealed", 10s), 10000ms) << gw->log();
    EXPECT_EQ(health()["secret_server"], "127.0.0.1:" + std::to_string(standby));
}

// Drill 7: another CA, no clientAuth usage, a name not on the list -> nothing, and audited.
TEST_F(SecretService, UntrustedClientsGetNothingAndAreAudited) {
    const int port = ssogate::test::free_port();
    auto ss = start_secret_server(port);
    for (const std::string cert : {"stranger", "gw-noeku", "gw-unlisted"}) {
        auto gw = start_gateway(cert, {port});
        std::this_thread::sleep_for(1500ms);
        int status = 0;
        auto h = health(&status);
        EXPECT_EQ(status, 503) << cert;
        EXPECT_EQ(h["state"], "sealed") << cert;
        gw->stop();
    }
    const auto log = ss->log();
    EXPECT_NE(log.find("certificate not trusted"), std::string::npos) << log;
    EXPECT_NE(log.find("lacks the clientAuth extended key usage"), std::string::npos) << log;
    EXPECT_NE(log.find("is not on [secret_server] allowed_clients"), std::string::npos) << log;
    auto audit = admin({"audit", "list", "--json", "--limit", "1000"});
    ASSERT_EQ(audit.exit_code, 0) << audit.err;
    int refused = 0;
    for (const auto& r : json::parse(audit.out))
        if (r["action"] == "secret.refused") ++refused;
    EXPECT_GE(refused, 3);
    EXPECT_EQ(admin({"audit", "verify"}).exit_code, 0);
}

TEST_F(SecretService, SecretServerWithTheWrongKeyRefusesToStart) {
    std::filesystem::rename(dir_ / "unseal.key", dir_ / "good.key");
    write_file(dir_ / "unseal.key", std::string(32, 'x'));
    auto r = run({SSOGATE_BIN, "secret-server", "--config", secret_server_config(ssogate::test::free_port())});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("wrong key file"), std::string::npos) << r.err;
}

TEST_F(SecretService, AGatewayWithUnusableCertificatesFailsAtStart) {
    write_file(dir_ / "nocert-gw.toml",
               "[store]\nurl = \"sqlite:store.db\"\n"
               "[gateway]\nid = \"gw-1\"\nsecret_servers = [\"127.0.0.1:1\"]\n"
               "certificate = \"missing.pem\"\nprivate_key = \"gw-1.key\"\nca = \"ca.pem\"\n");
    auto r = run({SSOGATE_BIN, "gateway", "--config", (dir_ / "nocert-gw.toml").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("cannot load gateway certificate"), std::string::npos) << r.err;
}

TEST_F(SecretService, ManagementListenerAnswersOnlyWhatItServes) {
    auto gw = start_gateway("gw-1", {ssogate::test::free_port()});
    EXPECT_EQ(http_get(mgmt_port_, "/healthz?verbose=1").status, 503);  // sealed, query ignored
    EXPECT_EQ(http_get(mgmt_port_, "/nope").status, 404);
    const auto m = http_get(mgmt_port_, "/metrics");
    EXPECT_EQ(m.status, 200);
    EXPECT_NE(m.body.find("ssogate_keyring_unsealed 0"), std::string::npos);
}

TEST_F(SecretService, AGatewayIsNeverGivenTheUnsealKey) {
    write_file(dir_ / "bad-gw.toml",
               "[store]\nurl = \"sqlite:store.db\"\n[keyring]\nkey_file = \"unseal.key\"\n"
               "[gateway]\nid = \"gw-1\"\nsecret_servers = [\"127.0.0.1:1\"]\n"
               "certificate = \"gw-1.pem\"\nprivate_key = \"gw-1.key\"\nca = \"ca.pem\"\n");
    auto r = run({SSOGATE_BIN, "gateway", "--config", (dir_ / "bad-gw.toml").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("remove [keyring]"), std::string::npos) << r.err;
}

// ------------------------------------------------------------------ revocation (CRLs)

namespace {

int refused_with(const json& audit, const std::string& text) {
    int n = 0;
    for (const auto& r : audit)
        if (r["action"] == "secret.refused" && r["detail"].get<std::string>().find(text) != std::string::npos) ++n;
    return n;
}

}  // namespace

// [secret_server] crls: a gateway whose certificate is on the CRL gets nothing, and the refusal
// is audited; a new CRL without it is read at the next connection; an expired CRL refuses.
TEST_F(SecretService, ARevokedGatewayCertificateIsRefusedAndAudited) {
    using ssogate::test::crl_pem_from_files;
    const auto crl = dir_ / "gateways.crl";
    write_file(crl, crl_pem_from_files(dir_ / "ca.pem", dir_ / "ca.key", {dir_ / "gw-1.pem"}));
    const int port = ssogate::test::free_port();
    auto ss = start_secret_server(port, "crls = [\"gateways.crl\"]\n");
    auto gw = start_gateway("gw-1", {port});
    EXPECT_NE(ss->wait_for("certificate revoked", 10s), "") << ss->log();
    int status = 0;
    auto h = health(&status);
    EXPECT_EQ(status, 503);
    EXPECT_EQ(h["state"], "sealed");
    auto audit = admin({"audit", "list", "--json", "--limit", "1000"});
    ASSERT_EQ(audit.exit_code, 0) << audit.err;
    EXPECT_GE(refused_with(json::parse(audit.out), "is on a CRL of [secret_server] crls"), 1) << audit.out;

    // the CA publishes a CRL without it: read again (the file changed), served
    write_file(crl, crl_pem_from_files(dir_ / "ca.pem", dir_ / "ca.key", {}));
    EXPECT_LT(wait_state("unsealed", 10s), 10000ms) << ss->log() << gw->log();

    // the CRL expires: nobody is served until a current one is in place (the gateway keeps the
    // keyring it holds, and says why its re-check failed)
    write_file(crl, crl_pem_from_files(dir_ / "ca.pem", dir_ / "ca.key", {}, -3, -1));
    EXPECT_NE(ss->wait_for("CRL has expired", 10s), "") << ss->log();
    std::this_thread::sleep_for(1500ms);
    h = health(&status);
    EXPECT_EQ(h["state"], "unsealed");
    EXPECT_FALSE(h.value("last_recheck_error", "").empty()) << h.dump();
    EXPECT_EQ(admin({"audit", "verify"}).exit_code, 0);
}

// A configured CRL that is missing refuses every client (fail closed), and a secret server does
// not start without it.
TEST_F(SecretService, AMissingCrlRefusesEveryGateway) {
    using ssogate::test::crl_pem_from_files;
    const auto crl = dir_ / "gateways.crl";
    write_file(crl, crl_pem_from_files(dir_ / "ca.pem", dir_ / "ca.key", {dir_ / "gw-unlisted.pem"}));
    const int port = ssogate::test::free_port();
    auto ss = start_secret_server(port, "crls = \"gateways.crl\"\n");
    auto gw = start_gateway("gw-1", {port});
    ASSERT_LT(wait_state("unsealed", 10s), 10000ms) << ss->log() << gw->log();

    std::filesystem::remove(crl);
    EXPECT_NE(ss->wait_for("cannot check whether the certificate of 'gw-1' is revoked", 10s), "") << ss->log();
    EXPECT_NE(ss->log().find("gateways.crl cannot be read"), std::string::npos) << ss->log();
    std::this_thread::sleep_for(1500ms);
    const auto h = health();
    EXPECT_NE(h.value("last_recheck_error", "").find("refused until the CRL is in place"), std::string::npos)
        << h.dump();
    auto audit = admin({"audit", "list", "--json", "--limit", "1000"});
    ASSERT_EQ(audit.exit_code, 0) << audit.err;
    EXPECT_GE(refused_with(json::parse(audit.out), "gateways.crl cannot be read"), 1) << audit.out;
    ss->stop();

    auto r = run({SSOGATE_BIN, "secret-server", "--config",
                  secret_server_config(ssogate::test::free_port(), "crls = [\"gateways.crl\"]\n")});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("[secret_server] crls: the CRL file"), std::string::npos) << r.err;
}

// [gateway] secret_server_crls: a gateway refuses a secret server whose certificate is revoked,
// takes the keyring once the CRL no longer lists it, and does not start without its CRL.
TEST_F(SecretService, AGatewayRefusesARevokedSecretServer) {
    using ssogate::test::crl_pem_from_files;
    const auto crl = dir_ / "servers.crl";
    write_file(crl, crl_pem_from_files(dir_ / "ca.pem", dir_ / "ca.key", {dir_ / "server.pem"}));
    const int port = ssogate::test::free_port();
    auto ss = start_secret_server(port);
    auto gw = start_gateway("gw-1", {port}, "secret_server_crls = [\"servers.crl\"]\n");
    std::this_thread::sleep_for(2000ms);
    int status = 0;
    auto h = health(&status);
    EXPECT_EQ(status, 503);
    EXPECT_EQ(h["state"], "sealed");
    EXPECT_NE(h.value("reason", "").find("certificate revoked"), std::string::npos) << h.dump();

    write_file(crl, crl_pem_from_files(dir_ / "ca.pem", dir_ / "ca.key", {dir_ / "gw-1.pem"}));
    EXPECT_LT(wait_state("unsealed", 10s), 10000ms) << gw->log();
    gw->stop();

    std::filesystem::remove(crl);
    auto r = run({SSOGATE_BIN, "gateway", "--config", (dir_ / "gw-1-gw.toml").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("cannot check the secret servers' certificates for revocation"), std::string::npos) << r.err;
}

// ------------------------------------------------------------------ the admin socket

namespace {

/// A client of a gateway's admin socket; -1 if it cannot connect.
int admin_connect(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    timeval tv{15, 0};  // a read that outlasts this fails the test instead of hanging it
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/// Everything the gateway sends until it closes; `closed` false when the 15 s receive timeout
/// ended the read instead. (A close with our bytes still unread reaches us as ECONNRESET.)
std::string read_to_end(int fd, bool* closed) {
    std::string out;
    char buf[512];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        *closed = n == 0 || errno == ECONNRESET;
        return out;
    }
}

}  // namespace

// A client that connects and says nothing, or stops half-way through a line, is cut off after a
// few seconds; meanwhile and afterwards `cred check` works; an overlong line is refused.
TEST_F(SecretService, AnAdminClientThatStaysSilentIsCutOff) {
    const int port = ssogate::test::free_port();
    auto ss = start_secret_server(port);
    auto gw = start_gateway("gw-1", {port});
    ASSERT_LT(wait_state("unsealed", 10s), 10000ms) << gw->log();
    const auto sock = dir_ / "gw-1.admin.sock";
    auto cred_check = [&] {
        return admin({"cred", "check", "TSO", "--principal", "CORP\\alice", "--gateway", sock.string()});
    };

    const auto t0 = std::chrono::steady_clock::now();
    const int silent = admin_connect(sock);
    const int half = admin_connect(sock);
    ASSERT_GE(silent, 0);
    ASSERT_GE(half, 0);
    ASSERT_EQ(::write(half, "CHECK TSO", 9), 9);
    auto check = cred_check();
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_NE(check.out.find("host_user=ALICE1"), std::string::npos) << check.out;

    for (const int fd : {silent, half}) {
        bool closed = false;
        EXPECT_EQ(read_to_end(fd, &closed), "");
        EXPECT_TRUE(closed) << "the gateway kept a silent admin client";
        ::close(fd);
    }
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(took, 4s);
    EXPECT_LT(took, 10s);
    EXPECT_NE(gw->log().find("no request line within 5 s"), std::string::npos) << gw->log();

    // a line longer than the cap: refused with a reason, never cut and run
    const int longer = admin_connect(sock);
    ASSERT_GE(longer, 0);
    const std::string line = "CHECK TSO\t" + std::string(5000, 'a') + "\n";
    EXPECT_EQ(::write(longer, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    bool closed = false;
    EXPECT_EQ(read_to_end(longer, &closed), "ERR the request line is longer than 4096 bytes\n");
    EXPECT_TRUE(closed);
    ::close(longer);

    check = cred_check();
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_NE(check.out.find("host_user=ALICE1"), std::string::npos) << check.out;
    EXPECT_TRUE(gw->running());
}

// ------------------------------------------------------------------ rotation on a running server

// The secret server unseals the rotated keyring and, after the retirement, serves only the live
// version: the keyring it replaced is gone (zeroed), not kept beside the current one.
TEST_F(SecretService, AfterARetirementTheSecretServerServesOnlyLiveVersions) {
    const int port = ssogate::test::free_port();
    auto ss = start_secret_server(port);
    auto gw = start_gateway("gw-1", {port});
    ASSERT_LT(wait_state("unsealed", 10s), 10000ms) << gw->log();
    auto versions_become = [&](const json& want) {
        for (int i = 0; i < 100; ++i) {
            if (health()["key_versions"] == want) return true;
            std::this_thread::sleep_for(100ms);
        }
        return false;
    };
    auto r = admin({"secret", "rotate"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(versions_become(json::array({1, 2}))) << health().dump();
    std::this_thread::sleep_for(1500ms);  // a heartbeat that says so
    r = admin({"secret", "rotate"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("retired key version(s) 1"), std::string::npos) << r.out << r.err;
    EXPECT_TRUE(versions_become(json::array({2}))) << health().dump();
    EXPECT_NE(ss->wait_for("(current key version 2)", 5s), "") << ss->log();
    auto check = admin({"cred", "check", "TSO", "--principal", "CORP\\alice", "--gateway",
                        (dir_ / "gw-1.admin.sock").string()});
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_NE(check.out.find("key_versions=2"), std::string::npos) << check.out;
    EXPECT_EQ(ss->stop(), 0);
}

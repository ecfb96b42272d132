// `ssogate probe` against the sample host (TN3270E, plain, TLS) and against Hercules' 3270
// console (the real peer of ../shared/PEERS.md section 2, on a port chosen at run time); s3270
// over TLS to the sample host. A missing hercules or s3270 fails the test.
#include "s3270.hpp"

#include "process.hpp"
#include "service.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

using namespace ssogate::test;

namespace {

constexpr const char* users = "[[user]]\nid = \"ALICE\"\npassword = \"SECRET1\"\n";

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

class ProbeSampleHost : public ::testing::Test {
  protected:
    void start(std::vector<std::string> extra = {}) {
        write_file(dir_ / "users.toml", users);
        std::vector<std::string> argv = wrapper_;
        argv.insert(argv.end(), {SSOGATE_BIN, "sample-host", "tn3270", "--listen", address_ + ":0", "--users",
                                 (dir_ / "users.toml").string(), "--attempt-log", (dir_ / "attempts.jsonl").string()});
        argv.insert(argv.end(), extra.begin(), extra.end());
        host_ = std::make_unique<service>(argv, dir_ / "host.log");
        const std::string line = host_->wait_for("listening on", std::chrono::seconds(20));
        const auto at = line.find(address_ + ":");
        port_ = at == std::string::npos ? 0 : std::atoi(line.c_str() + at + address_.size() + 1);
        ASSERT_GT(port_, 0) << host_->log();
    }
    void TearDown() override {
        if (host_) {
            EXPECT_EQ(host_->stop(), 0) << host_->log();
            EXPECT_FALSE(has(host_->log(), "SECRET1"));
        }
    }
    /// The password goes through --type-stdin, as an administrator would give it.
    run_result probe(std::vector<std::string> args, const std::string& scheme = "tn3270",
                     const std::string& host = {}) {
        std::vector<std::string> argv = {SSOGATE_BIN, "probe",
                                         scheme + "://" + (host.empty() ? address_ : host) + ":" + std::to_string(port_)};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, "SECRET1\n", 60);
    }
    std::size_t attempts() const {
        std::ifstream in(dir_ / "attempts.jsonl");
        std::size_t n = 0;
        for (std::string line; std::getline(in, line);) ++n;
        return n;
    }

    temp_dir dir_;
    std::string address_ = "127.0.0.1";
    std::unique_ptr<service> host_;
    int port_ = 0;
    std::vector<std::string> wrapper_;  // a command the host runs under (e.g. prlimit)
};

/// A plain TCP connection to the host that sends nothing.
class silent_terminal {
  public:
    explicit silent_terminal(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~silent_terminal() {
        if (fd_ >= 0) ::close(fd_);
    }
    silent_terminal(const silent_terminal&) = delete;
    silent_terminal& operator=(const silent_terminal&) = delete;
    [[nodiscard]] bool connected() const { return connected_; }
    /// Reads (and drops) what the host sends until it closes; false if it is still open after
    /// `seconds`.
    bool closed_by_host_within(int seconds) {
        timeval tv{seconds, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[512];
        for (;;) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n == 0) return true;
            if (n < 0) return errno == ECONNRESET;
        }
    }

  private:
    int fd_;
    bool connected_ = false;
};

}  // namespace

TEST_F(ProbeSampleHost, ShowsTheLogonScreenWithFieldsAndNegotiation) {
    start();
    const auto r = probe({});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.out, "negotiated TN3270E, terminal type IBM-3278-2-E, LU SAMPL001, functions BIND-IMAGE"))
        << r.out;
    EXPECT_TRUE(has(r.out, "TSO/E LOGON"));
    EXPECT_TRUE(has(r.out, "    6  17    8  unprotected  \"\""));
    EXPECT_TRUE(has(r.out, "    8  17    8  unprotected non-display  (hidden)"));
    EXPECT_EQ(attempts(), 0u);
}

TEST_F(ProbeSampleHost, SignsOnWithTypeAndKeysAndNeverPrintsThePassword) {
    start();
    const auto r = probe({"--type", "alice", "--after", "Userid    ===>", "--type-stdin", "--at", "8,17", "--key",
                          "enter", "--type", "echo me", "--key", "enter", "--key", "pf3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.out, "typed \"alice\" at the field at 6,17"));
    EXPECT_TRUE(has(r.out, "typed into the non-display field at 8,17"));
    EXPECT_TRUE(has(r.out, "== screen after enter"));
    EXPECT_TRUE(has(r.out, "IKJ56455I LOGGED ON AS ALICE")) << r.out;
    EXPECT_TRUE(has(r.out, "Text: echo me"));
    EXPECT_TRUE(has(r.out, "IKJ56470I ALICE LOGGED OFF"));
    EXPECT_FALSE(has(r.out, "SECRET1"));
    EXPECT_FALSE(has(r.err, "SECRET1"));
    EXPECT_EQ(attempts(), 1u);
}

TEST_F(ProbeSampleHost, PlainTn3270AndJson) {
    start();
    const auto r = probe({"--no-tn3270e", "--json", "--model", "3278-4", "--type", "ALICE", "--type", "SECRET1", "--at",
                          "8,17", "--key", "enter"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(has(r.out, "SECRET1"));
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["negotiation"]["mode"], "tn3270");
    EXPECT_EQ(j["negotiation"]["terminal_type"], "IBM-3278-4-E");
    ASSERT_EQ(j["screens"].size(), 2u);
    EXPECT_EQ(j["screens"][0]["after"], "connect");
    EXPECT_EQ(j["screens"][1]["after"], "enter");
    EXPECT_TRUE(has(j["screens"][1]["text"][2].get<std::string>(), "LOGGED ON AS ALICE"));
    bool hidden_seen = false;
    for (const auto& f : j["screens"][0]["fields"]) {
        if (f["non_display"] == true) {
            hidden_seen = true;
            EXPECT_FALSE(f.contains("text"));
        }
    }
    EXPECT_TRUE(hidden_seen);
}

TEST_F(ProbeSampleHost, TlsForProbeAndS3270) {
    make_pki(dir_.path(), {});
    start({"--tls-cert", (dir_ / "server.pem").string(), "--tls-key", (dir_ / "server.key").string()});
    const std::string ca = "--ca-file=" + (dir_ / "ca.pem").string();
    const auto r = probe({ca, "--type", "ALICE", "--type-stdin", "--at", "8,17", "--key", "enter"}, "tn3270s");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.out, "LOGGED ON AS ALICE")) << r.out;
    // By name too (the certificate names localhost and 127.0.0.1).
    const auto by_name = probe({ca}, "tn3270s", "localhost");
    EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
    EXPECT_TRUE(has(by_name.out, "TSO/E LOGON"));

    // Without the CA the certificate is not trusted (the system's store does not hold it) ...
    const auto untrusted = probe({}, "tn3270s");
    EXPECT_EQ(untrusted.exit_code, 1);
    EXPECT_EQ(untrusted.out, "");
    EXPECT_TRUE(has(untrusted.err, "ssogate probe: TLS handshake with 127.0.0.1:" + std::to_string(port_) +
                                       " failed: the host's certificate is not accepted: unable to get local issuer "
                                       "certificate (--ca-file FILE names the CA"))
        << untrusted.err;
    // ... unless the check is skipped on purpose.
    const auto insecure = probe({"--insecure"}, "tn3270s");
    EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
    EXPECT_TRUE(has(insecure.out, "TSO/E LOGON"));

    s3270 t({"-cafile", (dir_ / "ca.pem").string()});
    // s3270 4.1 cannot verify a certificate for an IP address: it dials the name the
    // certificate carries (localhost, which reaches the 127.0.0.1 listener).
    const auto connected = t.run("Connect(L:localhost:" + std::to_string(port_) + ")");
    ASSERT_TRUE(connected.ok) << connected.text() << host_->log();
    ASSERT_TRUE(t.run("Wait(10,InputField)").ok);
    EXPECT_TRUE(has(t.screen(), "TSO/E LOGON"));
    EXPECT_EQ(t.run("Query(Tls)").text(), "secure host-verified\n");
}

TEST_F(ProbeSampleHost, TlsCertificateMustNameTheHost) {
    make_pki(dir_.path(), {});
    address_ = "127.0.0.2";  // loopback, but not in the certificate (IP:127.0.0.1, DNS:localhost)
    start({"--tls-cert", (dir_ / "server.pem").string(), "--tls-key", (dir_ / "server.key").string()});
    const auto r = probe({"--ca-file", (dir_ / "ca.pem").string()}, "tn3270s");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(has(r.err, "the host's certificate is not accepted: IP address mismatch (checked against ")) << r.err;
}

TEST_F(ProbeSampleHost, WrongSchemeSaysSo) {
    make_pki(dir_.path(), {});
    start({"--tls-cert", (dir_ / "server.pem").string(), "--tls-key", (dir_ / "server.key").string()});
    const auto plain = probe({"--timeout", "1"});
    EXPECT_EQ(plain.exit_code, 1);
    EXPECT_EQ(plain.err, "ssogate probe: the host sent nothing within 1000 ms (a TLS port? tn3270s://)\n");
}

TEST_F(ProbeSampleHost, TlsToAPlainPortSaysSo) {
    start();
    const auto r = probe({"--timeout", "1", "--insecure"}, "tn3270s");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "ssogate probe: TLS handshake with 127.0.0.1:" + std::to_string(port_) +
                         " failed: no TLS answer within 1000 ms (a plain TN3270 port? tn3270://)\n");
}

TEST_F(ProbeSampleHost, TlsOptionsNeedTls) {
    start();
    const auto r = probe({"--ca-file", "/nonexistent"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(has(r.err, "--ca-file: applies to TLS only")) << r.err;
    const auto both = probe({"--ca-file", "/nonexistent", "--insecure"}, "tn3270s");
    EXPECT_EQ(both.exit_code, 2);
    const auto missing = probe({"--ca-file", (dir_ / "no-such-ca.pem").string()}, "tn3270s");
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_TRUE(has(missing.err, "ssogate probe: cannot load the CA certificates ")) << missing.err;
}

TEST_F(ProbeSampleHost, TypeStdinTakesOneBoundedLine) {
    start();
    const std::string url = "tn3270://127.0.0.1:" + std::to_string(port_);
    const auto long_line = run({SSOGATE_BIN, "probe", url, "--type-stdin"}, std::string(5000, 'A'), 60);
    EXPECT_EQ(long_line.exit_code, 2);
    EXPECT_TRUE(has(long_line.err, "--type-stdin: the line of standard input is longer than 4096 characters"))
        << long_line.err;
    const auto none_left = run({SSOGATE_BIN, "probe", url, "--type-stdin", "--type-stdin"}, "ALICE\n", 60);
    EXPECT_EQ(none_left.exit_code, 2);
    EXPECT_TRUE(has(none_left.err, "--type-stdin: standard input has no line left for it")) << none_left.err;
    // The last line needs no line end; an empty line types nothing.
    const auto last = run({SSOGATE_BIN, "probe", url, "--type-stdin", "--type-stdin"}, "\nALICE", 60);
    EXPECT_EQ(last.exit_code, 0) << last.err;
    EXPECT_EQ(attempts(), 0u);
}

TEST_F(ProbeSampleHost, TypeStdinAtATerminalPromptsWithEchoOff) {
    start();
    const std::vector<std::string> args = {SSOGATE_BIN, "probe", "tn3270://127.0.0.1:" + std::to_string(port_),
                                           "--timeout", "20", "--type", "alice", "--after", "Userid    ===>",
                                           "--type-stdin", "--at", "8,17", "--key", "enter", "--key", "pf3"};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int terminal = -1;  // the terminal's side: what the probe writes to it, what is typed
    const pid_t pid = ::forkpty(&terminal, nullptr, nullptr, nullptr);
    ASSERT_GE(pid, 0) << std::strerror(errno);
    if (pid == 0) {
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    std::string seen;
    // Reads what the probe shows until `until` appears or it closes the terminal.
    auto read_until = [&](const std::string& until) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!has(seen, until) && std::chrono::steady_clock::now() < end) {
            pollfd p{terminal, POLLIN, 0};
            if (::poll(&p, 1, 200) <= 0) continue;
            char buf[512];
            const ssize_t n = ::read(terminal, buf, sizeof buf);
            if (n <= 0) return;  // EIO: the probe has exited
            seen.append(buf, static_cast<std::size_t>(n));
        }
    };
    read_until("Text for field at 8,17: ");
    EXPECT_TRUE(has(seen, "Text for field at 8,17: ")) << seen;
    termios t{};
    ASSERT_EQ(::tcgetattr(terminal, &t), 0);
    EXPECT_EQ(t.c_lflag & ECHO, 0u) << "echo is on while the password is typed";
    ASSERT_EQ(::write(terminal, "SECRET1\n", 8), 8);
    read_until("\x01");  // everything, until the probe exits and the terminal reads EIO
    // The terminal is left as it was found: echo on again.
    ASSERT_EQ(::tcgetattr(terminal, &t), 0);
    EXPECT_NE(t.c_lflag & ECHO, 0u) << "echo is left off";
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 100 && !(exited = ::waitpid(pid, &status, WNOHANG) == pid); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!exited) {  // hung: fail, and never leave it running
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        ADD_FAILURE() << "the probe did not exit";
    }
    ::close(terminal);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << seen;
    EXPECT_TRUE(has(seen, "IKJ56455I LOGGED ON AS ALICE")) << seen;
    EXPECT_FALSE(has(seen, "SECRET1")) << seen;
    EXPECT_EQ(attempts(), 1u);
}

TEST_F(ProbeSampleHost, IdleTerminalsAreDisconnectedAndConnectionsCapped) {
    start({"--idle-timeout", "1", "--max-connections", "1"});
    {
        silent_terminal idle(port_);
        ASSERT_TRUE(idle.connected());
        // The only place is taken: the next terminal is closed at once.
        const auto refused = probe({"--timeout", "5"});
        EXPECT_EQ(refused.exit_code, 1);
        EXPECT_EQ(refused.err, "ssogate probe: the host closed the connection\n");
        EXPECT_NE(host_->wait_for("terminals connected (--max-connections)", std::chrono::seconds(5)), "");
        // The silent one goes after the idle timeout and gives its place back.
        EXPECT_TRUE(idle.closed_by_host_within(10));
        EXPECT_NE(host_->wait_for("idle for 1 s: disconnected", std::chrono::seconds(5)), "") << host_->log();
    }
    const auto r = probe({});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.out, "TSO/E LOGON"));
}

namespace {

/// CPU time (user + system) a process has used so far, in seconds; -1 if unknown.
double cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) return -1;
    std::istringstream fields(stat.substr(paren + 2));  // from field 3, the state
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip;
    long utime = 0, stime = 0;
    if (!(fields >> utime >> stime)) return -1;
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

TEST_F(ProbeSampleHost, OutOfFileDescriptorsWaitsInsteadOfSpinning) {
    // Run the host under a low RLIMIT_NOFILE (prlimit sets it and execs the host: same pid).
    ASSERT_EQ(::access("/usr/bin/prlimit", X_OK), 0) << "prlimit is missing: install util-linux";
    wrapper_ = {"/usr/bin/prlimit", "--nofile=40"};
    start();
    // More terminals than descriptors: the rest wait in the listen backlog.
    std::vector<std::unique_ptr<silent_terminal>> terminals;
    for (int i = 0; i < 60; ++i) {
        terminals.push_back(std::make_unique<silent_terminal>(port_));
        ASSERT_TRUE(terminals.back()->connected()) << i;
    }
    const std::string warning = host_->wait_for("cannot accept a connection (", std::chrono::seconds(20));
    ASSERT_TRUE(has(warning, "(terminal session): Too many open files; trying again every 100 ms")) << host_->log();
    // A host that retried at once would burn a core; waiting between tries costs next to nothing.
    const double before = cpu_seconds(host_->pid());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const double after = cpu_seconds(host_->pid());
    ASSERT_GE(before, 0);
    EXPECT_LT(after - before, 0.5) << "CPU seconds used in 2 s while out of descriptors";
    const std::string log = host_->log();
    std::size_t warnings = 0;
    for (auto at = log.find("cannot accept a connection"); at != std::string::npos;
         at = log.find("cannot accept a connection", at + 1))
        ++warnings;
    EXPECT_EQ(warnings, 1u) << "one warning per episode, not per try";
    // Descriptors given back: the waiting terminals are taken and a new one is served.
    terminals.clear();
    EXPECT_NE(host_->wait_for("accepting connections (terminal session) again", std::chrono::seconds(10)), "") << host_->log();
    const auto r = probe({"--timeout", "20"});
    EXPECT_EQ(r.exit_code, 0) << r.err << host_->log();
    EXPECT_TRUE(has(r.out, "TSO/E LOGON"));
}

TEST_F(ProbeSampleHost, UnreachableHostIsOneLineAndExitOne) {
    port_ = free_port();
    const auto r = probe({"--timeout", "5"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "ssogate probe: cannot connect to 127.0.0.1:" + std::to_string(port_) + ": Connection refused\n");
}

TEST(ProbeHercules, NegotiatesPlainTn3270AndReadsTheLogo) {
    ASSERT_EQ(::access("/usr/bin/hercules", X_OK), 0) << "hercules is missing: install the Debian package hercules";
    temp_dir dir;
    const int port = free_port();
    write_file(dir / "hercules.cnf", "CPUSERIAL 002623\nCPUMODEL  3090\nMAINSIZE  16\nXPNDSIZE  0\nNUMCPU    1\n"
                                     "ARCHMODE  ESA/390\nCNSLPORT  127.0.0.1:" + std::to_string(port) +
                                     "\nPANRATE   SLOW\n00C0      3270\n00C1      3270\n");
    service herc({"/usr/bin/hercules", "-f", (dir / "hercules.cnf").string(), "-d"}, dir / "herc.log");
    ASSERT_NE(herc.wait_for("Waiting for console connection on port " + std::to_string(port), std::chrono::seconds(20)),
              "")
        << herc.log();
    const std::string url = "tn3270://127.0.0.1:" + std::to_string(port);
    const auto r = run({SSOGATE_BIN, "probe", url}, "", 60);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.out, "negotiated TN3270, terminal type IBM-3279-2-E, LU (none)")) << r.out;
    EXPECT_TRUE(has(r.out, "Hercules Version  :")) << r.out;
    EXPECT_TRUE(has(r.out, "Device number     : 00C0"));
    EXPECT_TRUE(has(r.out, "My PC thinks it's a MAINFRAME"));
    EXPECT_TRUE(has(r.out, "keyboard unlocked"));

    // JSON too, and a second terminal gets the second device.
    const auto j = run({SSOGATE_BIN, "probe", url, "--json", "--no-tn3270e"}, "", 60);
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["negotiation"]["mode"], "tn3270");
    bool logo = false;
    for (const auto& row : doc["screens"][0]["text"]) logo = logo || has(row.get<std::string>(), "MAINFRAME");
    EXPECT_TRUE(logo);
    EXPECT_FALSE(doc["screens"][0]["fields"].empty());
    herc.stop();
}

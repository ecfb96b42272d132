// The real s3270 against `ssogate sample-host tn3270` on 127.0.0.1 (a port chosen at run time),
// in TN3270E (s3270's default) and plain TN3270 ("N:" prefix): logon screen, sign-on, echo,
// wrong passwords and revocation, in-use, expired passwords, PF3; the attempt log counted.
#include "s3270.hpp"

#include "process.hpp"
#include "service.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>

using namespace ssogate::test;

namespace {

constexpr const char* users = R"([[user]]
id = "ALICE"
password = "SECRET1"

[[user]]
id = "BOB"
password = "OLDPW"
expired = true

[[user]]
id = "CAROL"
password = "CPW123"
)";

// 0-origin positions of the built-in TSO-like logon screen's fields (s3270's MoveCursor).
constexpr const char* to_userid = "MoveCursor(5,16)";
constexpr const char* to_password = "MoveCursor(7,16)";
constexpr const char* to_new_password = "MoveCursor(7,64)";

struct mode {
    const char* name;
    const char* prefix;  // s3270 host prefix
    bool tn3270e;
};

class SampleHostS3270 : public ::testing::TestWithParam<mode> {
  protected:
    void SetUp() override {
        write_file(dir_ / "users.toml", users);
        host_ = std::make_unique<service>(
            std::vector<std::string>{SSOGATE_BIN, "sample-host", "tn3270", "--listen", "127.0.0.1:0", "--users",
                                     (dir_ / "users.toml").string(), "--attempt-log",
                                     (dir_ / "attempts.jsonl").string()},
            dir_ / "host.log");
        port_ = logged_port(host_->wait_for("listening on", std::chrono::seconds(20)));
        ASSERT_GT(port_, 0) << host_->log();
    }
    void TearDown() override {
        if (host_) {
            EXPECT_EQ(host_->stop(), 0) << host_->log();
        }
        // No password ever reaches the host's log or the attempt log.
        for (const char* secret : {"SECRET1", "OLDPW", "NEWPW1", "WRONG"}) {
            if (host_) {
                EXPECT_EQ(host_->log().find(secret), std::string::npos) << secret;
            }
            EXPECT_EQ(read_attempts_text().find(secret), std::string::npos) << secret;
        }
    }

    std::string target() const { return std::string(GetParam().prefix) + "127.0.0.1:" + std::to_string(port_); }

    /// Connects and waits for the logon screen.
    void connect(s3270& t) {
        ASSERT_TRUE(t.run("Connect(" + target() + ")").ok);
        ASSERT_TRUE(t.run("Wait(10,InputField)").ok);
        ASSERT_NE(t.screen().find("TSO/E LOGON"), std::string::npos);
    }
    /// Types into the logon screen's fields and presses Enter; returns the next screen.
    std::string sign_on(s3270& t, const std::string& user, const std::string& password,
                        const std::string& fresh = "") {
        EXPECT_TRUE(t.run(to_userid).ok);
        EXPECT_TRUE(t.run("EraseEOF").ok);
        EXPECT_TRUE(t.run("String(\"" + user + "\")").ok);
        EXPECT_TRUE(t.run(to_password).ok);
        EXPECT_TRUE(t.run("String(\"" + password + "\")").ok);
        if (!fresh.empty()) {
            EXPECT_TRUE(t.run(to_new_password).ok);
            EXPECT_TRUE(t.run("String(\"" + fresh + "\")").ok);
        }
        return press(t, "Enter");
    }
    std::string press(s3270& t, const std::string& key) {
        EXPECT_TRUE(t.run(key).ok);
        EXPECT_TRUE(t.run("Wait(10,Unlock)").ok);
        return t.screen();
    }

    std::string read_attempts_text() const {
        std::ifstream in(dir_ / "attempts.jsonl");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::vector<nlohmann::json> attempts() const {
        std::vector<nlohmann::json> out;
        std::ifstream in(dir_ / "attempts.jsonl");
        for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
        return out;
    }

    temp_dir dir_;
    std::unique_ptr<service> host_;
    int port_ = 0;
};

bool has(const std::string& screen, const std::string& text) { return screen.find(text) != std::string::npos; }

}  // namespace

TEST_P(SampleHostS3270, SignsOnEchoesAndLogsOffWithPf3) {
    s3270 t;
    connect(t);
    const auto lu = t.run("Query(LuName)");
    const auto options = t.run("Query(Tn3270eOptions)");
    if (GetParam().tn3270e) {
        EXPECT_EQ(lu.text(), "SAMPL001\n");
        EXPECT_NE(options.text(), "\n") << "TN3270E functions expected";
    } else {
        EXPECT_EQ(options.text(), "\n") << "plain TN3270 expected";
    }
    std::string screen = sign_on(t, "alice", "SECRET1");
    ASSERT_TRUE(has(screen, "IKJ56455I LOGGED ON AS ALICE")) << screen;
    EXPECT_TRUE(has(screen, "Terminal type: IBM-327"));
    EXPECT_EQ(has(screen, "LU name:       SAMPL001"), GetParam().tn3270e) << screen;
    EXPECT_FALSE(has(screen, "SECRET1"));

    // The echo screen shows the text and its EBCDIC bytes (CP037).
    EXPECT_TRUE(t.run("String(\"Relay #@$ ok\")").ok);
    screen = press(t, "Enter");
    EXPECT_TRUE(has(screen, "Text: Relay #@$ ok")) << screen;
    EXPECT_TRUE(has(screen, "Hex:  D9 85 93 81 A8 40 7B 7C 5B 40 96 92")) << screen;

    screen = press(t, "PF(3)");
    EXPECT_TRUE(has(screen, "IKJ56470I ALICE LOGGED OFF")) << screen;
    EXPECT_TRUE(has(screen, "TSO/E LOGON"));

    const auto log = attempts();
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0]["user"], "ALICE");
    EXPECT_EQ(log[0]["outcome"], "signed_on");
    EXPECT_TRUE(log[0].contains("time"));
}

TEST_P(SampleHostS3270, ThreeWrongPasswordsRevokeTheUserForGood) {
    s3270 t;
    connect(t);
    std::string screen = sign_on(t, "ALICE", "WRONG1");
    EXPECT_TRUE(has(screen, "IKJ56421I INVALID PASSWORD - FAILURE COUNT 1")) << screen;
    screen = sign_on(t, "ALICE", "WRONG2");
    EXPECT_TRUE(has(screen, "IKJ56421I INVALID PASSWORD - FAILURE COUNT 2")) << screen;
    screen = sign_on(t, "ALICE", "WRONG3");
    EXPECT_TRUE(has(screen, "ICH408I USERID REVOKED")) << screen;
    screen = sign_on(t, "ALICE", "SECRET1");
    EXPECT_TRUE(has(screen, "ICH408I USERID REVOKED")) << screen;

    const auto log = attempts();
    ASSERT_EQ(log.size(), 4u);
    const char* outcomes[] = {"invalid_password", "invalid_password", "revoked", "revoked"};
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(log[i]["outcome"], outcomes[i]) << i;
}

TEST_P(SampleHostS3270, SecondSessionFindsTheUserInUse) {
    s3270 first, second;
    connect(first);
    connect(second);
    ASSERT_TRUE(has(sign_on(first, "CAROL", "CPW123"), "LOGGED ON AS CAROL"));
    EXPECT_TRUE(has(sign_on(second, "CAROL", "CPW123"), "IKJ56425I USERID IN USE"));
    press(first, "PF(3)");
    EXPECT_TRUE(has(sign_on(second, "CAROL", "CPW123"), "LOGGED ON AS CAROL"));
    const auto log = attempts();
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[1]["outcome"], "in_use");
}

TEST_P(SampleHostS3270, ExpiredPasswordTakesANewOne) {
    s3270 t;
    connect(t);
    std::string screen = sign_on(t, "BOB", "OLDPW");
    EXPECT_TRUE(has(screen, "ICH70002I PASSWORD EXPIRED - ENTER NEW PASSWORD")) << screen;
    screen = sign_on(t, "BOB", "OLDPW", "NEWPW1");
    EXPECT_TRUE(has(screen, "LOGGED ON AS BOB")) << screen;
    press(t, "PF(3)");
    screen = sign_on(t, "BOB", "NEWPW1");
    EXPECT_TRUE(has(screen, "LOGGED ON AS BOB")) << screen;
    const auto log = attempts();
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0]["outcome"], "password_expired");
    EXPECT_EQ(log[1]["outcome"], "signed_on");
}

INSTANTIATE_TEST_SUITE_P(Modes, SampleHostS3270,
                         ::testing::Values(mode{"tn3270e", "", true}, mode{"plain", "N:", false}),
                         [](const ::testing::TestParamInfo<mode>& p) { return std::string(p.param.name); });

TEST(SampleHostS3270Options, NoTn3270eHostGivesPlainTn3270ToATn3270eTerminal) {
    temp_dir dir;
    write_file(dir / "users.toml", users);
    service host({SSOGATE_BIN, "sample-host", "tn3270", "--listen", "127.0.0.1:0", "--users",
                  (dir / "users.toml").string(), "--no-tn3270e"},
                 dir / "host.log");
    const int port = logged_port(host.wait_for("listening on", std::chrono::seconds(20)));
    ASSERT_GT(port, 0) << host.log();
    EXPECT_NE(host.log().find("plain TN3270 only"), std::string::npos);
    s3270 t;
    ASSERT_TRUE(t.run("Connect(127.0.0.1:" + std::to_string(port) + ")").ok);
    ASSERT_TRUE(t.run("Wait(10,InputField)").ok);
    EXPECT_EQ(t.run("Query(Tn3270eOptions)").text(), "\n");
    EXPECT_TRUE(t.run(to_userid).ok);
    EXPECT_TRUE(t.run("String(\"ALICE\")").ok);
    EXPECT_TRUE(t.run(to_password).ok);
    EXPECT_TRUE(t.run("String(\"SECRET1\")").ok);
    EXPECT_TRUE(t.run("Enter").ok);
    EXPECT_TRUE(t.run("Wait(10,Unlock)").ok);
    const std::string screen = t.screen();
    EXPECT_TRUE(has(screen, "LOGGED ON AS ALICE")) << screen;
    EXPECT_TRUE(has(screen, "LU name:       (none)")) << screen;
    EXPECT_EQ(host.stop(), 0);
}

TEST(SampleHostS3270Options, BadUsersFileIsOneLineAndExitOne) {
    temp_dir dir;
    write_file(dir / "users.toml", "[[user]]\nid = \"ALICE\"\n");
    const auto r = run({SSOGATE_BIN, "sample-host", "tn3270", "--listen", "127.0.0.1:0", "--users",
                        (dir / "users.toml").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "ssogate: " + (dir / "users.toml").string() +
                         ": user 1 (ALICE): password is missing or not a string\n");
}

// The sample host's logic without sockets: screen files, the users file, the security rules, and
// a whole conversation with tn3270::session + tn3270::screen playing the terminal in memory.
#include <ssogate/protocols/tn3270/screen.hpp>
#include <ssogate/protocols/tn3270/screen_text.hpp>
#include <ssogate/protocols/tn3270/session.hpp>
#include <ssogate/sample_host/host_connection.hpp>
#include <ssogate/sample_host/screens.hpp>
#include <ssogate/sample_host/users.hpp>

#include <gtest/gtest.h>

#include <vector>

using namespace ssogate::sample_host;
namespace tn = ssogate::protocols::tn3270;

namespace {

const std::string screens_dir = SSOGATE_SAMPLE_SCREENS_DIR;

constexpr const char* users_toml = R"(
[[user]]
id = "alice"
password = "SECRET1"

[[user]]
id = "BOB#1"
password = "OLDPW"
expired = true

[[user]]
id = "CAROL"
password = "X"
revoked = true
)";

std::string screen_error(const std::string& text) {
    try {
        screen_set s;
        s.add(text, "t.screen");
    } catch (const screen_file_error& e) {
        return e.what();
    }
    return "";
}

std::string users_error(const std::string& text) {
    try {
        (void)user_directory::parse(text, "users.toml");
    } catch (const users_file_error& e) {
        return e.what();
    }
    return "";
}

// A 3270 terminal in memory: the engine's terminal role and screen model.
class terminal {
  public:
    explicit terminal(std::string type = "IBM-3278-2-E", tn::codepage::id page = tn::codepage::id::cp037)
        : screen(colour_3279(page)), session_(tn::role::terminal, config(type)) {}

    /// Moves bytes both ways until neither side has anything to say.
    void talk(host_connection& host) {
        for (int round = 0; round < 100; ++round) {
            bool moved = false;
            if (auto out = host.pending_output(); !out.empty()) {
                std::error_code ec;
                session_.receive(out, ec);
                ASSERT_FALSE(ec) << ec.message();
                host.consume_output(out.size());
                moved = true;
            }
            while (auto e = session_.next_event()) {
                if (auto* r = std::get_if<tn::record>(&*e)) {
                    std::error_code ec;
                    const auto reply = screen.apply(r->data, ec);
                    ASSERT_FALSE(ec) << ec.message();
                    ++records;
                    if (!reply.empty()) session_.send_record(reply, ec);
                }
            }
            if (auto out = session_.pending_output(); !out.empty()) {
                std::error_code ec;
                host.receive(out, ec);
                ASSERT_FALSE(ec) << ec.message();
                session_.consume_output(out.size());
                moved = true;
            }
            if (!moved) return;
        }
        FAIL() << "the conversation never settled";
    }

    void fill(const std::string& label, const std::string& text) {
        const auto f = tn::field_after_label(screen, label);
        ASSERT_TRUE(f) << "no field after " << label << "\n" << tn::screen_text(screen);
        std::error_code ec;
        screen.fill(*f, text, ec);
        ASSERT_FALSE(ec) << ec.message();
    }
    void press(host_connection& host, tn::aid key) {
        std::error_code ec;
        const auto rm = screen.press(key, ec);
        ASSERT_FALSE(ec) << ec.message();
        session_.send_record(rm, ec);
        ASSERT_FALSE(ec) << ec.message();
        talk(host);
    }
    /// Sends `record` as it is (not from the screen).
    void send_raw(host_connection& host, const std::vector<std::byte>& record) {
        std::error_code ec;
        session_.send_record(record, ec);
        ASSERT_FALSE(ec) << ec.message();
        talk(host);
    }
    [[nodiscard]] bool shows(const std::string& text) const { return tn::contains(screen, text); }
    [[nodiscard]] std::string text() const { return tn::screen_text(screen); }

    tn::screen screen;
    int records = 0;

  private:
    static tn::screen_config colour_3279(tn::codepage::id page) {
        tn::screen_config c;
        c.color = true;
        c.code_page = page;
        return c;
    }
    static tn::session_config config(const std::string& type) {
        tn::session_config c;
        c.terminal_type = type;
        return c;
    }
    tn::session session_;
};

std::vector<host_event> drain(host_connection& h) {
    std::vector<host_event> out;
    while (auto e = h.next_event()) out.push_back(*e);
    return out;
}

void sign_on(terminal& t, host_connection& h, const std::string& user, const std::string& password,
             const std::string& fresh = "") {
    t.fill("Userid    ===>", user);
    t.fill("Password  ===>", password);
    if (!fresh.empty()) t.fill("New Password ===>", fresh);
    t.press(h, tn::aid::enter);
}

}  // namespace

// ------------------------------------------------------------------ screen files

TEST(SampleHostScreens, BuiltInSetHasTheHostScreens) {
    const auto set = screen_set::built_in();
    ASSERT_NE(set.find("logon"), nullptr);
    ASSERT_NE(set.find("application"), nullptr);
    EXPECT_NE(set.find("logon")->input("password"), nullptr);
    EXPECT_TRUE(set.find("logon")->input("password")->hidden);
    EXPECT_EQ(set.find("logon")->input("userid")->address(), 5u * 80 + 16);
}

TEST(SampleHostScreens, EveryShippedSetLoads) {
    for (const char* style : {"tso", "cics", "uss"}) {
        SCOPED_TRACE(style);
        const auto set = screen_set::load_directory(screens_dir + "/" + style);
        EXPECT_EQ(set.size(), 2u);
    }
}

TEST(SampleHostScreens, ErrorsNameFileAndLine) {
    EXPECT_EQ(screen_error("screen a\ntext 1 2 \"x\"\nbogus 1\nend\n"),
              "t.screen:3: unknown directive 'bogus' (screen, text, input, message, cursor, end)");
    EXPECT_EQ(screen_error("screen a\ntext 1 2 \"abc\"\ninput 1 4 3 f\nend\n"),
              "t.screen:3: this item overlaps another one");
    EXPECT_EQ(screen_error("screen a\ntext 1 78 \"abcd\"\nend\n"), "t.screen:2: the item runs past the end of its row");
    EXPECT_EQ(screen_error("screen a\ntext 1 2 \"x\"\n"), "t.screen: screen a has no 'end'");
    EXPECT_EQ(screen_error("text 1 2 \"x\"\n"),
              "t.screen:1: 'text' outside a screen (start one with 'screen NAME')");
    EXPECT_EQ(screen_error("screen a\ntext 1 2 \"{password}\"\nend\n"),
              "t.screen:2: unknown placeholder in text (known: {userid} {terminal_type} {lu_name} {echo_text} "
              "{echo_hex})");
    EXPECT_EQ(screen_error("screen a\ntext 1 2 \"a\\q\"\nend\n"), "t.screen:2: bad escape in text");
    EXPECT_EQ(screen_error("screen a\ntext 1 2 \"open\nend\n"), "t.screen:2: text without its closing quote");
    EXPECT_EQ(screen_error("screen a\ninput 25 2 3 f\nend\n"), "t.screen:2: ROW must be a number from 1 to 24");
    EXPECT_EQ(screen_error("screen a\ninput 2 1 3 f\nend\n"), "t.screen:2: COL must be a number from 2 to 80");
    EXPECT_EQ(screen_error("screen a\ncursor nope\nend\n"), "t.screen:3: cursor names no input of screen a");
    EXPECT_EQ(screen_error("screen a\nend\nscreen a\nend\n"), "t.screen:3: screen a is defined twice");
    EXPECT_EQ(screen_error("screen a\ntext 1 2 \"\xe2\x82\xac\"\nend\n"),
              "t.screen:2: text holds a character outside printable Latin-1");
}

TEST(SampleHostScreens, HostScreensAreChecked) {
    screen_set s;
    s.add("screen logon\ninput 1 2 8 userid\nmessage 24 2 20\nend\nscreen application\nend\n", "x");
    try {
        s.check_host_screens();
        FAIL() << "no password input, yet accepted";
    } catch (const screen_file_error& e) {
        EXPECT_STREQ(e.what(), "the logon screen has no input 'password'");
    }
}

TEST(SampleHostScreens, ErasWriteShowsTextFieldsAndCursor) {
    screen_set s;
    s.add("screen a\ntext 2 3 \"Hi {userid}\" bright\ninput 3 10 4 pw hidden\nmessage 24 2 10\nend\n", "x");
    screen_values v;
    v.userid = "ALICE";
    v.message = "IKJ56700A TOO LONG TO FIT";
    const auto record = erase_write(*s.find("a"), v, tn::codepage::get(tn::codepage::id::cp037));
    tn::screen scr;
    std::error_code ec;
    scr.apply(record, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(tn::row_text(scr, 1).substr(2, 8), "Hi ALICE");
    EXPECT_EQ(tn::row_text(scr, 23).substr(1, 10), "IKJ56700A ");
    const auto pw = tn::field_at(scr, 2, 9);
    ASSERT_TRUE(pw);
    EXPECT_FALSE(pw->is_protected());
    EXPECT_TRUE(pw->is_non_display());
    EXPECT_EQ(pw->length, 4u);
    EXPECT_EQ(scr.cursor(), 2u * 80 + 9);
    EXPECT_FALSE(scr.keyboard_locked());
}

// ------------------------------------------------------------------ users

TEST(SampleHostUsers, ParsesUsersAndFlags) {
    const auto d = user_directory::parse(users_toml, "u");
    EXPECT_EQ(d.size(), 3u);
    ASSERT_NE(d.find("ALICE"), nullptr);
    EXPECT_TRUE(d.find("BOB#1")->expired);
    EXPECT_TRUE(d.find("CAROL")->revoked);
    EXPECT_EQ(d.find("alice"), nullptr);
}

TEST(SampleHostUsers, ShippedUsersFileLoads) {
    const auto d = user_directory::load(screens_dir + "/../users.toml");
    EXPECT_EQ(d.size(), 4u);
    ASSERT_NE(d.find("J$@#9"), nullptr);
    EXPECT_TRUE(d.find("BOB")->expired);
    EXPECT_TRUE(d.find("CAROL")->revoked);
}

TEST(SampleHostUsers, FileErrorsNeverQuoteAPassword) {
    EXPECT_EQ(users_error("[[user]]\nid = \"A\"\n"), "users.toml: user 1 (A): password is missing or not a string");
    EXPECT_EQ(users_error("[[user]]\nid = \"1A\"\npassword = \"P\"\n"),
              "users.toml: user 1: id must be 1 to 8 of A-Z 0-9 # @ $, not starting with a digit");
    EXPECT_EQ(users_error("[[user]]\nid = \"A\"\npassword = \"TOOLONGPW\"\n"),
              "users.toml: user 1 (A): password must be 1 to 8 characters");
    EXPECT_EQ(users_error("[[user]]\nid = \"A\"\npassword = \"P\"\n[[user]]\nid = \"a\"\npassword = \"Q\"\n"),
              "users.toml: user 2: user A is listed twice");
    EXPECT_EQ(users_error("[[user]]\nid = \"A\"\npassword = \"P\"\nadmin = true\n"),
              "users.toml: user 1: unknown key 'admin' (id, password, expired, revoked)");
    EXPECT_EQ(users_error("[[user]]\nid = \"A\"\npassword = \"P\"\nexpired = \"yes\"\n"),
              "users.toml: user 1 (A): expired must be true or false");
    EXPECT_EQ(users_error(""), "users.toml: no users: add [[user]] tables with id and password");
    EXPECT_EQ(users_error("user = 3\n"), "users.toml: no users: add [[user]] tables with id and password");
    EXPECT_NE(users_error("[[user]\n"), "");
}

TEST(SampleHostUsers, FilesAreReadWithACap) {
    const auto load_error = [](const std::string& file) {
        try {
            (void)user_directory::load(file);
        } catch (const users_file_error& e) {
            return std::string(e.what());
        }
        return std::string("(loaded)");
    };
    EXPECT_EQ(load_error("/dev/zero"), "/dev/zero: the users file is larger than 1 MiB");
    EXPECT_EQ(load_error("/"), "/: the users file is a folder, not a file");
    EXPECT_EQ(load_error("/nonexistent/users.toml"),
              "/nonexistent/users.toml: the users file cannot be opened: No such file or directory");
}

TEST(SampleHostUsers, ThreeWrongPasswordsInARowRevokeForGood) {
    auto d = user_directory::parse(users_toml, "u");
    EXPECT_EQ(d.sign_on("ALICE", "nope", "").outcome, sign_on_outcome::invalid_password);
    const auto second = d.sign_on("ALICE", "nope", "");
    EXPECT_EQ(second.outcome, sign_on_outcome::invalid_password);
    EXPECT_EQ(second.failures, 2);
    EXPECT_EQ(d.sign_on("ALICE", "nope", "").outcome, sign_on_outcome::revoked);
    EXPECT_EQ(d.sign_on("ALICE", "SECRET1", "").outcome, sign_on_outcome::revoked);
}

TEST(SampleHostUsers, RightPasswordResetsTheCount) {
    auto d = user_directory::parse(users_toml, "u");
    d.sign_on("ALICE", "a", "");
    d.sign_on("ALICE", "b", "");
    EXPECT_EQ(d.sign_on("ALICE", "SECRET1", "").outcome, sign_on_outcome::signed_on);
    d.sign_off("ALICE");
    EXPECT_EQ(d.sign_on("ALICE", "c", "").failures, 1);
}

TEST(SampleHostUsers, ExpiredUntilANewPassword) {
    auto d = user_directory::parse(users_toml, "u");
    EXPECT_EQ(d.sign_on("BOB#1", "OLDPW", "").outcome, sign_on_outcome::password_expired);
    EXPECT_EQ(d.sign_on("BOB#1", "OLDPW", "OLDPW").outcome, sign_on_outcome::new_password_invalid);
    EXPECT_EQ(d.sign_on("BOB#1", "OLDPW", "NEWPW").outcome, sign_on_outcome::signed_on);
    d.sign_off("BOB#1");
    EXPECT_EQ(d.sign_on("BOB#1", "OLDPW", "").outcome, sign_on_outcome::invalid_password);
    EXPECT_EQ(d.sign_on("BOB#1", "NEWPW", "").outcome, sign_on_outcome::signed_on);
}

TEST(SampleHostUsers, InUseUntilSignedOff) {
    auto d = user_directory::parse(users_toml, "u");
    EXPECT_EQ(d.sign_on("ALICE", "SECRET1", "").outcome, sign_on_outcome::signed_on);
    EXPECT_EQ(d.sign_on("ALICE", "SECRET1", "").outcome, sign_on_outcome::in_use);
    d.sign_off("ALICE");
    EXPECT_EQ(d.sign_on("ALICE", "SECRET1", "").outcome, sign_on_outcome::signed_on);
    EXPECT_EQ(d.sign_on("NOBODY", "x", "").outcome, sign_on_outcome::unknown_user);
    EXPECT_EQ(d.sign_on("CAROL", "X", "").outcome, sign_on_outcome::revoked);
}

TEST(SampleHostUsers, UserIdsAreNormalized) {
    EXPECT_EQ(normalize_user_id("  alice  "), "ALICE");
    EXPECT_EQ(normalize_user_id("j$@#9"), "J$@#9");
    EXPECT_EQ(normalize_user_id("9LIVES"), "");
    EXPECT_EQ(normalize_user_id("TOOLONGID"), "");
    EXPECT_EQ(normalize_user_id("A B"), "");
}

// ------------------------------------------------------------------ a whole conversation

TEST(SampleHostConnection, SignsOnEchoesAndLogsOff) {
    const auto screens = screen_set::built_in();
    auto users = user_directory::parse(users_toml, "u");
    host_connection host(screens, users, {});
    terminal t;
    t.talk(host);
    ASSERT_TRUE(t.shows("TSO/E LOGON")) << t.text();
    EXPECT_TRUE(t.shows("IBM-3278-2-E")) << t.text();
    EXPECT_FALSE(t.screen.keyboard_locked());

    sign_on(t, host, "alice", "SECRET1");
    EXPECT_TRUE(t.shows("LOGGED ON AS ALICE")) << t.text();
    EXPECT_TRUE(t.shows("Terminal type: IBM-3278-2-E"));
    EXPECT_EQ(tn::message_id_at(t.screen, 23), "IKJ56455I");
    EXPECT_FALSE(t.shows("SECRET1"));
    EXPECT_EQ(host.user(), "ALICE");

    t.fill("Echo ===>", "Hi #@$");
    t.press(host, tn::aid::enter);
    EXPECT_TRUE(t.shows("Text: Hi #@$")) << t.text();
    EXPECT_TRUE(t.shows("Hex:  C8 89 40 7B 7C 5B")) << t.text();

    t.press(host, tn::aid::pf3);
    EXPECT_TRUE(t.shows("IKJ56470I ALICE LOGGED OFF")) << t.text();
    EXPECT_EQ(host.user(), "");
    const std::vector<host_event> expected = {sign_on_attempt{"ALICE", sign_on_outcome::signed_on},
                                              signed_off{"ALICE"}};
    EXPECT_EQ(drain(host), expected);
}

TEST(SampleHostConnection, WrongPasswordsCountThenRevoke) {
    const auto screens = screen_set::built_in();
    auto users = user_directory::parse(users_toml, "u");
    host_connection host(screens, users, {});
    terminal t;
    t.talk(host);
    sign_on(t, host, "ALICE", "WRONG1");
    EXPECT_TRUE(t.shows("IKJ56421I INVALID PASSWORD - FAILURE COUNT 1")) << t.text();
    // The user id stays, the cursor waits in the password field.
    EXPECT_EQ(tn::field_text(t.screen, *tn::field_after_label(t.screen, "Userid    ===>")), "ALICE   ");
    EXPECT_EQ(t.screen.cursor(), 7u * 80 + 16);
    std::error_code ec;
    t.screen.type("WRONG2", ec);
    t.press(host, tn::aid::enter);
    EXPECT_TRUE(t.shows("FAILURE COUNT 2")) << t.text();
    t.screen.type("WRONG3", ec);
    t.press(host, tn::aid::enter);
    EXPECT_TRUE(t.shows("ICH408I USERID REVOKED")) << t.text();
    t.screen.type("SECRET1", ec);
    t.press(host, tn::aid::enter);
    EXPECT_TRUE(t.shows("ICH408I USERID REVOKED")) << t.text();
    const auto events = drain(host);
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[2], host_event(sign_on_attempt{"ALICE", sign_on_outcome::revoked}));
    EXPECT_EQ(events[3], host_event(sign_on_attempt{"ALICE", sign_on_outcome::revoked}));
}

TEST(SampleHostConnection, InUseOnASecondConnectionUntilTheFirstCloses) {
    const auto screens = screen_set::built_in();
    auto users = user_directory::parse(users_toml, "u");
    auto first = std::make_unique<host_connection>(screens, users, host_config{});
    terminal t1, t2("IBM-3278-4");
    t1.talk(*first);
    sign_on(t1, *first, "ALICE", "SECRET1");
    ASSERT_TRUE(t1.shows("LOGGED ON AS ALICE"));
    host_connection second(screens, users, {});
    t2.talk(second);
    sign_on(t2, second, "ALICE", "SECRET1");
    EXPECT_TRUE(t2.shows("IKJ56425I USERID IN USE")) << t2.text();
    std::error_code ec;
    first->receive_eof(ec);
    EXPECT_EQ(drain(*first).back(), host_event(signed_off{"ALICE"}));
    first.reset();
    t2.screen.type("SECRET1", ec);
    t2.press(second, tn::aid::enter);
    EXPECT_TRUE(t2.shows("LOGGED ON AS ALICE")) << t2.text();
    EXPECT_TRUE(t2.shows("IBM-3278-4"));
}

TEST(SampleHostConnection, ExpiredPasswordAsksForANewOne) {
    const auto screens = screen_set::built_in();
    auto users = user_directory::parse(users_toml, "u");
    host_connection host(screens, users, {});
    terminal t;
    t.talk(host);
    sign_on(t, host, "BOB#1", "OLDPW");
    EXPECT_TRUE(t.shows("ICH70002I PASSWORD EXPIRED - ENTER NEW PASSWORD")) << t.text();
    t.fill("Password  ===>", "OLDPW");
    t.fill("New Password ===>", "NEWPW");
    t.press(host, tn::aid::enter);
    EXPECT_TRUE(t.shows("LOGGED ON AS BOB#1")) << t.text();
}

TEST(SampleHostConnection, EmptyAndUnknownUserIds) {
    const auto screens = screen_set::built_in();
    auto users = user_directory::parse(users_toml, "u");
    host_connection host(screens, users, {});
    terminal t;
    t.talk(host);
    t.press(host, tn::aid::enter);
    EXPECT_TRUE(t.shows("IKJ56700A ENTER USERID")) << t.text();
    EXPECT_TRUE(drain(host).empty());
    sign_on(t, host, "DAVE", "x");
    EXPECT_TRUE(t.shows("IKJ56420I USERID DAVE NOT AUTHORIZED")) << t.text();
    // The event (the logs) does not name an unknown id: it may be a password in the wrong field.
    const std::vector<host_event> expected = {sign_on_attempt{"", sign_on_outcome::unknown_user}};
    EXPECT_EQ(drain(host), expected);
}

TEST(SampleHostConnection, GarbageRecordEndsTheConnection) {
    const auto screens = screen_set::built_in();
    auto users = user_directory::parse(users_toml, "u");
    host_connection host(screens, users, {});
    terminal t;
    t.talk(host);
    // A record with an unknown AID, as a terminal never sends it.
    t.send_raw(host, {std::byte{0x01}, std::byte{0x40}});
    EXPECT_FALSE(host.want_read());
    EXPECT_FALSE(host.want_write());
}

TEST(SampleHostConnection, HostCodePageDecidesTheBytes) {
    // '@' is 7C in CP037 but B5 in CP273; '$' is 5B in both, '#' 7B in both.
    const auto screens = screen_set::built_in();
    auto users = user_directory::parse("[[user]]\nid = \"J$@#9\"\npassword = \"P@SS\"\n", "u");
    host_config cfg;
    cfg.code_page = tn::codepage::id::cp273;
    host_connection host(screens, users, cfg);
    terminal t("IBM-3278-2-E", tn::codepage::id::cp273);
    t.talk(host);
    sign_on(t, host, "j$@#9", "P@SS");
    ASSERT_TRUE(t.shows("LOGGED ON AS J$@#9")) << t.text();
    t.fill("Echo ===>", "@");
    t.press(host, tn::aid::enter);
    EXPECT_TRUE(t.shows("Hex:  B5")) << t.text();
}

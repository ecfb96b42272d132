// Screen queries for sign-on scripts, the message-id scanner, and the text rendering, which
// must never show what a non-display field holds.
#include <ssogate/protocols/tn3270/render.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>
#include <ssogate/protocols/tn3270/screen_text.hpp>

#include "data_stream_builder.hpp"
#include "hex.hpp"

#include <gtest/gtest.h>

using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;

namespace {

constexpr std::size_t userid_at = 4 * 80 + 16;
constexpr std::size_t password_at = 5 * 80 + 16;
constexpr std::size_t account_at = 6 * 80 + 16;

screen logon_screen(std::string_view message = "") {
    screen s;
    std::error_code ec;
    s.apply(tso_logon(message), ec);
    EXPECT_FALSE(ec) << ec.message();
    return s;
}

// The logon screen with IBMUSER / a password typed in.
screen typed_logon(std::string_view password) {
    screen s = logon_screen("IKJ56425I LOGON REJECTED, USERID IBMUSER IN USE");
    std::error_code ec;
    s.fill(*s.field_at(userid_at), "IBMUSER", ec);
    EXPECT_FALSE(ec);
    s.fill(*s.field_at(password_at), password, ec);
    EXPECT_FALSE(ec);
    return s;
}

}  // namespace

TEST(ScreenText, RowsAreWhatTheTerminalShows) {
    const screen s = logon_screen();
    EXPECT_EQ(row_text(s, 0), std::string(30, ' ') + "TSO/E LOGON" + std::string(39, ' '));
    EXPECT_EQ(row_text(s, 4).substr(0, 26), "  USERID   ===>           ");
    EXPECT_EQ(row_text(s, 24), "") << "outside the screen";
    EXPECT_EQ(screen_text(s).size(), 24u * 81);
}

TEST(ScreenText, RowsDecodeThroughTheHostCodePage) {
    for (auto [page, text] : {std::pair{codepage::id::cp037, "USER#@$ [^]"},
                              {codepage::id::cp273, "BENUTZER #@$ ÄÖÜß"},
                              {codepage::id::cp285, "USER £$#"}}) {
        screen_config c;
        c.code_page = page;
        screen s(c);
        std::error_code ec;
        s.apply(ds(80, 1920, page).ew(0xC2).text(text).record(), ec);
        ASSERT_FALSE(ec);
        std::string row = row_text(s, 0);
        while (row.back() == ' ') row.pop_back();
        EXPECT_EQ(row, text);
        EXPECT_TRUE(contains(s, text));
    }
}

TEST(ScreenText, FindAndContains) {
    const screen s = logon_screen();
    EXPECT_EQ(find_text(s, "USERID"), 4u * 80 + 2);
    EXPECT_EQ(find_text(s, "LOGON"), 36u);
    EXPECT_TRUE(contains(s, "PASSWORD ===>"));
    EXPECT_FALSE(contains(s, "password"));
    EXPECT_FALSE(contains(s, ""));
    EXPECT_FALSE(contains(s, "\xC3("));
    // Never across rows: the end of row 0 and the start of row 1 are both blank.
    screen t;
    std::error_code ec;
    t.apply(ds().ew(0xC2).sba(0, 78).text("AB").text("CD").record(), ec);
    EXPECT_TRUE(contains(t, "AB"));
    EXPECT_FALSE(contains(t, "ABCD"));
}

TEST(ScreenText, FieldAfterLabel) {
    const screen s = logon_screen("IKJ56700A ENTER USERID -");
    EXPECT_EQ(field_after_label(s, "USERID   ===>")->start, userid_at);
    EXPECT_EQ(field_after_label(s, "USERID")->start, userid_at);
    EXPECT_EQ(field_after_label(s, "PASSWORD")->start, password_at);
    EXPECT_EQ(field_after_label(s, "ACCT NMBR===>")->start, account_at);
    EXPECT_EQ(field_after_label(s, "TSO/E")->start, userid_at);
    EXPECT_FALSE(field_after_label(s, "IKJ56700A").has_value()) << "no input field after it";
    EXPECT_FALSE(field_after_label(s, "NO SUCH LABEL").has_value());
}

TEST(ScreenText, FieldAtRowColumn) {
    const screen s = logon_screen();
    EXPECT_EQ(field_at(s, 5, 20)->start, password_at);
    EXPECT_EQ(field_at(s, 5, 15)->start, password_at) << "its attribute belongs to it";
    EXPECT_TRUE(field_at(s, 5, 2)->is_protected());
    EXPECT_FALSE(field_at(s, 24, 0).has_value());
    EXPECT_FALSE(field_at(s, 0, 80).has_value());
    screen unformatted;
    EXPECT_FALSE(field_at(unformatted, 0, 0).has_value());
}

TEST(ScreenText, FieldText) {
    const screen s = typed_logon("SECRET");
    EXPECT_EQ(field_text(s, *s.field_at(userid_at)), "IBMUSER ");
    EXPECT_EQ(field_text(s, *s.field_at(password_at)), "        ");
}

TEST(ScreenText, MessageIds) {
    const std::pair<const char*, const char*> good[] = {
        {"IKJ56425I LOGON rejected, USERID IBMUSER IN USE", "IKJ56425I"},
        {"ICH408I USER(IBMUSER ) GROUP(SYS1    ) NAME(IBMUSER)", "ICH408I"},
        {"DFHCE3549 Sign-on is complete (Language ENU).", "DFHCE3549"},
        {"  $HASP373 TSUJOB STARTED", "$HASP373"},
        {"HCPLGA050E LOGON unsuccessful--incorrect password", "HCPLGA050E"},
        {"IKJ56700A ENTER USERID -", "IKJ56700A"},
        {"IEF450I", "IEF450I"},
        {"ICH408I: INVALID PASSWORD", "ICH408I"},
        {"IST1234I", "IST1234I"},
        {"IRR012I-VERIFICATION FAILED", "IRR012I"},
    };
    for (auto [line, id] : good) {
        const auto got = message_id(line);
        ASSERT_TRUE(got.has_value()) << line;
        EXPECT_EQ(*got, id);
    }
    const char* bad[] = {"READY",        "USERID ===>", "AB123I",       "ABC12I",   "ABC123456I",
                         "ICH408IX",     "ICH408I5",    "123ABC",       "",         "     ",
                         "ABCDEFGHI123", "ich408i",     "DFHCE3549abc", "-ICH408I", "ICH 408I"};
    for (const char* line : bad) EXPECT_FALSE(message_id(line).has_value()) << line;
}

TEST(ScreenText, MessageIdAtTheStartOfTheMessageLine) {
    const screen s = logon_screen("IKJ56425I LOGON REJECTED, USERID IBMUSER IN USE");
    EXPECT_EQ(message_id_at(s, 22), "IKJ56425I");
    EXPECT_FALSE(message_id_at(s, 4).has_value());
    EXPECT_FALSE(message_id_at(s, 99).has_value());
}

TEST(ScreenText, NonDisplayContentsNeverComeOut) {
    const std::string secret = "S3CR#T";
    const screen s = typed_logon(secret);
    EXPECT_EQ(row_text(s, 5).substr(16, 8), "        ");
    EXPECT_FALSE(contains(s, secret));
    EXPECT_FALSE(contains(s, "S3CR"));
    EXPECT_EQ(screen_text(s).find("S3CR"), std::string::npos);
    for (bool marks : {true, false}) {
        render_options o;
        o.mark_fields = marks;
        EXPECT_EQ(render(s, o).find("S3CR"), std::string::npos);
    }
    // Also what the host wrote into a hidden field (the field runs to the end of the row).
    screen h;
    std::error_code ec;
    h.apply(ds().ew(0xC2).sba(2, 0).sf(fa::protect | fa::display_none).text("HIDDEN").record(), ec);
    EXPECT_FALSE(contains(h, "HIDDEN"));
    EXPECT_EQ(render(h).find("HIDDEN"), std::string::npos);
    // A hidden field that wraps around the end of the buffer.
    screen w;
    w.apply(ds().ew(0xC2)
                .sba(0, 5)
                .sf(fa::protect)
                .sba(23, 70)
                .sf(fa::display_none)
                .text("WRAPSAROUNDX")
                .record(),
            ec);
    EXPECT_FALSE(contains(w, "WRAP"));
    EXPECT_FALSE(contains(w, "NDX"));
    EXPECT_EQ(render(w).find("NDX"), std::string::npos);
}

TEST(ScreenText, RenderMarksFieldsAndHidesSecrets) {
    const screen s = typed_logon("SECRET");
    const std::string r = render(s);
    const std::string expected_header = "screen 24x80, cursor 6,23, keyboard unlocked, 12 fields\n";
    EXPECT_EQ(r.substr(0, expected_header.size()), expected_header);
    EXPECT_NE(r.find("   1|" + std::string(30, ' ') + "TSO/E LOGON"), std::string::npos);
    EXPECT_NE(r.find("   5|  USERID   ===>>IBMUSER  "), std::string::npos) << r;
    EXPECT_NE(r.find("   6|  PASSWORD ===>>********"), std::string::npos)
        << "every position of the hidden field shows '*', not just the typed ones";
    EXPECT_NE(r.find("  23| IKJ56425I LOGON REJECTED"), std::string::npos);
    EXPECT_NE(r.find("    5  17    8  unprotected modified  \"IBMUSER\"\n"), std::string::npos)
        << r;
    EXPECT_NE(r.find("    6  17    8  unprotected non-display modified  (hidden)\n"),
              std::string::npos);
    EXPECT_NE(r.find("    7  17    7  unprotected numeric  \"\"\n"), std::string::npos);
    EXPECT_NE(r.find("    1  31   11  protected intensified\n"), std::string::npos);
    // The emulator's view: no markers, blanks in the hidden field.
    render_options plain;
    plain.mark_fields = false;
    plain.frame = false;
    plain.header = false;
    plain.field_table = false;
    EXPECT_EQ(render(s, plain), screen_text(s));
}

TEST(ScreenText, RenderOfAnUnformattedAlternateScreen) {
    screen_config c;
    c.model = 5;
    screen s(c);
    std::error_code ec;
    s.apply(ds(132, 3564).ewa(0xC2).text("HELLO").sba(1, 0).ic().record(), ec);
    const std::string r = render(s);
    EXPECT_EQ(r.substr(0, r.find('\n')),
              "screen 27x132 (alternate), cursor 2,1, keyboard unlocked, unformatted");
    EXPECT_NE(r.find("   1|HELLO" + std::string(127, ' ') + "|\n"), std::string::npos);
    EXPECT_NE(r.find("  27|"), std::string::npos);
    EXPECT_EQ(r.find("fields:"), std::string::npos);
}

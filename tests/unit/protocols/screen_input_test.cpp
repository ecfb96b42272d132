// tn3270::screen from the operator's side: a TSO-like logon screen (title, USERID, PASSWORD
// non-display, account number numeric, message line), typing, keys, and the exact inbound bytes
// (Read Modified, short reads, Read Buffer) a host receives.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/inbound_record.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>
#include <ssogate/protocols/tn3270/screen_text.hpp>

#include "data_stream_builder.hpp"
#include "hex.hpp"

#include <gtest/gtest.h>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

constexpr std::size_t userid_at = 4 * 80 + 16;    // c5 50
constexpr std::size_t password_at = 5 * 80 + 16;  // c6 60
constexpr std::size_t account_at = 6 * 80 + 16;   // c7 f0

screen logon_screen(std::string_view message = "") {
    screen s;
    std::error_code ec;
    s.apply(tso_logon(message), ec);
    EXPECT_FALSE(ec) << ec.message();
    return s;
}

field field_starting_at(const screen& s, std::size_t start) {
    auto f = s.field_at(start);
    EXPECT_TRUE(f.has_value());
    EXPECT_EQ(f.value_or(field{}).start, start);
    return f.value_or(field{});
}

void fill_ok(screen& s, std::size_t start, std::string_view text) {
    std::error_code ec;
    s.fill(field_starting_at(s, start), text, ec);
    ASSERT_FALSE(ec) << ec.message();
}

bytes press_ok(screen& s, aid key) {
    std::error_code ec;
    auto r = s.press(key, ec);
    EXPECT_FALSE(ec) << ec.message();
    return r;
}

}  // namespace

TEST(ScreenInput, LogonScreenLayout) {
    const screen s = logon_screen();
    EXPECT_FALSE(s.keyboard_locked());
    EXPECT_EQ(s.cursor(), userid_at);
    const field user = field_starting_at(s, userid_at);
    EXPECT_EQ(user.length, 8u);
    EXPECT_FALSE(user.is_protected());
    const field pass = field_starting_at(s, password_at);
    EXPECT_TRUE(pass.is_non_display());
    EXPECT_EQ(pass.length, 8u);
    const field acct = field_starting_at(s, account_at);
    EXPECT_TRUE(acct.is_numeric());
    EXPECT_EQ(acct.length, 7u);
}

TEST(ScreenInput, SignOnProducesTheExactReadModified) {
    screen s = logon_screen();
    fill_ok(s, userid_at, "IBMUSER");
    fill_ok(s, password_at, "SECRET");
    EXPECT_EQ(s.cursor(), 5u * 80 + 22);
    const bytes rm = press_ok(s, aid::enter);
    // ENTER, cursor (5,22), SBA (4,16) "IBMUSER", SBA (5,16) "SECRET"; unmodified fields skipped.
    EXPECT_EQ(to_hex(rm), "7d c6 e6 11 c5 50 c9 c2 d4 e4 e2 c5 d9 11 c6 60 e2 c5 c3 d9 c5 e3");
    EXPECT_TRUE(s.keyboard_locked());
    EXPECT_EQ(s.current_aid(), aid::enter);
}

TEST(ScreenInput, TypingAtTheCursorSetsMdtAndSkipsAttributes) {
    screen s = logon_screen();
    std::error_code ec;
    s.type("ABCDEFGH", ec);
    ASSERT_FALSE(ec);
    EXPECT_TRUE(field_starting_at(s, userid_at).is_modified());
    // The field is full: the cursor stepped over the (protected, not autoskip) attribute at
    // (4,24) into the protected field after it, where typing is refused.
    EXPECT_EQ(s.cursor(), 4u * 80 + 25);
    s.type("X", ec);
    EXPECT_EQ(ec, errc::protected_field);
    EXPECT_EQ(row_text(s, 4).substr(16, 9), "ABCDEFGH ");
    EXPECT_EQ(to_hex(press_ok(s, *pf_key(3))), "f3 c5 d9 11 c5 50 c1 c2 c3 c4 c5 c6 c7 c8");
}

TEST(ScreenInput, AutoskipSendsTheCursorToTheNextInputField) {
    screen s = logon_screen();
    std::error_code ec;
    s.move_cursor(6, 16, ec);
    ASSERT_FALSE(ec);
    s.type("1234567", ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(s.cursor(), userid_at) << "past the autoskip field at (6,23), wrapping";
}

TEST(ScreenInput, NumericFieldsTakeDigitsPointAndMinus) {
    screen s = logon_screen();
    std::error_code ec;
    s.move_cursor(account_at, ec);
    s.type("-1.5", ec);
    EXPECT_FALSE(ec);
    s.type("2A", ec);
    EXPECT_EQ(ec, errc::numeric_field);
    EXPECT_EQ(row_text(s, 6).substr(16, 7), "-1.52  ") << "what came before stays typed";
    EXPECT_EQ(s.cursor(), account_at + 5);
    s.fill(field_starting_at(s, account_at), "12X", ec);
    EXPECT_EQ(ec, errc::numeric_field);
    EXPECT_EQ(row_text(s, 6).substr(16, 7), "-1.52  ") << "fill is all or nothing";
}

TEST(ScreenInput, ProtectedPositionsRefuseInput) {
    screen s = logon_screen();
    std::error_code ec;
    s.move_cursor(4, 2, ec);  // the USERID label
    s.type("A", ec);
    EXPECT_EQ(ec, errc::protected_field);
    s.move_cursor(4, 15, ec);  // the input field's own attribute
    s.type("A", ec);
    EXPECT_EQ(ec, errc::protected_field);
    s.fill(*s.field_at(4 * 80 + 2), "A", ec);
    EXPECT_EQ(ec, errc::protected_field);
    s.erase_eof(ec);
    EXPECT_EQ(ec, errc::protected_field);
    for (const field& f : s.fields()) EXPECT_FALSE(f.is_modified());
}

TEST(ScreenInput, TypedTextCannotCarryControlsIntoTheDataStream) {
    // U+0011 is EBCDIC 11 (SBA) and U+0085 is EBCDIC 15 (NL): a typed order would reach the
    // host inside the Read Modified. Refused before anything is typed.
    screen s = logon_screen();
    std::error_code ec;
    for (const char* text : {"AB\x11", "\u0085", "\x1D", "A\u009F"}) {
        s.type(text, ec);
        EXPECT_EQ(ec, errc::unmappable_character) << text;
        s.fill(field_starting_at(s, userid_at), text, ec);
        EXPECT_EQ(ec, errc::unmappable_character) << text;
    }
    s.type("€", ec);
    EXPECT_EQ(ec, errc::unmappable_character);
    s.type("\xFF", ec);
    EXPECT_EQ(ec, errc::invalid_utf8);
    EXPECT_FALSE(field_starting_at(s, userid_at).is_modified());
    EXPECT_EQ(row_text(s, 4).substr(16, 8), "        ");
}

TEST(ScreenInput, FillChecksTheFieldAndTheLength) {
    screen s = logon_screen();
    std::error_code ec;
    const field user = field_starting_at(s, userid_at);
    s.fill(user, "TOOLONGID", ec);
    EXPECT_EQ(ec, errc::field_overflow);
    s.fill(user, "EXACTLY8", ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(s.cursor(), 4u * 80 + 25) << "a full field moves on like typing";
    s.fill(user, "", ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(s.cursor(), userid_at);
    EXPECT_TRUE(field_starting_at(s, userid_at).is_modified());
    EXPECT_EQ(to_hex(s.read_modified(aid::enter)), "7d c5 50 11 c5 50") << "nulls are left out";
    // A field value from an earlier screen is refused.
    s.apply(ds().ew(0xC2).sba(4, 20).sf(0).record(), ec);
    ASSERT_FALSE(ec);
    s.fill(user, "X", ec);
    EXPECT_EQ(ec, errc::invalid_position);
    field bogus = user;
    bogus.attribute_address = 99999;
    s.fill(bogus, "X", ec);
    EXPECT_EQ(ec, errc::invalid_position);
}

TEST(ScreenInput, KeyboardLockRefusesInputUntilRestore) {
    screen s;
    std::error_code ec;
    s.type("A", ec);
    EXPECT_EQ(ec, errc::keyboard_locked) << "before the first write";
    s = logon_screen();
    press_ok(s, aid::enter);
    s.type("A", ec);
    EXPECT_EQ(ec, errc::keyboard_locked);
    s.fill(field_starting_at(s, userid_at), "A", ec);
    EXPECT_EQ(ec, errc::keyboard_locked);
    s.erase_eof(ec);
    EXPECT_EQ(ec, errc::keyboard_locked);
    s.erase_input(ec);
    EXPECT_EQ(ec, errc::keyboard_locked);
    EXPECT_TRUE(s.press(aid::enter, ec).empty());
    EXPECT_EQ(ec, errc::keyboard_locked);
    s.apply(ds().w(0xC2).record(), ec);
    s.type("A", ec);
    EXPECT_FALSE(ec);
}

TEST(ScreenInput, ShortReadsForPaAndClear) {
    for (auto [key, hex] :
         {std::pair{aid::pa1, "6c"}, {aid::pa2, "6e"}, {aid::pa3, "6b"}, {aid::clear, "6d"}}) {
        screen s = logon_screen();
        fill_ok(s, userid_at, "IBMUSER");
        EXPECT_EQ(to_hex(press_ok(s, key)), hex);
    }
}

TEST(ScreenInput, ClearErasesTheScreenToTheDefaultSize) {
    screen_config c;
    c.model = 4;
    screen s(c);
    std::error_code ec;
    s.apply(ds(80, 3440).ewa(0xC2).sf(fa::protect).text("X").sba(100).ic().record(), ec);
    ASSERT_FALSE(ec);
    EXPECT_TRUE(s.is_alternate());
    EXPECT_EQ(to_hex(press_ok(s, aid::clear)), "6d");
    EXPECT_FALSE(s.is_alternate());
    EXPECT_EQ(s.size(), default_screen_size);
    EXPECT_FALSE(s.formatted());
    EXPECT_EQ(s.cursor(), 0u);
}

TEST(ScreenInput, PfKeys) {
    EXPECT_EQ(pf_key(1), aid::pf1);
    EXPECT_EQ(pf_key(12), aid::pf12);
    EXPECT_EQ(pf_key(13), aid::pf13);
    EXPECT_EQ(pf_key(24), aid::pf24);
    EXPECT_EQ(pf_key(0), std::nullopt);
    EXPECT_EQ(pf_key(25), std::nullopt);
    EXPECT_EQ(pa_key(2), aid::pa2);
    EXPECT_EQ(pa_key(4), std::nullopt);
    const std::uint8_t expected[] = {0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
                                     0xF9, 0x7A, 0x7B, 0x7C, 0xC1, 0xC2, 0xC3, 0xC4,
                                     0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0x4A, 0x4B, 0x4C};
    for (int n = 1; n <= 24; ++n) {
        screen s = logon_screen();
        const bytes rm = press_ok(s, *pf_key(n));
        ASSERT_EQ(rm.size(), 3u) << "AID and cursor, no modified field";
        EXPECT_EQ(static_cast<std::uint8_t>(rm[0]), expected[n - 1]) << n;
        EXPECT_EQ(aid_from_byte(expected[n - 1]), pf_key(n));
    }
}

TEST(ScreenInput, OnlyAttentionKeysCanBePressed) {
    screen s = logon_screen();
    std::error_code ec;
    for (aid key :
         {aid::none, aid::sysreq, aid::select, aid::structured_field, aid::read_partition}) {
        EXPECT_TRUE(s.press(key, ec).empty());
        EXPECT_EQ(ec, errc::invalid_argument);
    }
    EXPECT_FALSE(s.keyboard_locked());
}

TEST(ScreenInput, FieldsModifiedByTheHostAreSentToo) {
    screen s;
    std::error_code ec;
    s.apply(ds().ew(0xC2).sba(1, 0).sf(fa::mdt).text("___").sf(fa::protect).record(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(to_hex(press_ok(s, aid::enter)), "7d 40 40 11 c1 d1 6d 6d 6d");
}

TEST(ScreenInput, EraseEofAndEraseInput) {
    screen s = logon_screen();
    std::error_code ec;
    s.type("ABCDE", ec);
    s.move_cursor(userid_at + 2, ec);
    s.erase_eof(ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(row_text(s, 4).substr(16, 8), "AB      ");
    EXPECT_EQ(to_hex(s.read_modified(aid::enter)), "7d c5 d2 11 c5 50 c1 c2");
    fill_ok(s, password_at, "PW");
    s.move_cursor(0, 0, ec);
    s.erase_input(ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(s.cursor(), userid_at);
    for (const field& f : s.fields()) EXPECT_FALSE(f.is_modified());
    EXPECT_EQ(to_hex(s.read_modified(aid::enter)), "7d c5 50");
}

TEST(ScreenInput, TabAndHome) {
    screen s = logon_screen();
    s.tab();
    EXPECT_EQ(s.cursor(), password_at);
    s.tab();
    EXPECT_EQ(s.cursor(), account_at);
    s.tab();
    EXPECT_EQ(s.cursor(), userid_at) << "wraps";
    s.home();
    EXPECT_EQ(s.cursor(), userid_at);
    std::error_code ec;
    s.move_cursor(1920, ec);
    EXPECT_EQ(ec, errc::invalid_position);
    s.move_cursor(24, 0, ec);
    EXPECT_EQ(ec, errc::invalid_position);
    s.move_cursor(0, 80, ec);
    EXPECT_EQ(ec, errc::invalid_position);
    EXPECT_EQ(s.cursor(), userid_at);
}

TEST(ScreenInput, UnformattedScreenSendsEveryCharacter) {
    screen s;
    std::error_code ec;
    s.apply(ds().ew(0xC2).text("READY").sba(1, 0).ic().record(), ec);
    s.type("LOGON", ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(to_hex(press_ok(s, aid::enter)), "7d c1 d5 d9 c5 c1 c4 e8 d3 d6 c7 d6 d5");
}

TEST(ScreenInput, HostReadCommandsAnswerWithTheCurrentAid) {
    screen s = logon_screen();
    fill_ok(s, userid_at, "IBMUSER");
    std::error_code ec;
    // Read Modified before any key: AID 60 (no AID).
    EXPECT_EQ(to_hex(s.apply("f6"_hex, ec)), "60 c5 d7 11 c5 50 c9 c2 d4 e4 e2 c5 d9");
    EXPECT_FALSE(ec);
    press_ok(s, aid::pa1);
    EXPECT_EQ(to_hex(s.apply("06"_hex, ec)), "6c") << "RM after PA1: short read again";
    EXPECT_EQ(to_hex(s.apply("6e"_hex, ec)), "6c c5 d7 11 c5 50 c9 c2 d4 e4 e2 c5 d9")
        << "RMA sends the data anyway";
}

TEST(ScreenInput, ReadBuffer) {
    screen s;
    std::error_code ec;
    s.apply(ds().ew(0xC2).sf(fa::protect).text("AB").sf(0).text("C").ge(0xAD).record(), ec);
    const bytes rb = s.apply("f2"_hex, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(to_hex(std::span(rb).first(14)), "60 40 40 1d 60 c1 c2 1d 40 c3 08 ad 00 00");
    EXPECT_EQ(rb.size(), 3u + 2 + 2 + 2 + 1 + 2 + (1920 - 6));
    // Extended field mode: SFE with the 3270 attribute and the extended ones.
    s.apply("f3 00 05 09 00 01"_hex, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(s.reply_mode(), reply_mode::extended_field);
    s.apply("f1 c2 11 40 40 2c 01 42 f4"_hex, ec);
    const bytes rb2 = s.read_buffer(aid::none);
    EXPECT_EQ(to_hex(std::span(rb2).first(12)), "60 40 40 29 02 c0 60 42 f4 c1 c2 29");
}

TEST(ScreenInput, CharacterReplyModeAddsSetAttribute) {
    screen s;
    std::error_code ec;
    s.apply(ds().ew(0xC2)
                .sf(fa::mdt)
                .text("A")
                .sa(xa::foreground, 0xF2)
                .text("B")
                .sa(xa::highlighting, 0xF1)
                .text("C")
                .sa(xa::all, 0)
                .text("D")
                .record(),
            ec);
    ASSERT_FALSE(ec);
    s.apply("f3 00 06 09 00 02 42"_hex, ec);  // character mode, foreground only
    ASSERT_FALSE(ec);
    EXPECT_EQ(to_hex(s.read_modified(aid::enter)),
              "7d 40 40 11 40 c1 c1 28 42 f2 c2 c3 28 42 00 c4");
    // Erase/Write with the WCC reset bit returns to field mode.
    s.apply(ds().ew(0xC2).record(), ec);
    EXPECT_EQ(s.reply_mode(), reply_mode::field);
}

TEST(ScreenInput, InboundParserReadsWhatTheScreenSends) {
    screen s = logon_screen();
    fill_ok(s, userid_at, "IBMUSER");
    fill_ok(s, password_at, "SECRET");
    std::error_code ec;
    const auto in = inbound_record::parse(press_ok(s, aid::enter), 1920, ec);
    ASSERT_TRUE(in) << ec.message();
    EXPECT_EQ(in->key, aid::enter);
    EXPECT_EQ(in->cursor, 5u * 80 + 22);
    ASSERT_EQ(in->fields.size(), 2u);
    EXPECT_EQ(in->fields[0].address, userid_at);
    EXPECT_EQ(in->fields[0].data,
              (std::vector<std::uint8_t>{0xC9, 0xC2, 0xD4, 0xE4, 0xE2, 0xC5, 0xD9}));
    ASSERT_NE(in->field_starting_at(password_at), nullptr);
    EXPECT_EQ(in->field_starting_at(password_at)->data.size(), 6u);
    EXPECT_EQ(in->field_starting_at(account_at), nullptr);
}

TEST(ScreenInput, ControlBytesFromTheHostGoBackAsSubstitutes) {
    // RA can leave a byte like 11 (SBA) in the buffer; inbound it must not read as an order.
    screen s;
    std::error_code ec;
    s.apply(ds().ew(0xC2).sf(fa::mdt).ra(0, 4, 0x11).text("A").record(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(to_hex(s.read_modified(aid::enter)), "7d 40 40 11 40 c1 3f 3f 3f c1");
    const auto in = inbound_record::parse(s.read_buffer(aid::none), 1920, ec);
    ASSERT_TRUE(in) << ec.message();
    EXPECT_TRUE(in->fields.empty());
}

// tn3270::screen applying host records: commands, WCC, orders (GA23-0059 chapters 3-4), the
// default and alternate sizes, and malformed records that must change nothing.
#include <ssogate/protocols/telnet/errc.hpp>
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

screen_config model(int m) {
    screen_config c;
    c.model = m;
    c.color = true;
    return c;
}

void apply_ok(screen& s, const bytes& rec) {
    std::error_code ec;
    const auto reply = s.apply(rec, ec);
    ASSERT_FALSE(ec) << ec.message() << " for " << to_hex(rec);
    EXPECT_TRUE(reply.empty());
}

std::error_code apply_error(screen& s, const bytes& rec) {
    std::error_code ec;
    const auto reply = s.apply(rec, ec);
    EXPECT_TRUE(reply.empty());
    return ec;
}

std::string trimmed_row(const screen& s, std::size_t row) {
    std::string t = row_text(s, row);
    while (!t.empty() && t.back() == ' ') t.pop_back();
    return t;
}

}  // namespace

TEST(ScreenWrite, NewScreenIsDefaultSizeUnformattedAndLocked) {
    screen s(model(4));
    EXPECT_EQ(s.size(), (screen_size{24, 80}));
    EXPECT_FALSE(s.is_alternate());
    EXPECT_FALSE(s.formatted());
    EXPECT_TRUE(s.keyboard_locked());
    EXPECT_EQ(s.cursor(), 0u);
    EXPECT_EQ(s.current_aid(), aid::none);
}

TEST(ScreenWrite, RejectsBadConfigurations) {
    screen_config c;
    c.model = 7;
    EXPECT_THROW(screen{c}, std::invalid_argument);
    c.model = 2;
    c.alternate = screen_size{20, 80};
    EXPECT_THROW(screen{c}, std::invalid_argument);
    c.alternate = screen_size{128, 128};  // 16384 positions: beyond 14-bit addresses
    EXPECT_THROW(screen{c}, std::invalid_argument);
    c.alternate = screen_size{62, 160};
    EXPECT_NO_THROW(screen{c});
}

TEST(ScreenWrite, EraseWriteAlternateSelectsTheModelSize) {
    for (int m = 2; m <= 5; ++m) {
        screen s(model(m));
        apply_ok(s, ds().ewa(0xC2).record());
        EXPECT_EQ(s.size(), *model_screen_size(m));
        EXPECT_TRUE(s.is_alternate());
        EXPECT_EQ(s.buffer_size(), model_screen_size(m)->buffer_size());
        apply_ok(s, ds().ew(0xC2).record());
        EXPECT_EQ(s.size(), default_screen_size);
        EXPECT_FALSE(s.is_alternate());
    }
}

TEST(ScreenWrite, AlternateSizeAddressesTheWholeBuffer) {
    screen s(model(5));  // 27x132
    apply_ok(s, ds(132, 3564).ewa(0xC2).sba(26, 128).text("END").ic().record());
    EXPECT_EQ(trimmed_row(s, 26), std::string(128, ' ') + "END");
    EXPECT_EQ(s.cursor(), 26u * 132 + 131);
    // The same address is outside a 24x80 screen.
    EXPECT_EQ(apply_error(s, ds(132, 3564).ew(0xC2).sba(26, 128).record()), errc::invalid_address);
    EXPECT_TRUE(s.is_alternate()) << "a rejected record changes nothing";
}

TEST(ScreenWrite, FourteenBitAddressesOnAnOversizeScreen) {
    screen_config c;
    c.alternate = screen_size{62, 160};
    screen s(c);
    apply_ok(s, ds(160, 9920).ewa(0xC2).sba(61, 150).text("LAST").record());
    EXPECT_EQ(trimmed_row(s, 61).substr(150), "LAST");
}

TEST(ScreenWrite, WccKeyboardRestoreUnlocksAndResetsTheAid) {
    screen s;
    apply_ok(s, ds().ew(0x40).record());  // no restore, but the first write ends the wait
    EXPECT_FALSE(s.keyboard_locked());
    std::error_code ec;
    s.press(aid::enter, ec);
    ASSERT_FALSE(ec);
    EXPECT_TRUE(s.keyboard_locked());
    EXPECT_EQ(s.current_aid(), aid::enter);
    apply_ok(s, ds().w(0x40).record());
    EXPECT_TRUE(s.keyboard_locked()) << "a write without restore leaves it locked";
    EXPECT_EQ(s.current_aid(), aid::enter);
    apply_ok(s, ds().w(0xC2).record());
    EXPECT_FALSE(s.keyboard_locked());
    EXPECT_EQ(s.current_aid(), aid::none);
}

TEST(ScreenWrite, WccAlarm) {
    screen s;
    apply_ok(s, ds().ew(0xC6).record());  // reset, alarm, restore (a real Hercules-era WCC)
    EXPECT_TRUE(s.alarm());
    apply_ok(s, ds().w(0xC2).record());
    EXPECT_FALSE(s.alarm());
}

TEST(ScreenWrite, WccResetMdtClearsEveryModifiedTag) {
    screen s;
    apply_ok(s, ds().ew(0xC2).sf(fa::mdt).text("A").sf(fa::protect | fa::mdt).text("B").record());
    for (const field& f : s.fields()) EXPECT_TRUE(f.is_modified());
    apply_ok(s, ds().w(0xC3).record());
    for (const field& f : s.fields()) EXPECT_FALSE(f.is_modified());
}

TEST(ScreenWrite, WriteStartsAtTheCursorAndKeepsTheScreen) {
    screen s;
    apply_ok(s, ds().ew(0xC2).sba(2, 10).text("HELLO").sba(3, 0).ic().record());
    apply_ok(s, ds().w(0xC2).text("WORLD").record());
    EXPECT_EQ(trimmed_row(s, 2), "          HELLO");
    EXPECT_EQ(trimmed_row(s, 3), "WORLD");
    EXPECT_EQ(s.cursor(), 240u) << "W without IC leaves the cursor";
}

TEST(ScreenWrite, EraseWriteClearsAndHomesTheCursor) {
    screen s;
    apply_ok(s, ds().ew(0xC2).sba(2, 10).text("HELLO").ic().record());
    EXPECT_EQ(s.cursor(), 2u * 80 + 15);
    apply_ok(s, ds().ew(0xC2).text("X").record());
    EXPECT_EQ(trimmed_row(s, 0), "X");
    EXPECT_EQ(trimmed_row(s, 2), "");
    EXPECT_EQ(s.cursor(), 0u);
}

TEST(ScreenWrite, DataWrapsAtTheEndOfTheBuffer) {
    screen s;
    apply_ok(s, ds().ew(0xC2).sba(23, 78).text("ABCD").record());
    EXPECT_EQ(trimmed_row(s, 23), std::string(78, ' ') + "AB");
    EXPECT_EQ(trimmed_row(s, 0), "CD");
}

TEST(ScreenWrite, StartFieldAndItsAttributes) {
    screen s;
    apply_ok(s, ds().ew(0xC2)
                    .sf(fa::protect | fa::display_intensified)
                    .text("TITLE")
                    .sf(fa::numeric)
                    .sba(0, 20)
                    .sf(fa::display_none | fa::mdt)
                    .sba(0, 30)
                    .sf(fa::protect | fa::numeric)
                    .record());
    const auto fs = s.fields();
    ASSERT_EQ(fs.size(), 4u);
    EXPECT_EQ(fs[0].attribute_address, 0u);
    EXPECT_EQ(fs[0].start, 1u);
    EXPECT_EQ(fs[0].length, 5u);
    EXPECT_TRUE(fs[0].is_protected());
    EXPECT_TRUE(fs[0].attribute.is_intensified());
    EXPECT_EQ(fs[1].attribute_address, 6u);
    EXPECT_TRUE(fs[1].is_numeric());
    EXPECT_FALSE(fs[1].is_protected());
    EXPECT_EQ(fs[1].length, 13u);
    EXPECT_TRUE(fs[2].is_non_display());
    EXPECT_TRUE(fs[2].is_modified());
    EXPECT_TRUE(fs[3].attribute.is_autoskip());
    EXPECT_EQ(fs[3].length, 1920u - 31) << "the last field wraps to the first attribute";
    EXPECT_TRUE(s.at(0).is_attribute);
    EXPECT_EQ(row_text(s, 0).substr(0, 7), " TITLE ") << "attributes show as blanks";
}

TEST(ScreenWrite, AttributeByteTopBitsDoNotMatter) {
    screen s;
    apply_ok(s, "f5 c2 1d 60 1d 20 1d e8"_hex);
    const auto fs = s.fields();
    ASSERT_EQ(fs.size(), 3u);
    EXPECT_EQ(fs[0].attribute, fs[1].attribute);
    EXPECT_EQ(fs[2].attribute.bits, 0x28);
}

TEST(ScreenWrite, StartFieldExtendedKeepsExtendedAttributes) {
    screen s;
    // PROTOCOLS.md: 29 02 C0 F8 42 F2 = attribute F8 and colour red.
    apply_ok(s, "f5 c2 29 02 c0 f8 42 f2 c1 29 03 41 f4 45 f1 c1 01 29 01 77 00"_hex);
    const auto fs = s.fields();
    ASSERT_EQ(fs.size(), 3u);
    EXPECT_EQ(fs[0].attribute.bits, 0x38);
    EXPECT_EQ(fs[0].extended.foreground, 0xF2);
    EXPECT_EQ(fs[1].attribute.bits, 0x00) << "SFE without C0: unprotected";
    EXPECT_EQ(fs[1].extended.highlighting, 0xF4);
    EXPECT_EQ(fs[1].extended.background, 0xF1);
    EXPECT_EQ(fs[1].extended.validation, 0x01);
    EXPECT_TRUE(fs[2].extended.empty()) << "unknown types are ignored";
}

TEST(ScreenWrite, SetAttributeAppliesToFollowingCharacters) {
    screen s;
    apply_ok(s, ds().ew(0xC2)
                    .text("A")
                    .sa(xa::foreground, 0xF2)
                    .sa(xa::highlighting, 0xF1)
                    .text("B")
                    .sf(0)
                    .text("C")
                    .sa(xa::all, 0)
                    .text("D")
                    .sa(xa::validation, 0x01)  // a field-only type: ignored by SA
                    .text("E")
                    .record());
    EXPECT_TRUE(s.at(0).extended.empty());
    EXPECT_EQ(s.at(1).extended.foreground, 0xF2);
    EXPECT_EQ(s.at(1).extended.highlighting, 0xF1);
    EXPECT_TRUE(s.at(2).extended.empty()) << "the field attribute takes no SA";
    EXPECT_EQ(s.at(3).extended.foreground, 0xF2) << "SA lasts across fields within a write";
    EXPECT_TRUE(s.at(4).extended.empty());
    EXPECT_TRUE(s.at(5).extended.empty());
    apply_ok(s, ds().w(0xC2).sba(10).text("F").record());
    EXPECT_TRUE(s.at(10).extended.empty()) << "each write starts with default attributes";
}

TEST(ScreenWrite, ModifyFieldChangesAnAttributeInPlace) {
    screen s;
    apply_ok(s, ds().ew(0xC2).sba(5).sf(fa::protect).text("X").record());
    apply_ok(s, ds().w(0xC2)
                    .sba(5)
                    .mf({{xa::field, encode_6bit(fa::mdt)}, {xa::foreground, 0xF4}})
                    .text("Y")
                    .record());
    EXPECT_TRUE(s.at(5).is_attribute);
    EXPECT_EQ(s.at(5).attribute.bits, fa::mdt);
    EXPECT_EQ(s.at(5).extended.foreground, 0xF4);
    EXPECT_EQ(s.at(6).ch, 0xE8) << "MF moved past the attribute";
    // Not at an attribute: skipped, the address stays.
    apply_ok(s, ds().w(0xC2).sba(20).mf({{xa::field, 0x60}}).text("Z").record());
    EXPECT_FALSE(s.at(20).is_attribute);
    EXPECT_EQ(s.at(20).ch, 0xE9);
}

TEST(ScreenWrite, DataOverAnAttributeRemovesTheField) {
    screen s;
    apply_ok(s, ds().ew(0xC2).sba(5).sf(fa::protect).record());
    EXPECT_TRUE(s.formatted());
    apply_ok(s, ds().w(0xC2).sba(5).text("A").record());
    EXPECT_FALSE(s.formatted());
    EXPECT_EQ(s.at(5).ch, 0xC1);
}

TEST(ScreenWrite, InsertCursorTakesTheLastOne) {
    screen s;
    apply_ok(s, ds().ew(0xC2).sba(100).ic().sba(200).ic().record());
    EXPECT_EQ(s.cursor(), 200u);
}

TEST(ScreenWrite, RepeatToAddress) {
    screen s;
    apply_ok(s, ds().ew(0xC2).sba(1, 0).ra(1, 10, 0x60).text("X").record());
    EXPECT_EQ(trimmed_row(s, 1), "----------X");
    // Wrapping past the end, and a stop address equal to the start fills the whole buffer.
    apply_ok(s, ds().ew(0xC2).sba(23, 78).ra(0, 2, 0x5C).record());
    EXPECT_EQ(trimmed_row(s, 23), std::string(78, ' ') + "**");
    EXPECT_EQ(trimmed_row(s, 0), "**");
    apply_ok(s, ds().ew(0xC2).sba(7).ra(0, 7, 0x4B).record());
    std::string dots;
    for (int r = 0; r < 24; ++r) dots += std::string(80, '.') + "\n";
    EXPECT_EQ(screen_text(s), dots);
    // RA with GE: the alternate character set.
    apply_ok(s, ds().ew(0xC2).raw({0x3C, 0x40, 0xC3, 0x08, 0xC5}).record());
    for (std::size_t a = 0; a < 3; ++a) {
        EXPECT_TRUE(s.at(a).graphic_escape);
        EXPECT_EQ(s.at(a).ch, 0xC5);
    }
    // RA over attributes removes them.
    apply_ok(s, ds().ew(0xC2).sba(3).sf(fa::protect).sba(0).ra(0, 10, 0x40).record());
    EXPECT_FALSE(s.formatted());
}

TEST(ScreenWrite, EraseUnprotectedToAddress) {
    screen s;
    apply_ok(s, ds().ew(0xC2)
                    .sf(fa::protect)
                    .text("PROT")
                    .sf(0)
                    .text("INPUT")
                    .sf(fa::protect)
                    .text("MORE")
                    .sf(0)
                    .text("TAIL")
                    .record());
    apply_ok(s, ds().w(0xC2).sba(2).eua(0, 18).record());
    EXPECT_EQ(row_text(s, 0).substr(0, 21), " PROT       MORE  AIL")
        << "only the unprotected positions before the stop address";
}

TEST(ScreenWrite, EraseUnprotectedToAddressOnAnUnformattedScreen) {
    screen s;
    apply_ok(s, ds().ew(0xC2).text("ABCDEFGH").record());
    apply_ok(s, ds().w(0xC2).sba(2).eua(0, 5).record());
    EXPECT_EQ(trimmed_row(s, 0), "AB   FGH");
}

TEST(ScreenWrite, GraphicEscape) {
    screen s;
    apply_ok(s, ds().ew(0xC2).ge(0xAD).text("A").record());
    EXPECT_TRUE(s.at(0).graphic_escape);
    EXPECT_EQ(s.at(0).ch, 0xAD);
    EXPECT_FALSE(s.at(1).graphic_escape);
    EXPECT_EQ(trimmed_row(s, 0), "?A");
}

TEST(ScreenWrite, ProgramTab) {
    screen s;
    // Fields: protected at 0, unprotected at 10 (data 11..19), protected at 20,
    // unprotected at 30 (data 31..).
    apply_ok(s, ds().ew(0xC2)
                    .sf(fa::protect)
                    .sba(10)
                    .sf(0)
                    .text("OLDDATA")
                    .sba(20)
                    .sf(fa::protect)
                    .sba(30)
                    .sf(0)
                    .text("OLDER")
                    .record());
    // PT right after an order: no nulling, to the next unprotected field's first position.
    apply_ok(s, ds().w(0xC2).sba(0).pt().text("AB").record());
    EXPECT_EQ(row_text(s, 0).substr(11, 7), "ABDDATA");
    // PT after data nulls the rest of the current field, then moves on.
    apply_ok(s, ds().w(0xC2).sba(11).text("X").pt().text("Y").record());
    EXPECT_EQ(row_text(s, 0).substr(11, 9), "X        ");
    EXPECT_EQ(row_text(s, 0).substr(31, 5), "YLDER");
    // PT at an unprotected field's attribute: one position on.
    apply_ok(s, ds().w(0xC2).sba(30).pt().text("Z").record());
    EXPECT_EQ(row_text(s, 0).substr(31, 5), "ZLDER");
    // No unprotected field after the address: to address 0 (no wrap).
    apply_ok(s, ds().w(0xC2).sba(40).pt().text("Q").record());
    EXPECT_EQ(s.at(0).is_attribute, false) << "Q was written at address 0";
    EXPECT_EQ(s.at(0).ch, 0xD8);
}

TEST(ScreenWrite, UnknownControlBytesAreSkipped) {
    screen s;
    apply_ok(s, "f5 c2 c1 07 c2 1f c3"_hex);
    EXPECT_EQ(trimmed_row(s, 0), "ABC");
}

TEST(ScreenWrite, FormatControlsTakeAPosition) {
    screen s;
    apply_ok(s, "f5 c2 c1 00 c2 1c 1e 0c c3"_hex);
    EXPECT_EQ(trimmed_row(s, 0), "A B*; C") << "NUL and FF blank, DUP '*', FM ';'";
}

TEST(ScreenWrite, EraseAllUnprotected) {
    screen s;
    apply_ok(s, ds().ew(0xC2)
                    .sf(fa::protect)
                    .text("LABEL")
                    .sf(fa::mdt)
                    .text("INPUT")
                    .sf(fa::protect | fa::mdt)
                    .text("KEEP")
                    .sf(fa::numeric)
                    .text("123")
                    .sba(0)
                    .record());
    std::error_code ec;
    s.press(aid::enter, ec);
    EXPECT_TRUE(s.keyboard_locked());
    apply_ok(s, "6f"_hex);
    EXPECT_EQ(row_text(s, 0).substr(0, 22), " LABEL       KEEP     ");
    const auto fs = s.fields();
    EXPECT_FALSE(fs[1].is_modified());
    EXPECT_TRUE(fs[2].is_modified()) << "protected fields keep their MDT";
    EXPECT_EQ(s.cursor(), 7u) << "the first unprotected field";
    EXPECT_FALSE(s.keyboard_locked());
    EXPECT_EQ(s.current_aid(), aid::none);
}

TEST(ScreenWrite, EraseAllUnprotectedOnAnUnformattedScreenClearsIt) {
    screen s;
    apply_ok(s, ds().ew(0xC2).text("ABC").sba(50).ic().record());
    apply_ok(s, "0f"_hex);  // CCW code
    EXPECT_EQ(trimmed_row(s, 0), "");
    EXPECT_EQ(s.cursor(), 0u);
}

TEST(ScreenWrite, NoOpChangesNothing) {
    screen s;
    apply_ok(s, ds().ew(0xC2).text("ABC").record());
    const screen before = s;
    apply_ok(s, "03"_hex);
    EXPECT_TRUE(s.same_display(before));
}

TEST(ScreenWrite, MalformedRecordsChangeNothing) {
    screen s(model(4));
    apply_ok(s, tso_logon("READY"));
    const screen before = s;
    const bytes bad[] = {
        {},                                                              // empty
        "c1 c2"_hex,                                                     // unknown command
        "f1"_hex,                                                        // no WCC
        ds().w(0xC3).text("PARTIAL").raw({0x11, 0x40}).record(),         // truncated SBA
        ds().w(0xC3).text("PARTIAL").sba(24, 0).record(),                // SBA past 24x80
        ds().w(0xC3).text("PARTIAL").ra(30, 0, 0x40).record(),           // RA past the end
        ds().w(0xC3).text("PARTIAL").eua(30, 0).record(),                // EUA past the end
        ds().ew(0xC3).text("PARTIAL").raw({0x11, 0x7F, 0x7F}).record(),  // 4095 > 1919
        "f3 00 05 01 00 02"_hex,  // unsupported structured field
        "f3 00 03"_hex,           // malformed structured field
        ds().raw({0xF3, 0x00, 0x09, 0x40, 0x00, 0xF1, 0xC3, 0x11, 0x7F, 0x7F}).record(),
    };
    for (const bytes& b : bad) {
        std::error_code ec;
        EXPECT_TRUE(s.apply(b, ec).empty());
        EXPECT_TRUE(ec) << to_hex(b);
        EXPECT_TRUE(s.same_display(before)) << to_hex(b);
        EXPECT_EQ(s.keyboard_locked(), before.keyboard_locked());
        EXPECT_EQ(s.fields(), before.fields());
    }
    EXPECT_EQ(apply_error(s, ds().w(0xC3).sba(24, 0).record()), errc::invalid_address);
}

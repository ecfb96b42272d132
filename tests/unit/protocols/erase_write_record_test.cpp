// The screen written out as one Erase/Write record (DESIGN step 6: the gateway hands a signed-on
// screen to the user this way): applied to a fresh screen it must reproduce the screen exactly.
#include <ssogate/protocols/tn3270/outbound_record.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>
#include <ssogate/protocols/tn3270/screen_text.hpp>

#include "data_stream_builder.hpp"
#include "hex.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

// Applies s.erase_write_record() to a fresh screen of the same configuration and checks that
// both show the same thing and answer the host the same way.
void expect_reproduced(const screen& s) {
    const bytes rec = s.erase_write_record();
    screen copy(s.config());
    std::error_code ec;
    EXPECT_TRUE(copy.apply(rec, ec).empty());
    ASSERT_FALSE(ec) << ec.message() << ": " << to_hex(rec);
    EXPECT_TRUE(copy.same_display(s)) << to_hex(rec) << "\n"
                                      << screen_text(s) << "\n"
                                      << screen_text(copy);
    EXPECT_EQ(copy.fields(), s.fields());
    EXPECT_EQ(copy.read_modified(aid::enter), s.read_modified(aid::enter));
    EXPECT_EQ(copy.read_buffer(aid::none), s.read_buffer(aid::none));
    if (!s.keyboard_locked()) {
        EXPECT_FALSE(copy.keyboard_locked());
    }
    // Written out again, the copy gives the same record (but for the WCC: a lock is not
    // carried).
    const bytes again = copy.erase_write_record();
    ASSERT_EQ(again.size(), rec.size());
    EXPECT_TRUE(std::equal(again.begin() + 2, again.end(), rec.begin() + 2));
    if (!s.keyboard_locked()) {
        EXPECT_EQ(again, rec);
    }
}

}  // namespace

TEST(EraseWriteRecord, EmptyScreen) {
    screen s;
    std::error_code ec;
    s.apply(ds().ew(0xC2).record(), ec);
    EXPECT_EQ(to_hex(s.erase_write_record()), "f5 c2 11 40 40 13");
    expect_reproduced(s);
}

TEST(EraseWriteRecord, SmallScreenBytes) {
    screen s;
    std::error_code ec;
    s.apply(ds().ew(0xC3)
                .sba(1, 0)
                .sf(fa::protect)
                .text("USER")
                .sf(fa::mdt)
                .text("AB")
                .sf(fa::protect)
                .sba(1, 6)
                .ic()
                .record(),
            ec);
    ASSERT_FALSE(ec);
    // EW, WCC restore, SBA (1,0), SF 60 "USER", SF C1 (MDT kept) "AB", SF 60, SBA (1,6) IC.
    EXPECT_EQ(to_hex(s.erase_write_record()),
              "f5 c2 11 c1 50 1d 60 e4 e2 c5 d9 1d c1 c1 c2 1d 60 11 c1 d6 13");
    expect_reproduced(s);
}

TEST(EraseWriteRecord, SignedOnLogonScreenWithTypedFields) {
    screen s;
    std::error_code ec;
    s.apply(tso_logon("IKJ56700A ENTER USERID -"), ec);
    s.fill(*s.field_at(4 * 80 + 16), "IBMUSER", ec);
    s.fill(*s.field_at(5 * 80 + 16), "SECRET", ec);
    ASSERT_FALSE(ec);
    expect_reproduced(s);
}

TEST(EraseWriteRecord, LockedKeyboardIsNotRestored) {
    screen s;
    std::error_code ec;
    s.apply(tso_logon(), ec);
    s.press(aid::enter, ec);
    ASSERT_TRUE(s.keyboard_locked());
    const bytes rec = s.erase_write_record();
    EXPECT_EQ(to_hex(std::span(rec).first(2)), "f5 40");
    expect_reproduced(s);
}

TEST(EraseWriteRecord, AlternateSizeExtendedAttributesAndGraphicEscape) {
    screen_config c;
    c.model = 5;
    c.color = true;
    screen s(c);
    std::error_code ec;
    s.apply(ds(132, 3564)
                .ewa(0xC3)
                .sfe({{xa::field, encode_6bit(fa::protect)},
                      {xa::foreground, 0xF2},
                      {xa::highlighting, 0xF4},
                      {xa::validation, 0x02},
                      {xa::outlining, 0x0F}})
                .text("RED")
                .sa(xa::foreground, 0xF5)
                .sa(xa::background, 0xF1)
                .text("TURQ")
                .sa(xa::charset, 0xF1)
                .ge(0xC5)
                .sa(xa::transparency, 0xF0)
                .raw({0x00, 0x00})  // nulls with attributes
                .sa(xa::all, 0)
                .sf(fa::mdt)
                .text("X")
                .sba(26, 100)
                .ra(26, 131, 0x6D)  // a run to the next-to-last position
                .ra(0, 0, 0x4B)     // and one to the very end
                .sba(10, 0)
                .raw({0x3C, 0xCA, 0xC8, 0x08, 0x7E})  // RA with GE
                .sba(12, 0)
                .raw({0x3C, 0xCC, 0x4A, 0x11})  // RA of a control byte (not writable as data)
                .sba(20, 5)
                .ic()
                .record(),
            ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(s.is_alternate());
    const bytes rec = s.erase_write_record();
    EXPECT_EQ(static_cast<std::uint8_t>(rec[0]), 0x7E) << "EWA for an alternate-size screen";
    expect_reproduced(s);
}

TEST(EraseWriteRecord, LongRunsBecomeRepeatToAddress) {
    screen s;
    std::error_code ec;
    s.apply(ds().ew(0xC2).sba(2, 0).text(std::string(80, '-')).text("ABCC").text("DDDD").record(),
            ec);
    const bytes rec = s.erase_write_record();
    EXPECT_LT(rec.size(), 40u);
    std::error_code pec;
    const auto parsed = outbound_record::parse(rec, pec);
    ASSERT_TRUE(parsed);
    int ras = 0;
    for (const auto& o : parsed->orders) ras += o.what == write_order::kind::ra;
    EXPECT_EQ(ras, 2) << "80 dashes and DDDD; CC stays text";
    expect_reproduced(s);
    // A screen full of one character is one RA ending where it starts.
    s.apply(ds().ew(0xC2).ra(0, 0, 0xC1).record(), ec);
    EXPECT_EQ(to_hex(s.erase_write_record()), "f5 c2 3c 40 40 c1 11 40 40 13");
    expect_reproduced(s);
}

TEST(EraseWriteRecord, FieldsWrappingTheBufferEnd) {
    screen s;
    std::error_code ec;
    s.apply(ds().ew(0xC2)
                .sba(23, 75)
                .sf(fa::numeric)
                .text("123456789")
                .sba(0, 10)
                .sf(fa::protect)
                .record(),
            ec);
    ASSERT_FALSE(ec);
    expect_reproduced(s);
}

TEST(EraseWriteRecord, RandomScreensRoundTrip) {
    // Random but valid writes, several per screen, in every model: a cheap stand-in for the
    // fuzz target's rewrite check that runs with every unit test.
    std::mt19937 rng(20261126);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    for (int round = 0; round < 300; ++round) {
        screen_config c;
        c.model = 2 + static_cast<int>(pick(4));
        c.color = pick(2) == 0;
        screen s(c);
        std::error_code ec;
        for (int w = 0; w < 4; ++w) {
            const bool alt = pick(2) == 0;
            const screen_size sz =
                w == 0 ? (alt ? c.alternate_size() : default_screen_size) : s.size();
            ds d(sz.columns, sz.buffer_size());
            if (w == 0)
                alt ? d.ewa(static_cast<std::uint8_t>(0xC0 | pick(4)))
                    : d.ew(static_cast<std::uint8_t>(0xC0 | pick(4)));
            else
                d.w(static_cast<std::uint8_t>(0xC0 | pick(4)));
            for (int o = 0; o < 30; ++o) {
                switch (pick(12)) {
                    case 0:
                        d.sba(pick(sz.buffer_size()));
                        break;
                    case 1:
                        d.sf(static_cast<std::uint8_t>(pick(64)));
                        break;
                    case 2:
                        d.sfe({{xa::field, encode_6bit(static_cast<std::uint8_t>(pick(64)))},
                               {xa::foreground, static_cast<std::uint8_t>(0xF0 + pick(16))}});
                        break;
                    case 3:
                        d.sa(xa::highlighting, static_cast<std::uint8_t>(0xF0 + pick(9)));
                        break;
                    case 4:
                        d.sa(xa::all, 0);
                        break;
                    case 5:
                        d.ra(0, pick(sz.buffer_size()),
                             static_cast<std::uint8_t>(0x40 + pick(0xBF)));
                        break;
                    case 6:
                        d.ge(static_cast<std::uint8_t>(0x40 + pick(0xC0)));
                        break;
                    case 7:
                        d.pt();
                        break;
                    case 8:
                        d.mf({{xa::background, static_cast<std::uint8_t>(0xF0 + pick(16))}});
                        break;
                    case 9:
                        d.eua(0, pick(sz.buffer_size()));
                        break;
                    case 10:
                        d.ic();
                        break;
                    default:
                        d.text(std::string(1 + pick(20), static_cast<char>('A' + pick(26))));
                        break;
                }
            }
            s.apply(d.record(), ec);
            ASSERT_FALSE(ec) << ec.message() << " round " << round;
            if (!s.keyboard_locked() && pick(2) == 0) {
                s.type("7", ec);  // wherever the cursor is; refusals are fine
                s.tab();
            }
        }
        expect_reproduced(s);
        if (HasFailure()) {
            ADD_FAILURE() << "round " << round;
            return;
        }
    }
}

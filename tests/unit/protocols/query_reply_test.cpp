// Read Partition Query / Query List and the other structured fields a host writes (WSF).
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/query_reply.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>
#include <ssogate/protocols/tn3270/screen_text.hpp>

#include "hex.hpp"

#include <gtest/gtest.h>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

screen_config config(int model, bool color, bool extended = true) {
    screen_config c;
    c.model = model;
    c.color = color;
    c.extended = extended;
    return c;
}

// x3270's model 4 reply (PROTOCOLS.md section 4), the replies this terminal shares with it.
const char* const summary = "00 0b 81 80 80 81 85 86 87 88 a6";
const char* const usable_area_m4 =
    "00 17 81 81 01 00 00 50 00 2b 01 00 0a 02 e5 00 02 00 6f 09 0c 0d 70";
const char* const charsets_cp037 =
    "00 1b 81 85 82 00 09 0c 00 00 00 00 07 00 10 00 02 b9 00 25 01 00 f1 03 c3 01 36";
const char* const color_3279 =
    "00 26 81 86 00 10 00 f4 f1 f1 f2 f2 f3 f3 f4 f4 f5 f5 f6 f6 f7 f7 f8 f8 f9 f9 fa fa fb fb"
    " fc fc fd fd fe fe ff ff";
const char* const highlighting = "00 0f 81 87 05 00 f0 f1 f1 f2 f2 f4 f4 f8 f8";
const char* const reply_modes = "00 07 81 88 00 01 02";
const char* const implicit_m4 = "00 11 81 a6 00 00 0b 01 00 00 50 00 18 00 50 00 2b";

std::string joined(std::initializer_list<const char*> parts) {
    std::string s = "88";
    for (const char* p : parts) s += std::string(" ") + p;
    return to_hex(parse_hex(s));
}

}  // namespace

TEST(QueryReply, Model4ColourMatchesTheX3270Reply) {
    EXPECT_EQ(to_hex(query_reply(config(4, true))),
              joined({summary, usable_area_m4, charsets_cp037, color_3279, highlighting,
                      reply_modes, implicit_m4}));
}

TEST(QueryReply, ScreenAnswersReadPartitionQuery) {
    screen s(config(4, true));
    std::error_code ec;
    // PROTOCOLS.md: the host sends F3 | 00 05 01 FF 02.
    const bytes reply = s.apply("f3 00 05 01 ff 02"_hex, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(reply, query_reply(config(4, true)));
    EXPECT_TRUE(s.keyboard_locked()) << "a query does not end the wait for the first write";
}

TEST(QueryReply, SizesFollowTheModel) {
    const auto q2 = to_hex(query_reply(config(2, false)));
    EXPECT_NE(q2.find("81 81 01 00 00 50 00 18 01 00 0a 02 e5 00 02 00 6f 09 0c 07 80"),
              std::string::npos)
        << q2;
    EXPECT_NE(q2.find("81 a6 00 00 0b 01 00 00 50 00 18 00 50 00 18"), std::string::npos);
    const auto q5 = to_hex(query_reply(config(5, true)));
    EXPECT_NE(q5.find("81 81 01 00 00 84 00 1b"), std::string::npos) << "132x27";
    EXPECT_NE(q5.find("0d ec"), std::string::npos) << "3564 positions";
    EXPECT_NE(q5.find("81 a6 00 00 0b 01 00 00 50 00 18 00 84 00 1b"), std::string::npos);
    screen_config dyn = config(2, true);
    dyn.alternate = screen_size{62, 160};
    EXPECT_NE(to_hex(query_reply(dyn)).find("81 81 01 00 00 a0 00 3e"), std::string::npos);
}

TEST(QueryReply, MonochromeMapsColoursToTheDefault) {
    const auto q = to_hex(query_reply(config(2, false)));
    EXPECT_NE(q.find("00 26 81 86 00 10 00 f4 f1 00 f2 00"), std::string::npos) << q;
}

TEST(QueryReply, CodePageInCharacterSets) {
    screen_config c = config(2, true);
    c.code_page = codepage::id::cp1047;
    EXPECT_NE(to_hex(query_reply(c)).find("00 02 b9 04 17"), std::string::npos);
    c.code_page = codepage::id::cp273;
    EXPECT_NE(to_hex(query_reply(c)).find("00 02 b9 01 11"), std::string::npos);
}

TEST(QueryReply, NonExtendedTerminalsAnswerTheBasics) {
    EXPECT_EQ(to_hex(query_reply(config(4, false, false))),
              joined({"00 07 81 80 80 81 a6", usable_area_m4, implicit_m4}));
}

TEST(QueryReply, QueryList) {
    screen s(config(4, true));
    std::error_code ec;
    // List: only those asked for, in the terminal's order.
    EXPECT_EQ(to_hex(s.apply("f3 00 08 01 ff 03 00 a6 81"_hex, ec)),
              joined({usable_area_m4, implicit_m4}));
    // List of nothing supported (DDM, RPQ names): the Null reply.
    EXPECT_EQ(to_hex(s.apply("f3 00 08 01 ff 03 00 95 a1"_hex, ec)), "88 00 04 81 ff");
    EXPECT_EQ(to_hex(s.apply("f3 00 06 01 ff 03 00"_hex, ec)), "88 00 04 81 ff");
    // Equivalent and All: everything.
    EXPECT_EQ(s.apply("f3 00 06 01 ff 03 80"_hex, ec), query_reply(config(4, true)));
    EXPECT_EQ(s.apply("f3 00 07 01 ff 03 40 81"_hex, ec), query_reply(config(4, true)));
    EXPECT_FALSE(ec);
}

TEST(QueryReply, EraseResetSelectsTheSize) {
    screen s(config(3, true));
    std::error_code ec;
    s.apply("f3 00 04 03 80"_hex, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(s.size(), (screen_size{32, 80}));
    EXPECT_TRUE(s.is_alternate());
    s.apply("f3 00 04 03 00"_hex, ec);
    EXPECT_EQ(s.size(), default_screen_size);
}

TEST(QueryReply, OutboundDataStreamWritesThePartition) {
    screen s(config(3, true));
    std::error_code ec;
    s.apply("f3 00 04 03 80  00 0c 40 00 f5 c2 11 40 40 c1 c2 c3"_hex, ec);
    ASSERT_FALSE(ec);
    EXPECT_TRUE(s.is_alternate()) << "Erase/Write inside Outbound 3270DS keeps the size";
    EXPECT_EQ(row_text(s, 0).substr(0, 3), "ABC");
    EXPECT_FALSE(s.keyboard_locked());
    s.apply("f3 00 05 40 00 6f"_hex, ec);  // EAU
    EXPECT_FALSE(ec);
}

TEST(QueryReply, ReadPartitionReadsUseTheReadPartitionAid) {
    screen s;
    std::error_code ec;
    s.apply("f5 c2 1d c1 c1 c2"_hex, ec);
    EXPECT_EQ(to_hex(s.apply("f3 00 05 01 00 f6"_hex, ec)), "61 40 40 11 40 c1 c1 c2");
    EXPECT_EQ(to_hex(s.apply("f3 00 05 01 00 6e"_hex, ec)), "61 40 40 11 40 c1 c1 c2");
    EXPECT_EQ(s.apply("f3 00 05 01 00 f2"_hex, ec).size(), 3u + 2 + 1919);
    EXPECT_FALSE(ec);
}

TEST(QueryReply, SupportedCodes) {
    EXPECT_EQ(supported_qcodes(config(2, false, false)),
              (std::vector<std::uint8_t>{0x80, 0x81, 0xA6}));
    EXPECT_EQ(supported_qcodes(config(2, true)).size(), 7u);
}

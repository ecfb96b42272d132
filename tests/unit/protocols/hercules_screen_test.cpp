// The real Hercules 3.13 logo record (tests/data/hercules_s3270_tn3270.hex) applied to a screen.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>
#include <ssogate/protocols/tn3270/screen_text.hpp>

#include "hex.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace ssogate::protocols::tn3270;
namespace protocols = ssogate::protocols;
using namespace ssogate::test;

namespace {

const std::string data_dir = SSOGATE_TEST_DATA_DIR;

// The host's bytes after "@negotiated" in a trace file, IAC EOR removed, IAC IAC undoubled.
bytes first_record(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("missing " + file);
    std::string line, hex;
    bool after = false;
    while (std::getline(in, line)) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        if (line.rfind("@negotiated", 0) == 0) after = true;
        if (after && line.rfind("< ", 0) == 0) hex += line.substr(2) + " ";
    }
    bytes wire = parse_hex(hex);
    if (wire.size() < 2) throw std::runtime_error("no record in " + file);
    wire.resize(wire.size() - 2);
    bytes data;
    for (std::size_t i = 0; i < wire.size(); ++i) {
        data.push_back(wire[i]);
        if (wire[i] == std::byte{0xFF}) ++i;
    }
    return data;
}

screen hercules_logo() {
    screen_config c;
    c.model = 2;
    c.color = true;
    screen s(c);
    std::error_code ec;
    EXPECT_TRUE(s.apply(first_record(data_dir + "/hercules_s3270_tn3270.hex"), ec).empty());
    EXPECT_FALSE(ec) << ec.message();
    return s;
}

}  // namespace

TEST(HerculesScreen, LogoTextAtKnownPositions) {
    const screen s = hercules_logo();
    EXPECT_EQ(s.size(), default_screen_size) << "EW: 24x80";
    EXPECT_EQ(row_text(s, 0).substr(0, 26), " Hercules Version  : 3.13 ");
    EXPECT_EQ(find_text(s, "Hercules Version  :"), 1u);
    EXPECT_EQ(row_text(s, 6).substr(0, 25), " Device number     : 00C0");
    EXPECT_EQ(find_text(s, "00C0"), 6u * 80 + 21);
    EXPECT_EQ(find_text(s, "My PC thinks it's a MAINFRAME"), 19u * 80 + 33);
    EXPECT_EQ(find_text(s, "Copyright (C) 1999-2010 Roger Bowler, Jan Jaeger, and others"),
              21u * 80 + 12);
    EXPECT_EQ(row_text(s, 12).substr(12, 52),
              "HHH          HHH  EEEE RRR   CCC U  U L    EEEE  SSS");
    EXPECT_TRUE(contains(s, "The S/370, ESA/390 and z/Architecture"));
}

TEST(HerculesScreen, LogoFields) {
    const screen s = hercules_logo();
    EXPECT_TRUE(s.formatted());
    EXPECT_FALSE(s.keyboard_locked()) << "WCC 42: keyboard restore";
    EXPECT_FALSE(s.alarm());
    EXPECT_EQ(s.cursor(), 0u) << "no IC";
    // Labels are protected, values protected and intensified (SF 60 / SF E8).
    const auto label = field_at(s, 0, 5);
    ASSERT_TRUE(label);
    EXPECT_EQ(label->attribute_address, 0u);
    EXPECT_TRUE(label->is_protected());
    EXPECT_FALSE(label->attribute.is_intensified());
    const auto version = field_at(s, 0, 21);
    ASSERT_TRUE(version);
    EXPECT_EQ(version->attribute_address, 20u);
    EXPECT_TRUE(version->is_protected());
    EXPECT_TRUE(version->attribute.is_intensified());
    EXPECT_EQ(field_text(s, *version).substr(0, 5), "3.13 ");
    for (const field& f : s.fields()) EXPECT_TRUE(f.is_protected()) << f.attribute_address;
    EXPECT_FALSE(field_after_label(s, "Device number").has_value()) << "no input field";
    for (std::size_t r = 0; r < 24; ++r) EXPECT_FALSE(message_id_at(s, r).has_value()) << r;
}

TEST(HerculesScreen, LogoAnswersAndRewrites) {
    screen s = hercules_logo();
    EXPECT_EQ(to_hex(s.read_modified(aid::enter)), "7d 40 40");
    std::error_code ec;
    s.type("X", ec);
    EXPECT_EQ(ec, protocols::errc::protected_field);
    screen copy;
    copy.apply(s.erase_write_record(), ec);
    ASSERT_FALSE(ec);
    EXPECT_TRUE(copy.same_display(s));
    EXPECT_EQ(screen_text(copy), screen_text(s));
}

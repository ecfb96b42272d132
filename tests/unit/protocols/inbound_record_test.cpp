// The inbound 3270 data stream as a host reads it, and every way it can be malformed.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/inbound_record.hpp>

#include "hex.hpp"

#include <gtest/gtest.h>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

inbound_record parse_ok(const bytes& b, std::size_t size = 1920) {
    std::error_code ec;
    auto r = inbound_record::parse(b, size, ec);
    EXPECT_FALSE(ec) << ec.message() << " for " << to_hex(b);
    return r.value_or(inbound_record{});
}

std::error_code parse_error(const bytes& b, std::size_t size = 1920) {
    std::error_code ec;
    EXPECT_FALSE(inbound_record::parse(b, size, ec).has_value()) << to_hex(b);
    return ec;
}

}  // namespace

TEST(InboundRecord, RealReadModified) {
    // PROTOCOLS.md section 4 (x3270 against the ibmlink test target), header and IAC EOR cut:
    // ENTER, cursor (20,17), HELLO___ in the first field, underscores in the next, two empty.
    const auto r = parse_ok(
        "7d d9 d1 11 d9 4c c8 c5 d3 d3 d6 6d 6d 6d 11 d9 5f 6d 6d 6d 6d 6d 6d 6d 6d"
        " 11 5c f6 11 5d f6"_hex);
    EXPECT_EQ(r.key, aid::enter);
    EXPECT_EQ(r.cursor, 20u * 80 + 17);
    ASSERT_EQ(r.fields.size(), 4u);
    EXPECT_EQ(r.fields[0].address, 1612u);
    EXPECT_EQ(r.fields[0].data.size(), 8u);
    EXPECT_EQ(r.fields[1].data.size(), 8u);
    EXPECT_TRUE(r.fields[2].data.empty());
    EXPECT_EQ(r.fields[2].address, 23u * 80 + 6);
    EXPECT_EQ(r.fields[3].address, 23u * 80 + 70);
}

TEST(InboundRecord, ShortReadsAndStructuredFields) {
    EXPECT_EQ(parse_ok("6c"_hex).key, aid::pa1);
    EXPECT_FALSE(parse_ok("6d"_hex).cursor.has_value());
    const auto q = parse_ok("88 00 04 81 ff"_hex);
    EXPECT_EQ(q.key, aid::structured_field);
    EXPECT_EQ(q.structured, (std::vector<std::uint8_t>{0x00, 0x04, 0x81, 0xFF}));
}

TEST(InboundRecord, UnformattedDataGeAndSa) {
    const auto r = parse_ok("7d 40 45 c1 08 ad 28 42 f2 c2"_hex);
    EXPECT_EQ(r.cursor, 5u);
    EXPECT_TRUE(r.fields.empty());
    EXPECT_EQ(r.unformatted, (std::vector<std::uint8_t>{0xC1, 0xAD, 0xC2}));
}

TEST(InboundRecord, Errors) {
    EXPECT_EQ(parse_error({}), errc::empty_record);
    EXPECT_EQ(parse_error("01 6c 61 02"_hex), errc::unknown_aid);  // test request (SYSREQ)
    EXPECT_EQ(parse_error("7d"_hex), errc::truncated_order);
    EXPECT_EQ(parse_error("7d 40"_hex), errc::truncated_order);
    EXPECT_EQ(parse_error("7d 40 40 11 40"_hex), errc::truncated_order);
    EXPECT_EQ(parse_error("7d 40 40 28 42"_hex), errc::truncated_order);
    EXPECT_EQ(parse_error("7d 40 40 08"_hex), errc::truncated_order);
    EXPECT_EQ(parse_error("7d 7f 7f"_hex), errc::invalid_address);
    EXPECT_EQ(parse_error("7d 40 40 11 7f 7f"_hex), errc::invalid_address);
    EXPECT_EQ(parse_error("7d 5d 7f"_hex, 1919), errc::invalid_address);
    EXPECT_EQ(parse_ok("7d 7f 7f"_hex, 4096).cursor, 4095u);
}

// The outbound 3270 data stream parser: commands, orders, structured fields, and every way a
// record can be malformed (an error code, never a crash, never a read past the record).
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/outbound_record.hpp>

#include "hex.hpp"

#include <gtest/gtest.h>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;
using kind = write_order::kind;

namespace {

outbound_record parse_ok(const bytes& b) {
    std::error_code ec;
    auto r = outbound_record::parse(b, ec);
    EXPECT_FALSE(ec) << ec.message() << " for " << to_hex(b);
    return r.value_or(outbound_record{});
}

std::error_code parse_error(const bytes& b) {
    std::error_code ec;
    const auto r = outbound_record::parse(b, ec);
    EXPECT_FALSE(r.has_value()) << to_hex(b);
    return ec;
}

}  // namespace

TEST(OutboundRecord, AcceptsSnaAndCcwCommandCodes) {
    const std::pair<std::uint8_t, command_code> codes[] = {
        {0xF1, command_code::write},
        {0x01, command_code::write},
        {0xF5, command_code::erase_write},
        {0x05, command_code::erase_write},
        {0x7E, command_code::erase_write_alternate},
        {0x0D, command_code::erase_write_alternate},
        {0xF2, command_code::read_buffer},
        {0x02, command_code::read_buffer},
        {0xF6, command_code::read_modified},
        {0x06, command_code::read_modified},
        {0x6E, command_code::read_modified_all},
        {0x0E, command_code::read_modified_all},
        {0x6F, command_code::erase_all_unprotected},
        {0x0F, command_code::erase_all_unprotected},
        {0x03, command_code::nop},
    };
    for (auto [b, cmd] : codes) {
        bytes rec{std::byte{b}, std::byte{0xC3}};
        EXPECT_EQ(parse_ok(rec).command, cmd) << int(b);
    }
    EXPECT_EQ(parse_ok("f3"_hex).command, command_code::write_structured_field);
    EXPECT_EQ(parse_ok("11"_hex).command, command_code::write_structured_field);
}

TEST(OutboundRecord, ParsesEveryOrder) {
    // EW WCC | SBA(1,0) SF(prot) "AB" SFE(C0=F8, 42=F2) SA(41=F1) MF(C0=C1) IC PT
    // RA(to 100, 'X') RA(to 110, GE 'C5') EUA(200) GE 'AD' 0C (format control) 07 (unknown)
    const bytes rec =
        "f5 c3 11 c1 50 1d 60 c1 c2 29 02 c0 f8 42 f2 28 41 f1 2c 01 c0 c1 13 05"
        " 3c c1 e4 e7 3c c1 6e 08 c5 12 c3 48 08 ad 0c 07 c1"_hex;
    const outbound_record r = parse_ok(rec);
    EXPECT_EQ(r.command, command_code::erase_write);
    EXPECT_EQ(r.wcc, 0xC3);
    std::vector<kind> kinds;
    for (const auto& o : r.orders) kinds.push_back(o.what);
    EXPECT_EQ(kinds, (std::vector<kind>{kind::sba, kind::sf, kind::text, kind::sfe, kind::sa,
                                        kind::mf, kind::ic, kind::pt, kind::ra, kind::ra, kind::eua,
                                        kind::ge, kind::text, kind::unknown, kind::text}));
    EXPECT_EQ(r.orders[0].address, 80u);
    EXPECT_EQ(r.orders[1].value, 0x60);
    EXPECT_EQ(r.orders[2].text, (std::vector<std::uint8_t>{0xC1, 0xC2}));
    EXPECT_EQ(r.orders[3].pairs, (std::vector<attribute_pair>{{0xC0, 0xF8}, {0x42, 0xF2}}));
    EXPECT_EQ(r.orders[4].pairs, (std::vector<attribute_pair>{{0x41, 0xF1}}));
    EXPECT_EQ(r.orders[5].pairs, (std::vector<attribute_pair>{{0xC0, 0xC1}}));
    EXPECT_EQ(r.orders[8].address, 100u);
    EXPECT_EQ(r.orders[8].value, 0xE7);
    EXPECT_FALSE(r.orders[8].graphic_escape);
    EXPECT_EQ(r.orders[9].address, 110u);
    EXPECT_EQ(r.orders[9].value, 0xC5);
    EXPECT_TRUE(r.orders[9].graphic_escape);
    EXPECT_EQ(r.orders[10].address, 200u);
    EXPECT_EQ(r.orders[11].value, 0xAD);
    EXPECT_EQ(r.orders[12].text, (std::vector<std::uint8_t>{0x0C}));
    EXPECT_EQ(r.orders[13].value, 0x07);
    EXPECT_EQ(r.orders[14].text, (std::vector<std::uint8_t>{0xC1}));
}

TEST(OutboundRecord, FormatControlsAreCharacters) {
    const outbound_record r = parse_ok("f1 c2 00 0c 0d 0e 0f 15 19 1c 1e 25 3f ff c1"_hex);
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].text.size(), 13u);
}

TEST(OutboundRecord, FourteenBitAddresses) {
    const outbound_record r = parse_ok("f1 c2 11 13 5f 3c 00 05 c1 12 3f ff"_hex);
    EXPECT_EQ(r.orders[0].address, 4959u);
    EXPECT_EQ(r.orders[1].address, 5u);
    EXPECT_EQ(r.orders[2].address, 16383u);
}

TEST(OutboundRecord, ReadsAndEauIgnoreTrailingBytes) {
    EXPECT_EQ(parse_ok("f6 11 22"_hex).command, command_code::read_modified);
    EXPECT_TRUE(parse_ok("6f c3"_hex).orders.empty());
}

TEST(OutboundRecord, StructuredFields) {
    // Read Partition Query (PROTOCOLS.md: F3 | 00 05 01 FF 02), Set Reply Mode character with
    // two types, Erase/Reset alternate, and a last field with length 0 ("to the end").
    const outbound_record r = parse_ok(
        "f3 00 05 01 ff 02  00 07 09 00 02 41 42  00 04 03 80  00 00 01 ff 03 00 81 86"_hex);
    ASSERT_EQ(r.structured_fields.size(), 4u);
    EXPECT_EQ(r.structured_fields[0].id, 0x01);
    EXPECT_EQ(r.structured_fields[0].data, (std::vector<std::uint8_t>{0xFF, 0x02}));
    EXPECT_EQ(r.structured_fields[1].id, 0x09);
    EXPECT_EQ(r.structured_fields[1].data, (std::vector<std::uint8_t>{0x00, 0x02, 0x41, 0x42}));
    EXPECT_EQ(r.structured_fields[2].data, (std::vector<std::uint8_t>{0x80}));
    EXPECT_EQ(r.structured_fields[3].data,
              (std::vector<std::uint8_t>{0xFF, 0x03, 0x00, 0x81, 0x86}));
}

TEST(OutboundRecord, OutboundDataStreamCarriesAWrite) {
    const outbound_record r = parse_ok("f3 00 0c 40 00 f1 c2 11 40 40 c1 c2 c3"_hex);
    ASSERT_EQ(r.structured_fields.size(), 1u);
    ASSERT_EQ(r.structured_fields[0].nested.size(), 1u);
    const outbound_record& w = r.structured_fields[0].nested[0];
    EXPECT_EQ(w.command, command_code::write);
    EXPECT_EQ(w.wcc, 0xC2);
    ASSERT_EQ(w.orders.size(), 2u);
    EXPECT_EQ(w.orders[1].text, (std::vector<std::uint8_t>{0xC1, 0xC2, 0xC3}));
}

TEST(OutboundRecord, EmptyAndUnknownCommands) {
    EXPECT_EQ(parse_error({}), errc::empty_record);
    EXPECT_EQ(parse_error("c1"_hex), errc::unknown_command);
    EXPECT_EQ(parse_error("00"_hex), errc::unknown_command);
    EXPECT_EQ(parse_error("ff"_hex), errc::unknown_command);
}

TEST(OutboundRecord, TruncatedOrders) {
    const char* cases[] = {
        "f1",                    // W without WCC
        "f5",                    // EW without WCC
        "7e",                    // EWA without WCC
        "f1 c2 1d",              // SF without attribute
        "f1 c2 11",              // SBA without address
        "f1 c2 11 40",           // SBA with half an address
        "f1 c2 12 40",           // EUA with half an address
        "f1 c2 3c 40 40",        // RA without character
        "f1 c2 3c 40 40 08",     // RA with GE and no character
        "f1 c2 28 41",           // SA without value
        "f1 c2 28",              // SA without type
        "f1 c2 29",              // SFE without count
        "f1 c2 29 02 c0 60 42",  // SFE with one and a half pairs
        "f1 c2 2c 01 c0",        // MF with half a pair
        "f1 c2 08",              // GE without character
        "f1 c2 c1 c2 11 5d",     // after text
    };
    for (const char* c : cases) EXPECT_EQ(parse_error(parse_hex(c)), errc::truncated_order) << c;
}

TEST(OutboundRecord, MalformedStructuredFields) {
    const char* cases[] = {
        "f3 00",                 // a single length byte
        "f3 00 02 01",           // length below 3
        "f3 00 01",              // length below 3
        "f3 00 09 01 ff 02",     // length past the record
        "f3 00 05 01 ff 02 00",  // a trailing single byte
        "f3 00 04 01 ff",        // Read Partition without a type
        "f3 00 05 01 ff 03",     // Query List without a request type
        "f3 00 03 03",           // Erase/Reset without flags
        "f3 00 05 03 00 00",     // Erase/Reset too long
        "f3 00 04 09 00",        // Set Reply Mode without a mode
        "f3 00 04 40 00",        // Outbound 3270DS without a command
    };
    for (const char* c : cases)
        EXPECT_EQ(parse_error(parse_hex(c)), errc::malformed_structured_field) << c;
}

TEST(OutboundRecord, UnsupportedStructuredFields) {
    const char* cases[] = {
        "f3 00 05 01 00 02",           // Query for partition 0 (must be FF)
        "f3 00 06 01 ff 03 07",        // Query List with an unknown request type
        "f3 00 05 01 01 f6",           // Read Modified of partition 1
        "f3 00 05 01 00 99",           // unknown Read Partition type
        "f3 00 04 03 40",              // Erase/Reset with unknown flags
        "f3 00 05 09 01 00",           // Set Reply Mode for partition 1
        "f3 00 05 09 00 03",           // unknown reply mode
        "f3 00 05 40 01 f5",           // Outbound 3270DS for partition 1
        "f3 00 05 40 00 f6",           // Outbound 3270DS carrying a read
        "f3 00 05 40 00 f3",           // ... or a WSF
        "f3 00 05 0c 00 00",           // Create Partition
        "f3 00 05 d0 00 00",           // IND$FILE
        "f3 00 05 01 ff 02 00 03 77",  // an unknown field after a good one
    };
    for (const char* c : cases)
        EXPECT_EQ(parse_error(parse_hex(c)), errc::unsupported_structured_field) << c;
    // Errors inside the nested write are the write's own.
    EXPECT_EQ(parse_error("f3 00 07 40 00 f1 c2 11"_hex), errc::truncated_order);
    EXPECT_EQ(parse_error("f3 00 05 40 00 c1"_hex), errc::unknown_command);
}

TEST(OutboundRecord, EveryPrefixOfAGoodRecordParsesOrFailsCleanly) {
    const bytes rec =
        "f5 c3 11 c1 50 1d 60 c1 c2 29 02 c0 f8 42 f2 28 41 f1 2c 01 c0 c1 13 05"
        " 3c c1 e4 e7 3c c1 6e 08 c5 12 c3 48 08 ad 0c 07 c1"_hex;
    for (std::size_t n = 0; n <= rec.size(); ++n) {
        std::error_code ec;
        const auto r = outbound_record::parse(std::span(rec).first(n), ec);
        EXPECT_EQ(r.has_value(), !ec) << n;
    }
}

// 12- and 14-bit buffer addresses (PROTOCOLS.md section 4 vectors) and screen sizes per model.
#include <ssogate/protocols/tn3270/buffer_address.hpp>
#include <ssogate/protocols/tn3270/screen_config.hpp>
#include <ssogate/protocols/tn3270/screen_size.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace ssogate::protocols::tn3270;

namespace {

std::string hex2(std::array<std::uint8_t, 2> b) {
    char s[8];
    std::snprintf(s, sizeof s, "%02x %02x", b[0], b[1]);
    return s;
}

}  // namespace

TEST(BufferAddress, EncodesTheDocumentedVectors) {
    struct vector {
        std::size_t row, col, cols, buffer;
        std::size_t address;
        const char* bytes;
    };
    const vector vectors[] = {
        {0, 0, 80, 1920, 0, "40 40"},        {0, 1, 80, 1920, 1, "40 c1"},
        {1, 0, 80, 1920, 80, "c1 50"},       {20, 12, 80, 1920, 1612, "d9 4c"},
        {23, 79, 80, 1920, 1919, "5d 7f"},   {42, 79, 80, 3440, 3439, "f5 6f"},
        {26, 131, 132, 3564, 3563, "f7 6b"},
    };
    for (const auto& v : vectors) {
        const std::size_t a = v.row * v.cols + v.col;
        EXPECT_EQ(a, v.address);
        EXPECT_EQ(hex2(encode_address(a, v.buffer)), v.bytes) << a;
        const auto b = encode_address(a, v.buffer);
        EXPECT_EQ(decode_address(b[0], b[1]), a);
    }
}

TEST(BufferAddress, FourteenBitAbove4096Positions) {
    // 62x80 = 4960 positions: 14-bit, top two bits of the first byte 00.
    EXPECT_EQ(hex2(encode_address(4959, 4960)), "13 5f");
    EXPECT_EQ(decode_address(0x13, 0x5F), 4959u);
    EXPECT_EQ(decode_address(0x00, 0x00), 0u);
    EXPECT_EQ(decode_address(0x3F, 0xFF), 16383u);
    // 4096 positions exactly still use 12-bit.
    EXPECT_EQ(hex2(encode_address(4095, 4096)), "7f 7f");
}

TEST(BufferAddress, TwelveBitDecodingIgnoresTheTopBits) {
    // Any first byte with a top bit set is 12-bit; only the low six bits of each byte count.
    EXPECT_EQ(decode_address(0xC1, 0x50), 80u);
    EXPECT_EQ(decode_address(0x41, 0x10), 80u);
    EXPECT_EQ(decode_address(0x81, 0xD0), 80u);
}

TEST(BufferAddress, EveryAddressOfEveryModelRoundTrips) {
    for (int model = 2; model <= 5; ++model) {
        const std::size_t n = model_screen_size(model)->buffer_size();
        for (std::size_t a = 0; a < n; ++a) {
            const auto b = encode_address(a, n);
            ASSERT_EQ(decode_address(b[0], b[1]), a);
            ASSERT_NE(b[0] & 0xC0, 0) << "12-bit addresses are printable EBCDIC";
        }
    }
    for (std::size_t a = 0; a < max_14bit_buffer; ++a) {
        const auto b = encode_address(a, max_14bit_buffer);
        ASSERT_EQ(decode_address(b[0], b[1]), a);
    }
}

TEST(BufferAddress, CodeTableEncodesSixBitValues) {
    EXPECT_EQ(encode_6bit(0x00), 0x40);
    EXPECT_EQ(encode_6bit(0x02), 0xC2);  // WCC keyboard restore
    EXPECT_EQ(encode_6bit(0x03), 0xC3);  // restore + reset MDT
    EXPECT_EQ(encode_6bit(0x20), 0x60);  // protected
    EXPECT_EQ(encode_6bit(0x0C), 0x4C);  // non-display
    EXPECT_EQ(encode_6bit(0x38), 0xF8);  // protected, numeric, intensified
    EXPECT_EQ(encode_6bit(0xC1), 0xC1);  // only the low six bits count
}

TEST(ScreenSize, Models) {
    EXPECT_EQ(model_screen_size(2), (screen_size{24, 80}));
    EXPECT_EQ(model_screen_size(3), (screen_size{32, 80}));
    EXPECT_EQ(model_screen_size(4), (screen_size{43, 80}));
    EXPECT_EQ(model_screen_size(5), (screen_size{27, 132}));
    EXPECT_EQ(model_screen_size(1), std::nullopt);
    EXPECT_EQ(model_screen_size(6), std::nullopt);
    EXPECT_EQ(model_screen_size(2)->buffer_size(), 1920u);
    EXPECT_EQ(model_screen_size(3)->buffer_size(), 2560u);
    EXPECT_EQ(model_screen_size(4)->buffer_size(), 3440u);
    EXPECT_EQ(model_screen_size(5)->buffer_size(), 3564u);
    EXPECT_EQ(default_screen_size, (screen_size{24, 80}));
}

TEST(ScreenSize, ConfigFromTerminalType) {
    auto c = screen_config::for_terminal(*parse_terminal_type("IBM-3279-5-E"));
    EXPECT_EQ(c.model, 5);
    EXPECT_TRUE(c.color);
    EXPECT_TRUE(c.extended);
    EXPECT_EQ(c.alternate_size(), (screen_size{27, 132}));
    c = screen_config::for_terminal(*parse_terminal_type("IBM-3278-4"), codepage::id::cp273);
    EXPECT_EQ(c.model, 4);
    EXPECT_FALSE(c.color);
    EXPECT_FALSE(c.extended);
    EXPECT_EQ(c.code_page, codepage::id::cp273);
    EXPECT_EQ(c.alternate_size(), (screen_size{43, 80}));
    c = screen_config::for_terminal(*parse_terminal_type("IBM-DYNAMIC"));
    EXPECT_EQ(c.alternate_size(), (screen_size{24, 80}));
    c.alternate = screen_size{62, 160};
    EXPECT_EQ(c.alternate_size(), (screen_size{62, 160}));
}

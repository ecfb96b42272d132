#pragma once
// 3270 buffer addresses (GA23-0059 "Buffer Addressing"; x3270 ctlr.c): the 2-byte operand of
// SBA, RA and EUA, and the cursor address in inbound records. Address = row * columns + column,
// 0-origin.
// - 12-bit: each byte carries 6 bits, sent through the code table (so the bytes are printable
//   EBCDIC). Used by every screen of at most 4096 positions (all of models 2..5).
// - 14-bit: the high byte's top two bits are 00, the low 14 bits are the address. Used above 4096.
// Decoding looks only at the top two bits of the first byte: 00 is 14-bit, anything else 12-bit
// (the other bits outside the 6-bit groups are ignored, as real terminals do).
#include <array>
#include <cstddef>
#include <cstdint>

namespace ssogate::protocols::tn3270 {

/// 6-bit values to the EBCDIC bytes that carry them in 12-bit addresses, WCCs and field
/// attributes (GA23-0059 figure "Buffer address and attribute code table").
inline constexpr std::array<std::uint8_t, 64> code_table = {
    0x40, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
    0x50, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
    0x60, 0x61, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
    0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
};

/// Largest buffer that 12-bit addresses reach; larger screens use 14-bit.
inline constexpr std::size_t max_12bit_buffer = 4096;
/// Largest buffer that 14-bit addresses reach (no 3270 screen is larger here).
inline constexpr std::size_t max_14bit_buffer = 16384;

/// The 2 address bytes for `address` on a screen of `buffer_size` positions: 12-bit up to
/// 4096 positions, 14-bit above. `address` must be below both (our own bug otherwise).
[[nodiscard]] std::array<std::uint8_t, 2> encode_address(std::size_t address,
                                                         std::size_t buffer_size) noexcept;

/// The address two bytes carry (12- or 14-bit, see above); not checked against any screen.
[[nodiscard]] constexpr std::size_t decode_address(std::uint8_t b1, std::uint8_t b2) noexcept {
    if ((b1 & 0xC0) == 0) return (static_cast<std::size_t>(b1 & 0x3F) << 8) | b2;
    return (static_cast<std::size_t>(b1 & 0x3F) << 6) | (b2 & 0x3Fu);
}

/// A 6-bit value (WCC, field attribute) as sent: code_table[v & 0x3F].
[[nodiscard]] constexpr std::uint8_t encode_6bit(std::uint8_t v) noexcept {
    return code_table[v & 0x3Fu];
}

}  // namespace ssogate::protocols::tn3270

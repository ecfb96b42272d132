#pragma once
// 3270 data stream codes (IBM GA23-0059 "3270 Data Stream Programmer's Reference"; the values as
// x3270's 3270ds.h and real traces show them, see ../shared/PROTOCOLS.md section 4).
#include <cstdint>
#include <optional>

namespace ssogate::protocols::tn3270 {

/// Outbound commands (host -> terminal), the first byte of a record. Hosts on TN3270 send the
/// SNA codes; the local (CCW) codes are accepted as well and mean the same.
enum class command_code : std::uint8_t {
    write = 0xF1,                   // W   (CCW 01)
    erase_write = 0xF5,             // EW  (CCW 05): clear, default size (24x80)
    erase_write_alternate = 0x7E,   // EWA (CCW 0D): clear, alternate (model) size
    read_buffer = 0xF2,             // RB  (CCW 02)
    read_modified = 0xF6,           // RM  (CCW 06)
    read_modified_all = 0x6E,       // RMA (CCW 0E)
    erase_all_unprotected = 0x6F,   // EAU (CCW 0F)
    write_structured_field = 0xF3,  // WSF (CCW 11)
    nop = 0x03,                     // no-op (local code only; x3270 accepts it)
};

/// The command a first byte names, SNA or CCW code; nothing for any other byte.
// clang-format off
[[nodiscard]] constexpr std::optional<command_code> command_from_byte(std::uint8_t b) noexcept {
    switch (b) {
        case 0xF1: case 0x01: return command_code::write;
        case 0xF5: case 0x05: return command_code::erase_write;
        case 0x7E: case 0x0D: return command_code::erase_write_alternate;
        case 0xF2: case 0x02: return command_code::read_buffer;
        case 0xF6: case 0x06: return command_code::read_modified;
        case 0x6E: case 0x0E: return command_code::read_modified_all;
        case 0x6F: case 0x0F: return command_code::erase_all_unprotected;
        case 0xF3: case 0x11: return command_code::write_structured_field;
        case 0x03: return command_code::nop;
        default: return std::nullopt;
    }
}
// clang-format on

/// Orders inside W / EW / EWA data.
enum class order : std::uint8_t {
    pt = 0x05,   // Program Tab
    ge = 0x08,   // Graphic Escape: next byte from the alternate (APL) character set
    sba = 0x11,  // Set Buffer Address, 2-byte address
    eua = 0x12,  // Erase Unprotected to Address, 2-byte address
    ic = 0x13,   // Insert Cursor
    sf = 0x1D,   // Start Field, 1 attribute byte
    sa = 0x28,   // Set Attribute, type + value
    sfe = 0x29,  // Start Field Extended, count + count x (type, value)
    mf = 0x2C,   // Modify Field, count + count x (type, value)
    ra = 0x3C,   // Repeat to Address, 2-byte address + character (or GE + character)
};

/// Format control characters: bytes below 40 that are not orders but occupy a position like
/// data (NUL, FF, CR, SO, SI, NL, EM, DUP, FM, LF, SUB; EO is FF).
// clang-format off
[[nodiscard]] constexpr bool is_format_control(std::uint8_t b) noexcept {
    switch (b) {
        case 0x00: case 0x0C: case 0x0D: case 0x0E: case 0x0F: case 0x15: case 0x19:
        case 0x1C: case 0x1E: case 0x25: case 0x3F: case 0xFF:
            return true;
        default:
            return false;
    }
}
// clang-format on

inline constexpr std::uint8_t ebcdic_null = 0x00;
inline constexpr std::uint8_t ebcdic_space = 0x40;
inline constexpr std::uint8_t ebcdic_dup = 0x1C;
inline constexpr std::uint8_t ebcdic_fm = 0x1E;
inline constexpr std::uint8_t ebcdic_sub = 0x3F;

/// Write Control Character bits, tested on the byte as sent (code-table encoded).
namespace wcc {
inline constexpr std::uint8_t reset = 0x40;  // reset partition state (EW/EWA)
inline constexpr std::uint8_t start_printer = 0x08;
inline constexpr std::uint8_t sound_alarm = 0x04;
inline constexpr std::uint8_t keyboard_restore = 0x02;  // unlock the keyboard, reset the AID
inline constexpr std::uint8_t reset_mdt = 0x01;         // clear every field's MDT first
}  // namespace wcc

/// Field attribute bits (the low six bits of the byte; sent code-table encoded).
namespace fa {
inline constexpr std::uint8_t protect = 0x20;
inline constexpr std::uint8_t numeric = 0x10;  // with protect: autoskip
inline constexpr std::uint8_t display_mask = 0x0C;
inline constexpr std::uint8_t display_normal = 0x00;
inline constexpr std::uint8_t display_pen = 0x04;          // normal, selector-pen detectable
inline constexpr std::uint8_t display_intensified = 0x08;  // intensified, pen detectable
inline constexpr std::uint8_t display_none = 0x0C;         // non-display (passwords)
inline constexpr std::uint8_t reserved = 0x02;
inline constexpr std::uint8_t mdt = 0x01;  // modified data tag
inline constexpr std::uint8_t mask = 0x3F;
}  // namespace fa

/// Extended attribute types (SFE, SA, MF; Set Reply Mode character-mode lists).
namespace xa {
inline constexpr std::uint8_t all = 0x00;           // SA: reset every character attribute
inline constexpr std::uint8_t field = 0xC0;         // the 3270 field attribute itself
inline constexpr std::uint8_t highlighting = 0x41;  // 00 default, F0 normal, F1 blink, F2 reverse,
                                                    // F4 underscore, F8 intensify
inline constexpr std::uint8_t foreground = 0x42;    // 00 default, F0..FF colours
inline constexpr std::uint8_t charset = 0x43;       // 00 default, F1 APL/alternate, ...
inline constexpr std::uint8_t background = 0x45;
inline constexpr std::uint8_t transparency = 0x46;
inline constexpr std::uint8_t validation = 0xC1;  // 04 mandatory fill, 02 mandatory entry,
                                                  // 01 trigger (field only)
inline constexpr std::uint8_t outlining = 0xC2;   // field only
}  // namespace xa

/// Attention identifiers: the first byte of an inbound record (terminal -> host).
// clang-format off
enum class aid : std::uint8_t {
    none = 0x60,  // no AID yet (answers to host reads before any key)
    enter = 0x7D,
    clear = 0x6D,
    pa1 = 0x6C,
    pa2 = 0x6E,
    pa3 = 0x6B,
    pf1 = 0xF1, pf2 = 0xF2, pf3 = 0xF3, pf4 = 0xF4, pf5 = 0xF5, pf6 = 0xF6,
    pf7 = 0xF7, pf8 = 0xF8, pf9 = 0xF9, pf10 = 0x7A, pf11 = 0x7B, pf12 = 0x7C,
    pf13 = 0xC1, pf14 = 0xC2, pf15 = 0xC3, pf16 = 0xC4, pf17 = 0xC5, pf18 = 0xC6,
    pf19 = 0xC7, pf20 = 0xC8, pf21 = 0xC9, pf22 = 0x4A, pf23 = 0x4B, pf24 = 0x4C,
    sysreq = 0xF0,
    select = 0x7E,             // selector pen
    read_partition = 0x61,     // answers to WSF Read Partition RB/RM/RMA
    structured_field = 0x88,   // Query Reply and other inbound structured fields
};
// clang-format on

/// PF1..PF24; nothing for any other n.
[[nodiscard]] std::optional<aid> pf_key(int n) noexcept;
/// PA1..PA3; nothing for any other n.
[[nodiscard]] std::optional<aid> pa_key(int n) noexcept;
/// The AID a byte names; nothing for any other byte.
[[nodiscard]] std::optional<aid> aid_from_byte(std::uint8_t b) noexcept;
/// PA1-3 and CLEAR send only the AID byte on Read Modified (a "short read").
[[nodiscard]] constexpr bool is_short_read(aid a) noexcept {
    return a == aid::pa1 || a == aid::pa2 || a == aid::pa3 || a == aid::clear;
}

/// Structured field ids (WSF, outbound) and Read Partition types.
namespace sfid {
inline constexpr std::uint8_t read_partition = 0x01;
inline constexpr std::uint8_t erase_reset = 0x03;
inline constexpr std::uint8_t set_reply_mode = 0x09;
inline constexpr std::uint8_t create_partition = 0x0C;
inline constexpr std::uint8_t outbound_3270ds = 0x40;
inline constexpr std::uint8_t transfer_data = 0xD0;  // IND$FILE
inline constexpr std::uint8_t query_reply = 0x81;    // inbound
}  // namespace sfid

namespace read_partition {
inline constexpr std::uint8_t query = 0x02;
inline constexpr std::uint8_t query_list = 0x03;
inline constexpr std::uint8_t list = 0x00;  // Query List request types
inline constexpr std::uint8_t equivalent = 0x40;
inline constexpr std::uint8_t all = 0x80;
}  // namespace read_partition

/// Set Reply Mode modes.
enum class reply_mode : std::uint8_t { field = 0x00, extended_field = 0x01, character = 0x02 };

/// Query Reply codes (the byte after 81 in each reply).
namespace qcode {
inline constexpr std::uint8_t summary = 0x80;
inline constexpr std::uint8_t usable_area = 0x81;
inline constexpr std::uint8_t alphanumeric_partitions = 0x84;
inline constexpr std::uint8_t character_sets = 0x85;
inline constexpr std::uint8_t color = 0x86;
inline constexpr std::uint8_t highlighting = 0x87;
inline constexpr std::uint8_t reply_modes = 0x88;
inline constexpr std::uint8_t implicit_partition = 0xA6;
inline constexpr std::uint8_t null = 0xFF;
}  // namespace qcode

}  // namespace ssogate::protocols::tn3270

#pragma once
// The outbound 3270 data stream (host -> terminal, GA23-0059 chapters 3-5), parsed: one record
// (the bytes before IAC EOR, IAC IAC undoubled, without a TN3270E header) into its command, WCC,
// orders and structured fields. Syntax only: buffer addresses are decoded but not checked
// against a screen (screen::apply does that, since the size depends on the command).
//
// Errors (never an exception, never a read past the record):
// - errc::empty_record: no command byte.
// - errc::unknown_command: the first byte is no command (SNA or CCW code).
// - errc::truncated_order: W/EW/EWA without a WCC, or an order whose operands run past the end.
// - errc::malformed_structured_field: a WSF field length below 3 or past the record, or a known
//   field too short for its contents (Read Partition, Erase/Reset, Set Reply Mode, Outbound
//   3270DS).
// - errc::unsupported_structured_field: a field id, partition, query type or mode this terminal
//   does not handle (only the implicit partition exists here; IND$FILE is not supported).
// Bytes below 40 that are neither orders nor format controls are kept as `unknown` orders, which
// a screen skips (as x3270 does) rather than rejecting the record.
#include <ssogate/protocols/tn3270/constants.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

namespace ssogate::protocols::tn3270 {

struct attribute_pair {
    std::uint8_t type = 0;
    std::uint8_t value = 0;
    friend bool operator==(const attribute_pair&, const attribute_pair&) = default;
};

/// One order, or a run of characters, in W / EW / EWA data.
struct write_order {
    enum class kind : std::uint8_t {
        text,  // characters and format controls, each taking one position
        sf,
        sfe,
        sba,
        sa,
        mf,
        ic,
        pt,
        ra,
        eua,
        ge,
        unknown,  // a byte below 40 that is no order (value): skipped
    };
    kind what = kind::text;
    std::size_t address = 0;            // sba, ra, eua: decoded (12- or 14-bit)
    std::uint8_t value = 0;             // sf: attribute byte as sent; ra, ge: the character
    bool graphic_escape = false;        // ra: the character came after GE
    std::vector<attribute_pair> pairs;  // sfe, mf: all pairs in order; sa: one pair
    std::vector<std::uint8_t> text;     // text: the bytes

    friend bool operator==(const write_order&, const write_order&) = default;
};

struct outbound_record;

/// One structured field of a WSF. Only the ones parse() accepts appear (see the top).
struct structured_field {
    std::uint8_t id = 0;             // sfid::read_partition, erase_reset, set_reply_mode,
                                     // outbound_3270ds
    std::vector<std::uint8_t> data;  // the bytes after the id
    /// outbound_3270ds: the write it carries (W, EW, EWA or EAU), parsed; empty otherwise.
    std::vector<outbound_record> nested;
};

struct outbound_record {
    command_code command = command_code::nop;
    std::uint8_t wcc = 0;                             // W, EW, EWA: as sent
    std::vector<write_order> orders;                  // W, EW, EWA
    std::vector<structured_field> structured_fields;  // WSF

    /// Parses one record; nothing (and `ec` set, see the top) when it is malformed.
    [[nodiscard]] static std::optional<outbound_record> parse(std::span<const std::byte> record,
                                                              std::error_code& ec);
};

}  // namespace ssogate::protocols::tn3270

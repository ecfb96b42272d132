#pragma once
// The inbound 3270 data stream (terminal -> host, GA23-0059 chapter 3.5), parsed: what a host
// (the gateway's own logon screen, the sample host) reads from a terminal's record after an
// attention key or a read command.
//
//   AID                                      short read (PA1-3, Clear)
//   AID cursor(2) { SBA addr(2) data... }    Read Modified, formatted screen
//   AID cursor(2) data...                    Read Modified, unformatted screen
//   88 structured fields...                  Query Reply and other inbound structured fields
//
// Data keeps EBCDIC bytes: GE is dropped before its character, SA orders (character reply mode)
// are skipped. Errors (never an exception, never a read past the record): errc::empty_record,
// unknown_aid, truncated_order (an address, SBA, SA or GE cut short), invalid_address (beyond
// `buffer_size`).
//
// SECRETS: the data of a password field arrives here in clear. Never log an inbound record.
#include <ssogate/protocols/tn3270/constants.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

namespace ssogate::protocols::tn3270 {

struct inbound_record {
    struct field_data {
        std::size_t address = 0;         // the SBA's address: the field's first data position
        std::vector<std::uint8_t> data;  // EBCDIC, nulls already left out by the terminal
        friend bool operator==(const field_data&, const field_data&) = default;
    };

    aid key = aid::none;
    std::optional<std::size_t> cursor;      // absent in short reads and structured fields
    std::vector<field_data> fields;         // formatted screens
    std::vector<std::uint8_t> unformatted;  // data before any SBA (unformatted screens)
    std::vector<std::uint8_t> structured;   // AID 88: the bytes after the AID

    /// The data sent for the field starting at `address`, if any.
    [[nodiscard]] const field_data* field_starting_at(std::size_t address) const noexcept {
        for (const field_data& f : fields)
            if (f.address == address) return &f;
        return nullptr;
    }

    /// Parses one record from a terminal whose screen has `buffer_size` positions.
    [[nodiscard]] static std::optional<inbound_record> parse(std::span<const std::byte> record,
                                                             std::size_t buffer_size,
                                                             std::error_code& ec);
};

}  // namespace ssogate::protocols::tn3270

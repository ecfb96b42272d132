#pragma once
// What a tn3270::session reports to its owner, one event at a time through next_event().
#include <ssogate/protocols/telnet/constants.hpp>

#include <cstddef>
#include <iosfwd>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace ssogate::protocols::tn3270 {

/// 3270 mode reached (RFC 1576: terminal type agreed, BINARY and EOR both ways). From now on
/// records flow. Host role: the type the terminal sent; terminal role: the type we sent.
struct negotiated {
    std::string terminal_type;  // e.g. "IBM-3279-2-E", uppercase, without the LU
    std::string lu_name;        // RFC 1646 "@LU" part; empty when none
    friend bool operator==(const negotiated&, const negotiated&) = default;
};

/// One inbound 3270 record: the bytes before IAC EOR, IAC IAC undoubled. May be empty.
/// An inbound record from a terminal can hold a typed password: never log its bytes.
struct record {
    std::vector<std::byte> data;
    friend bool operator==(const record&, const record&) = default;
};

/// Data that arrived outside 3270 mode (before negotiation or after it ended), IAC IAC
/// undoubled, NVT line rules not applied. Hosts sometimes send a banner here.
struct nvt_data {
    std::vector<std::byte> data;
    friend bool operator==(const nvt_data&, const nvt_data&) = default;
};

/// A telnet command from the peer that the owner may need to relay or answer: BRK (ATTN in
/// TN3270), IP, AO, AYT, EC, EL, DM. NOP, GA and stray SE are dropped; EOR ends records.
struct telnet_command {
    telnet::command cmd = telnet::command::nop;
    friend bool operator==(const telnet_command&, const telnet_command&) = default;
};

/// Negotiation cannot reach 3270 mode, or 3270 mode ended: errc::terminal_type_refused,
/// unsupported_terminal_type, binary_refused, eor_refused or left_3270_mode. Reported once per
/// failure; the session stays readable (the owner decides to close, e.g. after a message).
struct negotiation_failed {
    std::error_code reason;
    friend bool operator==(const negotiation_failed&, const negotiation_failed&) = default;
};

/// The peer broke a rule the session tolerates (errc::invalid_command,
/// unterminated_subnegotiation, malformed_subnegotiation, unexpected_subnegotiation); the
/// session dropped the offending bytes and goes on. Worth a log line.
struct protocol_violation {
    std::error_code reason;
    friend bool operator==(const protocol_violation&, const protocol_violation&) = default;
};

/// The peer closed its side (receive_eof). Always the last event.
struct peer_closed {
    friend bool operator==(const peer_closed&, const peer_closed&) = default;
};

using event = std::variant<negotiated, record, nvt_data, telnet_command, negotiation_failed,
                           protocol_violation, peer_closed>;

/// A one-line description safe for logs: record and NVT contents are shown by length only.
std::ostream& operator<<(std::ostream& os, const event& e);

}  // namespace ssogate::protocols::tn3270

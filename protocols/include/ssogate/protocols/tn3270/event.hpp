#pragma once
// What a tn3270::session reports to its owner, one event at a time through next_event().
#include <ssogate/protocols/telnet/constants.hpp>
#include <ssogate/protocols/tn3270/tn3270e.hpp>

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace ssogate::protocols::tn3270 {

/// 3270 mode reached. Plain TN3270 (RFC 1576: terminal type agreed, BINARY and EOR both ways):
/// host role: the type the terminal sent; terminal role: the type we sent. TN3270E (RFC 2355:
/// DEVICE-TYPE IS and FUNCTIONS agreed): the device type and LU of DEVICE-TYPE IS and the
/// functions both sides agreed to.
struct negotiated {
    negotiated() = default;
    negotiated(std::string type, std::string lu, bool e = false, function_set fs = {})
        : terminal_type(std::move(type)), lu_name(std::move(lu)), tn3270e(e), functions(fs) {}

    std::string terminal_type;  // e.g. "IBM-3279-2-E", uppercase, without the LU
    std::string lu_name;        // RFC 1646 "@LU" part, or TN3270E CONNECT name; empty when none
    bool tn3270e = false;       // true: records carry the 5-byte header
    function_set functions;     // TN3270E only
    friend bool operator==(const negotiated&, const negotiated&) = default;
};

/// One inbound record: the bytes before IAC EOR, IAC IAC undoubled, without the TN3270E header.
/// May be empty. An inbound record from a terminal can hold a typed password: never log it.
/// In TN3270E mode `header` says what the data is (3270-DATA, SCS-DATA, NVT-DATA, REQUEST,
/// SSCP-LU-DATA, PRINT-EOJ) and, from a host, whether it wants a response (RESPONSES function:
/// answer with session::send_response and header->sequence). RESPONSE, BIND-IMAGE and UNBIND
/// records arrive as their own events instead. Plain TN3270: no header, always 3270 data.
struct record {
    record() = default;
    explicit record(std::vector<std::byte> d, std::optional<tn3270e_header> h = {})
        : data(std::move(d)), header(h) {}

    std::vector<std::byte> data;
    std::optional<tn3270e_header> header;
    [[nodiscard]] data_type type() const noexcept {
        return header ? header->type : data_type::data_3270;
    }
    friend bool operator==(const record&, const record&) = default;
};

/// TN3270E RESPONSE record (RFC 2355 section 10.4, RESPONSES function): the peer's answer to
/// our record `sequence`. Positive: code 00 DEVICE-END; negative: a negative_code.
struct response_received {
    std::uint16_t sequence = 0;
    bool positive = true;
    std::uint8_t code = 0;
    friend bool operator==(const response_received&, const response_received&) = default;
};

/// TN3270E BIND-IMAGE record (BIND-IMAGE function): the host's BIND RU and the screen sizes it
/// names. The LU-LU session is bound from now on.
struct bind_received {
    std::vector<std::byte> ru;
    bind_screen screen;
    friend bool operator==(const bind_received&, const bind_received&) = default;
};

/// TN3270E UNBIND record: the LU-LU session ended. `reason`: the UNBIND type byte (RU byte 1),
/// 0 when the RU is shorter.
struct unbind_received {
    std::uint8_t reason = 0;
    friend bool operator==(const unbind_received&, const unbind_received&) = default;
};

/// SYSREQ (TN3270E SYSREQ function, RFC 2355 section 10.5): the terminal pressed SYSREQ, sent
/// as IAC AO. Host role only; without the function IAC AO stays a telnet_command.
struct sysreq_received {
    friend bool operator==(const sysreq_received&, const sysreq_received&) = default;
};

/// TN3270E DEVICE-TYPE REJECT (RFC 2355 section 7.1.3). Terminal role: the host refused our
/// device type or LU; the session dropped TN3270E (WONT TN3270E) and plain TN3270 may follow.
/// Host role: we refused the terminal's request with `reason` and fall back to plain TN3270.
struct device_type_rejected {
    reject_reason reason = reject_reason::unknown_error;
    friend bool operator==(const device_type_rejected&, const device_type_rejected&) = default;
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
                           protocol_violation, peer_closed, response_received, bind_received,
                           unbind_received, sysreq_received, device_type_rejected>;

/// A one-line description safe for logs: record and NVT contents are shown by length only.
std::ostream& operator<<(std::ostream& os, const event& e);

}  // namespace ssogate::protocols::tn3270

#pragma once
// Errors of the protocols library (telnet and TN3270 so far; TN5250, VT and HTTP will add theirs
// here). Bad input from a peer is one of these codes, never an exception, an assert or a crash.
//
// Fatal or not: `is_fatal(ec)` is true when the session that reported `ec` accepts no more input
// (`want_read()` turns false). Every other code is recoverable: the parser has resynchronised and
// the caller may go on, typically after logging it.
#include <system_error>

namespace ssogate::protocols {

enum class errc {
    ok = 0,
    // Telnet framing (telnet::tokenizer). Recoverable: the tokenizer resynchronises.
    invalid_command = 1,          // RFC 854: IAC followed by a byte that is no telnet command
    unterminated_subnegotiation,  // RFC 855: IAC x inside SB, x neither SE nor IAC: SB dropped
    // Limits. Fatal for a session (the tokenizer alone would skip to the next IAC SE).
    subnegotiation_too_long,  // an SB payload over the configured limit
    record_too_long,          // a record (bytes before IAC EOR) over the configured limit
    // Session lifetime. Fatal.
    truncated,       // the peer closed inside a command, subnegotiation or record
    session_closed,  // input after the peer closed or after a fatal error
    // Misuse by our side (recoverable: nothing was sent).
    not_in_3270_mode,  // send_record before 3270 mode was negotiated, or after it ended
    invalid_argument,  // e.g. send_command with IAC, SB or a negotiation verb
    // Peer behaviour a session tolerates (reported in protocol_violation events).
    malformed_subnegotiation,   // e.g. TERMINAL-TYPE SB with an unknown qualifier
    unexpected_subnegotiation,  // e.g. TERMINAL-TYPE SEND before WILL TERMINAL-TYPE was agreed
    // TN3270 negotiation outcomes (reported in negotiation_failed events).
    terminal_type_refused,      // the terminal answered DO TERMINAL-TYPE with WONT
    unsupported_terminal_type,  // the terminal named no IBM 3278/3279 type (RFC 1576)
    binary_refused,             // the peer refused BINARY in one direction (RFC 856)
    eor_refused,                // the peer refused END-OF-RECORD in one direction (RFC 885)
    left_3270_mode,             // BINARY, EOR or TERMINAL-TYPE was turned off after negotiation
};

const std::error_category& protocols_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), protocols_category()};
}

/// True when a session that reported `ec` is finished (see the top of this header).
[[nodiscard]] bool is_fatal(const std::error_code& ec) noexcept;

}  // namespace ssogate::protocols

template <>
struct std::is_error_code_enum<ssogate::protocols::errc> : std::true_type {};

#pragma once
// Errors of the protocols library (telnet, TN3270 negotiation and the 3270 data stream so far;
// TN5250, VT and HTTP will add theirs here). Bad input from a peer is one of these codes, never an
// exception, an assert or a crash.
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
    // 3270 data stream from a peer (tn3270::outbound_record, inbound_record, screen::apply).
    // Never fatal: the record is rejected whole and the screen is left as it was; a terminal
    // would answer with a negative response (TN3270E, a later stage) or ignore it.
    empty_record,                  // a record with no command byte (no AID, inbound)
    unknown_command,               // the first byte is no 3270 command (GA23-0059 3.1)
    truncated_order,               // a command, order or address cut short by the end of record
    invalid_address,               // a buffer address outside the screen (SBA, RA, EUA; inbound)
    malformed_structured_field,    // WSF: a length below 3 or past the record, a short field
    unsupported_structured_field,  // WSF: an SFID, partition or type this terminal lacks
    unknown_aid,                   // inbound: the first byte is no AID (GA23-0059 3.5)
    // Operator actions on a tn3270::screen, refused (our side; tn3270/screen.hpp says what a
    // partly typed text leaves).
    keyboard_locked,       // input while the keyboard is locked (after an AID, before a write)
    protected_field,       // input at a protected position or a field attribute
    numeric_field,         // a character other than 0-9 . - into a numeric field
    field_overflow,        // the text does not fit the field
    invalid_position,      // a row/column outside the screen
    unmappable_character,  // a character the host code page lacks, or a control (typing)
    invalid_utf8,          // text that is not UTF-8
    // TN3270E (RFC 2355). Header and BIND problems arrive in protocol_violation events (the
    // record is dropped). A refused or rejected TN3270E is no error: plain TN3270 follows
    // (device_type_rejected event, negotiated{tn3270e = false}).
    tn3270e_header_too_short,  // a TN3270E record shorter than its 5-byte header
    unknown_data_type,         // a header data type this engine does not know (above 08)
    malformed_bind,            // BIND-IMAGE data that is no BIND RU (0x31) or has a 0 size
    malformed_tn3270e,         // a TN3270E subnegotiation that breaks RFC 2355's grammar
    tn3270e_functions_violation,  // FUNCTIONS IS naming a function we did not ask for
    record_before_negotiation, // IAC EOR before 3270 mode (the data arrived as nvt_data)
    function_not_negotiated,   // our side: a response, SYSREQ or data type the peer did not agree
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

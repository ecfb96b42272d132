#pragma once
// Telnet command and option codes (RFC 854, RFC 855, IANA "Telnet Options").
#include <cstddef>
#include <cstdint>

namespace ssogate::protocols::telnet {

/// The byte after IAC (RFC 854 "TELNET COMMAND STRUCTURE"; EOR is RFC 885).
enum class command : std::uint8_t {
    eor = 0xEF,  // end of record (RFC 885): ends every TN3270 / TN5250 record
    se = 0xF0,   // end of subnegotiation
    nop = 0xF1,
    dm = 0xF2,   // data mark (Synch)
    brk = 0xF3,  // break: ATTN in TN3270
    ip = 0xF4,   // interrupt process
    ao = 0xF5,   // abort output
    ayt = 0xF6,  // are you there
    ec = 0xF7,   // erase character
    el = 0xF8,   // erase line
    ga = 0xF9,   // go ahead
    sb = 0xFA,   // start of subnegotiation
    will = 0xFB,
    wont = 0xFC,
    do_ = 0xFD,
    dont = 0xFE,
    iac = 0xFF,
};

/// Option codes. An option is any byte; the named ones are those ssogate handles or refuses
/// knowingly. `static_cast<option>(n)` names any other.
enum class option : std::uint8_t {
    binary = 0,             // RFC 856
    echo = 1,               // RFC 857
    suppress_go_ahead = 3,  // RFC 858
    timing_mark = 6,        // RFC 860
    terminal_type = 24,     // RFC 1091
    end_of_record = 25,     // RFC 885
    naws = 31,              // RFC 1073
    linemode = 34,          // RFC 1184
    new_environ = 39,       // RFC 1572
    tn3270e = 40,           // RFC 2355
    start_tls = 46,         // draft-altman-telnet-starttls
};

/// TERMINAL-TYPE and NEW-ENVIRON subnegotiation qualifiers (RFC 1091, RFC 1572).
inline constexpr std::byte qualifier_is{0x00};
inline constexpr std::byte qualifier_send{0x01};

inline constexpr std::byte iac_byte{0xFF};

[[nodiscard]] constexpr bool is_negotiation_verb(command c) noexcept {
    return c == command::will || c == command::wont || c == command::do_ || c == command::dont;
}

}  // namespace ssogate::protocols::telnet

#pragma once
// IBM 3270 terminal-type names as sent in TERMINAL-TYPE IS (RFC 1091, RFC 1576, RFC 1646):
//   IBM-3278-n, IBM-3279-n  (n = 2..5; 3278 monochrome, 3279 colour), optional "-E" suffix
//                           ("extended data stream": SFE/SA/MF and Query; not TN3270E),
//   IBM-DYNAMIC             (size from the Query Reply),
// optionally followed by "@LUNAME" (RFC 1646 LU selection without TN3270E).
// Screen sizes per model belong to the data-stream stage (issue 4, stage 2).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssogate::protocols::tn3270 {

struct terminal_type {
    enum class family : std::uint8_t { ibm_3278, ibm_3279, ibm_dynamic };

    family kind = family::ibm_3278;
    int model = 2;          // 2..5; 0 for IBM-DYNAMIC
    bool extended = false;  // "-E"
    std::string lu_name;    // after '@', uppercase; empty when none was given

    /// The name without the LU, e.g. "IBM-3279-2-E".
    [[nodiscard]] std::string name() const;
    /// What goes in TERMINAL-TYPE IS: name(), plus "@" + lu_name when there is one.
    [[nodiscard]] std::string wire_name() const;

    friend bool operator==(const terminal_type&, const terminal_type&) = default;
};

/// Parses a terminal-type string. Case-insensitive (RFC 1091 says types are compared without
/// regard to case); surrounding text is not allowed. An LU name is 1..8 characters of A-Z, 0-9,
/// '#', '@', '$'. Returns nothing for any other type ("VT100", "IBM-3287-1", "IBM-3278-6", ...).
[[nodiscard]] std::optional<terminal_type> parse_terminal_type(std::string_view text);

/// RFC 1091: a terminal type is at most 40 characters. RFC 1646 adds "@" and up to 8 more.
inline constexpr std::size_t max_terminal_type_length = 40 + 1 + 8;

}  // namespace ssogate::protocols::tn3270

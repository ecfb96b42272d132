#pragma once
// Text from certificates and files on its way into a message or a terminal: control characters
// (NUL, ESC, newlines) become '?', so a name can neither cut a log line nor drive a terminal.
#include <string>
#include <string_view>

namespace ssogate::identity::detail {

inline std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
    return out;
}

}  // namespace ssogate::identity::detail

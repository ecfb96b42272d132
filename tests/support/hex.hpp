#pragma once
// Bytes for protocol tests: "ff fd 18"_hex, text as bytes, and hex for failure messages.
#include <cstddef>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ssogate::test {

using bytes = std::vector<std::byte>;

/// Parses hex digits; spaces, tabs, newlines, ':' and '|' between byte pairs are ignored.
/// Throws std::invalid_argument on anything else or on an odd digit count (a broken test).
inline bytes parse_hex(std::string_view text) {
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    bytes out;
    int high = -1;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == '|') {
            if (high >= 0) throw std::invalid_argument("hex: odd digit before a separator");
            continue;
        }
        const int d = digit(c);
        if (d < 0) throw std::invalid_argument("hex: not a hex digit: " + std::string(1, c));
        if (high < 0) {
            high = d;
        } else {
            out.push_back(static_cast<std::byte>((high << 4) | d));
            high = -1;
        }
    }
    if (high >= 0) throw std::invalid_argument("hex: odd number of digits");
    return out;
}

/// "e.g. ff fd 18" -> the three bytes.
inline std::string to_hex(std::span<const std::byte> data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(data.size() * 3);
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (i != 0) s.push_back(' ');
        const auto v = static_cast<unsigned>(data[i]);
        s.push_back(digits[v >> 4]);
        s.push_back(digits[v & 0xF]);
    }
    return s;
}

/// The bytes of `text`, one per char (ASCII, e.g. terminal-type names).
inline bytes ascii(std::string_view text) {
    bytes out;
    out.reserve(text.size());
    for (char c : text) out.push_back(static_cast<std::byte>(c));
    return out;
}

/// a, b, c, ... one after another.
inline bytes cat(std::initializer_list<std::span<const std::byte>> parts) {
    bytes out;
    for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

namespace literals {
inline bytes operator""_hex(const char* text, std::size_t n) {
    return parse_hex(std::string_view(text, n));
}
}  // namespace literals

}  // namespace ssogate::test

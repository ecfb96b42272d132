#include <ssogate/protocols/tn3270/screen_text.hpp>

#include "utf8.hpp"

namespace ssogate::protocols::tn3270 {
namespace {

std::optional<std::u32string> to_u32(std::string_view text) {
    std::u32string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto c = utf8::next(text, pos);
        if (!c) return std::nullopt;
        out.push_back(*c);
    }
    return out;
}

std::string to_utf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text) utf8::append(out, c);
    return out;
}

bool is_letter(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || c == '$' || c == '#' || c == '@';
}
bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) noexcept {
    return is_letter(c) || is_digit(c) || (c >= 'a' && c <= 'z');
}

}  // namespace

std::u32string visible_characters(const screen& s, char32_t hidden) {
    const std::size_t size = s.buffer_size();
    std::u32string out(size, U' ');
    // Whether each position lies in a non-display field: start from the last attribute, which
    // governs the positions before the first one (fields wrap).
    bool hide = false;
    for (std::size_t a = size; a-- > 0;) {
        if (s.at(a).is_attribute) {
            hide = s.at(a).attribute.is_non_display();
            break;
        }
    }
    const codepage& page = s.code_page();
    for (std::size_t a = 0; a < size; ++a) {
        const screen::cell& c = s.at(a);
        if (c.is_attribute) {
            hide = c.attribute.is_non_display();
            continue;
        }
        if (hide) {
            out[a] = hidden;
        } else if (c.graphic_escape) {
            out[a] = U'?';
        } else if (c.ch == ebcdic_dup) {
            out[a] = U'*';
        } else if (c.ch == ebcdic_fm) {
            out[a] = U';';
        } else if (c.ch >= 0x40 && c.ch != 0xFF) {
            out[a] = page.to_unicode(c.ch);
        }
    }
    return out;
}

std::string row_text(const screen& s, std::size_t row) {
    if (row >= s.size().rows) return {};
    const std::u32string all = visible_characters(s);
    const std::size_t cols = s.size().columns;
    return to_utf8(std::u32string_view(all).substr(row * cols, cols));
}

std::string screen_text(const screen& s) {
    const std::u32string all = visible_characters(s);
    const std::size_t cols = s.size().columns;
    std::string out;
    for (std::size_t r = 0; r < s.size().rows; ++r) {
        out += to_utf8(std::u32string_view(all).substr(r * cols, cols));
        out += '\n';
    }
    return out;
}

std::optional<std::size_t> find_text(const screen& s, std::string_view text) {
    const auto needle = to_u32(text);
    if (!needle || needle->empty()) return std::nullopt;
    const std::u32string all = visible_characters(s);
    const std::size_t cols = s.size().columns;
    for (std::size_t r = 0; r < s.size().rows; ++r) {
        const auto row = std::u32string_view(all).substr(r * cols, cols);
        if (const auto at = row.find(*needle); at != std::u32string_view::npos)
            return r * cols + at;
    }
    return std::nullopt;
}

std::optional<field> field_after_label(const screen& s, std::string_view label) {
    const auto at = find_text(s, label);
    if (!at) return std::nullopt;
    const std::size_t end = *at + to_u32(label)->size();
    for (const field& f : s.fields()) {
        if (!f.is_protected() && f.length > 0 && f.start >= end && f.start > f.attribute_address)
            return f;
    }
    return std::nullopt;
}

std::optional<field> field_at(const screen& s, std::size_t row, std::size_t column) {
    if (!s.contains(row, column)) return std::nullopt;
    return s.field_at(s.address(row, column));
}

std::string field_text(const screen& s, const field& f) {
    const std::u32string all = visible_characters(s);
    std::u32string out;
    std::size_t a = f.start;
    for (std::size_t i = 0; i < f.length && a < all.size(); ++i) {
        out.push_back(all[a]);
        a = a + 1 == all.size() ? 0 : a + 1;
    }
    return to_utf8(out);
}

std::optional<std::string_view> message_id(std::string_view line) noexcept {
    std::size_t p = 0;
    while (p < line.size() && line[p] == ' ') ++p;
    const std::size_t start = p;
    while (p < line.size() && is_letter(line[p])) ++p;
    const std::size_t letters = p - start;
    if (letters < 3 || letters > 8) return std::nullopt;
    const std::size_t digits_start = p;
    while (p < line.size() && is_digit(line[p])) ++p;
    const std::size_t digits = p - digits_start;
    if (digits < 3 || digits > 5) return std::nullopt;
    if (p < line.size() && line[p] >= 'A' && line[p] <= 'Z') ++p;  // severity
    if (p < line.size() && is_alnum(line[p])) return std::nullopt;
    return line.substr(start, p - start);
}

std::optional<std::string> message_id_at(const screen& s, std::size_t row) {
    const std::string text = row_text(s, row);
    const auto id = message_id(text);
    if (!id) return std::nullopt;
    return std::string(*id);
}

}  // namespace ssogate::protocols::tn3270

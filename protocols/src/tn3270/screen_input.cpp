// tn3270::screen: the operator's side (keyboard), as a 3270 display station handles it.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>

namespace ssogate::protocols::tn3270 {

void screen::move_cursor(std::size_t address, std::error_code& ec) {
    ec.clear();
    if (address >= cells_.size()) {
        ec = errc::invalid_position;
        return;
    }
    cursor_ = address;
}

void screen::move_cursor(std::size_t row, std::size_t column, std::error_code& ec) {
    if (!contains(row, column)) {
        ec = errc::invalid_position;
        return;
    }
    move_cursor(address(row, column), ec);
}

void screen::tab() noexcept {
    cursor_ = next_unprotected(cursor_).value_or(0);
}

void screen::home() noexcept {
    cursor_ = next_unprotected(cells_.size() - 1).value_or(0);
}

// `text` in the host code page, refusing what no keyboard produces: controls (EBCDIC below 40,
// FF), which would otherwise reach the host as orders inside a Read Modified.
std::vector<std::uint8_t> screen::typeable(std::string_view text, std::error_code& ec) const {
    const auto bytes = page_->encode(text, ec);
    if (ec) return {};
    std::vector<std::uint8_t> out;
    out.reserve(bytes.size());
    for (std::byte b : bytes) {
        const auto v = static_cast<std::uint8_t>(b);
        if (v < 0x40 || v == 0xFF) {
            ec = errc::unmappable_character;
            return {};
        }
        out.push_back(v);
    }
    return out;
}

// Numeric fields take 0-9, '.' and '-' (GA23-0059 "numeric lock"; DUP is a key, not text).
bool screen::numeric_ok(std::uint8_t ebcdic) const noexcept {
    const char32_t c = page_->to_unicode(ebcdic);
    return (c >= U'0' && c <= U'9') || c == U'.' || c == U'-';
}

// After input at `address`: the next position; an autoskip attribute there sends the cursor to
// the next unprotected field, any other attribute is stepped over.
void screen::advance_after_input(std::size_t address) noexcept {
    std::size_t a = next(address);
    if (cells_[a].is_attribute && cells_[a].attribute.is_autoskip()) {
        cursor_ = next_unprotected(a).value_or(0);
        return;
    }
    for (std::size_t i = 0; i < cells_.size() && cells_[a].is_attribute; ++i) a = next(a);
    cursor_ = a;
}

void screen::type(std::string_view text, std::error_code& ec) {
    ec.clear();
    if (keyboard_locked()) {
        ec = errc::keyboard_locked;
        return;
    }
    const auto bytes = typeable(text, ec);
    if (ec) return;
    const bool fmt = formatted();
    for (std::uint8_t b : bytes) {
        const std::size_t pos = cursor_;
        std::optional<std::size_t> fa;
        if (fmt) {
            fa = attribute_of(pos);
            if (cells_[pos].is_attribute || cells_[*fa].attribute.is_protected()) {
                ec = errc::protected_field;
                return;
            }
            if (cells_[*fa].attribute.is_numeric() && !numeric_ok(b)) {
                ec = errc::numeric_field;
                return;
            }
        }
        cells_[pos].ch = b;
        cells_[pos].graphic_escape = false;
        if (fa) cells_[*fa].attribute.bits |= fa::mdt;
        advance_after_input(pos);
    }
}

void screen::fill(const field& given, std::string_view text, std::error_code& ec) {
    ec.clear();
    if (keyboard_locked()) {
        ec = errc::keyboard_locked;
        return;
    }
    // The field must still be there, in the same place (its attribute may have changed since,
    // e.g. its MDT: the current one counts).
    if (given.attribute_address >= cells_.size() || !cells_[given.attribute_address].is_attribute) {
        ec = errc::invalid_position;
        return;
    }
    const field f = make_field(given.attribute_address);
    if (f.start != given.start || f.length != given.length) {
        ec = errc::invalid_position;
        return;
    }
    if (f.is_protected()) {
        ec = errc::protected_field;
        return;
    }
    const auto bytes = typeable(text, ec);
    if (ec) return;
    if (bytes.size() > f.length) {
        ec = errc::field_overflow;
        return;
    }
    if (f.is_numeric()) {
        for (std::uint8_t b : bytes) {
            if (!numeric_ok(b)) {
                ec = errc::numeric_field;
                return;
            }
        }
    }
    std::size_t a = f.start;
    for (std::size_t i = 0; i < f.length; ++i, a = next(a)) {
        cells_[a].ch = i < bytes.size() ? bytes[i] : ebcdic_null;
        cells_[a].graphic_escape = false;
    }
    cells_[f.attribute_address].attribute.bits |= fa::mdt;
    if (bytes.empty()) {
        cursor_ = f.start;
    } else if (bytes.size() < f.length) {
        cursor_ = (f.start + bytes.size()) % cells_.size();
    } else {
        advance_after_input((f.start + bytes.size() - 1) % cells_.size());
    }
}

void screen::erase_eof(std::error_code& ec) {
    ec.clear();
    if (keyboard_locked()) {
        ec = errc::keyboard_locked;
        return;
    }
    if (!formatted()) {
        for (std::size_t a = cursor_; a < cells_.size(); ++a) put(a, 0, false, {});
        return;
    }
    const auto fa = attribute_of(cursor_);
    if (cells_[cursor_].is_attribute || cells_[*fa].attribute.is_protected()) {
        ec = errc::protected_field;
        return;
    }
    for (std::size_t a = cursor_; !cells_[a].is_attribute; a = next(a)) {
        cells_[a].ch = ebcdic_null;
        cells_[a].graphic_escape = false;
    }
    cells_[*fa].attribute.bits |= fa::mdt;
}

void screen::erase_input(std::error_code& ec) {
    ec.clear();
    if (keyboard_locked()) {
        ec = errc::keyboard_locked;
        return;
    }
    if (!formatted()) {
        cells_.assign(cells_.size(), cell{});
        cursor_ = 0;
        return;
    }
    for (const field& f : fields()) {
        if (f.is_protected()) continue;
        cells_[f.attribute_address].attribute.bits &= static_cast<std::uint8_t>(~fa::mdt);
        std::size_t a = f.start;
        for (std::size_t i = 0; i < f.length; ++i, a = next(a)) {
            cells_[a].ch = ebcdic_null;
            cells_[a].graphic_escape = false;
        }
    }
    home();
}

std::vector<std::byte> screen::press(aid key, std::error_code& ec) {
    ec.clear();
    const auto k = static_cast<std::uint8_t>(key);
    const bool pf = (k >= 0xF1 && k <= 0xF9) || (k >= 0x7A && k <= 0x7C) ||
                    (k >= 0xC1 && k <= 0xC9) || (k >= 0x4A && k <= 0x4C);
    if (!pf && key != aid::enter && key != aid::clear && key != aid::pa1 && key != aid::pa2 &&
        key != aid::pa3) {
        ec = errc::invalid_argument;
        return {};
    }
    if (keyboard_locked()) {
        ec = errc::keyboard_locked;
        return {};
    }
    auto record = read_modified(key, false);
    if (key == aid::clear) erase(false);
    locked_ = true;
    aid_ = key;
    return record;
}

}  // namespace ssogate::protocols::tn3270

#pragma once
// A 3270 field attribute (the byte SF, SFE and MF place at a field's first position) and the
// extended attributes (highlighting, colour, character set, ...) that SFE / MF give a field and
// SA gives single characters (GA23-0059 "Field Attributes", "Extended Field Attributes").
#include <ssogate/protocols/tn3270/buffer_address.hpp>
#include <ssogate/protocols/tn3270/constants.hpp>

#include <cstdint>
#include <optional>

namespace ssogate::protocols::tn3270 {

struct field_attribute {
    /// The six meaningful bits (fa::mask); the top two bits of the byte as sent are dropped.
    std::uint8_t bits = 0;

    /// From the byte as sent (code-table encoded or not: only the low six bits count).
    [[nodiscard]] static constexpr field_attribute from_byte(std::uint8_t b) noexcept {
        return field_attribute{static_cast<std::uint8_t>(b & fa::mask)};
    }
    /// The byte to send: code_table[bits].
    [[nodiscard]] constexpr std::uint8_t to_byte() const noexcept { return encode_6bit(bits); }

    [[nodiscard]] constexpr bool is_protected() const noexcept { return (bits & fa::protect) != 0; }
    [[nodiscard]] constexpr bool is_numeric() const noexcept { return (bits & fa::numeric) != 0; }
    /// Protected and numeric: the cursor skips over the field.
    [[nodiscard]] constexpr bool is_autoskip() const noexcept {
        return is_protected() && is_numeric();
    }
    [[nodiscard]] constexpr bool is_intensified() const noexcept {
        return (bits & fa::display_mask) == fa::display_intensified;
    }
    /// Non-display (password fields): what it holds is never shown.
    [[nodiscard]] constexpr bool is_non_display() const noexcept {
        return (bits & fa::display_mask) == fa::display_none;
    }
    [[nodiscard]] constexpr bool is_modified() const noexcept { return (bits & fa::mdt) != 0; }

    friend constexpr bool operator==(const field_attribute&, const field_attribute&) = default;
};

/// Extended attributes, each 00 (the default) unless set. A field keeps all seven (from SFE and
/// MF); a character keeps the first five (from SA).
struct extended_attributes {
    std::uint8_t highlighting = 0;  // xa::highlighting
    std::uint8_t foreground = 0;    // xa::foreground
    std::uint8_t background = 0;    // xa::background
    std::uint8_t charset = 0;       // xa::charset
    std::uint8_t transparency = 0;  // xa::transparency
    std::uint8_t validation = 0;    // xa::validation (fields only)
    std::uint8_t outlining = 0;     // xa::outlining (fields only)

    /// Sets attribute `type`; false (and nothing changed) for a type not listed above.
    constexpr bool set(std::uint8_t type, std::uint8_t value) noexcept {
        if (std::uint8_t* p = slot(*this, type)) {
            *p = value;
            return true;
        }
        return false;
    }
    /// The value of `type`; nothing for a type not listed above.
    [[nodiscard]] constexpr std::optional<std::uint8_t> get(std::uint8_t type) const noexcept {
        if (const std::uint8_t* p = slot(*this, type)) return *p;
        return std::nullopt;
    }
    [[nodiscard]] constexpr bool empty() const noexcept { return *this == extended_attributes{}; }

    /// The types in the order SFE / SA carry them when a screen writes itself out.
    static constexpr std::uint8_t types[] = {xa::highlighting, xa::foreground,   xa::charset,
                                             xa::background,   xa::transparency, xa::validation,
                                             xa::outlining};
    /// The types SA may set on characters.
    static constexpr std::uint8_t character_types[] = {
        xa::highlighting, xa::foreground, xa::charset, xa::background, xa::transparency};

    friend constexpr bool operator==(const extended_attributes&,
                                     const extended_attributes&) = default;

  private:
    // The member for `type` (const or not, after `self`); nullptr for other types.
    template <class Self>
    static constexpr auto slot(Self& self, std::uint8_t type) noexcept
        -> decltype(&self.highlighting) {
        switch (type) {
            case xa::highlighting:
                return &self.highlighting;
            case xa::foreground:
                return &self.foreground;
            case xa::background:
                return &self.background;
            case xa::charset:
                return &self.charset;
            case xa::transparency:
                return &self.transparency;
            case xa::validation:
                return &self.validation;
            case xa::outlining:
                return &self.outlining;
            default:
                return nullptr;
        }
    }
};

}  // namespace ssogate::protocols::tn3270

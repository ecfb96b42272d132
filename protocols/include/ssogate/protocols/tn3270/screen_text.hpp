#pragma once
// Reading a 3270 screen as text, for sign-on scripts: a row, "does the screen say X", the input
// field after a label, a field's text, and the message id at the start of a line (IKJ56425I,
// ICH408I, DFHCE3549, $HASP373). UTF-8 through the screen's code page; rows and columns 0-origin.
//
// The text is what a person sees on the terminal: blanks at field attributes, nulls and control
// codes (DUP shows as '*', FM as ';'), '?' for alternate-set (Graphic Escape) characters, and
// BLANKS FOR EVERY POSITION OF A NON-DISPLAY FIELD, whatever it holds: a password typed into a
// hidden field never comes back out of these functions. Matches never span two rows.
#include <ssogate/protocols/tn3270/field.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ssogate::protocols::tn3270 {

/// Each buffer position as shown (see the top), `hidden` at non-display field positions.
[[nodiscard]] std::u32string visible_characters(const screen& s, char32_t hidden = U' ');

/// Row `row` (one character per column, trailing blanks kept); empty outside the screen.
[[nodiscard]] std::string row_text(const screen& s, std::size_t row);
/// Every row, each followed by '\n'.
[[nodiscard]] std::string screen_text(const screen& s);

/// The buffer address where `text` (UTF-8, non-empty) first appears, rows top to bottom;
/// nothing when it does not appear or is not valid UTF-8.
[[nodiscard]] std::optional<std::size_t> find_text(const screen& s, std::string_view text);
[[nodiscard]] inline bool contains(const screen& s, std::string_view text) {
    return find_text(s, text).has_value();
}

/// The first unprotected field whose data starts after the first appearance of `label`
/// (e.g. "USERID ===>"), in buffer order without wrapping; nothing without label or field.
[[nodiscard]] std::optional<field> field_after_label(const screen& s, std::string_view label);
/// The field holding row/column (its attribute or its data); nothing outside the screen or on an
/// unformatted screen.
[[nodiscard]] std::optional<field> field_at(const screen& s, std::size_t row, std::size_t column);
/// A field's data as shown (blanks for a non-display field, see the top).
[[nodiscard]] std::string field_text(const screen& s, const field& f);

/// The IBM message id that starts `line` after leading blanks: a prefix of 3 to 8 letters
/// (A-Z, '$', '#', '@'; not starting with a digit), 3 to 5 digits, an optional severity letter
/// (A-Z), then the end of the line or a character other than a letter or digit. Examples:
/// IKJ56425I, ICH408I, IEF450I, DFHCE3549, HCPLGA050E, $HASP373. Nothing otherwise.
[[nodiscard]] std::optional<std::string_view> message_id(std::string_view line) noexcept;
/// The message id at the start of row `row`.
[[nodiscard]] std::optional<std::string> message_id_at(const screen& s, std::size_t row);

}  // namespace ssogate::protocols::tn3270

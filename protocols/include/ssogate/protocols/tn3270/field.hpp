#pragma once
// A field of a formatted 3270 screen, as a value: where its attribute sits, where its data runs,
// and its attributes. A copy: it does not follow later changes to the screen.
#include <ssogate/protocols/tn3270/field_attribute.hpp>

#include <cstddef>

namespace ssogate::protocols::tn3270 {

struct field {
    std::size_t attribute_address = 0;  // the position holding the field attribute
    std::size_t start = 0;              // first data position: attribute_address + 1, wrapped
    std::size_t length = 0;             // data positions up to the next attribute; may be 0
    field_attribute attribute;
    extended_attributes extended;

    [[nodiscard]] bool is_protected() const noexcept { return attribute.is_protected(); }
    [[nodiscard]] bool is_numeric() const noexcept { return attribute.is_numeric(); }
    [[nodiscard]] bool is_non_display() const noexcept { return attribute.is_non_display(); }
    [[nodiscard]] bool is_modified() const noexcept { return attribute.is_modified(); }

    friend bool operator==(const field&, const field&) = default;
};

}  // namespace ssogate::protocols::tn3270

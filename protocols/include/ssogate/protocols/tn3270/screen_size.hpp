#pragma once
// 3270 screen sizes (GA23-0059; x3270 3270ds.h). Every 3270 has a default size, 24x80, which
// Erase/Write selects, and an alternate size, its model's, which Erase/Write Alternate selects.
#include <cstddef>
#include <cstdint>
#include <optional>

namespace ssogate::protocols::tn3270 {

struct screen_size {
    std::uint16_t rows = 24;
    std::uint16_t columns = 80;

    [[nodiscard]] constexpr std::size_t buffer_size() const noexcept {
        return static_cast<std::size_t>(rows) * columns;
    }
    friend constexpr bool operator==(const screen_size&, const screen_size&) = default;
};

/// The size Erase/Write selects on every model.
inline constexpr screen_size default_screen_size{24, 80};

/// A model's (alternate) size: 2 -> 24x80, 3 -> 32x80, 4 -> 43x80, 5 -> 27x132; nothing for any
/// other model.
[[nodiscard]] constexpr std::optional<screen_size> model_screen_size(int model) noexcept {
    switch (model) {
        case 2:
            return screen_size{24, 80};
        case 3:
            return screen_size{32, 80};
        case 4:
            return screen_size{43, 80};
        case 5:
            return screen_size{27, 132};
        default:
            return std::nullopt;
    }
}

}  // namespace ssogate::protocols::tn3270

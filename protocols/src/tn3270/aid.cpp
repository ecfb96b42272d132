// AIDs (constants.hpp): the keys and the bytes that name them (GA23-0059 3.5.1).
#include <ssogate/protocols/tn3270/constants.hpp>

namespace ssogate::protocols::tn3270 {

// clang-format off
std::optional<aid> aid_from_byte(std::uint8_t b) noexcept {
    switch (b) {
        case 0x60: case 0x7D: case 0x6D: case 0x6C: case 0x6E: case 0x6B:
        case 0xF1: case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6: case 0xF7: case 0xF8:
        case 0xF9: case 0x7A: case 0x7B: case 0x7C:
        case 0xC1: case 0xC2: case 0xC3: case 0xC4: case 0xC5: case 0xC6: case 0xC7: case 0xC8:
        case 0xC9: case 0x4A: case 0x4B: case 0x4C:
        case 0xF0: case 0x7E: case 0x61: case 0x88:
            return static_cast<aid>(b);
        default:
            return std::nullopt;
    }
}
// clang-format on

std::optional<aid> pf_key(int n) noexcept {
    static constexpr std::uint8_t codes[] = {0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
                                             0xF9, 0x7A, 0x7B, 0x7C, 0xC1, 0xC2, 0xC3, 0xC4,
                                             0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0x4A, 0x4B, 0x4C};
    if (n < 1 || n > 24) return std::nullopt;
    return static_cast<aid>(codes[n - 1]);
}

std::optional<aid> pa_key(int n) noexcept {
    switch (n) {
        case 1:
            return aid::pa1;
        case 2:
            return aid::pa2;
        case 3:
            return aid::pa3;
        default:
            return std::nullopt;
    }
}

}  // namespace ssogate::protocols::tn3270

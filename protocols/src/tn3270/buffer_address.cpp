#include <ssogate/protocols/tn3270/buffer_address.hpp>

namespace ssogate::protocols::tn3270 {

std::array<std::uint8_t, 2> encode_address(std::size_t address, std::size_t buffer_size) noexcept {
    if (buffer_size > max_12bit_buffer) {
        return {static_cast<std::uint8_t>((address >> 8) & 0x3F),
                static_cast<std::uint8_t>(address & 0xFF)};
    }
    return {code_table[(address >> 6) & 0x3F], code_table[address & 0x3F]};
}

}  // namespace ssogate::protocols::tn3270

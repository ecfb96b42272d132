#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/buffer_address.hpp>
#include <ssogate/protocols/tn3270/inbound_record.hpp>

namespace ssogate::protocols::tn3270 {

std::optional<inbound_record> inbound_record::parse(std::span<const std::byte> record,
                                                    std::size_t buffer_size, std::error_code& ec) {
    ec.clear();
    const std::span<const std::uint8_t> in(reinterpret_cast<const std::uint8_t*>(record.data()),
                                           record.size());
    if (in.empty()) {
        ec = errc::empty_record;
        return std::nullopt;
    }
    const auto key = aid_from_byte(in[0]);
    if (!key) {
        ec = errc::unknown_aid;
        return std::nullopt;
    }
    inbound_record r;
    r.key = *key;
    if (*key == aid::structured_field) {
        r.structured.assign(in.begin() + 1, in.end());
        return r;
    }
    if (in.size() == 1 && is_short_read(*key)) return r;
    if (in.size() < 3) {
        ec = errc::truncated_order;
        return std::nullopt;
    }
    const auto address_at = [&](std::size_t i) -> std::optional<std::size_t> {
        const std::size_t a = decode_address(in[i], in[i + 1]);
        if (a >= buffer_size) return std::nullopt;
        return a;
    };
    r.cursor = address_at(1);
    if (!r.cursor) {
        ec = errc::invalid_address;
        return std::nullopt;
    }
    std::vector<std::uint8_t>* data = &r.unformatted;
    for (std::size_t i = 3; i < in.size(); ++i) {
        const std::uint8_t b = in[i];
        switch (static_cast<order>(b)) {
            case order::sba: {
                if (in.size() - i < 3) {
                    ec = errc::truncated_order;
                    return std::nullopt;
                }
                const auto a = address_at(i + 1);
                if (!a) {
                    ec = errc::invalid_address;
                    return std::nullopt;
                }
                r.fields.push_back({*a, {}});
                data = &r.fields.back().data;
                i += 2;
                break;
            }
            case order::sa:
                if (in.size() - i < 3) {
                    ec = errc::truncated_order;
                    return std::nullopt;
                }
                i += 2;
                break;
            case order::ge:
                if (in.size() - i < 2) {
                    ec = errc::truncated_order;
                    return std::nullopt;
                }
                data->push_back(in[++i]);
                break;
            default:
                data->push_back(b);
                break;
        }
    }
    return r;
}

}  // namespace ssogate::protocols::tn3270

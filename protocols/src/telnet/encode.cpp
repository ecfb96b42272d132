#include <ssogate/protocols/telnet/encode.hpp>

#include <algorithm>

namespace ssogate::protocols::telnet {

void append_escaped(std::vector<std::byte>& out, std::span<const std::byte> data) {
    const auto extra = static_cast<std::size_t>(std::count(data.begin(), data.end(), iac_byte));
    out.reserve(out.size() + data.size() + extra);
    auto it = data.begin();
    while (it != data.end()) {
        const auto end = std::find(it, data.end(), iac_byte);
        out.insert(out.end(), it, end);
        if (end == data.end()) break;
        out.push_back(iac_byte);
        out.push_back(iac_byte);
        it = end + 1;
    }
}

void append_command(std::vector<std::byte>& out, command c) {
    out.push_back(iac_byte);
    out.push_back(static_cast<std::byte>(c));
}

void append_negotiation(std::vector<std::byte>& out, command verb, option opt) {
    out.push_back(iac_byte);
    out.push_back(static_cast<std::byte>(verb));
    out.push_back(static_cast<std::byte>(opt));
}

void append_subnegotiation(std::vector<std::byte>& out, option opt,
                           std::span<const std::byte> payload) {
    out.push_back(iac_byte);
    out.push_back(static_cast<std::byte>(command::sb));
    out.push_back(static_cast<std::byte>(opt));
    append_escaped(out, payload);
    out.push_back(iac_byte);
    out.push_back(static_cast<std::byte>(command::se));
}

std::vector<std::byte> escape(std::span<const std::byte> data) {
    std::vector<std::byte> out;
    append_escaped(out, data);
    return out;
}

}  // namespace ssogate::protocols::telnet

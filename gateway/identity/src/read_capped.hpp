#pragma once
// Reading a file an operator named (a certificate, a CRL) without trusting its size: at most
// `max` + 1 bytes are read, in chunks, so /dev/zero or a runaway file ends the read.
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace ssogate::identity::detail {

enum class read_status { ok, unreadable, too_large };

inline read_status read_capped(const std::filesystem::path& file, std::size_t max, std::string& out) {
    out.clear();
    std::ifstream in(file, std::ios::binary);
    if (!in) return read_status::unreadable;
    char buf[64 * 1024];
    while (in && out.size() <= max) {
        in.read(buf, sizeof buf);
        out.append(buf, static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) return read_status::unreadable;
    return out.size() > max ? read_status::too_large : read_status::ok;
}

}  // namespace ssogate::identity::detail

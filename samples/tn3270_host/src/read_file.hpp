#pragma once
// Internal to the sample host: reading its small input files (users, screens) with a size cap,
// so `--users /dev/zero` is a clear refusal instead of an unbounded read.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace ssogate::sample_host::detail {

/// The whole of `file` when it can be read and holds at most `max` bytes. Otherwise nothing, and
/// `why` says what is wrong ("is a folder, not a file", "is larger than 1 MiB", "cannot be opened: ...").
inline std::optional<std::string> read_bounded(const std::filesystem::path& file, std::size_t max,
                                               std::string& why) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        why = "is a folder, not a file";
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        why = std::string("cannot be opened: ") + std::strerror(errno);
        return std::nullopt;
    }
    std::string text;
    char chunk[65536];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        text.append(chunk, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max) {
            why = "is larger than " + std::to_string(max >> 20) + " MiB";
            return std::nullopt;
        }
    }
    if (in.bad()) {
        why = "cannot be read";
        return std::nullopt;
    }
    return text;
}

}  // namespace ssogate::sample_host::detail

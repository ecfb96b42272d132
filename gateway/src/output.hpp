#pragma once
// Internal: plain tables for people, JSON for programs.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ssogate::gateway {

/// Text from the database with control characters replaced by '?', so a crafted value cannot
/// drive the terminal.
std::string printable(std::string_view s);

/// "2026-11-26T21:46:09Z" from unix milliseconds.
std::string format_time(std::int64_t unix_ms);

class table {
public:
    explicit table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
    void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
    [[nodiscard]] bool empty() const noexcept { return rows_.empty(); }
    void print() const;  // to stdout

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace ssogate::gateway

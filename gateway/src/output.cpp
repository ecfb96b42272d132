#include "output.hpp"

#include <algorithm>
#include <ctime>
#include <iostream>

namespace ssogate::gateway {

std::string format_time(std::int64_t unix_ms) {
    if (unix_ms <= 0) return "-";
    const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
    return out;
}

namespace {
// Columns are counted in characters, not bytes: UTF-8 continuation bytes take no column.
std::size_t width_of(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80 ? 1 : 0;
    return n;
}
}  // namespace

void table::print() const {
    std::vector<std::size_t> width(headers_.size());
    for (std::size_t i = 0; i < headers_.size(); ++i) width[i] = width_of(headers_[i]);
    for (const auto& r : rows_)
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], width_of(printable(r[i])));
    auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (std::size_t i = 0; i < width.size(); ++i) {
            const std::string cell = i < cells.size() ? printable(cells[i]) : "";
            s += cell;
            if (i + 1 < width.size()) s += std::string(width[i] - width_of(cell) + 2, ' ');
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        std::cout << s << "\n";
    };
    line(headers_);
    for (const auto& r : rows_) line(r);
}

}  // namespace ssogate::gateway

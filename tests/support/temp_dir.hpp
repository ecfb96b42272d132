#pragma once
// A fresh folder per test, removed afterwards.
#include <filesystem>
#include <string>

namespace ssogate::test {

class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

/// Write a file (mode 0600 unless given).
void write_file(const std::filesystem::path& p, const std::string& content, unsigned mode = 0600);
std::string read_file(const std::filesystem::path& p);

}  // namespace ssogate::test

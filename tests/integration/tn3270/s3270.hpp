#pragma once
// The real s3270 (x3270 suite) driven through its stdin/stdout, one action at a time
// (../shared/PROTOCOLS.md section 8): each action answers with "data: ..." lines, a status line
// and "ok" or "error". Missing /usr/bin/s3270 throws: the test fails, it never skips.
#include <string>
#include <vector>

namespace ssogate::test {

class s3270 {
  public:
    struct answer {
        bool ok = false;
        std::vector<std::string> data;  // the "data: " lines, prefix removed
        std::string status;             // the 12-field status line
        [[nodiscard]] std::string text() const;  // data lines joined with '\n'
    };

    /// Starts s3270 (model 3279-2, no unlock delay) with `extra` arguments.
    explicit s3270(std::vector<std::string> extra = {});
    ~s3270();
    s3270(const s3270&) = delete;
    s3270& operator=(const s3270&) = delete;

    /// Runs one action, e.g. "Connect(127.0.0.1:3270)"; throws after `timeout_s` without an answer.
    answer run(const std::string& action, int timeout_s = 20);
    /// The whole screen as text (Ascii).
    std::string screen() { return run("Ascii").text(); }

  private:
    int pid_ = -1;
    int in_ = -1;   // its stdin
    int out_ = -1;  // its stdout
    std::string buffer_;
};

inline constexpr const char* s3270_path = "/usr/bin/s3270";

}  // namespace ssogate::test

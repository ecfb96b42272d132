#pragma once
// Integration-test helpers: a background process with its stderr in a log file, an HTTP GET
// on loopback, a free loopback port, and a small PKI made with the openssl command.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace ssogate::test {

/// A running child process; stopped (SIGTERM, then SIGKILL) when destroyed.
class service {
public:
    service(std::vector<std::string> argv, std::filesystem::path log, std::string input = {});
    ~service();
    service(const service&) = delete;
    service& operator=(const service&) = delete;

    /// Wait until the log holds `text`; returns the line, or "" after `timeout`.
    std::string wait_for(const std::string& text, std::chrono::milliseconds timeout) const;
    [[nodiscard]] std::string log() const;
    [[nodiscard]] bool running();
    /// SIGTERM, wait up to 10 s, then SIGKILL. Returns the exit code (128+signal if killed).
    int stop();
    void kill9();
    [[nodiscard]] int pid() const noexcept { return pid_; }

private:
    int pid_ = -1;
    int status_ = -1;
    std::filesystem::path log_;
};

/// Which of `needles` appear in what a core dump of `pid` would hold: every readable mapping
/// not marked "dd" (MADV_DONTDUMP) in /proc/PID/smaps, read through /proc/PID/mem in chunks.
/// Returns the indexes of the needles found; throws if the memory cannot be read.
std::vector<std::size_t> dumpable_memory_contains(int pid, const std::vector<std::string>& needles,
                                                  std::size_t* bytes_scanned = nullptr);
/// Which of `needles` appear in the file (read in chunks).
std::vector<std::size_t> file_contains(const std::filesystem::path& file, const std::vector<std::string>& needles);

struct http_answer {
    int status = 0;
    std::string body;
};
/// GET http://127.0.0.1:port/path (Connection: close); status 0 when nothing answered.
http_answer http_get(int port, const std::string& path);

/// Whether something accepts TCP connections on 127.0.0.1:port right now.
bool port_accepts(int port);

/// A loopback port nobody listened on a moment ago.
int free_port();

/// The port a service logged as "listening on 127.0.0.1:PORT" (0 if not found).
int logged_port(const std::string& line);

/// Make a CA and certificates under dir with the openssl command:
///   ca.pem/ca.key                     the trusted CA
///   server.pem/server.key             serverAuth, SAN IP:127.0.0.1, signed by ca
///   NAME.pem/NAME.key                 for each client: CN NAME, clientAuth EKU (or no EKU at all)
///   other-ca.pem, stranger.pem/key    another CA and a clientAuth certificate it signed
struct client_cert {
    std::string name;
    bool client_auth = true;
};
void make_pki(const std::filesystem::path& dir, const std::vector<client_cert>& clients);

}  // namespace ssogate::test

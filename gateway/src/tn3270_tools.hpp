#pragma once
// Internal: the TN3270 tools of the command line, `ssogate sample-host tn3270` and
// `ssogate probe`. Options here, I/O in net/tn3270_net.cpp, the probe's sans-I/O flow in
// tn3270_probe.hpp. No Asio and no CLI11 in this header.
#include <ssogate/gateway/config.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ssogate::gateway {

struct sample_host_options {
    endpoint listen;
    std::filesystem::path users_file;
    std::filesystem::path screens_dir;  // empty: the built-in screens
    std::filesystem::path tls_cert, tls_key;
    std::filesystem::path attempt_log;  // empty: no attempt log
    std::string code_page = "cp037";
    bool tn3270e = true;
    /// A terminal that sends nothing (or reads nothing) for this long is disconnected; 0: never.
    std::chrono::milliseconds idle_timeout{300000};
    /// Connections served at once; one more is accepted and closed at once (logged).
    std::size_t max_connections = 64;
};

/// Serves the sample host until SIGTERM / SIGINT. Throws config_error on bad options or files.
int run_sample_host_tn3270(const sample_host_options& o);

/// One step of a probe: type text (at a position, after a label, or at the cursor), or press a key.
struct probe_step {
    enum class kind : std::uint8_t { type, key };
    kind what = kind::type;
    std::string text;                       // type: the text; key: enter, pf3, pa1, clear
    std::optional<std::pair<int, int>> at;  // type: 1-origin row, column
    std::string after;                      // type: a label
    bool secret = false;                    // type: from --type-stdin, never printed
};

struct probe_options {
    std::string host;
    std::uint16_t port = 0;
    bool tls = false;
    /// TLS: the CA certificates (PEM) that must have issued the host's certificate; empty: the
    /// system's default store. The certificate must also name the URL's host (DNS name or IP).
    std::filesystem::path ca_file;
    bool insecure = false;  // TLS without any check of the host's certificate
    std::string model = "3279-2";
    std::string code_page = "cp037";
    bool tn3270e = true;
    bool json = false;
    std::chrono::milliseconds timeout{10000};
    std::vector<probe_step> steps;
};

/// Connects, negotiates, prints each screen to stdout. Connection problems: one line on stderr,
/// exit code 1.
int run_probe(const probe_options& o);

/// The two commands' CLI11 wiring; the options live here until the command runs.
class tn3270_cli {
  public:
    void add_to(CLI::App& app, std::function<int()>& action);

  private:
    sample_host_options host_;
    std::string listen_;
    bool no_tn3270e_host_ = false;
    double idle_timeout_s_ = 300;

    probe_options probe_;
    std::string url_;
    std::vector<std::string> types_, ats_, afters_, keys_;
    int type_stdin_ = 0;
    double timeout_s_ = 10;
    bool no_tn3270e_ = false;
};

}  // namespace ssogate::gateway

#pragma once
// The TOML configuration shared by every command. Relative paths are resolved against the
// config file's folder. Every secret can be given inline or as a `*_file` key (the file's first
// line); secrets are held as secret_bytes and never printed. Unknown keys are errors, so a typo
// never silently falls back to a default.
#include <ssogate/credstore/principal.hpp>
#include <ssogate/credstore/secret_bytes.hpp>
#include <ssogate/credstore/store.hpp>
#include <ssogate/identity/identity_config.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ssogate::gateway {

/// A configuration problem: message is "FILE: what is wrong" (line:column when known).
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct store_config {
    std::string url;                 // sqlite:PATH | postgresql://...
    credstore::secret_bytes password; // password / password_file
    int busy_timeout_ms = 5000;
};

struct keyring_config {
    std::optional<std::filesystem::path> key_file;
    credstore::secret_bytes passphrase;  // passphrase / passphrase_file
    [[nodiscard]] bool has_passphrase() const noexcept { return !passphrase.empty(); }
};

struct audit_config {
    std::string writer;  // chain id; default "cli@<hostname>", the gateway id for a gateway
};

/// host:port as written in the config ("127.0.0.1:7443", "[::1]:7443", "ss1.corp.example:7443").
struct endpoint {
    std::string host;
    std::uint16_t port = 0;
    [[nodiscard]] std::string to_string() const;
};
std::optional<endpoint> parse_endpoint(std::string_view text);

/// [secret_server]: serves the unsealed keyring to gateways over mutual TLS 1.3.
struct secret_server_config {
    bool present = false;
    endpoint listen;
    std::filesystem::path certificate, private_key;  // the server's own (PEM)
    std::filesystem::path client_ca;                  // gateways' certificates must chain here
    std::vector<std::string> allowed_clients;         // certificate CN or DNS name
    std::vector<std::filesystem::path> crls;          // gateways' certificates checked against these
};

/// [gateway]: the gateway process.
struct gateway_config {
    bool present = false;
    std::string id;                                   // names its heartbeat and audit chain
    endpoint management_listen;                       // /healthz, /metrics
    std::vector<endpoint> secret_servers;             // tried in order
    std::filesystem::path certificate, private_key;   // the gateway's client certificate (PEM)
    std::filesystem::path ca;                         // secret servers' certificates chain here
    std::vector<std::filesystem::path> secret_server_crls;  // ... and are checked against these
    int recheck_seconds = 30;                         // re-fetch the keyring this often
    int connect_timeout_ms = 2000;                    // per secret server attempt
    int backoff_max_ms = 3000;                        // cap of the sealed retry backoff
    std::filesystem::path admin_socket;               // local admin socket (emergency export)
};

struct config {
    std::filesystem::path file;
    store_config store;
    keyring_config keyring;
    credstore::realm_map realms;  // [identity] default_domain, [identity.domains]
    audit_config audit;
    secret_server_config secret_server;
    gateway_config gateway;
    identity::identity_config identity;  // keytab, KDC, throttling (gateway/identity)
};

/// Load and check a config file; throws config_error.
config load_config(const std::filesystem::path& file);
/// Check config text as if read from `file` (relative paths resolve against its folder).
config parse_config(std::string_view text, const std::filesystem::path& file);

/// Read a secret from a file: the first line, without its line ending. Throws config_error.
/// `private_file`: refuse a file open to group or others (else only world access is refused).
credstore::secret_bytes read_secret_file(const std::filesystem::path& file, bool private_file);

/// The store options a config describes; `actor` names who acts in the audit log.
credstore::store_options store_options_for(const config& cfg, std::string actor);

}  // namespace ssogate::gateway

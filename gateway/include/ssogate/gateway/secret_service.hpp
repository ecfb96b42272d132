#pragma once
// The master secret service: the secret server that serves the unsealed keyring over mutual
// TLS 1.3, and the client a gateway uses to fetch it. No Asio in this header.
//
// Wire protocol (v1), inside TLS 1.3 with client certificates:
//   client -> "SSOGATE-KEYRING 1\n"
//   server -> "OK <n>\n" followed by n bytes: the keyring payload (keyring::serialize)
//          |  "ERR <one line>\n"
//   then both close.
// A client is served only when its certificate chains to [secret_server] client_ca, carries
// the clientAuth extended key usage, and names (CN or DNS SAN) one of allowed_clients. Every
// refusal and every keyring served is audited.
#include <ssogate/credstore/keyring.hpp>
#include <ssogate/gateway/config.hpp>

#include <memory>
#include <string>

namespace ssogate::gateway {

/// Log lines of the long-running services go to stderr: time, level, message. Never secrets.
void init_service_logging();

/// Run `ssogate secret-server` until SIGTERM/SIGINT. Returns the exit code.
int run_secret_server(const config& cfg, const credstore::unseal_key& key);

struct fetch_result {
    std::unique_ptr<credstore::keyring> ring;  // set on success
    std::string server;                         // who answered (or last tried)
    std::string error;                          // one line, when every server failed
};

/// Load the gateway's certificate, key and CA once: a start-up check (throws config_error).
void check_gateway_tls(const config& cfg);

/// Try the configured secret servers in order, each within connect_timeout_ms; the first that
/// serves wins. Blocking; safe to call from any thread; never throws (errors are in `error`).
fetch_result fetch_keyring(const config& cfg);

}  // namespace ssogate::gateway

#pragma once
// The gateway process (`ssogate gateway`): fetches the keyring from a secret server and keeps it
// only in memory; runs sealed (and keeps retrying) when none answers; serves /healthz and
// /metrics on its management listener; records a heartbeat in the store. Later issues add the
// TN3270, TN5250 and HTTP routes. No Asio in this header.
#include <ssogate/gateway/config.hpp>

namespace ssogate::gateway {

/// Run until SIGTERM/SIGINT. Returns the exit code.
int run_gateway(const config& cfg);

}  // namespace ssogate::gateway

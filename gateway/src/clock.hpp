#pragma once
// Internal: wall-clock time as the store and the audit log record it (unix milliseconds).
#include <chrono>
#include <cstdint>

namespace ssogate::gateway {

inline std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace ssogate::gateway

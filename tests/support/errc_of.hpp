#pragma once
// The credstore error code a call throws (errc::ok when it returns).
#include <ssogate/credstore/errc.hpp>

#include <functional>

namespace ssogate::test {

inline credstore::errc code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const credstore::error& e) {
        return static_cast<credstore::errc>(e.code().value());
    }
    return credstore::errc::ok;
}

}  // namespace ssogate::test

#include <ssogate/identity/kerberos_authenticator.hpp>

namespace ssogate::identity {

kerberos_authenticator::kerberos_authenticator(const identity_config& cfg, attempt_throttle::clock_fn clock)
    : passwords_(cfg, std::move(clock)), negotiate_(cfg) {}

outcome kerberos_authenticator::authenticate(const evidence& e) {
    if (const auto* pw = std::get_if<password_evidence>(&e))
        return passwords_.verify(pw->user, pw->password, pw->source_address);
    return negotiate_.accept(std::get<negotiate_evidence>(e).authorization);
}

}  // namespace ssogate::identity

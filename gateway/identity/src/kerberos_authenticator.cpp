#include <ssogate/identity/kerberos_authenticator.hpp>

namespace ssogate::identity {

kerberos_authenticator::kerberos_authenticator(const identity_config& cfg, attempt_throttle::clock_fn clock)
    : kerberos_authenticator(cfg, make_directory(cfg), std::move(clock)) {}

kerberos_authenticator::kerberos_authenticator(const identity_config& cfg, std::shared_ptr<directory> dir,
                                               attempt_throttle::clock_fn clock)
    : passwords_(cfg, std::move(clock)), negotiate_(cfg), directory_(std::move(dir)) {}

outcome kerberos_authenticator::authenticate(const evidence& e) {
    if (const auto* pw = std::get_if<password_evidence>(&e))
        return apply_directory(passwords_.verify(pw->user, pw->password, pw->source_address), directory_.get());
    return apply_directory(negotiate_.accept(std::get<negotiate_evidence>(e).authorization), directory_.get());
}

}  // namespace ssogate::identity

#pragma once
// The stage-1 authenticator: Windows passwords checked by the KDC (password_verifier) and HTTP
// Negotiate tokens (negotiate_acceptor), behind the shared `authenticator` interface.
// Stage 2 adds groups, SID and account state from the directory to every verified identity.
//
// Blocking and thread-safe (see password_verifier and negotiate_acceptor).
#include <ssogate/identity/directory.hpp>
#include <ssogate/identity/identity.hpp>
#include <ssogate/identity/identity_config.hpp>
#include <ssogate/identity/negotiate_acceptor.hpp>
#include <ssogate/identity/password_verifier.hpp>

namespace ssogate::identity {

class kerberos_authenticator final : public authenticator {
public:
    /// Throws config_error when the keytab or the Kerberos configuration is unusable.
    /// Groups, SID and account state come from make_directory(cfg) ([identity.ldap], or none).
    explicit kerberos_authenticator(const identity_config& cfg, attempt_throttle::clock_fn clock = {});
    /// The same with a directory of the caller's (nullptr: none); see apply_directory().
    kerberos_authenticator(const identity_config& cfg, std::shared_ptr<directory> dir,
                           attempt_throttle::clock_fn clock = {});

    outcome authenticate(const evidence& e) override;

    [[nodiscard]] password_verifier& passwords() noexcept { return passwords_; }
    [[nodiscard]] const negotiate_acceptor& negotiate() const noexcept { return negotiate_; }
    [[nodiscard]] directory* groups_directory() const noexcept { return directory_.get(); }

private:
    password_verifier passwords_;
    negotiate_acceptor negotiate_;
    std::shared_ptr<directory> directory_;
};

}  // namespace ssogate::identity

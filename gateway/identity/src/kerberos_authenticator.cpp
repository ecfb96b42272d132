#include <ssogate/identity/kerberos_authenticator.hpp>
#include <ssogate/identity/ldap_directory.hpp>

#include "pac_groups.hpp"

namespace ssogate::identity {
namespace {

// Negotiate: the account state is checked in the directory all the same (a ticket outlives a
// disabled account); groups from a young enough PAC stay what the ticket says.
outcome accept_with_directory(outcome accepted, directory* dir) {
    std::optional<std::vector<group>> from_pac;
    if (accepted && accepted.identity->groups_from == groups_status::pac) from_pac = accepted.identity->groups;
    outcome o = apply_directory(std::move(accepted), dir);
    if (o && from_pac) {
        o.identity->groups = std::move(*from_pac);
        o.identity->groups_from = groups_status::pac;
    }
    return o;
}

}  // namespace

kerberos_authenticator::kerberos_authenticator(const identity_config& cfg, attempt_throttle::clock_fn clock)
    : kerberos_authenticator(cfg, make_directory(cfg), std::move(clock)) {}

kerberos_authenticator::kerberos_authenticator(const identity_config& cfg, std::shared_ptr<directory> dir,
                                               attempt_throttle::clock_fn clock)
    : passwords_(cfg, std::move(clock)), negotiate_(cfg), directory_(std::move(dir)) {
    // Negotiate: groups straight from an AD ticket's PAC, named through the directory's SID
    // names, while the ticket's logon is younger than cache_seconds (docs/identity.md).
    if (directory_ && cfg.ldap && cfg.ldap->flavour == directory_flavour::ad)
        negotiate_.use_pac_groups(detail::directory_pac_namer(std::make_shared<ldap_directory>(cfg), cfg.realms),
                                  cfg.ldap->cache_ttl);
}

outcome kerberos_authenticator::authenticate(const evidence& e) {
    if (const auto* pw = std::get_if<password_evidence>(&e))
        return apply_directory(passwords_.verify(pw->user, pw->password, pw->source_address), directory_.get());
    if (const auto* ng = std::get_if<negotiate_evidence>(&e))
        return accept_with_directory(negotiate_.accept(ng->authorization), directory_.get());
    return outcome::failure(errc::unsupported_mechanism,
                            "the Kerberos authenticator takes passwords and Negotiate tokens; certificates go to "
                            "certificate_authenticator");
}

}  // namespace ssogate::identity

#pragma once
// Reading [identity.certificates] (called by parse_identity_config once [identity.domains] and
// [identity.kdc] are read, so a rule's realm can be checked against the realms the gateway serves).
#include <ssogate/identity/identity_config.hpp>

#include <toml++/toml.h>

namespace ssogate::identity::detail {

/// `node` is the value of [identity] certificates. Throws config_error ("FILE: line N: ...").
void read_certificate_rules(const toml::node& node, identity_config& c);

}  // namespace ssogate::identity::detail

#pragma once
// `ssogate identity check --cert FILE`: the certificate half of identity_check_command.
#include <ssogate/identity/check_command.hpp>

#include <iosfwd>

namespace ssogate::identity::detail {

/// Reads a.cert (PEM: the client's certificate first, then any intermediates; or one DER
/// certificate), runs it through certificate_authenticator with a.config, prints the rule that
/// matched and the principal, or the refusal (one line on `err`, exit 1).
int certificate_check_command(const check_args& a, std::ostream& out, std::ostream& err);

}  // namespace ssogate::identity::detail

#pragma once
// A Windows password, verified by the realm's KDC (Kerberos AS exchange, RFC 4120 section 3.1),
// then the KDC itself verified: the ticket the KDC issued is checked against the gateway's own
// service key from its keytab (krb5_verify_init_creds), so a spoofed KDC that answers "yes" to
// any password still cannot log anyone in.
//
// Flow of verify():
//   name -> credstore principal (else bad_name) -> realm served? (else unknown_realm)
//   -> throttle allows? (else throttled, no KDC exchange)
//   -> krb5_get_init_creds_password (no prompter: an expired password is an answer, not a prompt)
//   -> krb5_verify_init_creds against the keytab (ap_req_nofail)
//   -> verified identity, with the password expiry when the KDC announced one.
//
// BLOCKING: two exchanges with the KDC (AS, then TGS for our own service). Normally a few
// milliseconds; when a KDC is silent the Kerberos library's retry schedule can take seconds.
// Thread-safe: every call uses its own krb5_context.
//
// The password never leaves the secret_bytes it arrived in except into a zeroed-after-use copy
// that the Kerberos library reads; no message ever contains it.
#include <ssogate/identity/identity.hpp>
#include <ssogate/identity/identity_config.hpp>
#include <ssogate/identity/throttle.hpp>

#include <cstdint>
#include <memory>
#include <string_view>

namespace ssogate::identity {

/// The outcome for a krb5 error code of the AS exchange (krb5_get_init_creds_password).
/// Codes it does not know map to errc::kerberos_error.
errc classify_kdc_error(std::int32_t krb5_code) noexcept;

/// The outcome for a krb5 error code of ticket verification (krb5_verify_init_creds):
/// keytab problems are errc::keytab_error, everything else errc::verification_failed (except
/// an unreachable KDC and clock skew).
errc classify_verify_error(std::int32_t krb5_code) noexcept;

class password_verifier {
public:
    /// Reads the Kerberos configuration and checks the keytab: throws config_error when the
    /// keytab cannot be read or lacks the service key (start-up misconfiguration).
    password_verifier(const identity_config& cfg, attempt_throttle::clock_fn clock = {});
    ~password_verifier();
    password_verifier(const password_verifier&) = delete;
    password_verifier& operator=(const password_verifier&) = delete;

    /// Blocking (see above). Never throws on bad input; bad input is a refusal.
    outcome verify(std::string_view user, const credstore::secret_bytes& password,
                   std::string_view source_address);

    [[nodiscard]] attempt_throttle& throttle() noexcept { return throttle_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    attempt_throttle throttle_;
};

}  // namespace ssogate::identity

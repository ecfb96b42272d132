#include <ssogate/identity/errc.hpp>

#include <string>

namespace ssogate::identity {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "ssogate.identity"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::ok: return "ok";
            case errc::bad_name: return "not a valid user name";
            case errc::unknown_realm: return "not one of the gateway's realms";
            case errc::invalid_password_input: return "password empty, too long or with a NUL byte";
            case errc::throttled: return "too many failed attempts; try again later";
            case errc::wrong_password: return "wrong password";
            case errc::password_expired: return "password expired";
            case errc::account_disabled: return "account disabled or locked out";
            case errc::account_expired: return "account expired";
            case errc::unknown_user: return "unknown user";
            case errc::kdc_unreachable: return "no KDC reachable";
            case errc::clock_skew: return "clock skew too great";
            case errc::verification_failed: return "ticket did not verify against the gateway's key";
            case errc::malformed_header: return "malformed Negotiate header";
            case errc::unsupported_mechanism: return "unsupported authentication mechanism";
            case errc::token_rejected: return "Negotiate token rejected";
            case errc::replayed_token: return "replayed Negotiate token";
            case errc::continue_needed: return "SPNEGO needs another round trip";
            case errc::not_a_user: return "not a user principal";
            case errc::keytab_error: return "keytab problem";
            case errc::kerberos_error: return "Kerberos error";
            case errc::bad_certificate: return "not a usable X.509 certificate chain";
            case errc::untrusted_certificate: return "certificate not issued by a CA of any certificate rule";
            case errc::certificate_expired: return "certificate expired or not yet valid";
            case errc::certificate_revoked: return "certificate revoked";
            case errc::crl_unavailable: return "certificate revocation list unavailable";
            case errc::no_client_auth_usage: return "certificate lacks the clientAuth extended key usage";
            case errc::certificate_unmapped: return "no certificate rule maps the certificate to a user";
            case errc::directory_unavailable: return "directory unavailable";
            case errc::directory_error: return "directory refused the gateway";
            case errc::not_in_directory: return "no directory entry for the user";
        }
        return "unknown identity error";
    }
};

}  // namespace

const std::error_category& identity_category() noexcept {
    static const category c;
    return c;
}

std::string_view to_string(errc e) noexcept {
    switch (e) {
        case errc::ok: return "ok";
        case errc::bad_name: return "bad_name";
        case errc::unknown_realm: return "unknown_realm";
        case errc::invalid_password_input: return "invalid_password_input";
        case errc::throttled: return "throttled";
        case errc::wrong_password: return "wrong_password";
        case errc::password_expired: return "password_expired";
        case errc::account_disabled: return "account_disabled";
        case errc::account_expired: return "account_expired";
        case errc::unknown_user: return "unknown_user";
        case errc::kdc_unreachable: return "kdc_unreachable";
        case errc::clock_skew: return "clock_skew";
        case errc::verification_failed: return "verification_failed";
        case errc::malformed_header: return "malformed_header";
        case errc::unsupported_mechanism: return "unsupported_mechanism";
        case errc::token_rejected: return "token_rejected";
        case errc::replayed_token: return "replayed_token";
        case errc::continue_needed: return "continue_needed";
        case errc::not_a_user: return "not_a_user";
        case errc::keytab_error: return "keytab_error";
        case errc::kerberos_error: return "kerberos_error";
        case errc::bad_certificate: return "bad_certificate";
        case errc::untrusted_certificate: return "untrusted_certificate";
        case errc::certificate_expired: return "certificate_expired";
        case errc::certificate_revoked: return "certificate_revoked";
        case errc::crl_unavailable: return "crl_unavailable";
        case errc::no_client_auth_usage: return "no_client_auth_usage";
        case errc::certificate_unmapped: return "certificate_unmapped";
        case errc::directory_unavailable: return "directory_unavailable";
        case errc::directory_error: return "directory_error";
        case errc::not_in_directory: return "not_in_directory";
    }
    return "unknown";
}

bool is_fatal(std::error_code ec) noexcept { return ec == errc::keytab_error || ec == errc::directory_error; }

bool is_temporary(std::error_code ec) noexcept {
    return ec == errc::kdc_unreachable || ec == errc::throttled || ec == errc::clock_skew ||
           ec == errc::crl_unavailable || ec == errc::directory_unavailable;
}

std::string_view user_message(std::error_code ec) noexcept {
    if (ec.category() != identity_category()) return "Sign-on failed.";
    switch (static_cast<errc>(ec.value())) {
        case errc::ok: return "Signed on.";
        case errc::bad_name:
        case errc::unknown_realm:
        case errc::wrong_password:
        case errc::unknown_user:
        case errc::invalid_password_input:
            return "The user name or password is incorrect.";
        case errc::throttled: return "Too many failed attempts. Wait a few minutes and try again.";
        case errc::password_expired:
            return "Your Windows password has expired. Change it on Windows, then sign on again.";
        case errc::account_disabled:
        case errc::account_expired:
            return "Your Windows account is disabled, locked or expired. Contact your administrator.";
        case errc::kdc_unreachable:
        case errc::clock_skew:
        case errc::verification_failed:
        case errc::keytab_error:
        case errc::kerberos_error:
            return "Sign-on is unavailable right now. Try again later or contact your administrator.";
        case errc::malformed_header:
        case errc::unsupported_mechanism:
        case errc::token_rejected:
        case errc::replayed_token:
        case errc::continue_needed:
        case errc::not_a_user:
            return "Windows sign-on (Kerberos) did not succeed for this request.";
        case errc::directory_unavailable:
        case errc::directory_error:
            return "Sign-on is unavailable right now. Try again later or contact your administrator.";
        case errc::not_in_directory: return "The user name or password is incorrect.";
        case errc::crl_unavailable:
            return "Certificate sign-on is unavailable right now. Try again later or contact your administrator.";
        case errc::bad_certificate:
        case errc::untrusted_certificate:
        case errc::certificate_expired:
        case errc::certificate_revoked:
        case errc::no_client_auth_usage:
        case errc::certificate_unmapped:
            return "Your certificate was not accepted for sign-on. Contact your administrator.";
    }
    return "Sign-on failed.";
}

}  // namespace ssogate::identity

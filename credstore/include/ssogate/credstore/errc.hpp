#pragma once
// Errors of the credential store. Every failure the store reports carries one of these codes;
// `error` (an exception) adds a message meant for an operator. Messages never contain secrets.
#include <stdexcept>
#include <string>
#include <system_error>

namespace ssogate::credstore {

enum class errc {
    ok = 0,
    // crypto and keyring
    crypto_failure = 1,        // OpenSSL refused an operation (internal)
    decrypt_failed,            // ciphertext tampered, moved to another row, or wrong key
    wrong_unseal_key,          // the key file or passphrase does not open the sealed keyring
    corrupt_sealed_keyring,    // the sealed keyring blob is malformed
    key_file_invalid,          // key file missing, wrong size, or readable by others
    unknown_key_version,       // a value is encrypted under a version the keyring lacks
    keyring_missing,           // the store holds no keyring: run `secret init`
    keyring_exists,            // `secret init` on a store that already has one
    keyring_mismatch,          // unsealed keyring does not match the store's fingerprint
    // store
    store_unavailable,         // cannot open or talk to the database
    schema_too_new,            // the store was written by a newer ssogate
    schema_too_old,            // the store needs `ssogate store migrate`
    store_not_initialised,     // no schema at all
    integrity_failure,         // a protected row's MAC does not verify: edited outside ssogate
    duplicate,                 // name already in use
    invalid_argument,          // a bad name, field, principal, ...
    audit_failure,             // the audit record could not be written: the operation failed
    audit_broken,              // `audit verify` found a break in a chain
    // resolution (distinct, so the gateway can answer each clearly)
    app_not_found,
    app_disabled,
    no_mapping,
    mapping_disabled,
    credential_missing,
    credential_needs_update,
    credential_expired,
    wrong_kind,                // e.g. `cred set` on a config application
    not_found,                 // other lookups (mapping for delete, config field, ...)
};

const std::error_category& credstore_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), credstore_category()};
}

/// The exception the store throws. `what()` is a one-line message for an operator.
class error : public std::runtime_error {
public:
    error(errc code, const std::string& message)
        : std::runtime_error(message), code_(make_error_code(code)) {}
    [[nodiscard]] std::error_code code() const noexcept { return code_; }

private:
    std::error_code code_;
};

}  // namespace ssogate::credstore

template <>
struct std::is_error_code_enum<ssogate::credstore::errc> : std::true_type {};

#include <ssogate/credstore/errc.hpp>

namespace ssogate::credstore {
namespace {
class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "ssogate.credstore"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::ok: return "ok";
            case errc::crypto_failure: return "cryptographic operation failed";
            case errc::decrypt_failed: return "value does not decrypt (tampered, moved or wrong key)";
            case errc::wrong_unseal_key: return "wrong unseal key or passphrase";
            case errc::corrupt_sealed_keyring: return "sealed keyring is corrupt";
            case errc::key_file_invalid: return "key file invalid";
            case errc::unknown_key_version: return "value encrypted under an unknown key version";
            case errc::keyring_missing: return "the store has no keyring";
            case errc::keyring_exists: return "the store already has a keyring";
            case errc::keyring_mismatch: return "keyring does not belong to this store";
            case errc::store_unavailable: return "store unavailable";
            case errc::schema_too_new: return "store schema is newer than this binary";
            case errc::schema_too_old: return "store schema needs migration";
            case errc::store_not_initialised: return "store not initialised";
            case errc::integrity_failure: return "row integrity check failed";
            case errc::duplicate: return "already exists";
            case errc::invalid_argument: return "invalid argument";
            case errc::audit_failure: return "audit record could not be written";
            case errc::audit_broken: return "audit chain broken";
            case errc::app_not_found: return "application not found";
            case errc::app_disabled: return "application disabled";
            case errc::no_mapping: return "no mapping";
            case errc::mapping_disabled: return "mapping disabled";
            case errc::credential_missing: return "no credential stored";
            case errc::credential_needs_update: return "credential needs update";
            case errc::credential_expired: return "credential expired";
            case errc::wrong_kind: return "wrong application kind";
            case errc::not_found: return "not found";
        }
        return "unknown credstore error";
    }
};
}  // namespace

const std::error_category& credstore_category() noexcept {
    static const category c;
    return c;
}
}  // namespace ssogate::credstore

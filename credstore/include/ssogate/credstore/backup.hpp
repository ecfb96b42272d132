#pragma once
// Keyring backups: the keyring under a backup password, for `secret backup` / `restore`.
//
// File (integers big-endian):
//   header  = "SSOGBK01" | created i64 (unix ms) | fingerprint (u32 len + ASCII)
//             | versions (u32 count + count x u32) | reminder (u32 len + UTF-8, in clear)
//             | N u64 | r u32 | p u32 | salt (u32 len + 16 bytes) | nonce (12)
//   body    = AES-256-GCM(scrypt(password, salt, N, r, p), keyring payload, aad = header) | tag
// Everything in the header is authenticated, so neither the reminder, the versions nor the
// scrypt parameters can be changed unnoticed; only the password opens the body.
#include <ssogate/credstore/codec.hpp>
#include <ssogate/credstore/keyring.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ssogate::credstore {

/// created_at, fingerprint and versions come from the prefix every keyring file starts with.
struct backup_info : keyring_file_prefix {
    std::string reminder;
};

/// Seal `ring` under `password` (at least 12 characters: error(invalid_argument)).
bytes write_backup(const keyring& ring, std::string_view password, std::string_view reminder,
                   std::int64_t now, scrypt_params params = {});
/// The clear header (no password needed); error(corrupt_sealed_keyring) if malformed.
backup_info read_backup_info(std::span<const std::byte> file);
/// Open a backup; error(wrong_unseal_key) for a wrong password (or an altered file),
/// error(corrupt_sealed_keyring) for a malformed one.
keyring open_backup(std::span<const std::byte> file, std::string_view password);

}  // namespace ssogate::credstore

#pragma once
// Emergency export of a running gateway's keyring, readable only with an offline recovery key.
//
// The recovery key is an RSA key pair (3072 bits or more); only its public half is registered
// in the store. An export file:
//   header = "SSOGEX01" | created i64 | fingerprint (u32 len + ASCII) | versions (u32 n + n x u32)
//            | recovery key id (u32 len + hex SHA-256 of the public key's DER)
//            | wrapped key (u32 len + RSA-OAEP-SHA256 of a fresh AES-256 key) | nonce (12)
//   body   = AES-256-GCM(that key, keyring payload, aad = header) | tag
// so whoever holds the file but not the private key learns nothing but the header.
#include <ssogate/credstore/codec.hpp>
#include <ssogate/credstore/keyring.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ssogate::credstore {

struct recovery_public_key {
    std::string pem;  // SubjectPublicKeyInfo, PEM
    std::string id;   // hex SHA-256 of the DER
};

/// Read and check a public key file (RSA, >= 3072 bits). Throws error(invalid_argument).
recovery_public_key load_recovery_public_key(const std::filesystem::path& file);
/// The same checks on PEM text (from the store).
recovery_public_key parse_recovery_public_key(std::string_view pem);

/// created_at, fingerprint and versions come from the prefix every keyring file starts with.
struct export_info : keyring_file_prefix {
    std::string recovery_key_id;
};

bytes write_export(const keyring& ring, const recovery_public_key& key, std::int64_t now);
export_info read_export_info(std::span<const std::byte> file);
/// Open an export with the private key (PEM, unencrypted). error(wrong_unseal_key) when the key
/// is not the one the export was made for; error(corrupt_sealed_keyring) when malformed.
keyring open_export(std::span<const std::byte> file, const std::filesystem::path& private_key);

}  // namespace ssogate::credstore

#pragma once
// The keyring: versioned 256-bit master keys, and the sealed form kept in the store.
//
// Sealed blob (all integers big-endian):
//   header  = "SSOGKR01" | kdf u8 (1 key file, 2 scrypt) | N u64 | r u32 | p u32
//             | salt (u32 len + bytes) | fingerprint (u32 len + ASCII) | nonce (12)
//   body    = AES-256-GCM(unseal key, payload, aad = header) | tag (16)
//   payload = "SSOGKP02" | fingerprint (16) | created i64 | count u32
//             | count x (version u32 | created i64 | key (32))
//             | retired u32 | retired x (version u32 | created i64 | audit key (32))
//   (a retired version keeps only the key that verifies the audit records written under it;
//    "SSOGKP01" payloads, without the retired list, are still read)
// The unseal key is the key file's 32 bytes, or scrypt(passphrase, salt, N, r, p). Because the
// header is the AEAD's associated data, nobody can weaken the scrypt parameters unnoticed.
#include <ssogate/credstore/crypto.hpp>
#include <ssogate/credstore/secret_bytes.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ssogate::credstore {

struct key_version_info {
    std::uint32_t version = 0;
    std::int64_t created_at = 0;  // unix milliseconds
};

class keyring {
public:
    /// A new keyring holding version 1.
    static keyring generate(std::int64_t now);
    /// Parse an unsealed payload; throws error(corrupt_sealed_keyring).
    static keyring parse(std::span<const std::byte> payload);

    keyring(keyring&&) noexcept;
    keyring& operator=(keyring&&) noexcept;
    ~keyring();

    [[nodiscard]] std::uint32_t current_version() const noexcept;
    [[nodiscard]] bool has_version(std::uint32_t v) const noexcept;
    /// The key of version v; throws error(unknown_key_version).
    [[nodiscard]] std::span<const std::byte> key(std::uint32_t v) const;
    [[nodiscard]] std::vector<key_version_info> versions() const;
    /// 32 hex digits naming this keyring; stable across rotation, backup and restore.
    [[nodiscard]] const std::string& fingerprint() const noexcept { return fingerprint_; }
    [[nodiscard]] std::int64_t created_at() const noexcept { return created_at_; }

    /// Add a new current version (rotation); returns it.
    std::uint32_t add_version(std::int64_t now);
    /// Retire an old version: its key is dropped, only its audit key is kept (old audit records
    /// still verify). Not the current one. Throws error(unknown_key_version | invalid_argument).
    void retire_version(std::uint32_t v);
    [[nodiscard]] std::vector<key_version_info> retired_versions() const;
    /// Whether audit records under version v can be verified (active or retired).
    [[nodiscard]] bool has_audit_key(std::uint32_t v) const noexcept {
        return keys_.contains(v) || retired_.contains(v);
    }

    /// Keys derived with HKDF-SHA-256 from version v, cached: row MACs and the audit chain.
    [[nodiscard]] std::span<const std::byte> row_mac_key(std::uint32_t v) const;
    [[nodiscard]] std::span<const std::byte> audit_key(std::uint32_t v) const;
    /// The row MAC key of version v, prepared for HMAC (cached; valid while *this lives).
    [[nodiscard]] const hmac_sha256_key& row_mac(std::uint32_t v) const;

    [[nodiscard]] secret_bytes serialize() const;

private:
    keyring();
    struct entry {
        std::int64_t created_at = 0;
        secret_bytes key;
    };
    std::span<const std::byte> derived(std::uint32_t v, int purpose) const;

    std::string fingerprint_;
    std::int64_t created_at_ = 0;
    std::map<std::uint32_t, entry> keys_;
    std::map<std::uint32_t, entry> retired_;  // key = the version's audit key
    struct cache;
    std::unique_ptr<cache> cache_;
};

/// "1,2,3": key versions as heartbeats, backups and messages write them.
std::string version_list(std::span<const std::uint32_t> versions);
std::string version_list(const keyring& ring);  // its active versions
std::vector<std::uint32_t> version_numbers(const keyring& ring);  // its active versions
std::vector<std::uint32_t> parse_version_list(std::string_view text);

/// Where the unseal key comes from.
class unseal_key {
public:
    static unseal_key from_key_file(std::filesystem::path path);
    static unseal_key from_passphrase(secret_bytes passphrase, scrypt_params params = {});

    [[nodiscard]] bool is_passphrase() const noexcept { return passphrase_.size() > 0; }
    [[nodiscard]] const std::filesystem::path& key_file() const noexcept { return path_; }
    [[nodiscard]] const secret_bytes& passphrase() const noexcept { return passphrase_; }
    [[nodiscard]] const scrypt_params& params() const noexcept { return params_; }

private:
    std::filesystem::path path_;
    secret_bytes passphrase_;
    scrypt_params params_;
};

/// Create a key file: 32 random bytes, mode 0600, refusing to overwrite. Throws error.
void create_key_file(const std::filesystem::path& path);
/// Read a key file: must be a regular file of exactly 32 bytes not readable by group or others.
secret_bytes read_key_file(const std::filesystem::path& path);

/// Seal the keyring under the unseal key. Returns the blob to store.
bytes seal_keyring(const keyring& ring, const unseal_key& key);
/// Open a sealed blob. Throws error(corrupt_sealed_keyring | wrong_unseal_key | key_file_invalid).
keyring unseal_keyring(std::span<const std::byte> sealed, const unseal_key& key);
/// The fingerprint written in a sealed blob's header (no key needed); nullopt if malformed.
std::optional<std::string> sealed_fingerprint(std::span<const std::byte> sealed);

}  // namespace ssogate::credstore

#pragma once
// Cryptographic primitives, all through OpenSSL 3 EVP:
//   AES-256-GCM with a fresh random 96-bit nonce per encryption (sealed form: nonce|ct|tag),
//   HMAC-SHA-256, HKDF-SHA-256, scrypt, SHA-256, a CSPRNG; plus hex and base64.
// Functions that take peer or stored bytes never throw on bad input: they return errc.
#include <ssogate/credstore/errc.hpp>
#include <ssogate/credstore/secret_bytes.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ssogate::credstore {

using bytes = std::vector<std::byte>;
using digest256 = std::array<std::byte, 32>;

inline constexpr std::size_t aes_key_size = 32;
inline constexpr std::size_t gcm_nonce_size = 12;
inline constexpr std::size_t gcm_tag_size = 16;
inline constexpr std::size_t gcm_overhead = gcm_nonce_size + gcm_tag_size;

inline std::span<const std::byte> as_bytes(std::string_view s) noexcept {
    return std::as_bytes(std::span(s.data(), s.size()));
}
inline std::string_view as_text(std::span<const std::byte> b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

/// Fill `out` from OpenSSL's CSPRNG. Throws error(crypto_failure) if the RNG fails.
void random_fill(std::span<std::byte> out);
bytes random_bytes(std::size_t n);
secret_bytes random_secret(std::size_t n);

/// AES-256-GCM with the given nonce; writes ciphertext (same size as plaintext) and the tag.
/// For test vectors and for callers with their own framing; prefer aead_seal.
void aes256gcm_encrypt(std::span<const std::byte> key, std::span<const std::byte> nonce,
                       std::span<const std::byte> plaintext, std::span<const std::byte> aad,
                       std::span<std::byte> ciphertext, std::span<std::byte, gcm_tag_size> tag);
/// Returns false when the tag does not verify (`plaintext` is then zeroed).
[[nodiscard]] bool aes256gcm_decrypt(std::span<const std::byte> key,
                                     std::span<const std::byte> nonce,
                                     std::span<const std::byte> ciphertext,
                                     std::span<const std::byte> aad,
                                     std::span<const std::byte, gcm_tag_size> tag,
                                     std::span<std::byte> plaintext);

/// Encrypt with a fresh random nonce. Result: nonce(12) | ciphertext | tag(16).
bytes aead_seal(std::span<const std::byte> key, std::span<const std::byte> plaintext,
                std::span<const std::byte> aad);
/// Open a value made by aead_seal. errc::decrypt_failed on any mismatch (short input included).
[[nodiscard]] errc aead_open(std::span<const std::byte> key, std::span<const std::byte> sealed,
                             std::span<const std::byte> aad, secret_bytes& plaintext);

digest256 hmac_sha256(std::span<const std::byte> key, std::span<const std::byte> data);

/// An HMAC-SHA-256 key prepared once: the inner and outer SHA-256 states after the padded key
/// (RFC 2104), kept in locked memory. mac() then costs two hash finishes, no allocation.
class hmac_sha256_key {
public:
    explicit hmac_sha256_key(std::span<const std::byte> key);  // any length
    [[nodiscard]] digest256 mac(std::span<const std::byte> data) const;

private:
    secret_bytes state_;  // two SHA256_CTX: inner, outer
};
digest256 sha256(std::span<const std::byte> data);
secret_bytes hkdf_sha256(std::span<const std::byte> ikm, std::span<const std::byte> salt,
                         std::string_view info, std::size_t length);

struct scrypt_params {
    std::uint64_t n = 1u << 15;  // 32 MiB with r = 8
    std::uint32_t r = 8;
    std::uint32_t p = 1;
};
/// Throws error(invalid_argument) for parameters outside sane bounds (they come from headers).
secret_bytes scrypt(std::string_view passphrase, std::span<const std::byte> salt,
                    const scrypt_params& params, std::size_t length);
bool scrypt_params_sane(const scrypt_params& params) noexcept;

std::string to_hex(std::span<const std::byte> data);
std::optional<bytes> from_hex(std::string_view hex);
std::string to_base64(std::span<const std::byte> data);
std::optional<bytes> from_base64(std::string_view text);

}  // namespace ssogate::credstore

// The low-level SHA-256 API is deprecated in OpenSSL 3 but is the one that lets the HMAC
// midstates live in our own locked memory (EVP contexts are allocated by OpenSSL).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <ssogate/credstore/crypto.hpp>

#include <openssl/sha.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>

namespace ssogate::credstore {
namespace {

[[noreturn]] void fail(const char* what) {
    throw error(errc::crypto_failure, std::string("crypto: ") + what + " failed");
}

const unsigned char* uc(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* uc(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }
int ilen(std::size_t n) {
    if (n > static_cast<std::size_t>(INT32_MAX)) fail("length");
    return static_cast<int>(n);
}

// Fetching an algorithm walks OpenSSL's provider tables; do it once.
const EVP_CIPHER* gcm() {
    static EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (c == nullptr) fail("AES-256-GCM fetch");
    return c;
}
EVP_MAC* hmac_alg() {
    static EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (m == nullptr) fail("HMAC fetch");
    return m;
}

struct cipher_ctx_free { void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); } };
struct mac_ctx_free { void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); } };
struct kdf_free { void operator()(EVP_KDF* k) const { EVP_KDF_free(k); } };
struct kdf_ctx_free { void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); } };
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;

cipher_ctx gcm_ctx(std::span<const std::byte> key, std::span<const std::byte> nonce, bool enc) {
    if (key.size() != aes_key_size || nonce.size() != gcm_nonce_size) fail("AES-GCM key/nonce size");
    cipher_ctx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) fail("EVP_CIPHER_CTX_new");
    if (EVP_CipherInit_ex2(ctx.get(), gcm(), uc(key.data()), uc(nonce.data()), enc ? 1 : 0,
                           nullptr) != 1)
        fail("AES-GCM init");
    return ctx;
}

void gcm_aad(EVP_CIPHER_CTX* ctx, std::span<const std::byte> aad) {
    int n = 0;
    if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &n, uc(aad.data()), ilen(aad.size())) != 1)
        fail("AES-GCM aad");
}

}  // namespace

void random_fill(std::span<std::byte> out) {
    if (out.empty()) return;
    if (RAND_bytes(uc(out.data()), ilen(out.size())) != 1) fail("RAND_bytes");
}

bytes random_bytes(std::size_t n) {
    bytes b(n);
    random_fill(b);
    return b;
}

secret_bytes random_secret(std::size_t n) {
    secret_bytes s(n);
    random_fill(s.writable());
    return s;
}

void aes256gcm_encrypt(std::span<const std::byte> key, std::span<const std::byte> nonce,
                       std::span<const std::byte> plaintext, std::span<const std::byte> aad,
                       std::span<std::byte> ciphertext, std::span<std::byte, gcm_tag_size> tag) {
    if (ciphertext.size() != plaintext.size()) fail("AES-GCM output size");
    auto ctx = gcm_ctx(key, nonce, true);
    gcm_aad(ctx.get(), aad);
    int n = 0;
    if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), uc(ciphertext.data()), &n,
                                                uc(plaintext.data()), ilen(plaintext.size())) != 1)
        fail("AES-GCM encrypt");
    int fin = 0;
    if (EVP_EncryptFinal_ex(ctx.get(), uc(ciphertext.data()) + n, &fin) != 1)
        fail("AES-GCM final");
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, gcm_tag_size, tag.data()) != 1)
        fail("AES-GCM tag");
}

bool aes256gcm_decrypt(std::span<const std::byte> key, std::span<const std::byte> nonce,
                       std::span<const std::byte> ciphertext, std::span<const std::byte> aad,
                       std::span<const std::byte, gcm_tag_size> tag,
                       std::span<std::byte> plaintext) {
    if (plaintext.size() != ciphertext.size()) fail("AES-GCM output size");
    auto ctx = gcm_ctx(key, nonce, false);
    gcm_aad(ctx.get(), aad);
    int n = 0;
    if (!ciphertext.empty() &&
        EVP_DecryptUpdate(ctx.get(), uc(plaintext.data()), &n, uc(ciphertext.data()),
                          ilen(ciphertext.size())) != 1)
        fail("AES-GCM decrypt");
    // The tag is only read by OpenSSL, but the ctrl API takes a non-const pointer.
    std::array<std::byte, gcm_tag_size> t{};
    std::memcpy(t.data(), tag.data(), gcm_tag_size);
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, gcm_tag_size, t.data()) != 1)
        fail("AES-GCM set tag");
    int fin = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), uc(plaintext.data()) + n, &fin) != 1) {
        if (!plaintext.empty()) OPENSSL_cleanse(plaintext.data(), plaintext.size());
        return false;
    }
    return true;
}

bytes aead_seal(std::span<const std::byte> key, std::span<const std::byte> plaintext,
                std::span<const std::byte> aad) {
    bytes out(gcm_overhead + plaintext.size());
    auto nonce = std::span(out).first(gcm_nonce_size);
    random_fill(nonce);
    aes256gcm_encrypt(key, nonce, plaintext, aad,
                      std::span(out).subspan(gcm_nonce_size, plaintext.size()),
                      std::span(out).last<gcm_tag_size>());
    return out;
}

errc aead_open(std::span<const std::byte> key, std::span<const std::byte> sealed,
               std::span<const std::byte> aad, secret_bytes& plaintext) {
    if (sealed.size() < gcm_overhead || key.size() != aes_key_size) return errc::decrypt_failed;
    const std::size_t n = sealed.size() - gcm_overhead;
    secret_bytes out(n);
    if (!aes256gcm_decrypt(key, sealed.first(gcm_nonce_size), sealed.subspan(gcm_nonce_size, n),
                           aad, sealed.last<gcm_tag_size>(), out.writable()))
        return errc::decrypt_failed;
    plaintext = std::move(out);
    return errc::ok;
}

namespace {
// An HMAC-SHA-256 context with its digest already fetched and set, but no key: each MAC dups
// it, which skips the provider look-up that setting the digest by name costs on every call.
const EVP_MAC_CTX* hmac_template() {
    static EVP_MAC_CTX* t = [] {
        EVP_MAC_CTX* c = EVP_MAC_CTX_new(hmac_alg());
        char digest_name[] = "SHA256";
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
            OSSL_PARAM_construct_end()};
        if (c == nullptr || EVP_MAC_CTX_set_params(c, params) != 1) fail("HMAC template");
        return c;
    }();
    return t;
}
}  // namespace

digest256 hmac_sha256(std::span<const std::byte> key, std::span<const std::byte> data) {
    std::unique_ptr<EVP_MAC_CTX, mac_ctx_free> ctx(EVP_MAC_CTX_dup(hmac_template()));
    if (!ctx) fail("EVP_MAC_CTX_dup");
    static const unsigned char no_key = 0;  // a null key pointer means "keep the old key"
    if (EVP_MAC_init(ctx.get(), key.empty() ? &no_key : uc(key.data()), key.size(), nullptr) != 1)
        fail("HMAC init");
    if (EVP_MAC_update(ctx.get(), uc(data.data()), data.size()) != 1) fail("HMAC update");
    digest256 out{};
    std::size_t len = 0;
    if (EVP_MAC_final(ctx.get(), uc(out.data()), &len, out.size()) != 1 || len != out.size())
        fail("HMAC final");
    return out;
}

hmac_sha256_key::hmac_sha256_key(std::span<const std::byte> key)
    : state_(2 * sizeof(SHA256_CTX)) {
    constexpr std::size_t block = 64;
    secret_bytes k(block);
    if (key.size() > block) {
        const auto d = sha256(key);
        std::memcpy(k.data(), d.data(), d.size());
    } else if (!key.empty()) {
        std::memcpy(k.data(), key.data(), key.size());
    }
    secret_bytes pad(block);
    auto* ctx = reinterpret_cast<SHA256_CTX*>(state_.data());
    for (int which = 0; which < 2; ++which) {
        const auto x = static_cast<std::byte>(which == 0 ? 0x36 : 0x5c);
        for (std::size_t i = 0; i < block; ++i) pad.data()[i] = k.data()[i] ^ x;
        if (SHA256_Init(&ctx[which]) != 1 || SHA256_Update(&ctx[which], pad.data(), block) != 1)
            fail("HMAC key");
    }
}

digest256 hmac_sha256_key::mac(std::span<const std::byte> data) const {
    const auto* ctx = reinterpret_cast<const SHA256_CTX*>(state_.data());
    SHA256_CTX c;
    unsigned char inner[SHA256_DIGEST_LENGTH];
    digest256 out{};
    std::memcpy(&c, &ctx[0], sizeof c);
    SHA256_Update(&c, data.data(), data.size());
    SHA256_Final(inner, &c);
    std::memcpy(&c, &ctx[1], sizeof c);
    SHA256_Update(&c, inner, sizeof inner);
    SHA256_Final(uc(out.data()), &c);
    OPENSSL_cleanse(&c, sizeof c);
    OPENSSL_cleanse(inner, sizeof inner);
    return out;
}

digest256 sha256(std::span<const std::byte> data) {
    digest256 out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), uc(out.data()), &len, EVP_sha256(), nullptr) != 1)
        fail("SHA-256");
    return out;
}

secret_bytes hkdf_sha256(std::span<const std::byte> ikm, std::span<const std::byte> salt,
                         std::string_view info, std::size_t length) {
    std::unique_ptr<EVP_KDF, kdf_free> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    if (!kdf) fail("HKDF fetch");
    std::unique_ptr<EVP_KDF_CTX, kdf_ctx_free> ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx) fail("HKDF ctx");
    char digest_name[] = "SHA256";
    static const unsigned char empty_salt = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                          const_cast<std::byte*>(ikm.data()), ikm.size()),
        OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_SALT,
            salt.empty() ? const_cast<unsigned char*>(&empty_salt)
                         : reinterpret_cast<unsigned char*>(const_cast<std::byte*>(salt.data())),
            salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()),
                                          info.size()),
        OSSL_PARAM_construct_end()};
    secret_bytes out(length);
    if (EVP_KDF_derive(ctx.get(), uc(out.data()), length, params) != 1) fail("HKDF derive");
    return out;
}

bool scrypt_params_sane(const scrypt_params& p) noexcept {
    const bool pow2 = p.n >= 2 && (p.n & (p.n - 1)) == 0;
    return pow2 && p.n <= (1u << 22) && p.r >= 1 && p.r <= 32 && p.p >= 1 && p.p <= 16 &&
           128ull * p.n * p.r <= (1ull << 31);  // at most 2 GiB of memory
}

secret_bytes scrypt(std::string_view passphrase, std::span<const std::byte> salt,
                    const scrypt_params& p, std::size_t length) {
    if (!scrypt_params_sane(p)) throw error(errc::invalid_argument, "scrypt parameters out of range");
    secret_bytes out(length);
    const std::uint64_t maxmem = 128ull * p.n * p.r * p.p + (1ull << 20) * 2;
    if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), uc(salt.data()), salt.size(), p.n,
                       p.r, p.p, maxmem, uc(out.data()), length) != 1)
        fail("scrypt");
    return out;
}

std::string to_hex(std::span<const std::byte> data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(data.size() * 2);
    for (auto b : data) {
        const auto v = static_cast<unsigned>(b);
        s.push_back(digits[v >> 4]);
        s.push_back(digits[v & 15]);
    }
    return s;
}

std::optional<bytes> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    bytes out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<std::byte>(hi << 4 | lo);
    }
    return out;
}

std::string to_base64(std::span<const std::byte> data) {
    static constexpr char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string s;
    s.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(data[k]); };
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
        s += table[v >> 18]; s += table[(v >> 12) & 63]; s += table[(v >> 6) & 63]; s += table[v & 63];
    }
    if (data.size() - i == 1) {
        const std::uint32_t v = at(i) << 16;
        s += table[v >> 18]; s += table[(v >> 12) & 63]; s += "==";
    } else if (data.size() - i == 2) {
        const std::uint32_t v = at(i) << 16 | at(i + 1) << 8;
        s += table[v >> 18]; s += table[(v >> 12) & 63]; s += table[(v >> 6) & 63]; s += '=';
    }
    return s;
}

std::optional<bytes> from_base64(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    bytes out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = text[i + static_cast<std::size_t>(k)];
            if (c == '=' && last && k >= 2) { v[k] = 0; ++pad; continue; }
            if (pad > 0) return std::nullopt;  // data after padding
            v[k] = val(c);
            if (v[k] < 0) return std::nullopt;
        }
        const auto w = static_cast<std::uint32_t>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
        // Canonical only: the bits that padding drops must be zero (one text per value).
        if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0)) return std::nullopt;
        out.push_back(static_cast<std::byte>(w >> 16));
        if (pad < 2) out.push_back(static_cast<std::byte>((w >> 8) & 0xff));
        if (pad < 1) out.push_back(static_cast<std::byte>(w & 0xff));
    }
    return out;
}

}  // namespace ssogate::credstore

#include <ssogate/credstore/recovery.hpp>

#include <ssogate/credstore/codec.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace ssogate::credstore {
namespace {

constexpr std::string_view magic = "SSOGEX01";

struct pkey_free { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct ctx_free { void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); } };
struct bio_free { void operator()(BIO* b) const { BIO_free(b); } };
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

[[noreturn]] void corrupt(const std::string& why) {
    throw error(errc::corrupt_sealed_keyring, "not a usable ssogate keyring export: " + why);
}

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw error(errc::invalid_argument, "cannot read " + file.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

pkey_ptr read_public(std::string_view pem) {
    std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    pkey_ptr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key) throw error(errc::invalid_argument, "not a PEM public key (openssl pkey -pubout writes one)");
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA || EVP_PKEY_get_bits(key.get()) < 3072)
        throw error(errc::invalid_argument, "the recovery key must be RSA with at least 3072 bits");
    return key;
}

std::string key_id(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key, &der);
    if (n <= 0) throw error(errc::crypto_failure, "cannot encode the public key");
    const auto d = sha256(std::span(reinterpret_cast<const std::byte*>(der), static_cast<std::size_t>(n)));
    OPENSSL_free(der);
    return to_hex(d);
}

void set_oaep(EVP_PKEY_CTX* c) {
    if (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256()) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) != 1)
        throw error(errc::crypto_failure, "RSA-OAEP setup failed");
}

struct parsed {
    export_info info;
    std::span<const std::byte> wrapped, nonce;
    std::size_t header_size = 0;
};

parsed parse(std::span<const std::byte> file) {
    byte_reader r(file);
    if (as_text(r.raw(magic.size())) != magic) corrupt("bad magic (is this an export file?)");
    parsed p;
    if (!read_prefix(r, p.info)) corrupt("bad version list");
    p.info.recovery_key_id = r.str(128);
    p.wrapped = r.blob(2048);
    p.nonce = r.raw(gcm_nonce_size);
    if (r.failed()) corrupt("truncated header");
    p.header_size = r.position();
    if (r.remaining() < gcm_tag_size + 1) corrupt("truncated body");
    return p;
}

}  // namespace

recovery_public_key parse_recovery_public_key(std::string_view pem) {
    auto key = read_public(pem);
    return {std::string(pem), key_id(key.get())};
}

recovery_public_key load_recovery_public_key(const std::filesystem::path& file) {
    return parse_recovery_public_key(slurp(file));
}

bytes write_export(const keyring& ring, const recovery_public_key& pub, std::int64_t now) {
    auto key = read_public(pub.pem);
    const secret_bytes data_key = random_secret(aes_key_size);
    std::unique_ptr<EVP_PKEY_CTX, ctx_free> c(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!c || EVP_PKEY_encrypt_init(c.get()) != 1) throw error(errc::crypto_failure, "RSA encrypt init failed");
    set_oaep(c.get());
    std::size_t wlen = 0;
    const auto* dk = reinterpret_cast<const unsigned char*>(data_key.data());
    if (EVP_PKEY_encrypt(c.get(), nullptr, &wlen, dk, data_key.size()) != 1)
        throw error(errc::crypto_failure, "RSA encrypt failed");
    bytes wrapped(wlen);
    if (EVP_PKEY_encrypt(c.get(), reinterpret_cast<unsigned char*>(wrapped.data()), &wlen, dk, data_key.size()) != 1)
        throw error(errc::crypto_failure, "RSA encrypt failed");
    wrapped.resize(wlen);

    const bytes nonce = random_bytes(gcm_nonce_size);
    byte_writer w;
    w.raw(as_bytes(magic));
    write_prefix(w, {now, ring.fingerprint(), version_numbers(ring)});
    w.str(pub.id).blob(wrapped).raw(nonce);
    const std::size_t header_size = w.view().size();
    const secret_bytes payload = ring.serialize();
    bytes out = w.take();
    out.resize(header_size + payload.size() + gcm_tag_size);
    aes256gcm_encrypt(data_key.bytes(), nonce, payload.bytes(), std::span<const std::byte>(out).first(header_size),
                      std::span(out).subspan(header_size, payload.size()), std::span(out).last<gcm_tag_size>());
    return out;
}

export_info read_export_info(std::span<const std::byte> file) { return parse(file).info; }

keyring open_export(std::span<const std::byte> file, const std::filesystem::path& private_key) {
    const parsed p = parse(file);
    std::string pem = slurp(private_key);
    std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!key) throw error(errc::invalid_argument, "cannot read the private key " + private_key.string() +
                                                      " (an unencrypted PEM private key is expected)");
    if (key_id(key.get()) != p.info.recovery_key_id)
        throw error(errc::wrong_unseal_key, "this export was made for another recovery key");
    std::unique_ptr<EVP_PKEY_CTX, ctx_free> c(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!c || EVP_PKEY_decrypt_init(c.get()) != 1) throw error(errc::crypto_failure, "RSA decrypt init failed");
    set_oaep(c.get());
    secret_bytes data_key(512);
    std::size_t dlen = data_key.size();
    if (EVP_PKEY_decrypt(c.get(), reinterpret_cast<unsigned char*>(data_key.data()), &dlen,
                         reinterpret_cast<const unsigned char*>(p.wrapped.data()), p.wrapped.size()) != 1 ||
        dlen != aes_key_size)
        throw error(errc::wrong_unseal_key, "the export does not open with this private key (or was altered)");
    data_key.truncate(dlen);
    const auto body = file.subspan(p.header_size, file.size() - p.header_size - gcm_tag_size);
    secret_bytes payload(body.size());
    if (!aes256gcm_decrypt(data_key.bytes(), p.nonce, body, file.first(p.header_size), file.last<gcm_tag_size>(),
                           payload.writable()))
        throw error(errc::wrong_unseal_key, "the export was altered");
    keyring ring = keyring::parse(payload.bytes());
    if (ring.fingerprint() != p.info.fingerprint) corrupt("fingerprint mismatch");
    return ring;
}

}  // namespace ssogate::credstore

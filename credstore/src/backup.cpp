#include <ssogate/credstore/backup.hpp>

#include <ssogate/credstore/codec.hpp>

namespace ssogate::credstore {
namespace {

constexpr std::string_view magic = "SSOGBK01";
constexpr std::size_t salt_size = 16;

[[noreturn]] void corrupt(const std::string& why) {
    throw error(errc::corrupt_sealed_keyring, "not a usable ssogate keyring backup: " + why);
}

struct parsed {
    backup_info info;
    scrypt_params params;
    std::span<const std::byte> salt, nonce;
    std::size_t header_size = 0;
};

parsed parse(std::span<const std::byte> file) {
    byte_reader r(file);
    if (as_text(r.raw(magic.size())) != magic) corrupt("bad magic (is this a backup file?)");
    parsed p;
    if (!read_prefix(r, p.info)) corrupt("bad version list");
    p.info.reminder = r.str(4096);
    p.params.n = r.u64();
    p.params.r = r.u32();
    p.params.p = r.u32();
    p.salt = r.blob(64);
    p.nonce = r.raw(gcm_nonce_size);
    if (r.failed()) corrupt("truncated header");
    if (!scrypt_params_sane(p.params)) corrupt("scrypt parameters out of range");
    p.header_size = r.position();
    if (r.remaining() < gcm_tag_size + 1) corrupt("truncated body");
    return p;
}

}  // namespace

bytes write_backup(const keyring& ring, std::string_view password, std::string_view reminder,
                   std::int64_t now, scrypt_params params) {
    if (password.size() < 12)
        throw error(errc::invalid_argument, "the backup password must be at least 12 characters");
    if (reminder.size() > 4096) throw error(errc::invalid_argument, "the reminder is longer than 4096 bytes");
    const bytes salt = random_bytes(salt_size);
    const bytes nonce = random_bytes(gcm_nonce_size);
    byte_writer w;
    w.raw(as_bytes(magic));
    write_prefix(w, {now, ring.fingerprint(), version_numbers(ring)});
    w.str(reminder).u64(params.n).u32(params.r).u32(params.p).blob(salt).raw(nonce);
    const std::size_t header_size = w.view().size();
    const secret_bytes key = scrypt(password, salt, params, aes_key_size);
    const secret_bytes payload = ring.serialize();
    bytes out = w.take();
    out.resize(header_size + payload.size() + gcm_tag_size);
    aes256gcm_encrypt(key.bytes(), nonce, payload.bytes(), std::span<const std::byte>(out).first(header_size),
                      std::span(out).subspan(header_size, payload.size()), std::span(out).last<gcm_tag_size>());
    return out;
}

backup_info read_backup_info(std::span<const std::byte> file) { return parse(file).info; }

keyring open_backup(std::span<const std::byte> file, std::string_view password) {
    const parsed p = parse(file);
    const secret_bytes key = scrypt(password, p.salt, p.params, aes_key_size);
    const auto body = file.subspan(p.header_size, file.size() - p.header_size - gcm_tag_size);
    secret_bytes payload(body.size());
    if (!aes256gcm_decrypt(key.bytes(), p.nonce, body, file.first(p.header_size), file.last<gcm_tag_size>(),
                           payload.writable()))
        throw error(errc::wrong_unseal_key, "wrong backup password (or the backup file was altered)");
    keyring ring = keyring::parse(payload.bytes());
    if (ring.fingerprint() != p.info.fingerprint) corrupt("fingerprint mismatch");
    return ring;
}

}  // namespace ssogate::credstore

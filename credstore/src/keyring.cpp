#include <ssogate/credstore/keyring.hpp>

#include <ssogate/credstore/codec.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace ssogate::credstore {
namespace {

constexpr std::string_view blob_magic = "SSOGKR01";
constexpr std::string_view payload_magic = "SSOGKP02";
constexpr std::string_view payload_magic_v1 = "SSOGKP01";
constexpr std::uint8_t kdf_key_file = 1;
constexpr std::uint8_t kdf_scrypt = 2;
constexpr std::size_t salt_size = 16;
constexpr std::size_t fingerprint_size = 16;
constexpr std::size_t max_versions = 100000;

[[noreturn]] void corrupt(const std::string& why) {
    throw error(errc::corrupt_sealed_keyring, "sealed keyring is corrupt: " + why);
}

struct parsed_header {
    std::uint8_t kdf = 0;
    scrypt_params params;
    std::span<const std::byte> salt;
    std::string fingerprint;
    std::span<const std::byte> nonce;
    std::size_t header_size = 0;
};

parsed_header parse_header(std::span<const std::byte> sealed) {
    byte_reader r(sealed);
    if (as_text(r.raw(blob_magic.size())) != blob_magic) corrupt("bad magic");
    parsed_header h;
    h.kdf = r.u8();
    h.params.n = r.u64();
    h.params.r = r.u32();
    h.params.p = r.u32();
    h.salt = r.blob(64);
    h.fingerprint = r.str(64);
    h.nonce = r.raw(gcm_nonce_size);
    if (r.failed()) corrupt("truncated header");
    if (h.kdf != kdf_key_file && h.kdf != kdf_scrypt) corrupt("unknown key derivation");
    if (h.kdf == kdf_scrypt && !scrypt_params_sane(h.params)) corrupt("scrypt parameters out of range");
    h.header_size = r.position();
    if (r.remaining() < gcm_tag_size) corrupt("truncated body");
    return h;
}

}  // namespace

struct keyring::cache {
    std::mutex mutex;
    std::map<std::pair<std::uint32_t, int>, secret_bytes> derived;
    std::map<std::uint32_t, std::unique_ptr<hmac_sha256_key>> row_macs;
};

keyring::keyring() : cache_(std::make_unique<cache>()) {}
keyring::keyring(keyring&&) noexcept = default;
keyring& keyring::operator=(keyring&&) noexcept = default;
keyring::~keyring() = default;

keyring keyring::generate(std::int64_t now) {
    keyring k;
    k.created_at_ = now;
    k.keys_.emplace(1u, entry{now, random_secret(aes_key_size)});
    const auto fp = hmac_sha256(k.keys_.at(1).key.bytes(), as_bytes("ssogate/fingerprint/v1"));
    k.fingerprint_ = to_hex(std::span(fp).first(fingerprint_size));
    return k;
}

keyring keyring::parse(std::span<const std::byte> payload) {
    byte_reader r(payload);
    const auto magic = as_text(r.raw(payload_magic.size()));
    const bool v1 = magic == payload_magic_v1;
    if (magic != payload_magic && !v1) corrupt("bad payload");
    keyring k;
    k.fingerprint_ = to_hex(r.raw(fingerprint_size));
    k.created_at_ = r.i64();
    const std::uint32_t count = r.u32();
    if (r.failed() || count == 0 || count > max_versions) corrupt("bad version count");
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t v = r.u32();
        const std::int64_t created = r.i64();
        auto key = r.raw(aes_key_size);
        if (r.failed()) corrupt("truncated payload");
        if (v == 0 || !k.keys_.emplace(v, entry{created, secret_bytes::copy_of(key)}).second)
            corrupt("bad key version");
    }
    if (!v1) {
        const std::uint32_t retired = r.u32();
        if (r.failed() || retired > max_versions) corrupt("bad retired count");
        for (std::uint32_t i = 0; i < retired; ++i) {
            const std::uint32_t v = r.u32();
            const std::int64_t created = r.i64();
            auto key = r.raw(aes_key_size);
            if (r.failed()) corrupt("truncated payload");
            if (v == 0 || k.keys_.contains(v) || !k.retired_.emplace(v, entry{created, secret_bytes::copy_of(key)}).second)
                corrupt("bad retired version");
        }
    }
    if (!r.at_end()) corrupt("trailing bytes");
    return k;
}

std::uint32_t keyring::current_version() const noexcept {
    return keys_.empty() ? 0 : keys_.rbegin()->first;
}

bool keyring::has_version(std::uint32_t v) const noexcept { return keys_.contains(v); }

std::span<const std::byte> keyring::key(std::uint32_t v) const {
    auto it = keys_.find(v);
    if (it == keys_.end())
        throw error(errc::unknown_key_version,
                    "the keyring has no key version " + std::to_string(v));
    return it->second.key.bytes();
}

std::vector<key_version_info> keyring::versions() const {
    std::vector<key_version_info> out;
    for (const auto& [v, e] : keys_) out.push_back({v, e.created_at});
    return out;
}

std::uint32_t keyring::add_version(std::int64_t now) {
    const std::uint32_t v = current_version() + 1;
    keys_.emplace(v, entry{now, random_secret(aes_key_size)});
    return v;
}

std::span<const std::byte> keyring::derived(std::uint32_t v, int purpose) const {
    std::lock_guard lock(cache_->mutex);
    auto& slot = cache_->derived[{v, purpose}];
    if (slot.empty()) {
        const char* info = purpose == 0 ? "ssogate/row-mac/v1" : "ssogate/audit/v1";
        slot = hkdf_sha256(key(v), {}, info, 32);
    }
    return slot.bytes();  // stable: map nodes do not move and entries are never erased
}

std::span<const std::byte> keyring::row_mac_key(std::uint32_t v) const { return derived(v, 0); }

const hmac_sha256_key& keyring::row_mac(std::uint32_t v) const {
    const auto key = row_mac_key(v);
    std::lock_guard lock(cache_->mutex);
    auto& slot = cache_->row_macs[v];
    if (!slot) slot = std::make_unique<hmac_sha256_key>(key);
    return *slot;
}
std::span<const std::byte> keyring::audit_key(std::uint32_t v) const {
    if (auto it = retired_.find(v); it != retired_.end()) return it->second.key.bytes();
    return derived(v, 1);
}

void keyring::retire_version(std::uint32_t v) {
    if (v == current_version())
        throw error(errc::invalid_argument, "key version " + std::to_string(v) + " is the current one");
    auto it = keys_.find(v);
    if (it == keys_.end())
        throw error(errc::unknown_key_version, "the keyring has no key version " + std::to_string(v));
    secret_bytes audit = secret_bytes::copy_of(audit_key(v));
    retired_.emplace(v, entry{it->second.created_at, std::move(audit)});
    keys_.erase(it);
}

std::vector<key_version_info> keyring::retired_versions() const {
    std::vector<key_version_info> out;
    for (const auto& [v, e] : retired_) out.push_back({v, e.created_at});
    return out;
}

secret_bytes keyring::serialize() const {
    const std::size_t size = payload_magic.size() + fingerprint_size + 8 + 4 +
                             keys_.size() * (4 + 8 + aes_key_size) + 4 +
                             retired_.size() * (4 + 8 + aes_key_size);
    secret_bytes out(size);
    std::byte* p = out.data();
    auto put = [&p](std::span<const std::byte> b) {
        std::memcpy(p, b.data(), b.size());
        p += b.size();
    };
    auto put_int = [&p](std::uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i) *p++ = static_cast<std::byte>(v >> (8 * i));
    };
    put(as_bytes(payload_magic));
    const auto fp = from_hex(fingerprint_);
    if (!fp || fp->size() != fingerprint_size) throw error(errc::crypto_failure, "bad fingerprint");
    put(*fp);
    put_int(static_cast<std::uint64_t>(created_at_), 8);
    put_int(keys_.size(), 4);
    for (const auto& [v, e] : keys_) {
        put_int(v, 4);
        put_int(static_cast<std::uint64_t>(e.created_at), 8);
        put(e.key.bytes());
    }
    put_int(retired_.size(), 4);
    for (const auto& [v, e] : retired_) {
        put_int(v, 4);
        put_int(static_cast<std::uint64_t>(e.created_at), 8);
        put(e.key.bytes());
    }
    return out;
}

std::string version_list(std::span<const std::uint32_t> versions) {
    std::string s;
    for (auto v : versions) {
        if (!s.empty()) s.push_back(',');
        s.append(std::to_string(v));
    }
    return s;
}

std::vector<std::uint32_t> version_numbers(const keyring& ring) {
    std::vector<std::uint32_t> v;
    for (const auto& e : ring.versions()) v.push_back(e.version);
    return v;
}

std::string version_list(const keyring& ring) { return version_list(version_numbers(ring)); }

std::vector<std::uint32_t> parse_version_list(std::string_view text) {
    std::vector<std::uint32_t> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto part = text.substr(0, comma);
        std::uint32_t v = 0;
        bool ok = !part.empty();
        for (char c : part) {
            if (c < '0' || c > '9' || v > 100000000) { ok = false; break; }
            v = v * 10 + static_cast<std::uint32_t>(c - '0');
        }
        if (ok) out.push_back(v);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

unseal_key unseal_key::from_key_file(std::filesystem::path path) {
    unseal_key k;
    k.path_ = std::move(path);
    return k;
}

unseal_key unseal_key::from_passphrase(secret_bytes passphrase, scrypt_params params) {
    if (passphrase.empty()) throw error(errc::invalid_argument, "the passphrase is empty");
    unseal_key k;
    k.passphrase_ = std::move(passphrase);
    k.params_ = params;
    return k;
}

void create_key_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        const int e = errno;
        throw error(errc::key_file_invalid, "cannot create key file " + path.string() + ": " +
                                                (e == EEXIST ? "it already exists" : std::strerror(e)));
    }
    auto key = random_secret(aes_key_size);
    const ssize_t n = ::write(fd, key.data(), key.size());
    const bool ok = n == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        throw error(errc::key_file_invalid, "cannot write key file " + path.string());
    }
}

secret_bytes read_key_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw error(errc::key_file_invalid,
                    "cannot open key file " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    std::string problem;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        problem = "not a regular file";
    } else if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        problem = std::string("open to group or others (mode ") + mode +
                  "); run chmod 600 on it";
    } else if (st.st_size != static_cast<off_t>(aes_key_size)) {
        problem = "not a key file (it must hold exactly 32 bytes)";
    }
    if (!problem.empty()) {
        ::close(fd);
        throw error(errc::key_file_invalid, "key file " + path.string() + " is " + problem);
    }
    secret_bytes key(aes_key_size);
    const ssize_t n = ::read(fd, key.data(), key.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(aes_key_size))
        throw error(errc::key_file_invalid, "cannot read key file " + path.string());
    return key;
}

namespace {
secret_bytes derive_unseal(const unseal_key& key, std::uint8_t kdf, std::span<const std::byte> salt,
                           const scrypt_params& params) {
    if (kdf == kdf_key_file) {
        if (key.is_passphrase())
            throw error(errc::wrong_unseal_key,
                        "the keyring is sealed under a key file, but a passphrase was given");
        return read_key_file(key.key_file());
    }
    if (!key.is_passphrase())
        throw error(errc::wrong_unseal_key,
                    "the keyring is sealed under a passphrase, but a key file was given");
    return scrypt(key.passphrase().reveal(), salt, params, aes_key_size);
}
}  // namespace

bytes seal_keyring(const keyring& ring, const unseal_key& key) {
    const std::uint8_t kdf = key.is_passphrase() ? kdf_scrypt : kdf_key_file;
    const scrypt_params params = key.is_passphrase() ? key.params() : scrypt_params{0, 0, 0};
    const bytes salt = key.is_passphrase() ? random_bytes(salt_size) : bytes{};
    const secret_bytes k = derive_unseal(key, kdf, salt, params);
    const bytes nonce = random_bytes(gcm_nonce_size);

    byte_writer w;
    w.raw(as_bytes(blob_magic)).u8(kdf).u64(params.n).u32(params.r).u32(params.p);
    w.blob(salt).str(ring.fingerprint()).raw(nonce);
    const std::size_t header_size = w.view().size();

    const secret_bytes payload = ring.serialize();
    bytes out = w.take();
    out.resize(header_size + payload.size() + gcm_tag_size);
    const auto header = std::span<const std::byte>(out).first(header_size);
    aes256gcm_encrypt(k.bytes(), nonce, payload.bytes(), header,
                      std::span(out).subspan(header_size, payload.size()),
                      std::span(out).last<gcm_tag_size>());
    return out;
}

keyring unseal_keyring(std::span<const std::byte> sealed, const unseal_key& key) {
    const parsed_header h = parse_header(sealed);
    const secret_bytes k = derive_unseal(key, h.kdf, h.salt, h.params);
    const auto body = sealed.subspan(h.header_size, sealed.size() - h.header_size - gcm_tag_size);
    secret_bytes payload(body.size());
    if (!aes256gcm_decrypt(k.bytes(), h.nonce, body, sealed.first(h.header_size),
                           sealed.last<gcm_tag_size>(), payload.writable()))
        throw error(errc::wrong_unseal_key,
                    h.kdf == kdf_scrypt
                        ? "wrong passphrase (or the sealed keyring was altered)"
                        : "wrong key file (or the sealed keyring was altered)");
    keyring ring = keyring::parse(payload.bytes());
    if (ring.fingerprint() != h.fingerprint) corrupt("fingerprint mismatch");
    return ring;
}

std::optional<std::string> sealed_fingerprint(std::span<const std::byte> sealed) {
    try {
        return parse_header(sealed).fingerprint;
    } catch (const error&) {
        return std::nullopt;
    }
}

}  // namespace ssogate::credstore

#pragma once
// Canonical binary encoding for sealed blobs, AEAD associated data and MAC inputs: big-endian
// integers and length-prefixed strings, so two different tuples never encode the same.
// byte_reader is bounds-checked: reads past the end set a sticky failure flag, never crash.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ssogate::credstore {

class byte_writer {
public:
    byte_writer() { out_.reserve(256); }  // one allocation for a typical MAC input or AAD
    byte_writer& u8(std::uint8_t v) { out_.push_back(std::byte{v}); return *this; }
    byte_writer& u32(std::uint32_t v) { return be(v, 4); }
    byte_writer& u64(std::uint64_t v) { return be(v, 8); }
    byte_writer& i64(std::int64_t v) { return u64(static_cast<std::uint64_t>(v)); }
    byte_writer& raw(std::span<const std::byte> b) {
        out_.insert(out_.end(), b.begin(), b.end());
        return *this;
    }
    byte_writer& blob(std::span<const std::byte> b) {
        u32(static_cast<std::uint32_t>(b.size()));
        return raw(b);
    }
    byte_writer& str(std::string_view s) {
        return blob(std::as_bytes(std::span(s.data(), s.size())));
    }
    [[nodiscard]] std::span<const std::byte> view() const noexcept { return out_; }
    [[nodiscard]] std::vector<std::byte>& buffer() noexcept { return out_; }
    [[nodiscard]] std::vector<std::byte> take() { return std::move(out_); }
    void clear() noexcept { out_.clear(); }

private:
    byte_writer& be(std::uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<std::byte>(v >> (8 * i)));
        return *this;
    }
    std::vector<std::byte> out_;
};

/// The prefix every keyring file (backup, export) starts with, after its magic:
/// created i64 | fingerprint (u32 len + ASCII) | versions (u32 count + count x u32).
struct keyring_file_prefix {
    std::int64_t created_at = 0;
    std::string fingerprint;
    std::vector<std::uint32_t> versions;
};

class byte_reader;
void write_prefix(byte_writer& w, const keyring_file_prefix& p);
/// false (and `r` failed) when malformed: no versions, or more than 100,000.
bool read_prefix(byte_reader& r, keyring_file_prefix& p);

class byte_reader {
public:
    explicit byte_reader(std::span<const std::byte> in) noexcept : in_(in) {}
    std::uint8_t u8() noexcept { return static_cast<std::uint8_t>(be(1)); }
    std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(be(4)); }
    std::uint64_t u64() noexcept { return be(8); }
    std::int64_t i64() noexcept { return static_cast<std::int64_t>(u64()); }
    std::span<const std::byte> raw(std::size_t n) noexcept {
        if (failed_ || in_.size() - pos_ < n) { failed_ = true; return {}; }
        auto s = in_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    /// Length-prefixed bytes; `limit` bounds the length a corrupt prefix can claim.
    std::span<const std::byte> blob(std::size_t limit) noexcept {
        const std::uint32_t n = u32();
        if (n > limit) { failed_ = true; return {}; }
        return raw(n);
    }
    std::string str(std::size_t limit) {
        auto b = blob(limit);
        return {reinterpret_cast<const char*>(b.data()), b.size()};
    }
    [[nodiscard]] bool failed() const noexcept { return failed_; }
    [[nodiscard]] bool at_end() const noexcept { return !failed_ && pos_ == in_.size(); }
    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return in_.size() - pos_; }

private:
    std::uint64_t be(std::size_t n) noexcept {
        auto s = raw(n);
        std::uint64_t v = 0;
        for (auto b : s) v = (v << 8) | static_cast<std::uint8_t>(b);
        return v;
    }
    std::span<const std::byte> in_;
    std::size_t pos_ = 0;
    bool failed_ = false;
};

inline void write_prefix(byte_writer& w, const keyring_file_prefix& p) {
    w.i64(p.created_at).str(p.fingerprint).u32(static_cast<std::uint32_t>(p.versions.size()));
    for (auto v : p.versions) w.u32(v);
}

inline bool read_prefix(byte_reader& r, keyring_file_prefix& p) {
    p.created_at = r.i64();
    p.fingerprint = r.str(64);
    const std::uint32_t n = r.u32();
    if (r.failed() || n == 0 || n > 100000) return false;
    for (std::uint32_t i = 0; i < n; ++i) p.versions.push_back(r.u32());
    return !r.failed();
}

}  // namespace ssogate::credstore

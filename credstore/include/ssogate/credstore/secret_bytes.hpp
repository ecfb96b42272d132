#pragma once
// secret_bytes: the one type that holds key material and passwords.
//
// Contract:
//  - move-only; the bytes live in locked (mlock), non-dumpable (MADV_DONTDUMP) memory taken
//    from a process-wide arena, and are zeroed with OPENSSL_cleanse when released;
//  - there is no operator<<, no formatter and no implicit conversion to a string, so a secret
//    cannot reach a log by accident. `reveal()` is the one explicit, greppable way out.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace ssogate::credstore {

class secret_bytes {
public:
    secret_bytes() noexcept = default;
    explicit secret_bytes(std::size_t n);  // n zero bytes
    static secret_bytes copy_of(std::span<const std::byte> bytes);
    static secret_bytes copy_of(std::string_view text);

    secret_bytes(secret_bytes&& other) noexcept;
    secret_bytes& operator=(secret_bytes&& other) noexcept;
    secret_bytes(const secret_bytes&) = delete;
    secret_bytes& operator=(const secret_bytes&) = delete;
    ~secret_bytes();

    [[nodiscard]] secret_bytes clone() const;

    [[nodiscard]] std::byte* data() noexcept { return data_; }
    [[nodiscard]] const std::byte* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }
    [[nodiscard]] std::span<std::byte> writable() noexcept { return {data_, size_}; }
    /// Explicitly view the secret as text (valid while *this lives and is unchanged).
    [[nodiscard]] std::string_view reveal() const noexcept {
        return {reinterpret_cast<const char*>(data_), size_};
    }
    /// Shrink to the first n bytes (n <= size); the tail is zeroed.
    void truncate(std::size_t n) noexcept;

    friend bool operator==(const secret_bytes& a, const secret_bytes& b) noexcept;

private:
    void release() noexcept;
    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

/// Constant-time comparison of two byte ranges of equal length (false when lengths differ).
bool equal_ct(std::span<const std::byte> a, std::span<const std::byte> b) noexcept;

/// Whether secret memory is actually locked (mlock can fail under a low RLIMIT_MEMLOCK; the
/// bytes are then still excluded from core dumps and zeroed).
bool secret_memory_locked() noexcept;

/// Make the process non-dumpable (PR_SET_DUMPABLE 0, RLIMIT_CORE 0). Called first thing by every
/// command that may hold the keyring.
void harden_process() noexcept;

}  // namespace ssogate::credstore

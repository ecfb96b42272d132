#include <ssogate/credstore/secret_bytes.hpp>

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace ssogate::credstore {
namespace {

// A small arena of locked, non-dumpable pages. Secrets are many and small (decrypted passwords),
// so one mmap+mlock per secret would be slow, and munlock of a shared page would unlock its
// neighbours. Size classes of powers of two from 32 B to 4 KiB are carved out of 64 KiB chunks
// that are never returned; bigger secrets get their own mapping.
class locked_arena {
public:
    static locked_arena& instance() {
        static locked_arena* arena = new locked_arena;  // never destroyed: secrets may outlive statics
        return *arena;
    }

    std::byte* allocate(std::size_t n, std::size_t& capacity) {
        if (n > max_class) {
            capacity = round_to_page(n);
            return map_pages(capacity);
        }
        const std::size_t cls = class_of(n);
        capacity = min_class << cls;
        std::lock_guard lock(mutex_);
        auto& list = free_[cls];
        if (!list.empty()) {
            std::byte* p = list.back();
            list.pop_back();
            return p;
        }
        if (chunk_left_ < capacity) {
            chunk_ = map_pages(chunk_size);
            chunk_left_ = chunk_size;
        }
        std::byte* p = chunk_;
        chunk_ += capacity;
        chunk_left_ -= capacity;
        return p;
    }

    void deallocate(std::byte* p, std::size_t capacity) noexcept {
        OPENSSL_cleanse(p, capacity);
        if (capacity > max_class) {
            munlock(p, capacity);
            munmap(p, capacity);
            return;
        }
        const std::size_t cls = class_of(capacity);
        std::lock_guard lock(mutex_);
        try {
            free_[cls].push_back(p);
        } catch (...) {
            // leak the (already zeroed) block rather than fail a destructor
        }
    }

    bool locked() const noexcept { return lock_ok_.load(); }

private:
    static constexpr std::size_t min_class = 32;
    static constexpr std::size_t max_class = 4096;
    static constexpr std::size_t classes = 8;  // 32 .. 4096
    static constexpr std::size_t chunk_size = 64 * 1024;

    static std::size_t class_of(std::size_t n) {
        std::size_t c = std::bit_ceil(n < min_class ? min_class : n);
        return static_cast<std::size_t>(std::countr_zero(c) - std::countr_zero(min_class));
    }
    static std::size_t round_to_page(std::size_t n) {
        const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        return (n + page - 1) / page * page;
    }
    std::byte* map_pages(std::size_t n) {
        void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        madvise(p, n, MADV_DONTDUMP);
        if (mlock(p, n) != 0) lock_ok_.store(false);
        return static_cast<std::byte*>(p);
    }

    std::mutex mutex_;
    std::array<std::vector<std::byte*>, classes> free_{};
    std::byte* chunk_ = nullptr;
    std::size_t chunk_left_ = 0;
    std::atomic<bool> lock_ok_{true};
};

}  // namespace

secret_bytes::secret_bytes(std::size_t n) {
    if (n == 0) return;
    data_ = locked_arena::instance().allocate(n, capacity_);
    size_ = n;
    std::memset(data_, 0, capacity_);
}

secret_bytes secret_bytes::copy_of(std::span<const std::byte> bytes) {
    secret_bytes s(bytes.size());
    if (!bytes.empty()) std::memcpy(s.data_, bytes.data(), bytes.size());
    return s;
}

secret_bytes secret_bytes::copy_of(std::string_view text) {
    return copy_of(std::as_bytes(std::span(text.data(), text.size())));
}

secret_bytes::secret_bytes(secret_bytes&& other) noexcept
    : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
}

secret_bytes& secret_bytes::operator=(secret_bytes&& other) noexcept {
    if (this != &other) {
        release();
        data_ = other.data_;
        size_ = other.size_;
        capacity_ = other.capacity_;
        other.data_ = nullptr;
        other.size_ = other.capacity_ = 0;
    }
    return *this;
}

secret_bytes::~secret_bytes() { release(); }

secret_bytes secret_bytes::clone() const { return copy_of(bytes()); }

void secret_bytes::truncate(std::size_t n) noexcept {
    if (n >= size_) return;
    OPENSSL_cleanse(data_ + n, size_ - n);
    size_ = n;
}

void secret_bytes::release() noexcept {
    if (data_ != nullptr) locked_arena::instance().deallocate(data_, capacity_);
    data_ = nullptr;
    size_ = capacity_ = 0;
}

bool operator==(const secret_bytes& a, const secret_bytes& b) noexcept {
    return equal_ct(a.bytes(), b.bytes());
}

bool equal_ct(std::span<const std::byte> a, std::span<const std::byte> b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool secret_memory_locked() noexcept { return locked_arena::instance().locked(); }

void harden_process() noexcept {
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    rlimit none{0, 0};
    setrlimit(RLIMIT_CORE, &none);
}

}  // namespace ssogate::credstore

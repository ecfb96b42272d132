#pragma once
// Failed sign-on attempts, counted in a sliding window per user and per source address, so the
// gateway can be used neither to spray passwords across many accounts nor to lock an AD account
// out (keep `user_failures` below the domain's lockout threshold).
//
// Flow: check() before asking the KDC; failed() after a refusal that may be a guess (wrong
// password, unknown user, disabled account, bad name); succeeded() after a verified password,
// which forgets that user's failures (never the source's: one valid account must not reset an
// address that is guessing at others). An attempt refused by the throttle itself is not counted,
// so a user's window closes on time even while someone keeps trying.
//
// Concurrency: begin() is check() plus a reservation. An attempt under way counts against both
// limits as if it will fail, until its reservation ends (after failed()/succeeded()), so many
// guesses sent at once cannot all pass check() before the first failure is counted and lock the
// AD account out together.
//
// The clock is injected (tests move it by hand; no sleeps). Thread-safe.
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ssogate::identity {

struct throttle_limits {
    int user_failures = 5;          // failures per user within the window (0 = no limit)
    int source_failures = 20;       // failures per source address (IPv6: per /64; 0 = no limit)
    std::chrono::seconds window{900};
    std::size_t max_tracked = 100000;  // keys held at most; the stalest are dropped beyond it
};

class attempt_throttle {
public:
    using clock = std::chrono::steady_clock;
    using clock_fn = std::function<clock::time_point()>;

    explicit attempt_throttle(throttle_limits limits, clock_fn now = {});

    struct decision {
        bool allowed = true;
        enum class by { none, user, source } limited_by = by::none;
        std::chrono::seconds retry_after{0};  // rounded up; 0 when allowed
        bool under_way = false;  // refused because attempts under way fill the limit (not failures alone)
    };

    /// An admitted attempt, counted as under way until it is destroyed or released.
    class reservation {
    public:
        reservation() = default;
        reservation(reservation&& o) noexcept;
        reservation& operator=(reservation&& o) noexcept;
        reservation(const reservation&) = delete;
        reservation& operator=(const reservation&) = delete;
        ~reservation() { release(); }
        void release() noexcept;

    private:
        friend class attempt_throttle;
        attempt_throttle* throttle_ = nullptr;
        std::string user_, source_;
    };
    struct admission {
        decision verdict;
        reservation held;  // empty when refused
    };

    /// check(), and when allowed a reservation for the attempt (thread-safe; use this one when
    /// attempts can run concurrently).
    [[nodiscard]] admission begin(std::string_view user_key, std::string_view source);

    /// May this user (a principal key, e.g. "alice@corp.example") try now from this address?
    [[nodiscard]] decision check(std::string_view user_key, std::string_view source) const;
    void failed(std::string_view user_key, std::string_view source);
    void succeeded(std::string_view user_key);

    /// Failures counted now in the window (for tests and metrics).
    [[nodiscard]] int user_count(std::string_view user_key) const;
    [[nodiscard]] int source_count(std::string_view source) const;
    [[nodiscard]] std::size_t tracked() const;

    [[nodiscard]] const throttle_limits& limits() const noexcept { return limits_; }

private:
    using window_log = std::deque<clock::time_point>;
    using table = std::unordered_map<std::string, window_log>;

    static int count(const table& t, const std::string& key, clock::time_point since);
    decision decide(const std::string& user, const std::string& src, clock::time_point now) const;
    void end(const std::string& user, const std::string& src) noexcept;
    std::chrono::seconds wait_for(const table& t, const std::string& key, int limit,
                                  clock::time_point now) const;
    void add(table& t, std::string key, clock::time_point now);
    void prune(table& t, clock::time_point now);

    throttle_limits limits_;
    clock_fn now_;
    mutable std::mutex mutex_;
    table users_;
    table sources_;
    std::unordered_map<std::string, int> users_under_way_, sources_under_way_;
};

/// The key an address is counted under: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 by
/// its /64 prefix (one host usually holds a whole /64), anything else verbatim.
std::string source_key(std::string_view address);

}  // namespace ssogate::identity

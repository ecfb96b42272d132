#include <ssogate/identity/throttle.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace ssogate::identity {

std::string source_key(std::string_view address) {
    if (address.empty() || address.size() > 64) return std::string(address);
    std::string text(address);
    // "[::1]" and "fe80::1%eth0" as the I/O layer may spell them
    if (text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    if (const auto pct = text.find('%'); pct != std::string::npos) text.resize(pct);
    std::array<unsigned char, 16> a{};
    if (::inet_pton(AF_INET, text.c_str(), a.data()) == 1) return text;
    if (::inet_pton(AF_INET6, text.c_str(), a.data()) != 1) return std::string(address);
    const bool mapped = std::all_of(a.begin(), a.begin() + 10, [](unsigned char b) { return b == 0; }) &&
                        a[10] == 0xff && a[11] == 0xff;
    char buf[64];
    if (mapped) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
    } else {
        std::snprintf(buf, sizeof buf, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", a[0], a[1], a[2],
                      a[3], a[4], a[5], a[6], a[7]);
    }
    return buf;
}

attempt_throttle::attempt_throttle(throttle_limits limits, clock_fn now)
    : limits_(limits), now_(now ? std::move(now) : clock_fn([] { return clock::now(); })) {
    if (limits_.window.count() < 1) limits_.window = std::chrono::seconds(1);
    if (limits_.max_tracked < 16) limits_.max_tracked = 16;
}

int attempt_throttle::count(const table& t, const std::string& key, clock::time_point since) {
    const auto it = t.find(key);
    if (it == t.end()) return 0;
    const auto& log = it->second;
    // the log is in time order: count the entries newer than `since`
    const auto first = std::upper_bound(log.begin(), log.end(), since);
    return static_cast<int>(log.end() - first);
}

std::chrono::seconds attempt_throttle::wait_for(const table& t, const std::string& key, int limit,
                                                clock::time_point now) const {
    const auto& log = t.at(key);
    const auto since = now - limits_.window;
    const auto first = std::upper_bound(log.begin(), log.end(), since);
    const auto in_window = log.end() - first;
    // allowed again once enough of the window's entries have aged out to leave limit - 1
    const auto must_expire = in_window - (limit - 1);
    const auto when = *(first + (must_expire - 1)) + limits_.window;
    const auto left = std::chrono::ceil<std::chrono::seconds>(when - now);
    return std::max(left, std::chrono::seconds(1));
}

attempt_throttle::decision attempt_throttle::decide(const std::string& user, const std::string& src,
                                                    clock::time_point now) const {
    const auto since = now - limits_.window;
    const auto under_way = [](const std::unordered_map<std::string, int>& m, const std::string& key) {
        const auto it = m.find(key);
        return it == m.end() ? 0 : it->second;
    };
    decision d;
    if (limits_.user_failures > 0 && !user.empty()) {
        const int failures = count(users_, user, since);
        if (failures + under_way(users_under_way_, user) >= limits_.user_failures) {
            d.allowed = false;
            d.limited_by = decision::by::user;
            d.under_way = failures < limits_.user_failures;
            d.retry_after = d.under_way ? std::chrono::seconds(1) : wait_for(users_, user, limits_.user_failures, now);
        }
    }
    if (limits_.source_failures > 0 && !src.empty()) {
        const int failures = count(sources_, src, since);
        if (failures + under_way(sources_under_way_, src) >= limits_.source_failures) {
            const bool pending = failures < limits_.source_failures;
            const auto wait = pending ? std::chrono::seconds(1) : wait_for(sources_, src, limits_.source_failures, now);
            if (d.allowed || wait > d.retry_after) {
                d.limited_by = decision::by::source;
                d.retry_after = wait;
                d.under_way = pending;
            }
            d.allowed = false;
        }
    }
    return d;
}

attempt_throttle::decision attempt_throttle::check(std::string_view user_key,
                                                   std::string_view source) const {
    const auto now = now_();
    const std::string user(user_key);
    const std::string src = source_key(source);
    std::lock_guard lock(mutex_);
    return decide(user, src, now);
}

attempt_throttle::admission attempt_throttle::begin(std::string_view user_key, std::string_view source) {
    const auto now = now_();
    admission a;
    std::string user(user_key);
    std::string src = source_key(source);
    std::lock_guard lock(mutex_);
    a.verdict = decide(user, src, now);
    if (!a.verdict.allowed) return a;
    if (!user.empty()) ++users_under_way_[user];
    if (!src.empty()) ++sources_under_way_[src];
    a.held.throttle_ = this;
    a.held.user_ = std::move(user);
    a.held.source_ = std::move(src);
    return a;
}

void attempt_throttle::end(const std::string& user, const std::string& src) noexcept {
    std::lock_guard lock(mutex_);
    for (auto [m, key] : {std::pair{&users_under_way_, &user}, std::pair{&sources_under_way_, &src}}) {
        if (key->empty()) continue;
        if (auto it = m->find(*key); it != m->end() && --it->second <= 0) m->erase(it);
    }
}

attempt_throttle::reservation::reservation(reservation&& o) noexcept
    : throttle_(std::exchange(o.throttle_, nullptr)), user_(std::move(o.user_)), source_(std::move(o.source_)) {}

attempt_throttle::reservation& attempt_throttle::reservation::operator=(reservation&& o) noexcept {
    if (this != &o) {
        release();
        throttle_ = std::exchange(o.throttle_, nullptr);
        user_ = std::move(o.user_);
        source_ = std::move(o.source_);
    }
    return *this;
}

void attempt_throttle::reservation::release() noexcept {
    if (throttle_ != nullptr) std::exchange(throttle_, nullptr)->end(user_, source_);
}

void attempt_throttle::prune(table& t, clock::time_point now) {
    const auto since = now - limits_.window;
    for (auto it = t.begin(); it != t.end();) {
        auto& log = it->second;
        while (!log.empty() && log.front() <= since) log.pop_front();
        it = log.empty() ? t.erase(it) : std::next(it);
    }
    while (t.size() >= limits_.max_tracked) {
        // still full of live entries: drop the one whose latest failure is oldest
        auto stalest = std::min_element(t.begin(), t.end(), [](const auto& a, const auto& b) {
            return a.second.back() < b.second.back();
        });
        t.erase(stalest);
    }
}

void attempt_throttle::add(table& t, std::string key, clock::time_point now) {
    if (key.empty()) return;
    if (t.size() >= limits_.max_tracked && !t.contains(key)) prune(t, now);
    auto& log = t[std::move(key)];
    const auto since = now - limits_.window;
    while (!log.empty() && log.front() <= since) log.pop_front();
    // keep the log sorted even if the injected clock steps back
    if (!log.empty() && now < log.back()) now = log.back();
    log.push_back(now);
    // nothing beyond the largest limit matters; keep each log bounded
    const auto cap = static_cast<std::size_t>(
        std::max({limits_.user_failures, limits_.source_failures, 1}));
    while (log.size() > cap) log.pop_front();
}

void attempt_throttle::failed(std::string_view user_key, std::string_view source) {
    const auto now = now_();
    std::lock_guard lock(mutex_);
    if (limits_.user_failures > 0) add(users_, std::string(user_key), now);
    if (limits_.source_failures > 0) add(sources_, source_key(source), now);
}

void attempt_throttle::succeeded(std::string_view user_key) {
    std::lock_guard lock(mutex_);
    users_.erase(std::string(user_key));
}

int attempt_throttle::user_count(std::string_view user_key) const {
    const auto since = now_() - limits_.window;
    std::lock_guard lock(mutex_);
    return count(users_, std::string(user_key), since);
}

int attempt_throttle::source_count(std::string_view source) const {
    const auto since = now_() - limits_.window;
    std::lock_guard lock(mutex_);
    return count(sources_, source_key(source), since);
}

std::size_t attempt_throttle::tracked() const {
    std::lock_guard lock(mutex_);
    return users_.size() + sources_.size();
}

}  // namespace ssogate::identity

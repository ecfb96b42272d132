#include <ssogate/identity/directory.hpp>
#include <ssogate/identity/ldap_directory.hpp>

#include <algorithm>

namespace ssogate::identity {

std::string_view to_string(account_state s) noexcept {
    switch (s) {
        case account_state::unknown: return "unknown";
        case account_state::enabled: return "enabled";
        case account_state::disabled: return "disabled";
        case account_state::locked: return "locked";
        case account_state::expired: return "expired";
    }
    return "unknown";
}

std::string_view to_string(groups_status s) noexcept {
    switch (s) {
        case groups_status::not_configured: return "not_configured";
        case groups_status::fresh: return "fresh";
        case groups_status::cached: return "cached";
        case groups_status::not_in_directory: return "not_in_directory";
        case groups_status::unavailable: return "unavailable";
        case groups_status::pac: return "pac";
    }
    return "unavailable";
}

// ---- cached_directory

cached_directory::cached_directory(std::shared_ptr<directory> inner, std::chrono::seconds ttl,
                                   std::chrono::seconds negative_ttl, std::size_t max_entries, clock_fn now)
    : inner_(std::move(inner)),
      ttl_(ttl),
      negative_ttl_(negative_ttl),
      max_entries_(std::max<std::size_t>(max_entries, 1)),
      now_(now ? std::move(now) : clock_fn([] { return clock::now(); })) {}

directory_answer cached_directory::lookup(const credstore::principal& who) {
    const std::string key = who.key();
    std::optional<std::chrono::seconds> stale_age;
    {
        const auto now = now_();
        std::lock_guard lock(mutex_);
        if (auto it = slots_.find(key); it != slots_.end()) {
            const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - it->second.stored);
            const auto limit = it->second.answer ? ttl_ : negative_ttl_;
            if (now - it->second.stored < limit) {
                directory_answer a = it->second.answer;
                a.from_cache = true;
                a.age = age;
                return a;
            }
            if (it->second.answer) stale_age = age;
            slots_.erase(it);
        }
    }
    // Asked outside the lock: a slow directory must not hold up answers that are cached.
    directory_answer fresh = inner_->lookup(who);
    const bool keep = fresh ? ttl_.count() > 0
                            : fresh.code == errc::not_in_directory && negative_ttl_.count() > 0;
    if (keep) {
        const auto now = now_();
        std::lock_guard lock(mutex_);
        if (!slots_.contains(key)) make_room(now);
        slots_[key] = slot{fresh, now};
    }
    if (!fresh && fresh.code != errc::not_in_directory && stale_age)
        fresh.message += "; the cached entry is " + std::to_string(stale_age->count()) +
                         " s old, beyond cache_seconds = " + std::to_string(ttl_.count()) + ", and is not used";
    return fresh;
}

void cached_directory::make_room(clock::time_point now) {
    if (slots_.size() < max_entries_) return;
    for (auto it = slots_.begin(); it != slots_.end();) {
        const auto limit = it->second.answer ? ttl_ : negative_ttl_;
        it = now - it->second.stored >= limit ? slots_.erase(it) : std::next(it);
    }
    while (slots_.size() >= max_entries_) {
        auto oldest = std::min_element(slots_.begin(), slots_.end(), [](const auto& a, const auto& b) {
            return a.second.stored < b.second.stored;
        });
        slots_.erase(oldest);
    }
}

void cached_directory::clear() {
    std::lock_guard lock(mutex_);
    slots_.clear();
}

std::size_t cached_directory::size() const {
    std::lock_guard lock(mutex_);
    return slots_.size();
}

// ---- construction and policy

std::shared_ptr<directory> make_directory(const identity_config& cfg) {
    if (!cfg.ldap) return nullptr;
    auto ldap = std::make_shared<ldap_directory>(cfg);
    return std::make_shared<cached_directory>(std::move(ldap), cfg.ldap->cache_ttl, cfg.ldap->negative_cache_ttl,
                                              cfg.ldap->cache_max_entries);
}

outcome apply_directory(outcome o, directory* dir) {
    if (!o || dir == nullptr) return o;
    verified_identity& id = *o.identity;
    const std::string who = id.kerberos_name.empty() ? id.principal.key() : id.kerberos_name;
    directory_answer a = dir->lookup(id.principal);
    if (a) {
        directory_entry& e = *a.entry;
        id.account = e.account;
        id.directory_dn = e.dn;
        if (!id.sid) id.sid = e.sid;
        const std::string when = a.from_cache ? " (directory, cached " + std::to_string(a.age.count()) + " s ago)"
                                              : " (directory)";
        switch (e.account) {
            case account_state::disabled:
            case account_state::locked: {
                auto r = outcome::failure(errc::account_disabled,
                                          "the account " + who + " is " + std::string(to_string(e.account)) + when);
                r.negotiate_reply = o.negotiate_reply;
                return r;
            }
            case account_state::expired: {
                auto r = outcome::failure(errc::account_expired, "the account " + who + " has expired" + when);
                r.negotiate_reply = o.negotiate_reply;
                return r;
            }
            case account_state::unknown:
            case account_state::enabled: break;
        }
        id.groups = std::move(e.groups);
        id.groups_from = a.from_cache ? groups_status::cached : groups_status::fresh;
        return o;
    }
    id.groups.clear();
    if (a.code == errc::not_in_directory) {
        id.groups_from = groups_status::not_in_directory;
        id.directory_note = a.message;
        return o;
    }
    if (id.method == auth_method::password) {
        id.groups_from = groups_status::unavailable;
        id.directory_note = a.message + "; no group is granted";
        return o;
    }
    const errc code = a.code == errc::directory_error ? errc::directory_error : errc::directory_unavailable;
    auto r = outcome::failure(code, "cannot check the account state of " + who + " in the directory: " + a.message);
    r.negotiate_reply = o.negotiate_reply;
    return r;
}

}  // namespace ssogate::identity

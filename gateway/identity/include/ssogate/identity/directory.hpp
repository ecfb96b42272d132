#pragma once
// Groups, SID and account state of a principal, from the directory.
//
//     lookup(principal) -> entry: user DN, SID when known, account state, groups (transitive)
//                        | not_in_directory | directory_unavailable | directory_error
//
// ldap_directory (ldap_directory.hpp) asks an LDAP server (Active Directory, Samba, OpenLDAP);
// cached_directory keeps answers per principal for a TTL; apply_directory() is the policy that
// puts an answer into a verified identity (or refuses it). All calls are BLOCKING (network) and
// thread-safe.
//
// Construct (what kerberos_authenticator does when [identity.ldap] is configured):
//
//     auto dir = make_directory(cfg);   // ldap_directory behind a cached_directory; throws config_error
//     outcome o = apply_directory(verifier.verify(...), *dir);
#include <ssogate/identity/identity.hpp>
#include <ssogate/identity/identity_config.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace ssogate::identity {

struct directory_entry {
    std::string dn;                   // the user's entry
    std::optional<std::string> sid;   // objectSid (ad flavour)
    account_state account = account_state::unknown;
    std::vector<group> groups;        // every group, nested ones included; principals of the user's realm
};

/// The answer to lookup(). `entry` is set exactly when `code` is clear.
struct directory_answer {
    std::optional<directory_entry> entry;
    std::error_code code;    // errc::not_in_directory, directory_unavailable, directory_error
    std::string message;     // one line for operators; never a password
    bool from_cache = false;
    std::chrono::seconds age{0};  // from_cache: how old the cached answer is

    [[nodiscard]] explicit operator bool() const noexcept { return entry.has_value(); }
    static directory_answer failure(errc e, std::string message) {
        directory_answer a;
        a.code = make_error_code(e);
        a.message = std::move(message);
        return a;
    }
};

class directory {
public:
    virtual ~directory() = default;
    /// Blocking; thread-safe; never throws on what the directory sends.
    virtual directory_answer lookup(const credstore::principal& who) = 0;
};

/// Keeps the directory's answers per principal (credstore key):
///  - an entry for `ttl`, a "no such user" for `negative_ttl`; failures are never kept;
///  - a cached answer within its TTL is returned without asking the directory (so a directory
///    outage shorter than the TTL goes unnoticed);
///  - beyond it the directory is asked again; if it fails, the stale answer is dropped and the
///    failure returned (fail closed: no group is ever granted on data older than the TTL).
/// At most `max_entries` principals are kept (expired ones are dropped first, then the oldest).
class cached_directory final : public directory {
public:
    using clock = std::chrono::steady_clock;
    using clock_fn = std::function<clock::time_point()>;

    cached_directory(std::shared_ptr<directory> inner, std::chrono::seconds ttl, std::chrono::seconds negative_ttl,
                     std::size_t max_entries = 100000, clock_fn now = {});

    directory_answer lookup(const credstore::principal& who) override;
    /// Forget every cached answer.
    void clear();
    [[nodiscard]] std::size_t size() const;

private:
    struct slot {
        directory_answer answer;
        clock::time_point stored;
    };
    void make_room(clock::time_point now);

    std::shared_ptr<directory> inner_;
    std::chrono::seconds ttl_, negative_ttl_;
    std::size_t max_entries_;
    clock_fn now_;
    mutable std::mutex mutex_;
    std::map<std::string, slot> slots_;
};

/// The configured directory: an ldap_directory for cfg.ldap behind a cached_directory, or
/// nullptr when [identity.ldap] is absent. Throws config_error (bad bind password file, ...).
std::shared_ptr<directory> make_directory(const identity_config& cfg);

/// The policy that puts a directory answer into a successful outcome (a refusal passes through).
///  - found: SID (unless the ticket already gave one), account state, groups, DN; groups_from is
///    fresh or cached. A disabled, locked or expired account is REFUSED (account_disabled /
///    account_expired), on every path: a Kerberos ticket stays valid after an account is disabled.
///  - not_in_directory: the identity, with no groups (groups_from = not_in_directory).
///  - unavailable / directory_error, password path: the KDC has just checked the account itself,
///    so the identity is returned with no groups, groups_from = unavailable and the reason in
///    directory_note: mappings by group must not be granted.
///  - unavailable / directory_error, Negotiate and certificate paths: nobody has checked the
///    account's state since the ticket (or certificate) was issued, so it is REFUSED with the
///    directory's code.
/// `dir` null: the outcome unchanged (groups_from = not_configured).
outcome apply_directory(outcome o, directory* dir);

std::string_view to_string(account_state s) noexcept;
std::string_view to_string(groups_status s) noexcept;

}  // namespace ssogate::identity

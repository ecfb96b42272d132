#pragma once
// Principal names: one normal form for every identity source.
//
// Accepted spellings: `DOMAIN\name` (down-level logon name), `name@REALM` (Kerberos / UPN
// form) and a bare `name` when a default domain is configured. DOMAIN is a NetBIOS domain that
// the realm map turns into a Kerberos realm (CORP -> CORP.EXAMPLE); a domain with no entry is
// taken as a realm of the same name. Names compare case-insensitively (ASCII case folding;
// non-ASCII bytes compare exactly), so `CORP\Alice` and `alice@corp.example` are one principal.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ssogate::credstore {

class realm_map {
public:
    /// Map NetBIOS domain (case-insensitive) to Kerberos realm.
    void add(std::string_view domain, std::string_view realm);
    void set_default_domain(std::string_view domain);
    [[nodiscard]] std::string realm_for_domain(std::string_view domain) const;
    [[nodiscard]] std::optional<std::string> domain_for_realm(std::string_view realm) const;
    [[nodiscard]] const std::string& default_domain() const noexcept { return default_domain_; }

private:
    std::map<std::string, std::string> to_realm_;  // DOMAIN -> REALM (both upper-case)
    std::string default_domain_;
};

class principal {
public:
    /// Parse; on failure returns nullopt and, if `why` is set, a one-line reason.
    static std::optional<principal> parse(std::string_view text, const realm_map& realms,
                                          std::string* why = nullptr);

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] const std::string& realm() const noexcept { return realm_; }
    /// The comparison key: lower(name) + '@' + lower(realm). Stored in the database.
    [[nodiscard]] std::string key() const;
    /// `DOMAIN\name` when the realm has a domain in the map, else `name@REALM`.
    [[nodiscard]] std::string display(const realm_map& realms) const;

    friend bool operator==(const principal& a, const principal& b) { return a.key() == b.key(); }

private:
    std::string name_;
    std::string realm_;
};

std::string ascii_lower(std::string_view s);
std::string ascii_upper(std::string_view s);

}  // namespace ssogate::credstore

#include <ssogate/credstore/principal.hpp>

#include <algorithm>

namespace ssogate::credstore {

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string ascii_upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

void realm_map::add(std::string_view domain, std::string_view realm) {
    to_realm_[ascii_upper(domain)] = ascii_upper(realm);
}

void realm_map::set_default_domain(std::string_view domain) { default_domain_ = ascii_upper(domain); }

std::string realm_map::realm_for_domain(std::string_view domain) const {
    const std::string d = ascii_upper(domain);
    auto it = to_realm_.find(d);
    return it == to_realm_.end() ? d : it->second;
}

std::optional<std::string> realm_map::domain_for_realm(std::string_view realm) const {
    const std::string r = ascii_upper(realm);
    for (const auto& [d, rr] : to_realm_)
        if (rr == r) return d;
    return std::nullopt;
}

namespace {
constexpr std::size_t max_name = 256;

bool valid_part(std::string_view s, bool realm, std::string& why) {
    const std::string part = realm ? "the domain or realm" : "the name";
    if (s.empty()) {
        why = part + " is empty";
        return false;
    }
    if (s.size() > max_name) {
        why = part + " is longer than 256 characters";
        return false;
    }
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            why = part + " contains a control character";
            return false;
        }
        if (c == '\\' || c == '@' || c == '/' || (realm && c == ' ')) {
            why = std::string("unexpected '") + c + "' in " + part;
            return false;
        }
    }
    if (s.front() == ' ' || s.back() == ' ') {
        why = part + " starts or ends with a space";
        return false;
    }
    return true;
}
}  // namespace

std::optional<principal> principal::parse(std::string_view text, const realm_map& realms,
                                          std::string* why) {
    std::string reason;
    principal p;
    const auto bs = text.find('\\');
    const auto at = text.rfind('@');
    std::string_view name, where;
    bool is_domain = false;
    if (bs != std::string_view::npos) {
        where = text.substr(0, bs);
        name = text.substr(bs + 1);
        is_domain = true;
    } else if (at != std::string_view::npos) {
        name = text.substr(0, at);
        where = text.substr(at + 1);
    } else {
        name = text;
        where = realms.default_domain();
        is_domain = true;
        if (where.empty()) reason = "no domain given and no default domain configured (write DOMAIN\\name or name@REALM)";
    }
    if (reason.empty() && valid_part(name, false, reason) && valid_part(where, true, reason)) {
        p.name_ = std::string(name);
        p.realm_ = is_domain ? realms.realm_for_domain(where) : ascii_upper(where);
        return p;
    }
    if (why) {
        std::string shown;
        for (char c : text.substr(0, 300))
            shown.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
        *why = "invalid principal '" + shown + "': " + reason;
    }
    return std::nullopt;
}

std::string principal::key() const { return ascii_lower(name_) + "@" + ascii_lower(realm_); }

std::string principal::display(const realm_map& realms) const {
    if (auto d = realms.domain_for_realm(realm_)) return *d + "\\" + name_;
    return name_ + "@" + realm_;
}

}  // namespace ssogate::credstore

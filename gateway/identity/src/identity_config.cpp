#include <ssogate/identity/identity_config.hpp>

#include <ssogate/identity/ldap_codec.hpp>

#include "certificate_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace ssogate::identity {
namespace {

class reader {
public:
    explicit reader(identity_config& c) : c_(c) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw config_error(c_.file.string() + ": " + what);
    }
    [[noreturn]] void fail_at(const toml::node& n, const std::string& what) const {
        fail("line " + std::to_string(n.source().begin.line) + ": " + what);
    }

    void allow_only(const toml::table& t, const std::string& where,
                    std::initializer_list<std::string_view> keys) const {
        const std::set<std::string_view> ok(keys);
        for (const auto& [k, v] : t)
            if (!ok.contains(k.str()))
                fail("line " + std::to_string(k.source().begin.line) + ": unknown key '" +
                     std::string(k.str()) + "' in [" + where + "]");
    }

    std::optional<std::string> string(const toml::table& t, std::string_view key,
                                      const std::string& where) const {
        const auto* n = t.get(key);
        if (n == nullptr) return std::nullopt;
        if (!n->is_string()) fail_at(*n, "[" + where + "] " + std::string(key) + " must be a string");
        return n->as_string()->get();
    }

    std::filesystem::path path(const toml::table& t, std::string_view key,
                               const std::string& where) const {
        auto v = string(t, key, where);
        if (!v) return {};
        if (v->empty()) fail("[" + where + "] " + std::string(key) + " must not be empty");
        check_text(*v, "[" + where + "] " + std::string(key));
        std::filesystem::path p(*v);
        if (p.is_relative()) p = c_.file.parent_path() / p;
        return p.lexically_normal();
    }

    int integer(const toml::table& t, std::string_view key, const std::string& where, int lo,
                int hi, int fallback) const {
        const auto* n = t.get(key);
        if (n == nullptr) return fallback;
        if (!n->is_integer() || n->as_integer()->get() < lo || n->as_integer()->get() > hi)
            fail_at(*n, "[" + where + "] " + std::string(key) + " must be an integer from " +
                            std::to_string(lo) + " to " + std::to_string(hi));
        return static_cast<int>(n->as_integer()->get());
    }

    void check_text(const std::string& v, const std::string& what) const {
        if (v.size() > 4096 || std::any_of(v.begin(), v.end(), [](char ch) {
                return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
            }))
            fail(what + " must be at most 4096 characters without control characters");
    }

private:
    identity_config& c_;
};

bool valid_realm_name(const std::string& s) {
    return credstore::principal::parse("x@" + s, credstore::realm_map{}).has_value();
}

// "host", "host:port", "[v6]" or "[v6]:port"; the port 1-65535.
bool valid_kdc(std::string_view s) {
    if (s.empty() || s.size() > 255) return false;
    if (std::any_of(s.begin(), s.end(), [](char ch) {
            return static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f || ch == '/' || ch == '@' ||
                   ch == '"' || ch == '{' || ch == '}' || ch == '=';
        }))
        return false;
    std::string_view host = s, port;
    if (s.front() == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        host = s.substr(1, close - 1);
        if (close + 1 < s.size()) {
            if (s[close + 1] != ':') return false;
            port = s.substr(close + 2);
            if (port.empty()) return false;
        }
        if (host.find(':') == std::string_view::npos) return false;
    } else {
        const auto colon = s.find(':');
        if (colon != std::string_view::npos) {
            if (s.find(':', colon + 1) != std::string_view::npos) return false;  // bare IPv6
            host = s.substr(0, colon);
            port = s.substr(colon + 1);
            if (port.empty()) return false;
        }
        if (host.empty()) return false;
    }
    if (!port.empty()) {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
            return false;
        const int p = std::stoi(std::string(port));
        if (p < 1 || p > 65535) return false;
    }
    return true;
}

// An attribute description (RFC 4512 section 2.5): a name or a numeric OID.
bool valid_attribute(std::string_view a) {
    if (a.empty() || a.size() > 128) return false;
    if (std::isdigit(static_cast<unsigned char>(a.front())) != 0)
        return std::all_of(a.begin(), a.end(), [](char ch) { return (ch >= '0' && ch <= '9') || ch == '.'; });
    return std::isalpha(static_cast<unsigned char>(a.front())) != 0 &&
           std::all_of(a.begin(), a.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '-'; });
}

ldap_config parse_ldap_section(const reader& r, const toml::table& t) {
    const std::string w = "identity.ldap";
    r.allow_only(t, w,
                 {"url", "flavour", "base_dn", "user_attribute", "group_name_attribute", "bind", "bind_dn",
                  "bind_password_file", "bind_principal", "bind_keytab", "ca_file", "starttls",
                  "allow_plaintext", "network_timeout_seconds", "operation_timeout_seconds", "cache_seconds",
                  "negative_cache_seconds", "nesting_depth", "cache_max_entries"});
    ldap_config l;
    const auto* un = t.get("url");
    if (un == nullptr) r.fail("[identity.ldap] url is required (ldaps://host[:port], or an array of them)");
    std::vector<ldap_codec::ldap_url> parsed;
    auto take_url = [&](const toml::node& n) {
        if (!n.is_string() || !ldap_codec::parse_ldap_url(n.as_string()->get()))
            r.fail_at(n, "[identity.ldap] url must be \"ldap://host[:port]\" or \"ldaps://host[:port]\" (or an array of them)");
        l.urls.push_back(n.as_string()->get());
        parsed.push_back(*ldap_codec::parse_ldap_url(n.as_string()->get()));
    };
    if (un->is_array()) {
        for (const auto& e : *un->as_array()) take_url(e);
    } else {
        take_url(*un);
    }
    if (l.urls.empty()) r.fail_at(*un, "[identity.ldap] url lists no server");

    const auto flavour = r.string(t, "flavour", w);
    if (!flavour) r.fail("[identity.ldap] flavour is required: \"ad\" (Active Directory, Samba) or \"ldap\"");
    if (*flavour == "ad") l.flavour = directory_flavour::ad;
    else if (*flavour == "ldap") l.flavour = directory_flavour::ldap;
    else r.fail("[identity.ldap] flavour must be \"ad\" or \"ldap\" (got '" + *flavour + "')");

    const auto base = r.string(t, "base_dn", w);
    if (!base || base->empty()) r.fail("[identity.ldap] base_dn is required (DC=corp,DC=example)");
    r.check_text(*base, "[identity.ldap] base_dn");
    l.base_dn = *base;

    if (auto a = r.string(t, "user_attribute", w)) {
        if (l.flavour == directory_flavour::ad)
            r.fail("[identity.ldap] user_attribute is for flavour \"ldap\"; AD users are found by sAMAccountName and userPrincipalName");
        if (!valid_attribute(*a)) r.fail("[identity.ldap] user_attribute must be an attribute name (uid)");
        l.user_attribute = *a;
    }
    if (auto a = r.string(t, "group_name_attribute", w)) {
        if (!valid_attribute(*a)) r.fail("[identity.ldap] group_name_attribute must be an attribute name (cn)");
        l.group_name_attribute = *a;
    }

    const auto bind = r.string(t, "bind", w).value_or("gssapi");
    if (bind == "gssapi") l.bind = ldap_bind_method::gssapi;
    else if (bind == "simple") l.bind = ldap_bind_method::simple;
    else r.fail("[identity.ldap] bind must be \"gssapi\" or \"simple\" (got '" + bind + "')");
    if (auto dn = r.string(t, "bind_dn", w)) {
        r.check_text(*dn, "[identity.ldap] bind_dn");
        l.bind_dn = *dn;
    }
    l.bind_password_file = r.path(t, "bind_password_file", w);
    l.bind_keytab = r.path(t, "bind_keytab", w);
    if (auto p = r.string(t, "bind_principal", w)) {
        r.check_text(*p, "[identity.ldap] bind_principal");
        if (p->empty() || p->find(' ') != std::string::npos)
            r.fail("[identity.ldap] bind_principal must be a Kerberos principal name (ssogate@CORP.EXAMPLE)");
        l.bind_principal = *p;
    }
    if (l.bind == ldap_bind_method::simple) {
        if (l.bind_dn.empty() || l.bind_password_file.empty())
            r.fail("[identity.ldap] bind = \"simple\" needs bind_dn and bind_password_file (the password is never written in the config)");
        if (!l.bind_principal.empty() || !l.bind_keytab.empty())
            r.fail("[identity.ldap] bind_principal and bind_keytab are for bind = \"gssapi\"");
    } else if (!l.bind_dn.empty() || !l.bind_password_file.empty()) {
        r.fail("[identity.ldap] bind_dn and bind_password_file are for bind = \"simple\"");
    }

    l.ca_file = r.path(t, "ca_file", w);
    auto boolean = [&](std::string_view key, bool fallback) {
        const auto* n = t.get(key);
        if (n == nullptr) return fallback;
        if (!n->is_boolean()) r.fail_at(*n, "[identity.ldap] " + std::string(key) + " must be true or false");
        return n->as_boolean()->get();
    };
    l.starttls = boolean("starttls", false);
    l.allow_plaintext = boolean("allow_plaintext", false);
    for (const auto& u : parsed) {
        if (u.scheme == "ldaps" && l.starttls)
            r.fail("[identity.ldap] starttls = true is for ldap:// URLs; " + u.scheme + "://" + u.host + " is TLS already");
        if (u.scheme == "ldap" && !l.starttls && !l.allow_plaintext && !ldap_codec::is_loopback_host(u.host) &&
            l.bind == ldap_bind_method::simple)
            r.fail("[identity.ldap] ldap://" + u.host +
                   " would carry the bind password and the answers in clear: use ldaps://, starttls = true, or "
                   "allow_plaintext = true");
    }

    l.network_timeout = std::chrono::seconds(r.integer(t, "network_timeout_seconds", w, 1, 300, 5));
    l.operation_timeout = std::chrono::seconds(r.integer(t, "operation_timeout_seconds", w, 1, 600, 10));
    l.cache_ttl = std::chrono::seconds(r.integer(t, "cache_seconds", w, 0, 86400, 300));
    l.negative_cache_ttl = std::chrono::seconds(r.integer(t, "negative_cache_seconds", w, 0, 86400, 60));
    l.nesting_depth = r.integer(t, "nesting_depth", w, 0, 64, 8);
    l.cache_max_entries = static_cast<std::size_t>(r.integer(t, "cache_max_entries", w, 1, 10000000, 100000));
    return l;
}

}  // namespace

bool identity_config::serves_realm(std::string_view realm) const {
    const std::string r = credstore::ascii_upper(realm);
    return std::find(known_realms.begin(), known_realms.end(), r) != known_realms.end();
}

identity_config parse_identity_config(std::string_view text, const std::filesystem::path& file) {
    identity_config c;
    c.file = std::filesystem::absolute(file).lexically_normal();
    reader r(c);
    toml::table root;
    try {
        root = toml::parse(text, c.file.string());
    } catch (const toml::parse_error& e) {
        const auto& src = e.source();
        throw config_error(c.file.string() + ":" + std::to_string(src.begin.line) + ":" +
                           std::to_string(src.begin.column) + ": " + std::string(e.description()));
    }
    const auto* node = root.get("identity");
    if (node == nullptr) return c;
    if (!node->is_table()) r.fail("identity must be a table ([identity])");
    const toml::table& id = *node->as_table();
    r.allow_only(id, "identity",
                 {identity_keys[0], identity_keys[1], identity_keys[2], identity_keys[3],
                  identity_keys[4], identity_keys[5], identity_keys[6], identity_keys[7],
                  identity_keys[8], identity_keys[9]});

    auto add_realm = [&](const std::string& realm) {
        const auto up = credstore::ascii_upper(realm);
        if (!c.serves_realm(up)) c.known_realms.push_back(up);
    };
    if (auto d = r.string(id, "default_domain", "identity")) {
        if (!valid_realm_name(*d)) r.fail("[identity] default_domain '" + *d + "' is not a domain name");
        c.realms.set_default_domain(*d);
    }
    if (const auto* dn = id.get("domains")) {
        if (!dn->is_table()) r.fail_at(*dn, "[identity.domains] must be a table of DOMAIN = \"REALM\"");
        for (const auto& [k, v] : *dn->as_table()) {
            if (!v.is_string())
                r.fail_at(v, "[identity.domains] " + std::string(k.str()) + " must be a realm string");
            if (!valid_realm_name(std::string(k.str())) || !valid_realm_name(v.as_string()->get()))
                r.fail_at(v, "[identity.domains] " + std::string(k.str()) +
                                 " must map a domain name to a realm name");
            c.realms.add(k.str(), v.as_string()->get());
            add_realm(v.as_string()->get());
        }
    }
    if (!c.realms.default_domain().empty())
        add_realm(c.realms.realm_for_domain(c.realms.default_domain()));

    c.keytab = r.path(id, "keytab", "identity");
    c.krb5_conf = r.path(id, "krb5_conf", "identity");
    c.replay_cache = r.path(id, "replay_cache", "identity");
    if (auto sp = r.string(id, "service_principal", "identity")) {
        r.check_text(*sp, "[identity] service_principal");
        const auto at = sp->rfind('@');
        const std::string name = sp->substr(0, at);
        if (name.empty() || name.front() == '/' || name.back() == '/' ||
            std::any_of(name.begin(), name.end(), [](char ch) { return ch == ' ' || ch == '\\' || ch == '@'; }) ||
            (at != std::string::npos && !valid_realm_name(sp->substr(at + 1))))
            r.fail("[identity] service_principal '" + *sp +
                   "' must be a Kerberos service name like HTTP/sso.corp.example[@REALM]");
        c.service_principal = *sp;
    }

    if (const auto* kn = id.get("kdc")) {
        if (!kn->is_table())
            r.fail_at(*kn, "[identity.kdc] must be a table of \"REALM\" = [\"host[:port]\", ...]");
        for (const auto& [k, v] : *kn->as_table()) {
            const std::string realm(k.str());
            const std::string where = "[identity.kdc] \"" + realm + "\"";
            if (!valid_realm_name(realm)) r.fail_at(v, where + " is not a realm name");
            std::vector<std::string> list;
            auto take = [&](const toml::node& e) {
                if (!e.is_string() || !valid_kdc(e.as_string()->get()))
                    r.fail_at(e, where + " must be \"host\", \"host:port\" or \"[IPv6]:port\" (or an array of them)");
                list.push_back(e.as_string()->get());
            };
            if (v.is_array()) {
                for (const auto& e : *v.as_array()) take(e);
            } else {
                take(v);
            }
            if (list.empty()) r.fail_at(v, where + " lists no KDC");
            c.kdcs[credstore::ascii_upper(realm)] = std::move(list);
            add_realm(realm);
        }
    }

    if (const auto* tn = id.get("throttle")) {
        if (!tn->is_table()) r.fail_at(*tn, "[identity.throttle] must be a table");
        const auto& t = *tn->as_table();
        r.allow_only(t, "identity.throttle", {"user_failures", "source_failures", "window_seconds", "max_tracked"});
        c.throttle.user_failures = r.integer(t, "user_failures", "identity.throttle", 0, 1000, c.throttle.user_failures);
        c.throttle.source_failures =
            r.integer(t, "source_failures", "identity.throttle", 0, 100000, c.throttle.source_failures);
        c.throttle.window = std::chrono::seconds(r.integer(t, "window_seconds", "identity.throttle", 1, 86400,
                                                           static_cast<int>(c.throttle.window.count())));
        c.throttle.max_tracked = static_cast<std::size_t>(r.integer(
            t, "max_tracked", "identity.throttle", 16, 10000000, static_cast<int>(c.throttle.max_tracked)));
    }
    if (const auto* ln = id.get("ldap")) {
        if (!ln->is_table()) r.fail_at(*ln, "[identity.ldap] must be a table");
        c.ldap = parse_ldap_section(r, *ln->as_table());
    }
    if (const auto* cn = id.get("certificates")) detail::read_certificate_rules(*cn, c);
    return c;
}

identity_config load_identity_config(const std::filesystem::path& file) {
    const auto path = std::filesystem::absolute(file).lexically_normal();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path.string() + ": no such config file (give --config FILE or set SSOGATE_CONFIG)");
    std::stringstream text;
    text << in.rdbuf();
    return parse_identity_config(text.str(), path);
}

}  // namespace ssogate::identity

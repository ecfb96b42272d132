#include <ssogate/identity/identity_config.hpp>

#include <toml++/toml.h>

#include <algorithm>
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
                  identity_keys[4], identity_keys[5], identity_keys[6], identity_keys[7]});

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

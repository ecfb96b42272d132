#include <ssogate/gateway/config.hpp>

#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace ssogate::gateway {
namespace {

using credstore::secret_bytes;

[[noreturn]] void fail(const config& c, const std::string& what) {
    throw config_error(c.file.string() + ": " + what);
}

void allow_only(const config& c, const toml::table& t, const std::string& where,
                std::initializer_list<std::string_view> keys) {
    std::set<std::string_view> ok(keys);
    for (const auto& [k, v] : t) {
        if (!ok.contains(k.str())) {
            const auto& src = k.source();
            fail(c, "line " + std::to_string(src.begin.line) + ": unknown key '" +
                        std::string(k.str()) + "'" + (where.empty() ? "" : " in [" + where + "]"));
        }
    }
}

std::filesystem::path resolve(const config& c, const std::string& p) {
    std::filesystem::path path(p);
    if (path.is_relative()) path = c.file.parent_path() / path;
    return path.lexically_normal();
}

std::optional<std::string> get_string(const config& c, const toml::table& t, std::string_view key,
                                      const std::string& where) {
    const auto* node = t.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string())
        fail(c, "line " + std::to_string(node->source().begin.line) + ": [" + where + "] " +
                    std::string(key) + " must be a string");
    return node->as_string()->get();
}

secret_bytes get_secret(const config& c, const toml::table& t, std::string_view key,
                        const std::string& where, bool private_file) {
    auto inline_value = get_string(c, t, key, where);
    auto file = get_string(c, t, std::string(key) + "_file", where);
    if (inline_value && file)
        fail(c, "[" + where + "] has both " + std::string(key) + " and " + std::string(key) +
                    "_file: give one");
    if (file) return read_secret_file(resolve(c, *file), private_file);
    if (inline_value) {
        auto s = secret_bytes::copy_of(*inline_value);
        std::fill(inline_value->begin(), inline_value->end(), '\0');
        return s;
    }
    return {};
}

std::string default_writer() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
    return std::string("cli@") + host;
}

}  // namespace

secret_bytes read_secret_file(const std::filesystem::path& file, bool private_file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & (private_file ? 077u : 007u)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw config_error("secret file " + file.string() + " is open to " +
                           (private_file ? "group or others" : "others") + " (mode " + mode +
                           "); run chmod " + (private_file ? "600" : "640") + " on it");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw config_error("cannot read secret file " + file.string() + ": " +
                           std::strerror(errno));
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto s = secret_bytes::copy_of(line);
    std::fill(line.begin(), line.end(), '\0');
    if (s.empty()) throw config_error("secret file " + file.string() + " is empty");
    return s;
}

config load_config(const std::filesystem::path& file) {
    const auto path = std::filesystem::absolute(file).lexically_normal();
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw config_error(path.string() + ": no such config file (give --config FILE or set SSOGATE_CONFIG)");
    std::stringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path);
}

config parse_config(std::string_view text, const std::filesystem::path& file) {
    config c;
    c.file = std::filesystem::absolute(file).lexically_normal();
    toml::table root;
    try {
        root = toml::parse(text, c.file.string());
    } catch (const toml::parse_error& e) {
        const auto& src = e.source();
        throw config_error(c.file.string() + ":" + std::to_string(src.begin.line) + ":" +
                           std::to_string(src.begin.column) + ": " + std::string(e.description()));
    }
    allow_only(c, root, "", {"store", "keyring", "identity", "audit", "secret_server", "gateway"});

    auto section = [&](std::string_view name) -> const toml::table* {
        const auto* node = root.get(name);
        if (node == nullptr) return nullptr;
        if (!node->is_table()) fail(c, std::string(name) + " must be a table ([" + std::string(name) + "])");
        return node->as_table();
    };

    const toml::table* st = section("store");
    if (st == nullptr) fail(c, "missing [store] (at least: url = \"sqlite:PATH\")");
    allow_only(c, *st, "store", {"url", "password", "password_file", "busy_timeout_ms"});
    auto url = get_string(c, *st, "url", "store");
    if (!url || url->empty()) fail(c, "[store] url is required (sqlite:PATH or postgresql://...)");
    if (url->rfind("sqlite:", 0) == 0) {
        std::string path = url->substr(7);
        if (path.rfind("//", 0) == 0) path = path.substr(2);
        if (path.empty()) fail(c, "[store] url has no SQLite path");
        c.store.url = "sqlite:" + resolve(c, path).string();
    } else if (url->rfind("postgresql://", 0) == 0 || url->rfind("postgres://", 0) == 0) {
        try {
            (void)credstore::postgres_conninfo(*url);
        } catch (const credstore::error& e) {
            fail(c, std::string("[store] ") + e.what());
        }
        c.store.url = *url;
    } else {
        fail(c, "[store] url must start with sqlite: or postgresql://");
    }
    c.store.password = get_secret(c, *st, "password", "store", false);
    if (const auto* n = st->get("busy_timeout_ms")) {
        if (!n->is_integer() || n->as_integer()->get() < 1 || n->as_integer()->get() > 600000)
            fail(c, "[store] busy_timeout_ms must be an integer from 1 to 600000");
        c.store.busy_timeout_ms = static_cast<int>(n->as_integer()->get());
    }

    if (const toml::table* kr = section("keyring")) {
        allow_only(c, *kr, "keyring", {"key_file", "passphrase", "passphrase_file"});
        if (auto kf = get_string(c, *kr, "key_file", "keyring")) c.keyring.key_file = resolve(c, *kf);
        c.keyring.passphrase = get_secret(c, *kr, "passphrase", "keyring", true);
        if (c.keyring.key_file && c.keyring.has_passphrase())
            fail(c, "[keyring] has both key_file and a passphrase: give one");
    }

    if (const toml::table* id = section("identity")) {
        allow_only(c, *id, "identity", {"default_domain", "domains", "keytab", "service_principal",
                                        "krb5_conf", "replay_cache", "kdc", "throttle", "certificates"});
        if (auto d = get_string(c, *id, "default_domain", "identity")) {
            std::string why;
            if (!credstore::principal::parse("x@" + *d, credstore::realm_map{}, &why))
                fail(c, "[identity] default_domain '" + *d + "' is not a domain name");
            c.realms.set_default_domain(*d);
        }
        if (const auto* dn = id->get("domains")) {
            if (!dn->is_table()) fail(c, "[identity.domains] must be a table of DOMAIN = \"REALM\"");
            for (const auto& [k, v] : *dn->as_table()) {
                if (!v.is_string())
                    fail(c, "[identity.domains] " + std::string(k.str()) + " must be a realm string");
                if (!credstore::principal::parse("x@" + std::string(k.str()), credstore::realm_map{}) ||
                    !credstore::principal::parse("x@" + v.as_string()->get(), credstore::realm_map{}))
                    fail(c, "[identity.domains] " + std::string(k.str()) +
                                " must map a domain name to a realm name");
                c.realms.add(k.str(), v.as_string()->get());
            }
        }
    }

    if (const toml::table* au = section("audit")) {
        allow_only(c, *au, "audit", {"writer"});
        if (auto w = get_string(c, *au, "writer", "audit")) {
            if (w->empty() || w->size() > 128 ||
                std::any_of(w->begin(), w->end(), [](char ch) { return static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f; }))
                fail(c, "[audit] writer must be 1-128 characters without spaces or control characters");
            c.audit.writer = *w;
        }
    }
    auto get_path = [&](const toml::table& t, std::string_view key, const std::string& where,
                        bool required) -> std::filesystem::path {
        auto v = get_string(c, t, key, where);
        if (!v || v->empty()) {
            if (required) fail(c, "[" + where + "] " + std::string(key) + " is required");
            return {};
        }
        return resolve(c, *v);
    };
    auto get_endpoint = [&](const std::string& value, const std::string& what) {
        auto e = parse_endpoint(value);
        if (!e) fail(c, what + " must be HOST:PORT (got '" + value + "')");
        return *e;
    };
    auto get_int = [&](const toml::table& t, std::string_view key, const std::string& where,
                       int lo, int hi, int& out) {
        const auto* n = t.get(key);
        if (n == nullptr) return;
        if (!n->is_integer() || n->as_integer()->get() < lo || n->as_integer()->get() > hi)
            fail(c, "[" + where + "] " + std::string(key) + " must be an integer from " +
                        std::to_string(lo) + " to " + std::to_string(hi));
        out = static_cast<int>(n->as_integer()->get());
    };
    auto get_strings = [&](const toml::table& t, std::string_view key, const std::string& where) {
        std::vector<std::string> out;
        const auto* n = t.get(key);
        if (n == nullptr) return out;
        if (!n->is_array()) fail(c, "[" + where + "] " + std::string(key) + " must be an array of strings");
        for (const auto& e : *n->as_array()) {
            if (!e.is_string()) fail(c, "[" + where + "] " + std::string(key) + " must be an array of strings");
            out.push_back(e.as_string()->get());
        }
        return out;
    };

    // A CRL file or a list of them (PEM or DER), relative to the config file.
    auto get_paths = [&](const toml::table& t, std::string_view key, const std::string& where) {
        std::vector<std::filesystem::path> out;
        const auto* n = t.get(key);
        if (n == nullptr) return out;
        const std::string what = "[" + where + "] " + std::string(key) + " must be a file name or an array of file names";
        auto take = [&](const toml::node& e) {
            if (!e.is_string() || e.as_string()->get().empty()) fail(c, what);
            out.push_back(resolve(c, e.as_string()->get()));
        };
        if (n->is_array()) {
            for (const auto& e : *n->as_array()) take(e);
            if (out.empty()) fail(c, "[" + where + "] " + std::string(key) + " is empty: leave it out for no revocation check");
        } else {
            take(*n);
        }
        return out;
    };

    if (const toml::table* ss = section("secret_server")) {
        allow_only(c, *ss, "secret_server",
                   {"listen", "certificate", "private_key", "client_ca", "allowed_clients", "crls"});
        auto& s = c.secret_server;
        s.present = true;
        auto listen = get_string(c, *ss, "listen", "secret_server");
        if (!listen) fail(c, "[secret_server] listen is required (HOST:PORT)");
        s.listen = get_endpoint(*listen, "[secret_server] listen");
        s.certificate = get_path(*ss, "certificate", "secret_server", true);
        s.private_key = get_path(*ss, "private_key", "secret_server", true);
        s.client_ca = get_path(*ss, "client_ca", "secret_server", true);
        s.allowed_clients = get_strings(*ss, "allowed_clients", "secret_server");
        s.crls = get_paths(*ss, "crls", "secret_server");
        if (s.allowed_clients.empty())
            fail(c, "[secret_server] allowed_clients must name at least one gateway certificate name");
    }

    if (const toml::table* gw = section("gateway")) {
        allow_only(c, *gw, "gateway",
                   {"id", "management_listen", "secret_servers", "certificate", "private_key", "ca",
                    "secret_server_crls", "recheck_seconds", "connect_timeout_ms", "backoff_max_ms", "admin_socket"});
        auto& g = c.gateway;
        g.present = true;
        auto id = get_string(c, *gw, "id", "gateway");
        if (!id || id->empty() || id->size() > 128 ||
            std::any_of(id->begin(), id->end(), [](char ch) { return static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f; }))
            fail(c, "[gateway] id is required: 1-128 characters without spaces");
        g.id = *id;
        auto mgmt = get_string(c, *gw, "management_listen", "gateway");
        g.management_listen = get_endpoint(mgmt.value_or("127.0.0.1:9090"), "[gateway] management_listen");
        for (const auto& e : get_strings(*gw, "secret_servers", "gateway"))
            g.secret_servers.push_back(get_endpoint(e, "[gateway] secret_servers entry"));
        if (g.secret_servers.empty()) fail(c, "[gateway] secret_servers must list at least one HOST:PORT");
        g.certificate = get_path(*gw, "certificate", "gateway", true);
        g.private_key = get_path(*gw, "private_key", "gateway", true);
        g.ca = get_path(*gw, "ca", "gateway", true);
        g.secret_server_crls = get_paths(*gw, "secret_server_crls", "gateway");
        get_int(*gw, "recheck_seconds", "gateway", 1, 86400, g.recheck_seconds);
        get_int(*gw, "connect_timeout_ms", "gateway", 100, 60000, g.connect_timeout_ms);
        get_int(*gw, "backoff_max_ms", "gateway", 100, 60000, g.backoff_max_ms);
        g.admin_socket = get_path(*gw, "admin_socket", "gateway", false);
        if (g.admin_socket.empty()) g.admin_socket = resolve(c, g.id + ".admin.sock");
        // A gateway writes its own audit chain, named after it, unless told otherwise.
        if (c.audit.writer.empty()) c.audit.writer = g.id;
    }

    try {
        c.identity = identity::parse_identity_config(text, c.file);
    } catch (const identity::config_error& e) {
        throw config_error(e.what());
    }
    if (c.audit.writer.empty() && c.secret_server.present)
        c.audit.writer = "secret-server@" + default_writer().substr(4);  // its own chain
    if (c.audit.writer.empty()) c.audit.writer = default_writer();
    return c;
}

std::string endpoint::to_string() const {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<endpoint> parse_endpoint(std::string_view text) {
    endpoint e;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        e.host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
        e.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
    }
    if (e.host.empty() || port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        return std::nullopt;
    const int p = std::stoi(std::string(port));
    if (p > 65535) return std::nullopt;
    e.port = static_cast<std::uint16_t>(p);
    return e;
}

credstore::store_options store_options_for(const config& cfg, std::string actor) {
    credstore::store_options o;
    o.url = cfg.store.url;
    o.password = std::string(cfg.store.password.reveal());
    o.busy_timeout_ms = cfg.store.busy_timeout_ms;
    o.writer_id = cfg.audit.writer;
    o.actor = std::move(actor);
    o.realms = cfg.realms;
    return o;
}

}  // namespace ssogate::gateway

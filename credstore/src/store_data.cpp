// Applications, mappings, credentials, the config store and resolution.
#include "store_impl.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace ssogate::credstore {

using json = nlohmann::json;

std::string_view to_string(app_kind k) noexcept {
    switch (k) {
        case app_kind::individual: return "individual";
        case app_kind::group: return "group";
        case app_kind::config: return "config";
    }
    return "individual";
}

std::optional<app_kind> parse_app_kind(std::string_view s) noexcept {
    if (s == "individual") return app_kind::individual;
    if (s == "group") return app_kind::group;
    if (s == "config") return app_kind::config;
    return std::nullopt;
}

std::string_view to_string(cred_state s) noexcept {
    switch (s) {
        case cred_state::valid: return "valid";
        case cred_state::needs_update: return "needs-update";
        case cred_state::expired: return "expired";
    }
    return "valid";
}

std::optional<cred_state> parse_cred_state(std::string_view s) noexcept {
    if (s == "valid") return cred_state::valid;
    if (s == "needs-update") return cred_state::needs_update;
    if (s == "expired") return cred_state::expired;
    return std::nullopt;
}

namespace {

constexpr std::string_view user_field = "user";

bool valid_name(std::string_view s) {
    if (s.empty() || s.size() > 128) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
}

void check_app_name(std::string_view name) {
    if (!valid_name(name))
        throw error(errc::invalid_argument,
                    "invalid application name '" + std::string(name.substr(0, 130)) +
                        "': use 1-128 letters, digits, '-', '_' or '.'");
}

std::string fields_to_json(const std::vector<field_def>& f) {
    json j = json::array();
    for (const auto& d : f) j.push_back({{"name", d.name}, {"masked", d.masked}});
    return j.dump();
}

std::string groups_to_json(const std::vector<group_ref>& g) {
    json j = json::array();
    for (const auto& r : g) j.push_back({{"key", r.key}, {"display", r.display}});
    return j.dump();
}

// Parsing of stored JSON never throws: a malformed column leaves the row not intact.
bool parse_fields(const std::string& text, std::vector<field_def>& out) {
    auto j = json::parse(text, nullptr, false);
    if (!j.is_array()) return false;
    for (const auto& e : j) {
        if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) return false;
        out.push_back({e["name"].get<std::string>(), e.value("masked", false)});
    }
    return true;
}

bool parse_groups(const std::string& text, std::vector<group_ref>& out) {
    auto j = json::parse(text, nullptr, false);
    if (!j.is_array()) return false;
    for (const auto& e : j) {
        if (!e.is_object() || !e.contains("key") || !e["key"].is_string()) return false;
        out.push_back({e["key"].get<std::string>(), e.value("display", "")});
    }
    return true;
}

std::string state_text(cred_state s) { return std::string(to_string(s)); }

}  // namespace

// ------------------------------------------------------------------ MAC inputs and AAD

std::vector<std::byte> store::impl::app_mac_input(const app_cols& c) const {
    byte_writer w;
    w.str("ssogate/app/v1").i64(c.id).str(app_key(c.name)).str(c.kind);
    w.u8(c.enabled != 0 ? 1 : 0).str(c.fields).str(c.groups).str(c.host).str(c.signon);
    return w.take();
}

std::vector<std::byte> store::impl::mapping_mac_input(const mapping& m) const {
    byte_writer w;
    w.str("ssogate/mapping/v1").i64(m.id).i64(m.app_id).str(m.principal_key).str(m.principal);
    w.str(m.principal_kind).str(m.sid).str(m.host_user).u8(m.enabled ? 1 : 0);
    return w.take();
}

std::vector<std::byte> store::impl::credential_mac_input(std::int64_t mapping_id,
                                                         std::string_view state, long long kv,
                                                         long long updated_at,
                                                         std::string_view fields) const {
    byte_writer w;
    w.str("ssogate/credential/v1").i64(mapping_id).str(state).i64(kv).i64(updated_at).str(fields);
    return w.take();
}

std::vector<std::byte> store::impl::credential_aad(std::int64_t app_id, const mapping& m,
                                                   std::size_t field_index,
                                                   std::string_view field_name,
                                                   std::uint32_t kv) const {
    byte_writer w;
    w.str("ssogate/credential-field/v1").i64(app_id).i64(m.id).str(m.principal_key);
    w.str(m.host_user).u32(static_cast<std::uint32_t>(field_index)).str(field_name).u32(kv);
    return w.take();
}

std::vector<std::byte> store::impl::config_aad(std::int64_t app_id, std::string_view akey,
                                               std::string_view field, std::uint32_t kv) const {
    byte_writer w;
    w.str("ssogate/config-value/v1").i64(app_id).str(akey).str(field).u32(kv);
    return w.take();
}

// ------------------------------------------------------------------ prepared statements

namespace {
constexpr const char* app_columns =
    "a.id, a.name, a.kind, a.description, a.contact, a.enabled, a.fields, a.groups_json,"
    " a.host_endpoint, a.signon, a.created_at, a.updated_at, a.mac_kv, a.mac";
constexpr const char* map_columns =
    "m.id, m.principal, m.principal_kind, m.sid, m.host_user, m.enabled, m.created_at,"
    " m.updated_at, m.mac_kv, m.mac";
constexpr const char* cred_columns =
    "m.cred_key_version, m.cred_state, m.cred_fields, m.cred_updated_at, m.cred_mac_kv, m.cred_mac";

using prep = soci::details::prepare_temp_type;
void bind(prep& p, store::impl::app_cols& a) {
    p, soci::into(a.id), soci::into(a.name), soci::into(a.kind), soci::into(a.description),
        soci::into(a.contact), soci::into(a.enabled), soci::into(a.fields), soci::into(a.groups),
        soci::into(a.host), soci::into(a.signon), soci::into(a.created), soci::into(a.updated),
        soci::into(a.mac_kv), soci::into(a.mac);
}
void bind(prep& p, store::impl::map_cols& m, soci::indicator& ind) {
    p, soci::into(m.id, ind), soci::into(m.principal, ind), soci::into(m.kind, ind),
        soci::into(m.sid, ind), soci::into(m.host_user, ind), soci::into(m.enabled, ind),
        soci::into(m.created, ind), soci::into(m.updated, ind), soci::into(m.mac_kv, ind),
        soci::into(m.mac, ind);
}
void bind(prep& p, store::impl::cred_cols& c, soci::indicator& ind) {
    p, soci::into(c.kv, ind), soci::into(c.state, ind), soci::into(c.fields, ind),
        soci::into(c.updated, ind), soci::into(c.mac_kv, ind), soci::into(c.mac, ind);
}
/// Whether the mapping row carries a credential (cred_state is '' until `cred set`).
bool has_credential(soci::indicator ind, const store::impl::cred_cols& c) {
    return ind == soci::i_ok && !c.state.empty();
}
}  // namespace

struct store::impl::prepared {
    // inputs
    std::string name_key, principal_key;
    long long app_id = 0;
    // outputs
    app_cols a;
    map_cols m;
    cred_cols c;
    long long r_app_id = 0, r_app_mac_kv = 0;
    std::string r_app_mac;
    soci::indicator mi = soci::i_null, ci = soci::i_null;
    soci::statement app_q, map_q, resolve_q;

    explicit prepared(soci::session& sql) : app_q(sql), map_q(sql), resolve_q(sql) {
        {
            prep p = (sql.prepare << std::string("SELECT ") + app_columns +
                                         " FROM applications a WHERE a.name_key = :k",
                      soci::use(name_key));
            bind(p, a);
            app_q = soci::statement(p);
        }
        {
            prep p = (sql.prepare << std::string("SELECT ") + map_columns + ", " + cred_columns +
                                         " FROM mappings m WHERE m.app_id = :a AND"
                                         " m.principal_key = :p",
                      soci::use(app_id), soci::use(principal_key));
            bind(p, m, mi);
            bind(p, c, ci);
            map_q = soci::statement(p);
        }
        {
            // One round trip for the common case: the application's MAC (to recall its verified
            // row, see app_memos) and the user's own mapping with its credential.
            prep p = (sql.prepare << std::string("SELECT a.id, a.mac_kv, a.mac, ") + map_columns +
                                         ", " + cred_columns +
                                         " FROM applications a LEFT JOIN mappings m ON"
                                         " m.app_id = a.id AND m.principal_key = :p"
                                         " WHERE a.name_key = :k",
                      soci::use(principal_key), soci::use(name_key));
            p, soci::into(r_app_id), soci::into(r_app_mac_kv), soci::into(r_app_mac);
            bind(p, m, mi);
            bind(p, c, ci);
            resolve_q = soci::statement(p);
        }
    }
};

store::impl::impl() = default;
store::impl::~impl() = default;

namespace {
/// Execute a prepared single-row query; true when a row came back. The statement is run to its
/// end so SQLite releases the read snapshot (a statement left on its row would pin an old
/// snapshot and block writers).
bool run_one(soci::statement& st) {
    if (!st.execute(true)) return false;
    while (st.fetch()) {
    }
    return true;
}
}  // namespace

store::impl::prepared& store::impl::queries() {
    if (!q) q = std::make_unique<prepared>(sql);
    return *q;
}

std::string join_fields(const std::vector<std::string>& b64) {
    std::string out;
    for (const auto& f : b64) out += (out.empty() ? "" : ",") + f;
    return out;
}

std::vector<std::string_view> split_fields(std::string_view text) {
    std::vector<std::string_view> out;
    if (text.empty()) return out;
    for (;;) {
        const auto comma = text.find(',');
        out.push_back(text.substr(0, comma));
        if (comma == std::string_view::npos) return out;
        text.remove_prefix(comma + 1);
    }
}

// ------------------------------------------------------------------ application rows

const application& store::impl::app_from(const app_cols& c, std::string_view wanted_key) {
    auto input = app_mac_input(c);
    const std::string key(wanted_key);
    auto it = app_memos.find(key);
    if (it != app_memos.end() && it->second.mac == c.mac && it->second.mac_kv == c.mac_kv &&
        it->second.input == input)
        return it->second.app;
    application a;
    a.id = c.id;
    a.name = c.name;
    a.description = c.description;
    a.contact = c.contact;
    a.enabled = c.enabled != 0;
    a.host_endpoint = c.host;
    a.signon = c.signon;
    a.created_at = c.created;
    a.updated_at = c.updated;
    auto k = parse_app_kind(c.kind);
    a.kind = k.value_or(app_kind::individual);
    const bool parsed = k && parse_fields(c.fields, a.fields) && parse_groups(c.groups, a.groups);
    // The row must be the one asked for: a MAC'd name that differs from the lookup key means
    // the rows' keys were swapped in the database.
    a.intact = parsed && app_key(c.name) == key && mac_ok(c.mac_kv, input, c.mac);
    if (!a.intact) {
        a.enabled = false;
        // under a newer key version than ours: the keyring is behind, nothing was tampered with
        if (c.mac_kv <= need_ring().current_version()) audit_integrity("application row", "app " + c.name);
    }
    auto& memo = app_memos[key];
    memo.input = std::move(input);
    memo.mac = c.mac;
    memo.mac_kv = c.mac_kv;
    memo.app = std::move(a);
    return memo.app;
}

std::optional<application> store::impl::find_app(std::string_view name) {
    auto& p = queries();
    p.name_key = app_key(name);
    try {
        if (!run_one(p.app_q)) return std::nullopt;
    } catch (const std::exception& e) {
        rethrow_db(e, "cannot read application");
    }
    return app_from(p.a, p.name_key);
}

application store::impl::require_app(std::string_view name) {
    auto a = find_app(name);
    if (!a)
        throw error(errc::app_not_found, "no application named '" +
                                             std::string(name.substr(0, 130)) + "'");
    return std::move(*a);
}

void store::impl::write_app_mac(std::int64_t id, std::optional<bool> enabled, bool verify) {
    // Inside the caller's transaction: re-read the row as stored (locked on PostgreSQL), and
    // when changing a flag, MAC only a row that verifies as it stands, so an edit slipped in
    // between a check and this write is never blessed. One definition of the MAC input.
    app_cols c;
    const long long lid = id;
    sql << std::string("SELECT ") + app_columns + " FROM applications a WHERE a.id = :id" +
               (pg ? " FOR UPDATE" : ""),
        soci::use(lid), soci::into(c.id), soci::into(c.name), soci::into(c.kind),
        soci::into(c.description), soci::into(c.contact), soci::into(c.enabled),
        soci::into(c.fields), soci::into(c.groups), soci::into(c.host), soci::into(c.signon),
        soci::into(c.created), soci::into(c.updated), soci::into(c.mac_kv), soci::into(c.mac);
    if (enabled || verify) {
        if (!mac_ok(c.mac_kv, app_mac_input(c), c.mac))
            throw error(errc::integrity_failure,
                        "application '" + c.name + "' failed its integrity check (changed outside "
                        "ssogate); it stays disabled: delete it and create it again");
        if (enabled) c.enabled = *enabled ? 1 : 0;
    }
    const long long kv = need_ring().current_version(), now = now_ms();
    const std::string mac = mac_hex(static_cast<std::uint32_t>(kv), app_mac_input(c));
    sql << "UPDATE applications SET enabled = :e, updated_at = :u, mac_kv = :kv, mac = :m"
           " WHERE id = :id",
        soci::use(c.enabled), soci::use(now), soci::use(kv), soci::use(mac), soci::use(lid);
}

application store::create_app(const app_spec& spec) {
    auto& s = *impl_;
    s.need_ring();
    check_app_name(spec.name);
    application a;
    a.name = spec.name;
    a.kind = spec.kind;
    a.description = spec.description;
    a.contact = spec.contact;
    std::set<std::string> names;
    if (spec.kind != app_kind::config) {
        a.fields.push_back({std::string(user_field), false});
        names.insert(std::string(user_field));
    }
    for (const auto& f : spec.fields) {
        if (!valid_name(f.name))
            throw error(errc::invalid_argument, "invalid field name '" + f.name + "'");
        if (spec.kind != app_kind::config && ascii_lower(f.name) == user_field)
            throw error(errc::invalid_argument,
                        "field 'user' is reserved: it is the host user id (map add --host-user)");
        if (!names.insert(ascii_lower(f.name)).second)
            throw error(errc::invalid_argument, "field '" + f.name + "' is given twice");
        a.fields.push_back(f);
    }
    if (spec.kind != app_kind::config && a.fields.size() == 1)
        a.fields.push_back({"password", true});
    if (spec.kind == app_kind::config && a.fields.empty())
        throw error(errc::invalid_argument, "a config application needs at least one --field");
    if (spec.kind == app_kind::group && spec.groups.empty())
        throw error(errc::invalid_argument, "a group application needs at least one --group");
    if (spec.kind != app_kind::group && !spec.groups.empty())
        throw error(errc::invalid_argument, "only group applications take --group");
    std::set<std::string> seen;
    for (const auto& g : spec.groups) {
        const principal p = s.parse_principal(g);
        if (!seen.insert(p.key()).second)
            throw error(errc::invalid_argument, "group '" + g + "' is given twice");
        a.groups.push_back({p.key(), p.display(s.opt.realms)});
    }
    const std::string key = impl::app_key(a.name);
    const std::string kind(to_string(a.kind));
    const std::string fields = fields_to_json(a.fields);
    const std::string groups = groups_to_json(a.groups);
    const long long now = s.now_ms();
    a.created_at = a.updated_at = now;
    impl::write_tx tx(s);
    try {
        s.sql << "INSERT INTO applications (name, name_key, kind, description, contact, enabled,"
                 " fields, groups_json, host_endpoint, signon, created_at, updated_at, mac_kv, mac)"
                 " VALUES (:n, :k, :kind, :d, :c, 1, :f, :g, '', '', :ca, :ua, 0, '')",
            soci::use(a.name), soci::use(key), soci::use(kind), soci::use(a.description),
            soci::use(a.contact), soci::use(fields), soci::use(groups), soci::use(now),
            soci::use(now);
        long long id = 0;
        s.sql << "SELECT id FROM applications WHERE name_key = :k", soci::use(key), soci::into(id);
        a.id = id;
        s.write_app_mac(a.id);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "application '" + a.name + "'");
    }
    s.append_audit("app.create", "app " + a.name, "ok", "kind " + kind);
    tx.commit();
    return a;
}

std::vector<application> store::list_apps() {
    std::vector<std::string> names;
    try {
        std::string n;
        soci::statement st =
            (impl_->sql.prepare << "SELECT name FROM applications ORDER BY name_key",
             soci::into(n));
        st.execute();
        while (st.fetch()) names.push_back(n);
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot list applications");
    }
    std::vector<application> out;
    for (const auto& n : names)
        if (auto a = impl_->find_app(n)) out.push_back(std::move(*a));
    return out;
}

application store::get_app(std::string_view name) { return impl_->require_app(name); }

void store::set_app_enabled(std::string_view name, bool enabled) {
    auto& s = *impl_;
    const application a = s.require_app(name);
    // Re-MACing a row edited outside ssogate would bless the edit: refuse.
    if (!a.intact)
        throw error(errc::integrity_failure,
                    "application '" + a.name + "' failed its integrity check (changed outside "
                    "ssogate); it stays disabled: delete it and create it again");
    impl::write_tx tx(s);
    try {
        s.write_app_mac(a.id, enabled);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot update application");
    }
    s.append_audit(enabled ? "app.enable" : "app.disable", "app " + a.name, "ok", "");
    tx.commit();
}

void store::delete_app(std::string_view name) {
    auto& s = *impl_;
    const application a = s.require_app(name);
    impl::write_tx tx(s);
    long long counts[3] = {0, 0, 0};
    try {
        const long long id = a.id;
        s.sql << "SELECT count(*) FROM mappings WHERE app_id = :id", soci::use(id),
            soci::into(counts[0]);
        s.sql << "DELETE FROM mappings WHERE app_id = :id", soci::use(id);
        s.sql << "SELECT count(*) FROM config_values WHERE app_id = :id", soci::use(id),
            soci::into(counts[1]);
        s.sql << "DELETE FROM config_values WHERE app_id = :id", soci::use(id);
        s.sql << "DELETE FROM applications WHERE id = :id", soci::use(id);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot delete application");
    }
    s.append_audit("app.delete", "app " + a.name, "ok",
                   std::to_string(counts[0]) + " mappings, " + std::to_string(counts[1]) +
                       " config values deleted");
    tx.commit();
}

// ------------------------------------------------------------------ mappings

mapping store::impl::mapping_from(std::int64_t app_id, const std::string& principal_key,
                                  const map_cols& c, const cred_cols* cred) {
    mapping m;
    m.id = c.id;
    m.app_id = app_id;
    m.principal_key = principal_key;
    m.principal = c.principal;
    m.principal_kind = c.kind;
    m.sid = c.sid;
    m.host_user = c.host_user;
    m.enabled = c.enabled != 0;
    m.created_at = c.created;
    m.updated_at = c.updated;
    m.intact = mac_ok(c.mac_kv, mapping_mac_input(m), c.mac);
    const long long held = need_ring().current_version();
    if (!m.intact) {
        m.enabled = false;
        if (c.mac_kv <= held) audit_integrity("mapping row", "mapping " + std::to_string(c.id) + " " + c.principal);
    }
    if (cred != nullptr) {
        credential_info ci;
        ci.key_version = static_cast<std::uint32_t>(cred->kv);
        ci.updated_at = cred->updated;
        auto st = parse_cred_state(cred->state);
        ci.state = st.value_or(cred_state::needs_update);
        ci.intact = st && mac_ok(cred->mac_kv,
                                 credential_mac_input(c.id, cred->state, cred->kv, cred->updated,
                                                      cred->fields),
                                 cred->mac);
        if (!ci.intact && cred->mac_kv <= held && cred->kv <= held)
            audit_integrity("credential row", "credential of mapping " + std::to_string(c.id));
        m.credential = ci;
    }
    return m;
}

std::optional<mapping> store::impl::find_mapping(std::int64_t app_id,
                                                 const std::string& principal_key) {
    auto& p = queries();
    p.app_id = app_id;
    p.principal_key = principal_key;
    try {
        if (!run_one(p.map_q)) return std::nullopt;
    } catch (const std::exception& e) {
        rethrow_db(e, "cannot read mapping");
    }
    return mapping_from(app_id, principal_key, p.m, has_credential(p.ci, p.c) ? &p.c : nullptr);
}

mapping store::add_mapping(std::string_view app, std::string_view principal_text,
                           std::string_view host_user, std::string_view sid, bool individual) {
    auto& s = *impl_;
    s.need_ring();
    const application a = s.require_app(app);
    if (!a.intact)
        throw error(errc::integrity_failure,
                    "application '" + a.name + "' failed its integrity check; not changed");
    if (a.kind == app_kind::config)
        throw error(errc::wrong_kind, "'" + a.name + "' is a config application: it has no mappings");
    const principal p = s.parse_principal(principal_text);
    if (host_user.empty() || host_user.size() > 256 ||
        std::any_of(host_user.begin(), host_user.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
        }))
        throw error(errc::invalid_argument,
                    "--host-user must be 1 to 256 characters without control characters");
    if (sid.size() > 256 || std::any_of(sid.begin(), sid.end(), [](char c) {
            return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-');
        }))
        throw error(errc::invalid_argument, "--sid must look like S-1-5-21-...");
    mapping m;
    m.app_id = a.id;
    m.principal_key = p.key();
    m.principal = p.display(s.opt.realms);
    const bool is_group =
        a.kind == app_kind::group &&
        std::any_of(a.groups.begin(), a.groups.end(),
                    [&](const group_ref& g) { return g.key == m.principal_key; });
    if (individual && a.kind != app_kind::group)
        throw error(errc::invalid_argument,
                    "--individual is for group applications; in '" + a.name +
                        "' every mapping is individual");
    if (individual && is_group)
        throw error(errc::invalid_argument, "'" + m.principal + "' is one of the groups of '" +
                                                a.name + "': map it without --individual");
    if (a.kind == app_kind::group && !is_group && !individual) {
        std::string list;
        for (const auto& g : a.groups) list += (list.empty() ? "" : ", ") + g.display;
        throw error(errc::invalid_argument,
                    "'" + m.principal + "' is not one of the groups of '" + a.name + "' (" + list +
                        "); to map one user individually, add --individual");
    }
    m.principal_kind = is_group ? "group" : "user";
    m.sid = sid;
    m.host_user = host_user;
    const long long now = s.now_ms();
    m.created_at = m.updated_at = now;
    impl::write_tx tx(s);
    try {
        const long long aid = a.id;
        s.sql << "INSERT INTO mappings (app_id, principal_key, principal, principal_kind, sid,"
                 " host_user, enabled, created_at, updated_at, mac_kv, mac)"
                 " VALUES (:a, :k, :p, :pk, :sid, :h, 1, :c, :u, 0, '')",
            soci::use(aid), soci::use(m.principal_key), soci::use(m.principal),
            soci::use(m.principal_kind), soci::use(m.sid), soci::use(m.host_user), soci::use(now),
            soci::use(now);
        long long id = 0;
        s.sql << "SELECT id FROM mappings WHERE app_id = :a AND principal_key = :k",
            soci::use(aid), soci::use(m.principal_key), soci::into(id);
        m.id = id;
        const long long kv = s.need_ring().current_version();
        const std::string mac = s.mac_hex(static_cast<std::uint32_t>(kv), s.mapping_mac_input(m));
        s.sql << "UPDATE mappings SET mac_kv = :kv, mac = :m WHERE id = :id", soci::use(kv),
            soci::use(mac), soci::use(id);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "mapping for '" + m.principal + "' in '" + a.name + "'");
    }
    s.append_audit("map.add", "app " + a.name + " " + m.principal_kind + " " + m.principal, "ok",
                   "host user " + m.host_user);
    tx.commit();
    return m;
}

std::vector<mapping> store::list_mappings(std::string_view app) {
    auto& s = *impl_;
    const application a = s.require_app(app);
    if (a.kind == app_kind::config)
        throw error(errc::wrong_kind, "'" + a.name + "' is a config application: it has no mappings");
    std::vector<std::string> keys;
    try {
        std::string k;
        const long long aid = a.id;
        soci::statement st = (s.sql.prepare << "SELECT principal_key FROM mappings WHERE"
                                               " app_id = :a ORDER BY principal_key",
                              soci::use(aid), soci::into(k));
        st.execute();
        while (st.fetch()) keys.push_back(k);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot list mappings");
    }
    std::vector<mapping> out;
    for (const auto& k : keys)
        if (auto m = s.find_mapping(a.id, k)) out.push_back(std::move(*m));
    return out;
}

namespace {
mapping require_mapping(store::impl& s, const application& a, std::string_view principal_text) {
    const principal p = s.parse_principal(principal_text);
    auto m = s.find_mapping(a.id, p.key());
    if (!m)
        throw error(errc::not_found, "'" + a.name + "' has no mapping for '" +
                                         p.display(s.opt.realms) + "'");
    return std::move(*m);
}
}  // namespace

void store::set_mapping_enabled(std::string_view app, std::string_view principal_text,
                                bool enabled) {
    auto& s = *impl_;
    const application a = s.require_app(app);
    mapping m = require_mapping(s, a, principal_text);
    if (!m.intact)
        throw error(errc::integrity_failure,
                    "the mapping for '" + m.principal + "' failed its integrity check (changed "
                    "outside ssogate); it stays disabled: delete it and add it again");
    m.enabled = enabled;
    impl::write_tx tx(s);
    try {
        const long long kv = s.need_ring().current_version();
        const std::string mac = s.mac_hex(static_cast<std::uint32_t>(kv), s.mapping_mac_input(m));
        const int en = enabled ? 1 : 0;
        const long long now = s.now_ms(), id = m.id;
        s.sql << "UPDATE mappings SET enabled = :e, updated_at = :u, mac_kv = :kv, mac = :m"
                 " WHERE id = :id",
            soci::use(en), soci::use(now), soci::use(kv), soci::use(mac), soci::use(id);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot update mapping");
    }
    s.append_audit(enabled ? "map.enable" : "map.disable",
                   "app " + a.name + " " + m.principal_kind + " " + m.principal, "ok", "");
    tx.commit();
}

void store::delete_mapping(std::string_view app, std::string_view principal_text) {
    auto& s = *impl_;
    const application a = s.require_app(app);
    const mapping m = require_mapping(s, a, principal_text);
    impl::write_tx tx(s);
    try {
        const long long id = m.id;
        s.sql << "DELETE FROM mappings WHERE id = :id", soci::use(id);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot delete mapping");
    }
    s.append_audit("map.delete", "app " + a.name + " " + m.principal_kind + " " + m.principal, "ok", "");
    tx.commit();
}

// ------------------------------------------------------------------ credentials

void store::set_credential(std::string_view app, std::string_view principal_text,
                           std::vector<secret_bytes> values) {
    auto& s = *impl_;
    const keyring& ring = s.need_ring();
    const application a = s.require_app(app);
    if (a.kind == app_kind::config)
        throw error(errc::wrong_kind, "'" + a.name + "' is a config application: use `config set`");
    if (!a.intact)
        throw error(errc::integrity_failure,
                    "application '" + a.name + "' failed its integrity check; not changed");
    const mapping m = require_mapping(s, a, principal_text);
    if (!m.intact)
        throw error(errc::integrity_failure, "the mapping for '" + m.principal +
                                                 "' failed its integrity check; re-create it");
    const std::size_t want = a.fields.size() - 1;
    if (values.size() != want)
        throw error(errc::invalid_argument,
                    "'" + a.name + "' takes " + std::to_string(want) + " secret field(s) (" +
                        [&] {
                            std::string l;
                            for (std::size_t i = 1; i < a.fields.size(); ++i)
                                l += (i > 1 ? ", " : "") + a.fields[i].name;
                            return l;
                        }() +
                        "), one per line; got " + std::to_string(values.size()));
    const std::uint32_t kv = ring.current_version();
    std::vector<std::string> cts;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto aad = s.credential_aad(a.id, m, i + 1, a.fields[i + 1].name, kv);
        cts.push_back(to_base64(aead_seal(ring.key(kv), values[i].bytes(), aad)));
    }
    const std::string fields = join_fields(cts);
    const std::string state = state_text(cred_state::valid);
    const long long now = s.now_ms(), id = m.id, lkv = kv,
                    count = static_cast<long long>(values.size());
    const std::string mac =
        s.mac_hex(kv, s.credential_mac_input(m.id, state, lkv, now, fields));
    impl::write_tx tx(s);
    try {
        s.sql << "UPDATE mappings SET cred_key_version = :kv, cred_state = :s, cred_fields = :f,"
                 " cred_field_count = :n, cred_updated_at = :u, cred_mac_kv = :mkv, cred_mac = :m"
                 " WHERE id = :id",
            soci::use(lkv), soci::use(state), soci::use(fields), soci::use(count), soci::use(now),
            soci::use(lkv), soci::use(mac), soci::use(id);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot store the credential");
    }
    s.append_audit("cred.set", "app " + a.name + " " + m.principal_kind + " " + m.principal, "ok",
                   std::to_string(values.size()) + " field(s) under key version " +
                       std::to_string(kv));
    tx.commit();
}

void store::set_credential_state(std::string_view app, std::string_view principal_text,
                                 cred_state st) {
    auto& s = *impl_;
    const application a = s.require_app(app);
    const mapping m = require_mapping(s, a, principal_text);
    if (!m.credential)
        throw error(errc::credential_missing, "no credential stored for '" + m.principal + "'");
    if (!m.intact || !m.credential->intact)
        throw error(errc::integrity_failure, "the credential of '" + m.principal +
                                                 "' failed its integrity check; set it again");
    impl::write_tx tx(s);
    try {
        std::string fields;
        long long kv = 0;
        const long long id = m.id;
        s.sql << "SELECT cred_fields, cred_key_version FROM mappings WHERE id = :id",
            soci::use(id), soci::into(fields), soci::into(kv);
        const std::string state = state_text(st);
        const long long now = s.now_ms();
        const long long mkv = s.need_ring().current_version();
        const std::string mac = s.mac_hex(static_cast<std::uint32_t>(mkv),
                                          s.credential_mac_input(m.id, state, kv, now, fields));
        s.sql << "UPDATE mappings SET cred_state = :s, cred_updated_at = :u, cred_mac_kv = :mkv,"
                 " cred_mac = :m WHERE id = :id",
            soci::use(state), soci::use(now), soci::use(mkv), soci::use(mac), soci::use(id);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot update the credential");
    }
    s.append_audit("cred.state", "app " + a.name + " " + m.principal_kind + " " + m.principal, "ok",
                   "state " + state_text(st));
    tx.commit();
}

// ------------------------------------------------------------------ resolution

namespace {
resolution fail(resolution r, errc e, std::string msg) {
    r.ec = make_error_code(e);
    r.message = std::move(msg);
    r.fields.clear();
    return r;
}
}  // namespace

resolution store::resolve(std::string_view app, std::string_view user,
                          std::span<const std::string> groups) {
    auto& s = *impl_;
    const keyring& ring = s.need_ring();
    resolution r;
    r.application = std::string(app);
    std::string why;
    auto up = principal::parse(user, s.opt.realms, &why);
    if (!up) return fail(std::move(r), errc::invalid_argument, why);

    // One prepared query: the application and the user's own mapping with its credential.
    auto& q = s.queries();
    q.name_key = impl::app_key(app);
    q.principal_key = up->key();
    try {
        if (!run_one(q.resolve_q))
            return fail(std::move(r), errc::app_not_found,
                        "no application named '" + r.application + "'");
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot resolve");
    }
    // A row under a key version newer than this keyring's is not tampered: the keyring is behind
    // a rotation. Say so (the gateway then fetches the keyring again at once).
    const long long held = ring.current_version();
    auto newer = [&](std::string what, long long kv) {
        return fail(std::move(r), errc::unknown_key_version,
                    "the " + what + " is under key version " + std::to_string(kv) +
                        ", newer than this keyring's " + std::to_string(held) + ": fetch the keyring again");
    };
    if (q.r_app_mac_kv > held) return newer("application row", q.r_app_mac_kv);
    if (q.mi == soci::i_ok && q.m.mac_kv > held) return newer("mapping row", q.m.mac_kv);
    if (has_credential(q.ci, q.c) && (q.c.mac_kv > held || q.c.kv > held))
        return newer("credential", std::max(q.c.mac_kv, q.c.kv));
    // A MAC names exactly one row content, so an application row whose MAC (and key version)
    // equals a verified one is that verified row: recall it instead of re-reading the row.
    const application* ap = nullptr;
    if (auto it = s.app_memos.find(q.name_key);
        it != s.app_memos.end() && it->second.app.intact && it->second.mac == q.r_app_mac &&
        it->second.mac_kv == q.r_app_mac_kv && it->second.app.id == q.r_app_id)
        ap = &it->second.app;
    std::optional<mapping> own;
    std::string own_fields;
    if (q.mi == soci::i_ok) {
        const bool cred = has_credential(q.ci, q.c);
        own = s.mapping_from(q.r_app_id, q.principal_key, q.m, cred ? &q.c : nullptr);
        if (cred) own_fields = std::move(q.c.fields);
    }
    if (ap == nullptr) {
        try {
            if (!run_one(q.app_q))  // name_key is still bound
                return fail(std::move(r), errc::app_not_found,
                            "no application named '" + r.application + "'");
        } catch (const std::exception& e) {
            s.rethrow_db(e, "cannot resolve");
        }
        ap = &s.app_from(q.a, q.name_key);
    }
    const application& a = *ap;
    r.application = a.name;
    if (!a.intact)
        return fail(std::move(r), errc::integrity_failure,
                    "application '" + a.name + "' failed its integrity check (changed outside ssogate)");
    if (!a.enabled) return fail(std::move(r), errc::app_disabled, "application '" + a.name + "' is disabled");
    if (a.kind == app_kind::config)
        return fail(std::move(r), errc::wrong_kind, "'" + a.name + "' is a config application");

    // 1. the user's own mapping wins; disabled denies (no fall-through to groups)
    std::optional<mapping> chosen;
    std::string fields_text;
    if (own) {
        mapping& m = *own;
        if (!m.intact)
            return fail(std::move(r), errc::integrity_failure,
                        "the mapping for '" + m.principal + "' failed its integrity check");
        if (!m.enabled)
            return fail(std::move(r), errc::mapping_disabled,
                        "the mapping for '" + m.principal + "' in '" + a.name + "' is disabled");
        fields_text = std::move(own_fields);
        chosen = std::move(m);
    }
    // 2. else the first of the user's groups, in the application's order, with an enabled mapping
    bool saw_disabled = false, saw_tampered = false;
    if (!chosen && a.kind == app_kind::group && !groups.empty()) {
        std::set<std::string> member_of;
        for (const auto& g : groups)
            if (auto gp = principal::parse(g, s.opt.realms)) member_of.insert(gp->key());
        for (const auto& g : a.groups) {
            if (!member_of.contains(g.key)) continue;
            auto m = s.find_mapping(a.id, g.key);
            if (!m) continue;
            if (q.m.mac_kv > held) return newer("mapping row", q.m.mac_kv);
            if (has_credential(q.ci, q.c) && (q.c.mac_kv > held || q.c.kv > held))
                return newer("credential", std::max(q.c.mac_kv, q.c.kv));
            if (!m->intact) { saw_tampered = true; continue; }
            if (!m->enabled) { saw_disabled = true; continue; }
            if (has_credential(q.ci, q.c)) fields_text = q.c.fields;
            chosen = std::move(m);
            r.via_group = true;
            break;
        }
    }
    if (!chosen) {
        const std::string who = up->display(s.opt.realms);
        if (saw_tampered && !saw_disabled)
            return fail(std::move(r), errc::integrity_failure,
                        "a group mapping of '" + who + "' failed its integrity check");
        if (saw_disabled)
            return fail(std::move(r), errc::mapping_disabled,
                        "the group mappings of '" + who + "' in '" + a.name + "' are disabled");
        return fail(std::move(r), errc::no_mapping,
                    "'" + who + "' has no mapping in '" + a.name + "'");
    }
    r.principal = chosen->principal;
    r.host_user = chosen->host_user;
    r.mapping_id = chosen->id;
    if (!chosen->credential)
        return fail(std::move(r), errc::credential_missing,
                    "no credential is stored for '" + r.principal + "' in '" + a.name + "'");
    const credential_info& c = *chosen->credential;
    if (!c.intact)
        return fail(std::move(r), errc::integrity_failure,
                    "the credential of '" + r.principal + "' failed its integrity check");
    if (c.state == cred_state::needs_update)
        return fail(std::move(r), errc::credential_needs_update,
                    "the host rejected the stored password of '" + r.principal +
                        "': it needs updating (`ssogate cred set`)");
    if (c.state == cred_state::expired)
        return fail(std::move(r), errc::credential_expired,
                    "the host password of '" + r.principal + "' has expired");
    if (!ring.has_version(c.key_version))
        return fail(std::move(r), errc::unknown_key_version,
                    "the credential is encrypted under key version " +
                        std::to_string(c.key_version) + ", which this keyring lacks");
    // 3. decrypt, each field bound to its row, principal, host account, field and key version
    const auto cts = split_fields(fields_text);
    if (cts.size() + 1 != a.fields.size()) {
        s.audit_integrity("credential fields", "credential of mapping " + std::to_string(chosen->id));
        return fail(std::move(r), errc::integrity_failure,
                    "the credential of '" + r.principal + "' does not match the application's fields");
    }
    const auto key = ring.key(c.key_version);
    for (std::size_t i = 0; i < cts.size(); ++i) {
        const auto ct = from_base64(cts[i]);
        const auto& def = a.fields[i + 1];
        secret_bytes value;
        if (!ct || aead_open(key, *ct, s.credential_aad(a.id, *chosen, i + 1, def.name, c.key_version),
                             value) != errc::ok) {
            s.audit_integrity("credential ciphertext",
                              "credential of mapping " + std::to_string(chosen->id));
            return fail(std::move(r), errc::decrypt_failed,
                        "the credential of '" + r.principal +
                            "' does not decrypt: it was moved or altered in the database");
        }
        r.fields.push_back({def, std::move(value)});
    }
    return r;
}

resolution store::resolve_audited(std::string_view app, std::string_view user,
                                  std::span<const std::string> groups, bool revealed) {
    resolution r = resolve(app, user, groups);
    const auto p = principal::parse(user, impl_->opt.realms);
    const std::string who = p ? p->display(impl_->opt.realms) : std::string(user.substr(0, 300));
    const std::string target = "app " + r.application + " user " + who;
    const std::string detail =
        r.ok() ? (std::string(revealed ? "revealed" : "resolved") + " host user " + r.host_user +
                  " via " + r.principal)
               : r.message;
    audit("cred.get", target, r.ok() ? "ok" : "denied", detail);
    return r;
}

// ------------------------------------------------------------------ config store

namespace {
const field_def& config_field(const application& a, std::string_view field) {
    for (const auto& f : a.fields)
        if (ascii_lower(f.name) == ascii_lower(field)) return f;
    std::string list;
    for (const auto& f : a.fields) list += (list.empty() ? "" : ", ") + f.name;
    throw error(errc::not_found, "'" + a.name + "' has no field '" +
                                     std::string(field.substr(0, 130)) + "' (fields: " + list + ")");
}

application require_config_app(store::impl& s, std::string_view app) {
    application a = s.require_app(app);
    if (a.kind != app_kind::config)
        throw error(errc::wrong_kind, "'" + a.name + "' is not a config application");
    if (!a.intact)
        throw error(errc::integrity_failure,
                    "application '" + a.name + "' failed its integrity check");
    return a;
}
}  // namespace

void store::config_set(std::string_view app, std::string_view field, secret_bytes value) {
    auto& s = *impl_;
    const keyring& ring = s.need_ring();
    const application a = require_config_app(s, app);
    const field_def& f = config_field(a, field);
    const std::uint32_t kv = ring.current_version();
    const std::string ct = to_base64(
        aead_seal(ring.key(kv), value.bytes(), s.config_aad(a.id, impl::app_key(a.name), f.name, kv)));
    impl::write_tx tx(s);
    try {
        const long long id = a.id, lkv = kv, now = s.now_ms();
        s.sql << "DELETE FROM config_values WHERE app_id = :a AND field = :f", soci::use(id),
            soci::use(f.name);
        s.sql << "INSERT INTO config_values (app_id, field, key_version, value, updated_at)"
                 " VALUES (:a, :f, :kv, :v, :u)",
            soci::use(id), soci::use(f.name), soci::use(lkv), soci::use(ct), soci::use(now);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot store the config value");
    }
    s.append_audit("config.set", "app " + a.name + " field " + f.name, "ok", "");
    tx.commit();
}

std::vector<resolved_field> store::config_get(std::string_view app,
                                              std::optional<std::string_view> field,
                                              bool revealed) {
    const std::string target =
        "app " + std::string(app.substr(0, 130)) + (field ? " field " + std::string(field->substr(0, 130)) : "");
    try {
        auto out = config_read(app, field);
        std::size_t masked = 0;
        for (const auto& f : out) masked += f.def.masked ? 1 : 0;
        audit("config.get", target, "ok",
              std::to_string(out.size()) + " value(s) read" +
                  (masked > 0 ? (revealed ? ", masked ones revealed" : ", masked ones hidden") : ""));
        return out;
    } catch (const error& e) {
        if (e.code() != make_error_code(errc::audit_failure)) {
            try {
                audit("config.get", target, "denied", e.what());
            } catch (...) {
            }
        }
        throw;
    }
}

std::vector<resolved_field> store::config_read(std::string_view app,
                                               std::optional<std::string_view> field) {
    auto& s = *impl_;
    const keyring& ring = s.need_ring();
    const application a = require_config_app(s, app);
    if (!a.enabled) throw error(errc::app_disabled, "application '" + a.name + "' is disabled");
    std::vector<const field_def*> wanted;
    if (field) wanted.push_back(&config_field(a, *field));
    else for (const auto& f : a.fields) wanted.push_back(&f);
    std::vector<resolved_field> out;
    for (const field_def* f : wanted) {
        std::string ct;
        long long kv = 0;
        try {
            const long long id = a.id;
            s.sql << "SELECT value, key_version FROM config_values WHERE app_id = :a AND field = :f",
                soci::use(id), soci::use(f->name), soci::into(ct), soci::into(kv);
            if (!s.sql.got_data()) {
                if (field)
                    throw error(errc::not_found,
                                "'" + a.name + "' has no value for '" + f->name + "'");
                continue;
            }
        } catch (const std::exception& e) {
            s.rethrow_db(e, "cannot read the config value");
        }
        if (kv <= 0 || kv > UINT32_MAX || !ring.has_version(static_cast<std::uint32_t>(kv)))
            throw error(errc::unknown_key_version,
                        "config value '" + f->name + "' uses key version " + std::to_string(kv) +
                            ", which this keyring lacks");
        const auto v32 = static_cast<std::uint32_t>(kv);
        const auto raw = from_base64(ct);
        secret_bytes value;
        if (!raw || aead_open(ring.key(v32), *raw,
                                s.config_aad(a.id, impl::app_key(a.name), f->name, v32),
                                value) != errc::ok) {
            s.audit_integrity("config value", "app " + a.name + " field " + f->name);
            throw error(errc::decrypt_failed, "config value '" + f->name + "' of '" + a.name +
                                                  "' does not decrypt: it was moved or altered");
        }
        out.push_back({*f, std::move(value)});
    }
    return out;
}

}  // namespace ssogate::credstore

// ------------------------------------------------------------------ backups and rotation

namespace ssogate::credstore {

namespace {
std::vector<std::byte> recovery_mac_input(const std::string& pem, const std::string& id) {
    byte_writer w;
    w.str("ssogate/recovery-key/v1").str(pem).str(id);
    return w.take();
}
}  // namespace

void store::record_backup(const backup_info& info) {
    auto& s = *impl_;
    impl::write_tx tx(s);
    try {
        const long long created = info.created_at;
        const std::string versions = version_list(info.versions);
        s.sql << "INSERT INTO keyring_backups (created_at, fingerprint, key_versions, reminder)"
                 " VALUES (:c, :f, :v, :r)",
            soci::use(created), soci::use(info.fingerprint), soci::use(versions), soci::use(info.reminder);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot record the backup");
    }
    s.append_audit("secret.backup", "keyring " + info.fingerprint, "ok",
                   "key versions " + version_list(info.versions));
    tx.commit();
}

std::optional<backup_info> store::last_backup() {
    backup_info b;
    long long created = 0;
    std::string versions;
    try {
        impl_->sql << "SELECT created_at, fingerprint, key_versions, reminder FROM keyring_backups"
                      " ORDER BY created_at DESC, id DESC LIMIT 1",
            soci::into(created), soci::into(b.fingerprint), soci::into(versions), soci::into(b.reminder);
        if (!impl_->sql.got_data()) return std::nullopt;
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot read backups");
    }
    b.created_at = created;
    b.versions = parse_version_list(versions);
    return b;
}

std::vector<std::pair<std::uint32_t, bool>> store::key_versions_in_use() {
    auto& s = *impl_;
    std::map<std::uint32_t, bool> out;
    try {
        long long kv = 0;
        int needs_key = 0;
        soci::statement st =
            (s.sql.prepare << "SELECT mac_kv, 1 FROM applications UNION SELECT mac_kv, 1 FROM mappings"
                              " UNION SELECT cred_key_version, 1 FROM mappings WHERE cred_state <> ''"
                              " UNION SELECT cred_mac_kv, 1 FROM mappings WHERE cred_state <> ''"
                              " UNION SELECT key_version, 1 FROM config_values UNION SELECT mac_kv, 1 FROM recovery_key"
                              " UNION SELECT key_version, 0 FROM audit UNION SELECT key_version, 0 FROM audit_heads",
             soci::into(kv), soci::into(needs_key));
        st.execute();
        while (st.fetch())
            if (kv > 0) out[static_cast<std::uint32_t>(kv)] = out[static_cast<std::uint32_t>(kv)] || needs_key != 0;
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot list the key versions in use");
    }
    return {out.begin(), out.end()};
}

std::size_t store::rotation_pending() {
    auto& s = *impl_;
    const long long cur = s.need_ring().current_version();
    long long a = 0, m = 0, c = 0;
    try {
        s.sql << "SELECT count(*) FROM applications WHERE mac_kv < :c", soci::use(cur), soci::into(a);
        s.sql << "SELECT count(*) FROM mappings WHERE mac_kv < :c OR (cred_state <> '' AND"
                 " (cred_key_version < :c2 OR cred_mac_kv < :c3))",
            soci::use(cur), soci::use(cur), soci::use(cur), soci::into(m);
        s.sql << "SELECT count(*) FROM config_values WHERE key_version < :c", soci::use(cur), soci::into(c);
        long long rk = 0;
        s.sql << "SELECT count(*) FROM recovery_key WHERE mac_kv < :c", soci::use(cur), soci::into(rk);
        c += rk;
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot count what is left to rotate");
    }
    return static_cast<std::size_t>(a + m + c);
}

store::rotation_step store::rotate_batch(std::size_t batch) {
    auto& s = *impl_;
    const keyring& ring = s.need_ring();
    const std::uint32_t cur = ring.current_version();
    const long long lcur = cur;
    const long long limit = static_cast<long long>(batch + s.rotation_skipped.size());
    rotation_step step;
    impl::write_tx tx(s);
    try {
        // 1. application rows: verified as stored, then MAC'd under the current version
        {
            std::vector<long long> ids;
            long long id = 0;
            soci::statement st = (s.sql.prepare << "SELECT id FROM applications WHERE mac_kv < :c ORDER BY id"
                                                   " LIMIT :n",
                                  soci::use(lcur), soci::use(limit), soci::into(id));
            st.execute();
            while (st.fetch()) ids.push_back(id);
            for (long long i : ids) {
                if (step.applications >= batch) break;
                const std::string key = "app:" + std::to_string(i);
                if (s.rotation_skipped.contains(key)) continue;
                try {
                    s.write_app_mac(i, std::nullopt, true);
                    ++step.applications;
                } catch (const error&) {
                    s.rotation_skipped.insert(key);
                    ++step.skipped;
                }
            }
        }
        // 2. mappings and their credentials
        {
            struct row {
                mapping m;
                impl::cred_cols c;
                std::string app_fields;
            };
            std::vector<row> rows;
            row r;
            long long id = 0, app_id = 0, mac_kv = 0;
            int enabled = 0;
            std::string mac;
            soci::statement st =
                (s.sql.prepare << "SELECT m.id, m.app_id, m.principal_key, m.principal, m.principal_kind,"
                                  " m.sid, m.host_user, m.enabled, m.mac_kv, m.mac, m.cred_key_version,"
                                  " m.cred_state, m.cred_fields, m.cred_updated_at, m.cred_mac_kv, m.cred_mac,"
                                  " a.fields FROM mappings m JOIN applications a ON a.id = m.app_id"
                                  " WHERE m.mac_kv < :c OR (m.cred_state <> '' AND (m.cred_key_version < :c2"
                                  " OR m.cred_mac_kv < :c3)) ORDER BY m.id LIMIT :n",
                 soci::use(lcur), soci::use(lcur), soci::use(lcur), soci::use(limit), soci::into(id),
                 soci::into(app_id), soci::into(r.m.principal_key), soci::into(r.m.principal),
                 soci::into(r.m.principal_kind), soci::into(r.m.sid), soci::into(r.m.host_user),
                 soci::into(enabled), soci::into(mac_kv), soci::into(mac), soci::into(r.c.kv),
                 soci::into(r.c.state), soci::into(r.c.fields), soci::into(r.c.updated), soci::into(r.c.mac_kv),
                 soci::into(r.c.mac), soci::into(r.app_fields));
            st.execute();
            std::vector<std::pair<long long, std::string>> macs;
            while (st.fetch()) {
                r.m.id = id;
                r.m.app_id = app_id;
                r.m.enabled = enabled != 0;
                r.m.intact = s.mac_ok(mac_kv, s.mapping_mac_input(r.m), mac);
                rows.push_back(r);
            }
            for (auto& x : rows) {
                if (step.mappings >= batch) break;
                const std::string key = "map:" + std::to_string(x.m.id);
                if (s.rotation_skipped.contains(key)) continue;
                const bool has_cred = !x.c.state.empty();
                const bool cred_ok =
                    !has_cred || s.mac_ok(x.c.mac_kv,
                                          s.credential_mac_input(x.m.id, x.c.state, x.c.kv, x.c.updated, x.c.fields),
                                          x.c.mac);
                std::vector<field_def> defs;
                if (!x.m.intact || !cred_ok || !parse_fields(x.app_fields, defs)) {
                    s.rotation_skipped.insert(key);
                    ++step.skipped;
                    continue;
                }
                std::string new_fields = x.c.fields;
                long long new_kv = x.c.kv;
                if (has_cred && x.c.kv != lcur) {
                    const auto old_kv = static_cast<std::uint32_t>(x.c.kv);
                    const auto cts = split_fields(x.c.fields);
                    if (!ring.has_version(old_kv) || cts.size() + 1 != defs.size()) {
                        s.rotation_skipped.insert(key);
                        ++step.skipped;
                        continue;
                    }
                    std::vector<std::string> out;
                    bool ok = true;
                    for (std::size_t i = 0; i < cts.size() && ok; ++i) {
                        const auto ct = from_base64(cts[i]);
                        secret_bytes v;
                        ok = ct && aead_open(ring.key(old_kv), *ct,
                                             s.credential_aad(x.m.app_id, x.m, i + 1, defs[i + 1].name, old_kv),
                                             v) == errc::ok;
                        if (ok)
                            out.push_back(to_base64(aead_seal(
                                ring.key(cur), v.bytes(), s.credential_aad(x.m.app_id, x.m, i + 1, defs[i + 1].name, cur))));
                    }
                    if (!ok) {
                        s.rotation_skipped.insert(key);
                        ++step.skipped;
                        continue;
                    }
                    new_fields = join_fields(out);
                    new_kv = lcur;
                    ++step.credentials;
                }
                const std::string map_mac = s.mac_hex(cur, s.mapping_mac_input(x.m));
                const std::string cred_mac =
                    has_cred ? s.mac_hex(cur, s.credential_mac_input(x.m.id, x.c.state, new_kv, x.c.updated, new_fields))
                             : std::string();
                const long long cred_mac_kv = has_cred ? lcur : 0;
                s.sql << "UPDATE mappings SET mac_kv = :kv, mac = :m, cred_key_version = :ckv, cred_fields = :f,"
                         " cred_mac_kv = :cmkv, cred_mac = :cm WHERE id = :id",
                    soci::use(lcur), soci::use(map_mac), soci::use(new_kv), soci::use(new_fields),
                    soci::use(cred_mac_kv), soci::use(cred_mac), soci::use(x.m.id);
                ++step.mappings;
            }
        }
        // 3. config values
        {
            struct row {
                long long app_id = 0, kv = 0;
                std::string app_name, field, value;
            };
            std::vector<row> rows;
            row r;
            soci::statement st = (s.sql.prepare << "SELECT v.app_id, a.name, v.field, v.key_version, v.value"
                                                   " FROM config_values v JOIN applications a ON a.id = v.app_id"
                                                   " WHERE v.key_version < :c ORDER BY v.app_id, v.field LIMIT :n",
                                  soci::use(lcur), soci::use(limit), soci::into(r.app_id), soci::into(r.app_name),
                                  soci::into(r.field), soci::into(r.kv), soci::into(r.value));
            st.execute();
            while (st.fetch()) rows.push_back(r);
            for (const auto& x : rows) {
                if (step.config_values >= batch) break;
                const std::string key = "cfg:" + std::to_string(x.app_id) + ":" + x.field;
                if (s.rotation_skipped.contains(key)) continue;
                const auto old_kv = static_cast<std::uint32_t>(x.kv);
                const auto ct = from_base64(x.value);
                secret_bytes v;
                const std::string akey = impl::app_key(x.app_name);
                if (!ring.has_version(old_kv) || !ct ||
                    aead_open(ring.key(old_kv), *ct, s.config_aad(x.app_id, akey, x.field, old_kv), v) != errc::ok) {
                    s.rotation_skipped.insert(key);
                    ++step.skipped;
                    continue;
                }
                const std::string nv = to_base64(aead_seal(ring.key(cur), v.bytes(), s.config_aad(x.app_id, akey, x.field, cur)));
                s.sql << "UPDATE config_values SET key_version = :kv, value = :v WHERE app_id = :a AND field = :f",
                    soci::use(lcur), soci::use(nv), soci::use(x.app_id), soci::use(x.field);
                ++step.config_values;
            }
        }
        // 4. the recovery key row
        {
            std::string pem, id, mac;
            long long kv = 0;
            s.sql << "SELECT public_key, key_id, mac_kv, mac FROM recovery_key WHERE id = 1 AND mac_kv < :c",
                soci::use(lcur), soci::into(pem), soci::into(id), soci::into(kv), soci::into(mac);
            if (s.sql.got_data() && !s.rotation_skipped.contains("recovery")) {
                if (s.mac_ok(kv, recovery_mac_input(pem, id), mac)) {
                    const std::string nmac = s.mac_hex(cur, recovery_mac_input(pem, id));
                    s.sql << "UPDATE recovery_key SET mac_kv = :kv, mac = :m WHERE id = 1", soci::use(lcur),
                        soci::use(nmac);
                    ++step.applications;  // a row MAC renewed
                } else {
                    s.rotation_skipped.insert("recovery");
                    ++step.skipped;
                }
            }
        }
    } catch (const error&) {
        throw;
    } catch (const std::exception& e) {
        s.rethrow_db(e, "rotation batch failed");
    }
    tx.commit();
    step.done = step.applications + step.mappings + step.config_values == 0;
    return step;
}

}  // namespace ssogate::credstore

// ------------------------------------------------------------------ recovery key

namespace ssogate::credstore {

void store::set_recovery_key(const recovery_public_key& key) {
    auto& s = *impl_;
    const keyring& ring = s.need_ring();
    const long long kv = ring.current_version(), now = s.now_ms();
    const std::string mac = s.mac_hex(static_cast<std::uint32_t>(kv), recovery_mac_input(key.pem, key.id));
    impl::write_tx tx(s);
    try {
        s.sql << "DELETE FROM recovery_key";
        s.sql << "INSERT INTO recovery_key (id, public_key, key_id, created_at, mac_kv, mac)"
                 " VALUES (1, :p, :i, :c, :kv, :m)",
            soci::use(key.pem), soci::use(key.id), soci::use(now), soci::use(kv), soci::use(mac);
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot store the recovery key");
    }
    s.append_audit("secret.recovery-key", "recovery key " + key.id, "ok", "registered");
    tx.commit();
}

std::optional<recovery_public_key> store::recovery_key() {
    auto& s = *impl_;
    recovery_public_key k;
    long long kv = 0;
    std::string mac;
    try {
        s.sql << "SELECT public_key, key_id, mac_kv, mac FROM recovery_key WHERE id = 1", soci::into(k.pem),
            soci::into(k.id), soci::into(kv), soci::into(mac);
        if (!s.sql.got_data()) return std::nullopt;
    } catch (const std::exception& e) {
        s.rethrow_db(e, "cannot read the recovery key");
    }
    if (kv > s.need_ring().current_version())
        throw error(errc::unknown_key_version,
                    "the recovery key row is under key version " + std::to_string(kv) +
                        ", newer than this keyring: the keyring is behind a rotation");
    if (!s.mac_ok(kv, recovery_mac_input(k.pem, k.id), mac)) {
        s.audit_integrity("recovery key row", "recovery key");
        throw error(errc::integrity_failure,
                    "the registered recovery key was changed outside ssogate: register it again");
    }
    return k;
}

}  // namespace ssogate::credstore

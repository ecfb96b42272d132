// The store's connection, schema migrations, transactions, sealed keyring rows and audit chain.
#include "store_impl.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace ssogate::credstore {
namespace {

std::string one_line(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            auto v = from_hex(s.substr(i + 1, 2));
            if (!v) throw error(errc::invalid_argument, "store url: bad %-escape");
            out.push_back(static_cast<char>((*v)[0]));
            i += 2;
        } else if (s[i] == '%') {
            throw error(errc::invalid_argument, "store url: bad %-escape");
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string conninfo_quote(std::string_view v) {
    std::string q = "'";
    for (char c : v) {
        if (c == '\\' || c == '\'') q.push_back('\\');
        q.push_back(c);
    }
    return q + "'";
}

struct migration {
    int version;
    const char* name;
    std::vector<std::string> statements;  // {PK} becomes the backend's auto-increment key
};

const std::vector<migration>& migrations() {
    static const std::vector<migration> all = {
        {1,
         "credential store: keyring, applications, mappings with their credentials, config values",
         {
             "CREATE TABLE schema_version (version INTEGER NOT NULL)",
             "INSERT INTO schema_version (version) VALUES (0)",
             "CREATE TABLE keyring (id INTEGER PRIMARY KEY CHECK (id = 1), sealed TEXT NOT NULL,"
             " fingerprint TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
             "CREATE TABLE applications (id {PK}, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE,"
             " kind TEXT NOT NULL, description TEXT NOT NULL, contact TEXT NOT NULL,"
             " enabled INTEGER NOT NULL, fields TEXT NOT NULL, groups_json TEXT NOT NULL,"
             " host_endpoint TEXT NOT NULL, signon TEXT NOT NULL, created_at BIGINT NOT NULL,"
             " updated_at BIGINT NOT NULL, mac_kv INTEGER NOT NULL, mac TEXT NOT NULL)",
             // A mapping and its credential are one row (1:1): resolution reads one row. The
             // cred_* columns are empty ('' state) until `cred set`; each part has its own MAC.
             "CREATE TABLE mappings (id {PK}, app_id BIGINT NOT NULL REFERENCES applications(id)"
             " ON DELETE CASCADE, principal_key TEXT NOT NULL, principal TEXT NOT NULL,"
             " principal_kind TEXT NOT NULL, sid TEXT NOT NULL, host_user TEXT NOT NULL,"
             " enabled INTEGER NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
             " mac_kv INTEGER NOT NULL, mac TEXT NOT NULL,"
             " cred_key_version INTEGER NOT NULL DEFAULT 0, cred_state TEXT NOT NULL DEFAULT '',"
             " cred_fields TEXT NOT NULL DEFAULT '', cred_field_count INTEGER NOT NULL DEFAULT 0,"
             " cred_updated_at BIGINT NOT NULL DEFAULT 0, cred_mac_kv INTEGER NOT NULL DEFAULT 0,"
             " cred_mac TEXT NOT NULL DEFAULT '', UNIQUE (app_id, principal_key))",
             "CREATE INDEX mappings_cred_key_version ON mappings (cred_key_version)",
             "CREATE TABLE config_values (app_id BIGINT NOT NULL REFERENCES applications(id)"
             " ON DELETE CASCADE, field TEXT NOT NULL, key_version INTEGER NOT NULL,"
             " value TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (app_id, field))",
         }},
        {2,
         "audit log: one HMAC chain per writer, with a MAC'd head per chain",
         {
             "CREATE TABLE audit (id {PK}, writer TEXT NOT NULL, seq BIGINT NOT NULL,"
             " at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
             " target TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL,"
             " key_version INTEGER NOT NULL, mac TEXT NOT NULL, UNIQUE (writer, seq))",
             "CREATE TABLE audit_heads (writer TEXT PRIMARY KEY, seq BIGINT NOT NULL,"
             " last_mac TEXT NOT NULL, key_version INTEGER NOT NULL, mac TEXT NOT NULL)",
         }},
        {3,
         "gateway heartbeats: which key versions each live gateway holds",
         {
             "CREATE TABLE gateway_heartbeats (gateway_id TEXT PRIMARY KEY, state TEXT NOT NULL,"
             " fingerprint TEXT NOT NULL, key_versions TEXT NOT NULL, started_at BIGINT NOT NULL,"
             " seen_at BIGINT NOT NULL)",
         }},
        {4,
         "keyring backups: when each was written and which key versions it holds",
         {
             "CREATE TABLE keyring_backups (id {PK}, created_at BIGINT NOT NULL,"
             " fingerprint TEXT NOT NULL, key_versions TEXT NOT NULL, reminder TEXT NOT NULL)",
         }},
        {5,
         "the offline recovery key's public half, MAC'd so nobody can swap in their own",
         {
             "CREATE TABLE recovery_key (id INTEGER PRIMARY KEY CHECK (id = 1), public_key TEXT NOT NULL,"
             " key_id TEXT NOT NULL, created_at BIGINT NOT NULL, mac_kv INTEGER NOT NULL, mac TEXT NOT NULL)",
         }},
    };
    return all;
}

std::string expand(std::string sql, bool pg) {
    const std::string pk = pg ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
                              : "INTEGER PRIMARY KEY AUTOINCREMENT";
    for (auto pos = sql.find("{PK}"); pos != std::string::npos; pos = sql.find("{PK}"))
        sql.replace(pos, 4, pk);
    return sql;
}

std::int64_t system_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string sqlite_quote(const std::string& path) {
    std::string q = "\"";
    for (char c : path) {
        if (c == '"') q += "\\";
        q += c;
    }
    return q + "\"";
}

}  // namespace

// ------------------------------------------------------------------ PostgreSQL URLs

std::string postgres_conninfo(std::string_view url, std::string_view password) {
    std::string_view rest = url;
    for (std::string_view scheme : {"postgresql://", "postgres://"})
        if (rest.substr(0, scheme.size()) == scheme) rest.remove_prefix(scheme.size());
    if (rest.size() == url.size())
        throw error(errc::invalid_argument, "store url must start with postgresql://");
    std::vector<std::pair<std::string, std::string>> kv;
    const auto q = rest.find('?');
    std::string_view query = q == std::string_view::npos ? std::string_view{} : rest.substr(q + 1);
    rest = rest.substr(0, q);
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos && slash + 1 < rest.size())
        kv.emplace_back("dbname", percent_decode(rest.substr(slash + 1)));
    const auto at = authority.rfind('@');
    if (at != std::string_view::npos) {
        const std::string_view userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const auto colon = userinfo.find(':');
        if (!userinfo.substr(0, colon).empty())
            kv.emplace_back("user", percent_decode(userinfo.substr(0, colon)));
        if (colon != std::string_view::npos)
            kv.emplace_back("password", percent_decode(userinfo.substr(colon + 1)));
    }
    std::string_view host = authority, port;
    if (!authority.empty() && authority.front() == '[') {  // [::1]:5432
        const auto close = authority.find(']');
        if (close == std::string_view::npos) throw error(errc::invalid_argument, "store url: bad IPv6 host");
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (!host.empty()) kv.emplace_back("host", percent_decode(host));
    if (!port.empty()) kv.emplace_back("port", std::string(port));
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos || eq == 0)
            throw error(errc::invalid_argument, "store url: bad query parameter");
        kv.emplace_back(percent_decode(item.substr(0, eq)), percent_decode(item.substr(eq + 1)));
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
    if (!password.empty()) {
        std::erase_if(kv, [](const auto& p) { return p.first == "password"; });
        kv.emplace_back("password", std::string(password));
    }
    std::string out;
    for (const auto& [k, v] : kv) {
        if (k.empty() || !std::all_of(k.begin(), k.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
            throw error(errc::invalid_argument, "store url: bad parameter name");
        out += (out.empty() ? "" : " ") + k + "=" + conninfo_quote(v);
    }
    return out;
}

// ------------------------------------------------------------------ impl helpers

std::int64_t store::impl::now_ms() const { return opt.clock ? opt.clock() : system_ms(); }

const keyring& store::impl::need_ring() const {
    if (ring == nullptr)
        throw error(errc::keyring_missing, "this operation needs the unsealed keyring");
    return *ring;
}

store::impl::write_tx::write_tx(impl& s) : s_(s) {
    try {
        s_.sql << (s_.pg ? "BEGIN" : "BEGIN IMMEDIATE");
    } catch (const std::exception& e) {
        s_.rethrow_db(e, "cannot start a transaction");
    }
}

store::impl::write_tx::~write_tx() {
    if (done_) return;
    try {
        s_.sql << "ROLLBACK";
    } catch (...) {
    }
}

void store::impl::write_tx::commit() {
    try {
        s_.sql << "COMMIT";
        done_ = true;
    } catch (const std::exception& e) {
        s_.rethrow_db(e, "cannot commit");
    }
}

std::string store::impl::mac_hex(std::uint32_t kv, std::span<const std::byte> data) const {
    return to_hex(need_ring().row_mac(kv).mac(data));
}

bool store::impl::mac_ok(long long kv, std::span<const std::byte> data,
                         const std::string& mac) const {
    const keyring& r = need_ring();
    if (kv <= 0 || kv > UINT32_MAX || !r.has_version(static_cast<std::uint32_t>(kv))) return false;
    if (mac.size() != 64) return false;
    const auto d = r.row_mac(static_cast<std::uint32_t>(kv)).mac(data);
    static constexpr char digits[] = "0123456789abcdef";
    char expect[64];
    for (std::size_t i = 0; i < d.size(); ++i) {
        expect[2 * i] = digits[static_cast<unsigned>(d[i]) >> 4];
        expect[2 * i + 1] = digits[static_cast<unsigned>(d[i]) & 15];
    }
    return equal_ct(as_bytes(std::string_view(expect, 64)), as_bytes(mac));
}

principal store::impl::parse_principal(std::string_view text) const {
    std::string why;
    auto p = principal::parse(text, opt.realms, &why);
    if (!p) throw error(errc::invalid_argument, why);
    return *p;
}

std::string store::impl::app_key(std::string_view name) { return ascii_lower(name); }

void store::impl::rethrow_db(const std::exception& e, std::string_view what) const {
    if (dynamic_cast<const error*>(&e) != nullptr) throw;  // already ours
    const std::string msg = one_line(e.what());
    if (msg.find("UNIQUE constraint failed") != std::string::npos ||
        msg.find("duplicate key value") != std::string::npos)
        throw error(errc::duplicate, std::string(what) + ": already exists");
    throw error(errc::store_unavailable, std::string(what) + ": " + msg);
}

// ------------------------------------------------------------------ audit

namespace {
std::vector<std::byte> audit_mac_input(std::span<const std::byte> prev, const audit_record& r,
                                       long long kv) {
    byte_writer w;
    w.str("ssogate/audit-record/v1").blob(prev).str(r.writer).i64(r.seq).i64(r.at).str(r.actor);
    w.str(r.action).str(r.target).str(r.outcome).str(r.detail).i64(kv);
    return w.take();
}
std::vector<std::byte> audit_head_input(const std::string& writer, long long seq,
                                        const std::string& last_mac, long long kv) {
    byte_writer w;
    w.str("ssogate/audit-head/v1").str(writer).i64(seq).str(last_mac).i64(kv);
    return w.take();
}
}  // namespace

void store::impl::append_audit(std::string_view action, std::string_view target,
                               std::string_view outcome, std::string_view detail) {
    const keyring& r = need_ring();
    try {
        audit_record rec;
        rec.writer = opt.writer_id;
        rec.at = now_ms();
        rec.actor = opt.actor;
        rec.action = action;
        rec.target = target;
        rec.outcome = outcome;
        rec.detail = detail;
        long long seq = 0;
        std::string last_mac;
        soci::indicator ind = soci::i_null;
        sql << (pg ? "SELECT seq, last_mac FROM audit_heads WHERE writer = :w FOR UPDATE"
                   : "SELECT seq, last_mac FROM audit_heads WHERE writer = :w"),
            soci::use(rec.writer), soci::into(seq, ind), soci::into(last_mac);
        const bool have_head = sql.got_data();
        std::vector<std::byte> prev(32, std::byte{0});
        if (have_head) {
            auto p = from_hex(last_mac);
            if (p) prev = std::move(*p);
        } else {
            seq = 0;
        }
        rec.seq = seq + 1;
        const long long kv = r.current_version();
        const std::string mac =
            to_hex(hmac_sha256(r.audit_key(static_cast<std::uint32_t>(kv)),
                               audit_mac_input(prev, rec, kv)));
        sql << "INSERT INTO audit (writer, seq, at, actor, action, target, outcome, detail,"
               " key_version, mac) VALUES (:w, :s, :at, :ac, :an, :t, :o, :d, :kv, :m)",
            soci::use(rec.writer), soci::use(static_cast<long long>(rec.seq)),
            soci::use(static_cast<long long>(rec.at)), soci::use(rec.actor), soci::use(rec.action),
            soci::use(rec.target), soci::use(rec.outcome), soci::use(rec.detail), soci::use(kv),
            soci::use(mac);
        const long long new_seq = rec.seq;
        const std::string head_mac =
            to_hex(hmac_sha256(r.audit_key(static_cast<std::uint32_t>(kv)),
                               audit_head_input(rec.writer, new_seq, mac, kv)));
        if (have_head) {
            sql << "UPDATE audit_heads SET seq = :s, last_mac = :l, key_version = :kv, mac = :m"
                   " WHERE writer = :w",
                soci::use(new_seq), soci::use(mac), soci::use(kv), soci::use(head_mac),
                soci::use(rec.writer);
        } else {
            sql << "INSERT INTO audit_heads (writer, seq, last_mac, key_version, mac)"
                   " VALUES (:w, :s, :l, :kv, :m)",
                soci::use(rec.writer), soci::use(new_seq), soci::use(mac), soci::use(kv),
                soci::use(head_mac);
        }
    } catch (const std::exception& e) {
        throw error(errc::audit_failure,
                    "the audit record could not be written, so nothing was changed: " +
                        one_line(e.what()));
    }
}

void store::impl::audit_integrity(std::string_view what, std::string_view target) noexcept {
    try {
        const std::string key = std::string(what) + "|" + std::string(target);
        if (integrity_reported.contains(key)) return;
        write_tx tx(*this);
        append_audit("integrity.failure", target, "denied",
                     std::string(what) + " was changed outside ssogate; treated as disabled");
        tx.commit();
        integrity_reported.insert(key);
    } catch (...) {
    }
}

// ------------------------------------------------------------------ store

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
store::~store() = default;

std::unique_ptr<store> store::open(store_options options) {
    auto p = std::make_unique<impl>();
    p->opt = std::move(options);
    const std::string& url = p->opt.url;
    try {
        if (url.rfind("sqlite:", 0) == 0) {
            std::string path = url.substr(7);
            if (path.rfind("//", 0) == 0) path = path.substr(2);  // sqlite://PATH
            if (path.empty()) throw error(errc::invalid_argument, "store url: no SQLite path");
            const bool existed = std::filesystem::exists(path);
            if (!existed && !p->opt.create_if_missing)
                throw error(errc::store_not_initialised,
                            "no store at " + path + ": run `ssogate secret init` (or check [store] url)");
            p->opt.busy_timeout_ms = std::max(1, p->opt.busy_timeout_ms);
            const int timeout_s = std::max(1, p->opt.busy_timeout_ms / 1000);
            p->sql.open(soci::sqlite3,
                        "db=" + sqlite_quote(path) + " timeout=" + std::to_string(timeout_s));
            if (!existed) ::chmod(path.c_str(), 0600);
            p->sql << "PRAGMA busy_timeout = " + std::to_string(p->opt.busy_timeout_ms);
            p->sql << "PRAGMA journal_mode = WAL";
            p->sql << "PRAGMA synchronous = NORMAL";
            p->sql << "PRAGMA foreign_keys = ON";
            // Fail early on a file that is not a database (corrupt or not ours).
            int n = 0;
            p->sql << "SELECT count(*) FROM sqlite_master", soci::into(n);
        } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
            p->sql.open(soci::postgresql, postgres_conninfo(url, p->opt.password));
            p->pg = true;
            // lock_timeout 0 would mean "wait forever": never below 1 ms
            p->sql << "SET lock_timeout = " + std::to_string(std::max(1, p->opt.busy_timeout_ms));
            p->sql << "SET client_min_messages = warning";
        } else {
            throw error(errc::invalid_argument,
                        "store url must start with sqlite: or postgresql:// (got '" +
                            url.substr(0, url.find(':')) + ":...')");
        }
    } catch (const error&) {
        throw;
    } catch (const std::exception& e) {
        throw error(errc::store_unavailable, "cannot open the store: " + one_line(e.what()));
    }
    return std::unique_ptr<store>(new store(std::move(p)));
}

std::string store::backend() const { return impl_->pg ? "postgresql" : "sqlite3"; }
const realm_map& store::realms() const noexcept { return impl_->opt.realms; }

int store::schema_version() {
    auto& sql = impl_->sql;
    try {
        int tables = 0;
        if (impl_->pg)
            sql << "SELECT count(*) FROM information_schema.tables WHERE table_schema ="
                   " current_schema() AND table_name = 'schema_version'",
                soci::into(tables);
        else
            sql << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
                   " name = 'schema_version'",
                soci::into(tables);
        if (tables == 0) return 0;
        int v = 0;
        sql << "SELECT version FROM schema_version", soci::into(v);
        return v;
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot read the schema version");
    }
}

std::vector<int> store::migrate(int target) {
    const int current = schema_version();
    if (current > latest_schema)
        throw error(errc::schema_too_new,
                    "the store has schema version " + std::to_string(current) +
                        ", newer than this ssogate (" + std::to_string(latest_schema) +
                        "): upgrade ssogate");
    std::vector<int> applied;
    for (const auto& m : migrations()) {
        if (m.version <= current || m.version > target) continue;
        impl::write_tx tx(*impl_);
        try {
            for (const auto& s : m.statements) impl_->sql << expand(s, impl_->pg);
            impl_->sql << "UPDATE schema_version SET version = :v", soci::use(m.version);
        } catch (const std::exception& e) {
            impl_->rethrow_db(e, "migration " + std::to_string(m.version) + " failed");
        }
        if (impl_->ring != nullptr && m.version >= 2)
            impl_->append_audit("store.migrate", "schema", "ok",
                                "applied migration " + std::to_string(m.version) + ": " + m.name);
        tx.commit();
        applied.push_back(m.version);
    }
    return applied;
}

void store::require_current_schema() {
    const int v = schema_version();
    if (v == 0)
        throw error(errc::store_not_initialised,
                    "the store is not initialised: run `ssogate secret init`");
    if (v > latest_schema)
        throw error(errc::schema_too_new,
                    "the store has schema version " + std::to_string(v) +
                        ", newer than this ssogate (" + std::to_string(latest_schema) +
                        "): upgrade ssogate");
    if (v < latest_schema)
        throw error(errc::schema_too_old,
                    "the store has schema version " + std::to_string(v) + ", this ssogate needs " +
                        std::to_string(latest_schema) + ": run `ssogate store migrate`");
}

std::optional<sealed_keyring_row> store::load_sealed_keyring() {
    try {
        std::string sealed;
        sealed_keyring_row row;
        long long created = 0, updated = 0;
        impl_->sql << "SELECT sealed, fingerprint, created_at, updated_at FROM keyring WHERE id = 1",
            soci::into(sealed), soci::into(row.fingerprint), soci::into(created),
            soci::into(updated);
        if (!impl_->sql.got_data()) return std::nullopt;
        auto blob = from_base64(sealed);
        if (!blob)
            throw error(errc::corrupt_sealed_keyring, "the sealed keyring in the store is corrupt");
        row.sealed = std::move(*blob);
        row.created_at = created;
        row.updated_at = updated;
        return row;
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot read the sealed keyring");
    }
}

void store::save_new_keyring(std::span<const std::byte> sealed, const keyring& ring) {
    impl::write_tx tx(*impl_);
    try {
        int n = 0;
        impl_->sql << "SELECT count(*) FROM keyring", soci::into(n);
        if (n != 0)
            throw error(errc::keyring_exists,
                        "the store already has a keyring; `secret init` runs once per store");
        const std::string text = to_base64(sealed);
        const long long now = impl_->now_ms();
        impl_->sql << "INSERT INTO keyring (id, sealed, fingerprint, created_at, updated_at)"
                      " VALUES (1, :s, :f, :c, :u)",
            soci::use(text), soci::use(ring.fingerprint()), soci::use(now), soci::use(now);
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot save the keyring");
    }
    impl_->ring = &ring;
    impl_->fingerprint = ring.fingerprint();
    impl_->append_audit("secret.init", "keyring", "ok", "fingerprint " + ring.fingerprint());
    tx.commit();
}

void store::replace_sealed_keyring(std::span<const std::byte> sealed, const keyring& ring) {
    attach(ring);
    impl::write_tx tx(*impl_);
    try {
        const std::string text = to_base64(sealed);
        const long long now = impl_->now_ms();
        impl_->sql << "UPDATE keyring SET sealed = :s, updated_at = :u WHERE id = 1",
            soci::use(text), soci::use(now);
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot save the keyring");
    }
    impl_->append_audit("secret.reseal", "keyring", "ok", "fingerprint " + ring.fingerprint());
    tx.commit();
}

void store::attach(const keyring& ring) {
    auto row = load_sealed_keyring();
    if (!row)
        throw error(errc::keyring_missing, "the store has no keyring: run `ssogate secret init`");
    if (row->fingerprint != ring.fingerprint())
        throw error(errc::keyring_mismatch, "the keyring " + ring.fingerprint() +
                                                " does not belong to this store (it expects " +
                                                row->fingerprint + ")");
    impl_->ring = &ring;
    impl_->fingerprint = ring.fingerprint();
}

std::vector<std::pair<std::uint32_t, std::int64_t>> store::values_per_key_version() {
    std::map<std::uint32_t, std::int64_t> counts;
    try {
        long long kv = 0, n = 0;
        soci::statement a = (impl_->sql.prepare << "SELECT key_version, SUM(field_count) FROM"
                                                   " (SELECT cred_key_version AS key_version, cred_field_count AS field_count FROM"
                                                   " mappings WHERE cred_state <> '') c GROUP BY key_version",
                             soci::into(kv), soci::into(n));
        a.execute();
        while (a.fetch()) counts[static_cast<std::uint32_t>(kv)] += n;
        soci::statement b = (impl_->sql.prepare << "SELECT key_version, COUNT(*) FROM"
                                                   " config_values GROUP BY key_version",
                             soci::into(kv), soci::into(n));
        b.execute();
        while (b.fetch()) counts[static_cast<std::uint32_t>(kv)] += n;
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot count values");
    }
    return {counts.begin(), counts.end()};
}

void store::write_heartbeat(const heartbeat& hb) {
    try {
        impl::write_tx tx(*impl_);
        const long long started = hb.started_at, seen = hb.seen_at;
        impl_->sql << "DELETE FROM gateway_heartbeats WHERE gateway_id = :g",
            soci::use(hb.gateway_id);
        impl_->sql << "INSERT INTO gateway_heartbeats (gateway_id, state, fingerprint, key_versions,"
                      " started_at, seen_at) VALUES (:g, :s, :f, :k, :st, :se)",
            soci::use(hb.gateway_id), soci::use(hb.state), soci::use(hb.fingerprint),
            soci::use(hb.key_versions), soci::use(started), soci::use(seen);
        tx.commit();
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot write the heartbeat");
    }
}

std::vector<heartbeat> store::heartbeats() {
    std::vector<heartbeat> out;
    try {
        heartbeat hb;
        long long started = 0, seen = 0;
        soci::statement st = (impl_->sql.prepare << "SELECT gateway_id, state, fingerprint,"
                                                    " key_versions, started_at, seen_at FROM"
                                                    " gateway_heartbeats ORDER BY gateway_id",
                              soci::into(hb.gateway_id), soci::into(hb.state),
                              soci::into(hb.fingerprint), soci::into(hb.key_versions),
                              soci::into(started), soci::into(seen));
        st.execute();
        while (st.fetch()) {
            hb.started_at = started;
            hb.seen_at = seen;
            out.push_back(hb);
        }
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot read heartbeats");
    }
    return out;
}

void store::audit(std::string_view action, std::string_view target, std::string_view outcome,
                  std::string_view detail) {
    impl::write_tx tx(*impl_);
    impl_->append_audit(action, target, outcome, detail);
    tx.commit();
}

std::vector<audit_record> store::audit_list(std::size_t limit) {
    std::vector<audit_record> out;
    try {
        audit_record r;
        long long id = 0, seq = 0, at = 0;
        const long long lim = static_cast<long long>(std::min<std::size_t>(limit, 1000000));
        soci::statement st =
            (impl_->sql.prepare << "SELECT id, writer, seq, at, actor, action, target, outcome,"
                                   " detail FROM audit ORDER BY id DESC LIMIT :n",
             soci::use(lim), soci::into(id), soci::into(r.writer), soci::into(seq),
             soci::into(at), soci::into(r.actor), soci::into(r.action), soci::into(r.target),
             soci::into(r.outcome), soci::into(r.detail));
        st.execute();
        while (st.fetch()) {
            r.id = id;
            r.seq = seq;
            r.at = at;
            out.push_back(r);
        }
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot read the audit log");
    }
    std::reverse(out.begin(), out.end());
    return out;
}

audit_report store::audit_verify() {
    const keyring& ring = impl_->need_ring();
    audit_report rep;
    auto key_of = [&](long long kv) -> std::optional<std::span<const std::byte>> {
        if (kv <= 0 || kv > UINT32_MAX || !ring.has_audit_key(static_cast<std::uint32_t>(kv)))
            return std::nullopt;
        return ring.audit_key(static_cast<std::uint32_t>(kv));
    };
    try {
        // heads first: every chain must end where its head says
        std::map<std::string, std::pair<long long, std::string>> heads;
        {
            std::string writer, last, mac;
            long long seq = 0, kv = 0;
            soci::statement st = (impl_->sql.prepare << "SELECT writer, seq, last_mac,"
                                                        " key_version, mac FROM audit_heads",
                                  soci::into(writer), soci::into(seq), soci::into(last),
                                  soci::into(kv), soci::into(mac));
            st.execute();
            while (st.fetch()) {
                auto key = key_of(kv);
                const auto got = from_hex(mac);
                if (!key || !got ||
                    !equal_ct(*got, hmac_sha256(*key, audit_head_input(writer, seq, last, kv))))
                    rep.problems.push_back("writer " + writer + ": chain head was altered");
                heads[writer] = {seq, last};
            }
        }
        audit_record r;
        long long seq = 0, at = 0, kv = 0;
        std::string mac;
        soci::statement st =
            (impl_->sql.prepare << "SELECT writer, seq, at, actor, action, target, outcome,"
                                   " detail, key_version, mac FROM audit ORDER BY writer, seq",
             soci::into(r.writer), soci::into(seq), soci::into(at), soci::into(r.actor),
             soci::into(r.action), soci::into(r.target), soci::into(r.outcome),
             soci::into(r.detail), soci::into(kv), soci::into(mac));
        st.execute();
        std::string writer;
        long long expect = 1;
        std::vector<std::byte> prev;
        std::string prev_hex;
        bool chain_ok = true;
        auto close_chain = [&]() {
            if (writer.empty()) return;
            auto h = heads.find(writer);
            if (h == heads.end()) {
                rep.problems.push_back("writer " + writer + ": chain has no head");
            } else {
                if (chain_ok && (h->second.first != expect - 1 || h->second.second != prev_hex))
                    rep.problems.push_back("writer " + writer + ": records after seq " +
                                           std::to_string(expect - 1) + " are missing (head says " +
                                           std::to_string(h->second.first) + ")");
                heads.erase(h);
            }
        };
        while (st.fetch()) {
            ++rep.records;
            r.seq = seq;
            r.at = at;
            if (r.writer != writer) {
                close_chain();
                writer = r.writer;
                ++rep.writers;
                expect = 1;
                prev.assign(32, std::byte{0});
                prev_hex.clear();
                chain_ok = true;
            }
            if (!chain_ok) continue;
            if (seq != expect) {
                rep.problems.push_back("writer " + writer + ": record " + std::to_string(expect) +
                                       " is missing (found " + std::to_string(seq) + ")");
                chain_ok = false;
                continue;
            }
            auto key = key_of(kv);
            const auto got = from_hex(mac);
            if (!key || !got || !equal_ct(*got, hmac_sha256(*key, audit_mac_input(prev, r, kv)))) {
                rep.problems.push_back("writer " + writer + ": record " + std::to_string(seq) +
                                       " was altered");
                chain_ok = false;
                continue;
            }
            prev = std::move(*got);
            prev_hex = mac;
            ++expect;
        }
        close_chain();
        for (const auto& [w, h] : heads)
            rep.problems.push_back("writer " + w + ": head says " + std::to_string(h.first) +
                                   " records but none are left");
    } catch (const std::exception& e) {
        impl_->rethrow_db(e, "cannot read the audit log");
    }
    return rep;
}

}  // namespace ssogate::credstore

// The admin commands: open the config, the store and (when needed) the keyring, then do one
// thing and print it. Secrets come only from standard input or files.
#include "clock.hpp"
#include "commands.hpp"

#include <ssogate/credstore/store.hpp>
#include <ssogate/gateway/config.hpp>
#include <ssogate/gateway/gateway_service.hpp>
#include <ssogate/gateway/secret_service.hpp>

#include "output.hpp"
#include "tty.hpp"

#include <nlohmann/json.hpp>
#include <pwd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <chrono>
#include <iostream>
#include <optional>

namespace ssogate::gateway {

using namespace ssogate::credstore;
using json = nlohmann::json;

namespace {


std::string os_user() {
    if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
    return "uid" + std::to_string(::geteuid());
}

/// Standard input, read once into locked memory and handed out line by line.
class stdin_lines {
public:
    /// At a terminal each secret is prompted for on stderr with echo off; from a pipe or file
    /// it is the next line.
    secret_bytes next(const std::string& what) {
        if (::isatty(0) == 1) return prompt(what);
        load();
        if (next_ >= lines_.size())
            throw error(errc::invalid_argument, "expected " + what + " on standard input");
        auto [off, len] = lines_[next_++];
        return secret_bytes::copy_of(all_.bytes().subspan(off, len));
    }
    std::vector<secret_bytes> rest() {
        load();
        std::vector<secret_bytes> out;
        while (next_ < lines_.size()) {
            auto [off, len] = lines_[next_++];
            out.push_back(secret_bytes::copy_of(all_.bytes().subspan(off, len)));
        }
        return out;
    }

    static bool interactive() { return ::isatty(0) == 1; }

private:
    static secret_bytes prompt(const std::string& what) {
        input_line line = read_input_line(what + ": ");
        if (line.too_long) throw error(errc::invalid_argument, "the answer is longer than 4096 bytes");
        return std::move(line.text);
    }

    void load() {
        if (loaded_) return;
        loaded_ = true;
        constexpr std::size_t max = 1 << 20;
        secret_bytes buf(max);
        std::size_t n = 0;
        for (;;) {
            if (n == max) throw error(errc::invalid_argument, "standard input is larger than 1 MiB");
            const ssize_t r = ::read(0, buf.data() + n, max - n);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            n += static_cast<std::size_t>(r);
        }
        buf.truncate(n);
        all_ = std::move(buf);
        std::size_t start = 0;
        const auto text = all_.reveal();
        for (std::size_t i = 0; i <= text.size(); ++i) {
            if (i == text.size() || text[i] == '\n') {
                if (i == text.size() && i == start) break;  // no trailing partial line
                std::size_t len = i - start;
                if (len > 0 && text[start + len - 1] == '\r') --len;
                lines_.emplace_back(start, len);
                start = i + 1;
            }
        }
    }
    bool loaded_ = false;
    secret_bytes all_;
    std::vector<std::pair<std::size_t, std::size_t>> lines_;
    std::size_t next_ = 0;
};

store_options options_for(const config& cfg, bool create = false) {
    store_options o = store_options_for(cfg, "cli:" + os_user());
    o.create_if_missing = create;
    return o;
}

/// How the keyring is unsealed: --passphrase-stdin, [keyring] passphrase(_file), or key_file.
unseal_key unseal_key_for(const cli_args& a, const config& cfg, stdin_lines& in) {
    if (a.passphrase_stdin) return unseal_key::from_passphrase(in.next("the keyring passphrase"));
    if (cfg.keyring.has_passphrase()) return unseal_key::from_passphrase(cfg.keyring.passphrase.clone());
    if (cfg.keyring.key_file) return unseal_key::from_key_file(*cfg.keyring.key_file);
    throw error(errc::key_file_invalid,
                "no unseal key: set [keyring] key_file or passphrase_file in " + cfg.file.string() +
                    ", or pass --passphrase-stdin");
}

/// Config + store (+ keyring). Not movable: the store points at the keyring.
class context {
public:
    context(const cli_args& a, bool need_keyring, stdin_lines& in)
        : cfg(load_config(a.config)), st(store::open(options_for(cfg))) {
        st->require_current_schema();
        if (need_keyring) unseal(a, in);
    }
    context(const context&) = delete;

    void unseal(const cli_args& a, stdin_lines& in) {
        auto row = st->load_sealed_keyring();
        if (!row) throw error(errc::keyring_missing, "the store has no keyring: run `ssogate secret init`");
        key.emplace(unseal_key_for(a, cfg, in));
        ring.emplace(unseal_keyring(row->sealed, *key));
        st->attach(*ring);
    }

    config cfg;
    std::optional<unseal_key> key;
    std::optional<keyring> ring;  // declared before st: destroyed after it
    std::unique_ptr<store> st;
};

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

/// 'text' for a POSIX shell, with embedded quotes escaped.
std::string shell_quote(const std::string& text) {
    std::string q = "'";
    for (char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

json app_json(const application& ap) {
    json fields = json::array();
    for (const auto& f : ap.fields) fields.push_back({{"name", f.name}, {"masked", f.masked}});
    json groups = json::array();
    for (const auto& g : ap.groups) groups.push_back(g.display);
    return {{"name", ap.name},           {"kind", to_string(ap.kind)},
            {"enabled", ap.enabled},     {"intact", ap.intact},
            {"description", ap.description}, {"contact", ap.contact},
            {"fields", fields},          {"groups", groups},
            {"created", format_time(ap.created_at)}, {"updated", format_time(ap.updated_at)}};
}

std::string trimmed(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

std::string state_of(const application& ap) {
    if (!ap.intact) return "TAMPERED (treated as disabled)";
    return ap.enabled ? "enabled" : "disabled";
}

std::string fields_text(const application& ap) {
    std::string s;
    for (const auto& f : ap.fields) s += (s.empty() ? "" : ", ") + f.name + (f.masked ? ":masked" : "");
    return s;
}

std::string mapping_state(const mapping& m) {
    if (!m.intact) return "TAMPERED (treated as disabled)";
    return m.enabled ? "enabled" : "disabled";
}

std::string cred_text(const mapping& m) {
    if (!m.credential) return "none";
    if (!m.credential->intact) return "TAMPERED";
    return std::string(to_string(m.credential->state));
}

json mapping_json(const mapping& m) {
    json j = {{"principal", m.principal}, {"kind", m.principal_kind}, {"host_user", m.host_user},
              {"enabled", m.enabled},     {"intact", m.intact},      {"created", format_time(m.created_at)}};
    if (!m.sid.empty()) j["sid"] = m.sid;
    if (m.credential)
        j["credential"] = {{"state", to_string(m.credential->state)},
                           {"intact", m.credential->intact},
                           {"key_version", m.credential->key_version},
                           {"updated", format_time(m.credential->updated_at)}};
    else
        j["credential"] = nullptr;
    return j;
}

void ok_line(const cli_args& a, const std::string& text, json j = json::object()) {
    if (a.json) {
        j["ok"] = true;
        print_json(j);
    } else {
        std::cout << text << "\n";
    }
}

}  // namespace

namespace {
bytes read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw error(errc::invalid_argument, "cannot read " + path + ": " + std::strerror(errno));
    bytes b;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        const auto* p = reinterpret_cast<const std::byte*>(buf);
        b.insert(b.end(), p, p + in.gcount());
        if (b.size() > (64u << 20)) throw error(errc::invalid_argument, path + " is too large to be a backup");
    }
    return b;
}

/// Create `path` (never overwrite), mode 0600, with `data`.
void write_new_file(const std::string& path, std::span<const std::byte> data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        throw error(errc::invalid_argument, "cannot create " + path + ": " +
                                                (errno == EEXIST ? "it already exists" : std::strerror(errno)));
    const bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        throw error(errc::invalid_argument, "cannot write " + path);
    }
}

}  // namespace

// ------------------------------------------------------------------ secret

int cmd_secret_init(const cli_args& a) {
    stdin_lines in;
    config cfg = load_config(a.config);
    const bool use_passphrase = a.passphrase_stdin || cfg.keyring.has_passphrase();
    if (!use_passphrase && !cfg.keyring.key_file)
        throw error(errc::key_file_invalid,
                    "no unseal key configured: set [keyring] key_file (created by init) or "
                    "passphrase_file in " + cfg.file.string() + ", or pass --passphrase-stdin");
    std::optional<unseal_key> key;
    if (use_passphrase) {
        key = unseal_key_for(a, cfg, in);
        if (key->passphrase().size() < 12)
            throw error(errc::invalid_argument, "the passphrase must be at least 12 characters");
    }
    auto st = store::open(options_for(cfg, true));
    const int v = st->schema_version();
    if (v == 0) st->migrate();
    else st->require_current_schema();
    if (st->load_sealed_keyring())
        throw error(errc::keyring_exists,
                    "the store already has a keyring; `secret init` runs once per store");
    bool created_key_file = false;
    if (!use_passphrase) {
        create_key_file(*cfg.keyring.key_file);
        created_key_file = true;
        key = unseal_key::from_key_file(*cfg.keyring.key_file);
    }
    try {
        keyring ring = keyring::generate(now_ms());
        const auto sealed = seal_keyring(ring, *key);
        st->save_new_keyring(sealed, ring);
        if (a.json) {
            print_json({{"ok", true},
                        {"fingerprint", ring.fingerprint()},
                        {"sealed_with", use_passphrase ? "passphrase" : "key_file"},
                        {"key_file", created_key_file ? cfg.keyring.key_file->string() : ""}});
        } else {
            std::cout << "keyring created: fingerprint " << ring.fingerprint() << ", key version 1\n";
            if (created_key_file)
                std::cout << "sealed under the key file " << cfg.keyring.key_file->string()
                          << " (mode 0600): it unseals the keyring; keep a copy offline and give it"
                             " only to the machines that must unseal\n";
            else
                std::cout << "sealed under a passphrase (scrypt N=" << key->params().n
                          << ", r=" << key->params().r << ", p=" << key->params().p << ")\n";
        }
    } catch (...) {
        if (created_key_file) std::filesystem::remove(*cfg.keyring.key_file);
        throw;
    }
    return 0;
}

int cmd_secret_status(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    const auto row = ctx.st->load_sealed_keyring();
    const auto counts = ctx.st->values_per_key_version();
    auto count_of = [&](std::uint32_t v) {
        for (const auto& [kv, n] : counts)
            if (kv == v) return n;
        return std::int64_t{0};
    };
    const auto backup = ctx.st->last_backup();
    std::vector<std::uint32_t> missing;
    if (backup)
        for (const auto& v : ctx.ring->versions())
            if (std::find(backup->versions.begin(), backup->versions.end(), v.version) == backup->versions.end())
                missing.push_back(v.version);
    const std::string backup_text =
        !backup ? "none: run `ssogate secret backup`"
                : format_time(backup->created_at) + " (key versions " + version_list(backup->versions) + ")" +
                      (missing.empty() ? "" : "; STALE: it lacks key version(s) " + version_list(missing) +
                                                  ", make a new backup");
    const std::size_t pending = ctx.st->rotation_pending();
    const std::string sealed_with = ctx.cfg.keyring.key_file && !a.passphrase_stdin &&
                                            !ctx.cfg.keyring.has_passphrase()
                                        ? "key_file"
                                        : "passphrase";
    if (a.json) {
        json versions = json::array();
        for (const auto& v : ctx.ring->versions())
            versions.push_back({{"version", v.version},
                                {"created", format_time(v.created_at)},
                                {"current", v.version == ctx.ring->current_version()},
                                {"values", count_of(v.version)}});
        print_json({{"state", "unsealed"},
                    {"fingerprint", ctx.ring->fingerprint()},
                    {"created", format_time(ctx.ring->created_at())},
                    {"sealed_with", sealed_with},
                    {"current_version", ctx.ring->current_version()},
                    {"versions", versions},
                    {"store", ctx.st->backend()},
                    {"schema_version", ctx.st->schema_version()},
                    {"last_backup", backup ? json{{"created", format_time(backup->created_at)},
                                                  {"key_versions", backup->versions},
                                                  {"stale", !missing.empty()}}
                                           : json(nullptr)},
                    {"rotation_pending", pending},
                    {"sealed_updated", format_time(row->updated_at)}});
        return 0;
    }
    std::cout << "keyring      unsealed (" << sealed_with << ")\n"
              << "fingerprint  " << ctx.ring->fingerprint() << "\n"
              << "created      " << format_time(ctx.ring->created_at()) << "\n"
              << "store        " << ctx.st->backend() << ", schema version "
              << ctx.st->schema_version() << "\n"
              << "last backup  " << backup_text << "\n";
    if (pending > 0)
        std::cout << "rotation     unfinished: " << pending
                  << " row(s) under older key versions; run `ssogate secret rotate` again\n";
    std::cout << "\n";
    table t({"VERSION", "CREATED", "CURRENT", "VALUES"});
    for (const auto& v : ctx.ring->versions())
        t.row({std::to_string(v.version), format_time(v.created_at),
               v.version == ctx.ring->current_version() ? "yes" : "", std::to_string(count_of(v.version))});
    t.print();
    if (!ctx.ring->retired_versions().empty()) {
        std::vector<std::uint32_t> r;
        for (const auto& v : ctx.ring->retired_versions()) r.push_back(v.version);
        std::cout << "retired      key version(s) " << version_list(r) << " (kept only to verify old audit records)\n";
    }
    for (const auto& [kv, n] : counts)
        if (!ctx.ring->has_version(kv))
            std::cout << "warning: " << n << " value(s) use key version " << kv
                      << ", which the keyring lacks\n";
    return 0;
}


int cmd_secret_backup(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);  // with --passphrase-stdin the passphrase is the first line
    const secret_bytes password = in.next("the backup password");
    const bytes file = write_backup(*ctx.ring, password.reveal(), a.reminder, now_ms());
    write_new_file(a.out_file, file);
    try {
        ctx.st->record_backup(read_backup_info(file));
    } catch (...) {
        std::filesystem::remove(a.out_file);  // not recorded and audited: not written
        throw;
    }
    ok_line(a, "wrote a backup of keyring " + ctx.ring->fingerprint() + " (key versions " + version_list(*ctx.ring) +
                   ") to " + a.out_file + "; keep it and its password apart",
            {{"fingerprint", ctx.ring->fingerprint()}, {"file", a.out_file}});
    return 0;
}

int cmd_secret_restore(const cli_args& a) {
    stdin_lines in;
    const config cfg = load_config(a.config);
    // The new unseal key: a passphrase (first line of stdin, or passphrase_file) or a key file,
    // created when it does not exist yet.
    std::optional<unseal_key> key;
    if (a.passphrase_stdin || cfg.keyring.has_passphrase()) {
        key = unseal_key_for(a, cfg, in);
        if (key->passphrase().size() < 12)
            throw error(errc::invalid_argument, "the passphrase must be at least 12 characters");
    } else if (!cfg.keyring.key_file) {
        throw error(errc::key_file_invalid, "no unseal key configured: set [keyring] key_file or passphrase_file in " +
                                                cfg.file.string() + ", or pass --passphrase-stdin");
    }
    const bytes file = read_whole_file(a.in_file);
    const backup_info info = read_backup_info(file);
    const secret_bytes password = in.next("the backup password");
    keyring ring = open_backup(file, password.reveal());

    auto st = store::open(options_for(cfg, true));
    if (st->schema_version() == 0) st->migrate();
    else st->require_current_schema();
    const auto existing = st->load_sealed_keyring();
    if (existing && existing->fingerprint != ring.fingerprint())
        throw error(errc::keyring_mismatch, "the store holds keyring " + existing->fingerprint + "; this backup is of keyring " +
                                                ring.fingerprint() + ": nothing changed");
    for (const auto& [kv, n] : st->values_per_key_version())
        if (!ring.has_version(kv))
            throw error(errc::unknown_key_version,
                        "the store has " + std::to_string(n) + " value(s) under key version " + std::to_string(kv) +
                            ", which this backup (key versions " + version_list(info.versions) +
                            ") lacks: use a newer backup; nothing changed");
    // Rows MAC'd, and audit records chained, under a version the backup lacks: restoring would
    // lose that version for good (the rows would read as tampered).
    for (const auto& [kv, needs_key] : st->key_versions_in_use())
        if (needs_key ? !ring.has_version(kv) : !ring.has_audit_key(kv))
            throw error(errc::unknown_key_version,
                        "the store has rows under key version " + std::to_string(kv) + ", which this backup (key versions " +
                            version_list(info.versions) + ") lacks: use a newer backup; nothing changed");
    bool created_key_file = false;
    if (!key) {
        if (!std::filesystem::exists(*cfg.keyring.key_file)) {
            create_key_file(*cfg.keyring.key_file);
            created_key_file = true;
        }
        key = unseal_key::from_key_file(*cfg.keyring.key_file);
    }
    try {
        const bytes sealed = seal_keyring(ring, *key);
        if (existing) st->replace_sealed_keyring(sealed, ring);
        else st->save_new_keyring(sealed, ring);
        st->audit("secret.restore", "keyring " + ring.fingerprint(), "ok",
                  "from a backup of " + format_time(info.created_at) + ", key versions " + version_list(info.versions));
    } catch (...) {
        if (created_key_file) std::filesystem::remove(*cfg.keyring.key_file);
        throw;
    }
    ok_line(a, "restored keyring " + ring.fingerprint() + " (key versions " + version_list(ring) + "), sealed under " +
                   (key->is_passphrase() ? std::string("a passphrase") : "the key file " + key->key_file().string()),
            {{"fingerprint", ring.fingerprint()}});
    return 0;
}

int cmd_secret_rotate(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    keyring& ring = *ctx.ring;
    const std::size_t pending = ctx.st->rotation_pending();
    const bool retiring_left = ring.versions().size() > 1;  // a finished rotation still to retire
    if (pending == 0 && retiring_left) {
        if (!a.json) std::cout << "resuming: every value is under key version " << ring.current_version()
                               << "; retiring the older versions\n";
    } else if (pending == 0) {
        // The new version is sealed into the store first: secret servers serve it and gateways
        // pick it up before any value needs it.
        const std::uint32_t v = ring.add_version(now_ms());
        ctx.st->replace_sealed_keyring(seal_keyring(ring, *ctx.key), ring);
        if (!a.json) std::cout << "added key version " << v << "\n";
    } else if (!a.json) {
        std::cout << "resuming: " << pending << " row(s) are still under older key versions; current is "
                  << ring.current_version() << "\n";
    }
    store::rotation_step total;
    for (;;) {
        const auto step = ctx.st->rotate_batch(a.batch);
        total.applications += step.applications;
        total.mappings += step.mappings;
        total.credentials += step.credentials;
        total.config_values += step.config_values;
        total.skipped += step.skipped;
        if (step.done) break;
    }
    const std::string summary = std::to_string(total.credentials) + " credential(s), " +
                                std::to_string(total.config_values) + " config value(s) re-encrypted; " +
                                std::to_string(total.applications + total.mappings) + " row MAC(s) renewed";
    ctx.st->audit("secret.rotate", "keyring " + ring.fingerprint(), total.skipped == 0 ? "ok" : "partial",
                  "to key version " + std::to_string(ring.current_version()) + ": " + summary);
    // Retire the old versions once nothing uses them and every live gateway holds the new one.
    std::vector<std::uint32_t> retired;
    std::string kept_because;
    if (total.skipped == 0 && ctx.st->rotation_pending() == 0) {
        const std::int64_t live_since = now_ms() - static_cast<std::int64_t>(a.live_within) * 1000;
        const std::string cur = std::to_string(ring.current_version());
        for (const auto& hb : ctx.st->heartbeats()) {
            if (hb.seen_at < live_since) continue;
            const auto held = "," + hb.key_versions + ",";
            if (held.find("," + cur + ",") == std::string::npos)
                kept_because += (kept_because.empty() ? "" : "; ") + std::string("gateway ") + hb.gateway_id +
                                " (seen " + format_time(hb.seen_at) + ") holds key versions " +
                                (hb.key_versions.empty() ? "none" : hb.key_versions);
        }
        if (kept_because.empty()) {
            for (const auto& v : ring.versions())
                if (v.version != ring.current_version()) retired.push_back(v.version);
            for (auto v : retired) ring.retire_version(v);
            if (!retired.empty()) {
                ctx.st->replace_sealed_keyring(seal_keyring(ring, *ctx.key), ring);
                ctx.st->audit("secret.retire", "keyring " + ring.fingerprint(), "ok",
                              "retired key version(s) " + version_list(retired));
            }
        }
    }
    if (a.json)
        print_json({{"ok", total.skipped == 0}, {"current_version", ring.current_version()},
                    {"credentials", total.credentials}, {"config_values", total.config_values},
                    {"rows", total.applications + total.mappings}, {"skipped", total.skipped},
                    {"retired", retired}, {"kept_because", kept_because}});
    else {
        std::cout << "rotated to key version " << ring.current_version() << ": " << summary << "\n";
        if (!retired.empty()) std::cout << "retired key version(s) " << version_list(retired) << "\n";
        if (!kept_because.empty())
            std::cout << "older key versions kept until every live gateway holds version " << ring.current_version()
                      << ": " << kept_because << "; run `ssogate secret rotate` again later\n";
    }
    if (total.skipped > 0) {
        std::cerr << "ssogate: " << total.skipped
                  << " row(s) failed their integrity check and stay under older key versions (`app list` and"
                     " `map list` show them as TAMPERED)\n";
        return 1;
    }
    return 0;
}

int cmd_secret_recovery_key_set(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    const recovery_public_key key = load_recovery_public_key(a.public_key);
    ctx.st->set_recovery_key(key);
    ok_line(a, "registered recovery key " + key.id + "; keep its private key offline: it can open any gateway's "
               "emergency export",
            {{"recovery_key", key.id}});
    return 0;
}

namespace {
/// One request to a running gateway's admin socket: the answer line and the bytes after it.
std::pair<std::string, bytes> admin_request(const std::string& socket_path, const std::string& request) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path) throw error(errc::invalid_argument, "the socket path is too long");
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const std::string why = std::strerror(errno);
        if (fd >= 0) ::close(fd);
        throw error(errc::store_unavailable, "cannot reach the gateway's admin socket " + socket_path + ": " + why);
    }
    const std::string req = request + "\n";
    (void)!::write(fd, req.data(), req.size());
    std::string header;
    char c = 0;
    while (header.size() < 4096 && ::read(fd, &c, 1) == 1 && c != '\n') header.push_back(c);
    bytes data;
    if (header.rfind("OK ", 0) == 0 && header.size() > 3 && std::isdigit(static_cast<unsigned char>(header[3])) &&
        header.find(' ', 3) == std::string::npos) {
        const auto n = static_cast<std::size_t>(std::strtoull(header.c_str() + 3, nullptr, 10));
        data.resize(n);
        std::size_t got = 0;
        while (got < n) {
            const ssize_t r = ::read(fd, data.data() + got, n - got);
            if (r <= 0) break;
            got += static_cast<std::size_t>(r);
        }
        if (got != n) {
            ::close(fd);
            throw error(errc::invalid_argument, "the gateway's answer was cut short");
        }
    }
    ::close(fd);
    if (header.rfind("OK", 0) != 0)
        throw error(errc::invalid_argument,
                    "the gateway refused: " + (header.rfind("ERR ", 0) == 0 ? header.substr(4) : std::string("no answer")));
    return {header, std::move(data)};
}
}  // namespace

int cmd_secret_export(const cli_args& a) {
    // The gateway checks who we are (SO_PEERCRED); we only carry the bytes to a file.
    const int out = ::open(a.out_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out < 0)
        throw error(errc::invalid_argument, "cannot create " + a.out_file + ": " +
                                                (errno == EEXIST ? "it already exists" : std::strerror(errno)));
    std::pair<std::string, bytes> answer;
    try {
        answer = admin_request(a.gateway_socket, "EXPORT");
    } catch (...) {
        ::close(out);
        ::unlink(a.out_file.c_str());
        throw;
    }
    const auto& data = answer.second;
    const bool written = ::write(out, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(out) == 0;
    ::close(out);
    if (!written) throw error(errc::invalid_argument, "cannot write " + a.out_file);
    const auto info = read_export_info(data);
    ok_line(a, "exported keyring " + info.fingerprint + " (key versions " + version_list(info.versions) + ") to " +
                   a.out_file + ", readable only with recovery key " + info.recovery_key_id,
            {{"fingerprint", info.fingerprint}, {"recovery_key", info.recovery_key_id}});
    return 0;
}

int cmd_cred_check(const cli_args& a) {
    std::string request = "CHECK " + a.name + "\t" + a.principal;
    for (const auto& g : a.member_of) request += "\t" + g;
    if (request.find('\n') != std::string::npos) throw error(errc::invalid_argument, "names cannot hold line breaks");
    const auto [header, data] = admin_request(a.gateway_socket, request);
    ok_line(a, "the gateway resolves it: " + header.substr(3), {{"answer", header.substr(3)}});
    return 0;
}

int cmd_secret_recover(const cli_args& a) {
    stdin_lines in;
    const bytes file = read_whole_file(a.in_file);
    const keyring ring = open_export(file, a.private_key);
    const secret_bytes password = in.next("the new backup's password");
    const bytes backup = write_backup(ring, password.reveal(), a.reminder, now_ms());
    write_new_file(a.out_file, backup);
    ok_line(a, "recovered keyring " + ring.fingerprint() + " (key versions " + version_list(ring) + ") into the backup " +
                   a.out_file + ": restore it with `ssogate secret restore --in " + a.out_file + " --password-stdin`",
            {{"fingerprint", ring.fingerprint()}});
    return 0;
}

int cmd_store_migrate(const cli_args& a) {
    stdin_lines in;
    config cfg = load_config(a.config);
    auto st = store::open(options_for(cfg, true));
    std::optional<keyring> ring;
    const int before = st->schema_version();
    if (before > store::latest_schema) st->require_current_schema();  // throws: too new
    // Audit the migration: a store that has a keyring is migrated with it unsealed.
    if (before >= 1 && before < store::latest_schema)
        if (auto row = st->load_sealed_keyring()) {
            ring.emplace(unseal_keyring(row->sealed, unseal_key_for(a, cfg, in)));
            st->attach(*ring);
        }
    const auto applied = st->migrate();
    json list = json::array();
    for (int v : applied) list.push_back(v);
    ok_line(a,
            applied.empty() ? "the store is at schema version " + std::to_string(before) + ": nothing to do"
                            : "migrated the store from schema version " + std::to_string(before) +
                                  " to " + std::to_string(applied.back()),
            {{"from", before}, {"to", st->schema_version()}, {"applied", list}});
    return 0;
}

// ------------------------------------------------------------------ services

int cmd_secret_server(const cli_args& a) {
    stdin_lines in;
    const config cfg = load_config(a.config);
    const unseal_key key = unseal_key_for(a, cfg, in);
    init_service_logging();
    return run_secret_server(cfg, key);
}

int cmd_gateway(const cli_args& a) {
    const config cfg = load_config(a.config);
    // A gateway never holds the unseal key: refuse a config that would give it one.
    if (a.passphrase_stdin)
        throw config_error("a gateway takes its keyring from secret servers: it takes no --passphrase-stdin");
    if (cfg.keyring.key_file || cfg.keyring.has_passphrase())
        throw config_error(cfg.file.string() +
                           ": a gateway takes its keyring from secret servers; remove [keyring] from its config");
    init_service_logging();
    return run_gateway(cfg);
}

// ------------------------------------------------------------------ app

int cmd_app_create(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    app_spec spec;
    spec.name = a.name;
    spec.kind = *parse_app_kind(a.kind);
    spec.description = a.description;
    spec.contact = a.contact;
    for (const auto& f : a.fields) {
        field_def d;
        const auto colon = f.find(':');
        d.name = f.substr(0, colon);
        if (colon != std::string::npos) {
            if (f.substr(colon + 1) != "masked")
                throw error(errc::invalid_argument, "--field takes NAME or NAME:masked (got '" + f + "')");
            d.masked = true;
        }
        spec.fields.push_back(d);
    }
    spec.groups = a.groups;
    const application ap = ctx.st->create_app(spec);
    ok_line(a, "created " + std::string(to_string(ap.kind)) + " application " + ap.name +
                   " (fields: " + fields_text(ap) + ")",
            app_json(ap));
    return 0;
}

int cmd_app_list(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    const auto apps = ctx.st->list_apps();
    if (a.json) {
        json j = json::array();
        for (const auto& ap : apps) j.push_back(app_json(ap));
        print_json(j);
        return 0;
    }
    table t({"NAME", "KIND", "STATE", "FIELDS", "DESCRIPTION"});
    for (const auto& ap : apps)
        t.row({ap.name, std::string(to_string(ap.kind)), state_of(ap), fields_text(ap), ap.description});
    t.print();
    return 0;
}

int cmd_app_show(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    const application ap = ctx.st->get_app(a.name);
    const auto maps = ap.kind == app_kind::config ? std::vector<mapping>{} : ctx.st->list_mappings(ap.name);
    if (a.json) {
        json j = app_json(ap);
        j["mappings"] = maps.size();
        print_json(j);
        return 0;
    }
    std::cout << "name         " << ap.name << "\n"
              << "kind         " << to_string(ap.kind) << "\n"
              << "state        " << state_of(ap) << "\n"
              << trimmed("description  " + printable(ap.description)) << "\n"
              << trimmed("contact      " + printable(ap.contact)) << "\n"
              << "fields       " << fields_text(ap) << "\n";
    if (ap.kind == app_kind::group) {
        std::string g;
        for (std::size_t i = 0; i < ap.groups.size(); ++i)
            g += (i ? ", " : "") + std::to_string(i + 1) + ". " + ap.groups[i].display;
        std::cout << "groups       " << g << "\n";
    }
    if (ap.kind != app_kind::config) std::cout << "mappings     " << maps.size() << "\n";
    std::cout << "created      " << format_time(ap.created_at) << "\n"
              << "updated      " << format_time(ap.updated_at) << "\n";
    return 0;
}

int cmd_app_enable(const cli_args& a, bool enable) {
    stdin_lines in;
    context ctx(a, true, in);
    ctx.st->set_app_enabled(a.name, enable);
    ok_line(a, std::string(enable ? "enabled " : "disabled ") + a.name);
    return 0;
}

int cmd_app_delete(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    ctx.st->delete_app(a.name);
    ok_line(a, "deleted " + a.name + " with its mappings, credentials and config values");
    return 0;
}

// ------------------------------------------------------------------ map

int cmd_map_add(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    const mapping m = ctx.st->add_mapping(a.name, a.principal, a.host_user, a.sid, a.individual);
    ok_line(a, "mapped " + m.principal_kind + " " + m.principal + " to host user " + m.host_user + " in " + a.name +
                   " (no credential yet: `ssogate cred set " + a.name + " --principal " +
                   shell_quote(m.principal) + " --password-stdin`)",
            mapping_json(m));
    return 0;
}

int cmd_map_list(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    const auto maps = ctx.st->list_mappings(a.name);
    if (a.json) {
        json j = json::array();
        for (const auto& m : maps) j.push_back(mapping_json(m));
        print_json(j);
        return 0;
    }
    table t({"PRINCIPAL", "KIND", "HOST USER", "STATE", "CREDENTIAL"});
    for (const auto& m : maps) t.row({m.principal, m.principal_kind, m.host_user, mapping_state(m), cred_text(m)});
    t.print();
    return 0;
}

int cmd_map_enable(const cli_args& a, bool enable) {
    stdin_lines in;
    context ctx(a, true, in);
    ctx.st->set_mapping_enabled(a.name, a.principal, enable);
    ok_line(a, std::string(enable ? "enabled" : "disabled") + " the mapping of " + a.principal + " in " + a.name);
    return 0;
}

int cmd_map_delete(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    ctx.st->delete_mapping(a.name, a.principal);
    ok_line(a, "deleted the mapping of " + a.principal + " in " + a.name);
    return 0;
}

// ------------------------------------------------------------------ cred

int cmd_cred_set(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);  // with --passphrase-stdin the passphrase is the first line
    std::vector<secret_bytes> values;
    if (stdin_lines::interactive()) {
        const application ap = ctx.st->get_app(a.name);
        for (std::size_t i = 1; i < ap.fields.size(); ++i)
            values.push_back(in.next(ap.fields[i].name + " of " + a.principal + " in " + ap.name));
    } else {
        values = in.rest();
    }
    for (const auto& v : values)
        if (v.empty()) throw error(errc::invalid_argument, "a credential field on standard input is empty");
    ctx.st->set_credential(a.name, a.principal, std::move(values));
    ok_line(a, "stored the credential of " + a.principal + " in " + a.name + " (state valid)");
    return 0;
}

int cmd_cred_status(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    auto maps = ctx.st->list_mappings(a.name);
    if (!a.principal.empty()) {
        std::string why;
        auto p = principal::parse(a.principal, ctx.cfg.realms, &why);
        if (!p) throw error(errc::invalid_argument, why);
        std::erase_if(maps, [&](const mapping& m) { return m.principal_key != p->key(); });
        if (maps.empty())
            throw error(errc::not_found, "'" + a.name + "' has no mapping for '" + a.principal + "'");
    }
    if (a.json) {
        json j = json::array();
        for (const auto& m : maps) j.push_back(mapping_json(m));
        print_json(j);
        return 0;
    }
    table t({"PRINCIPAL", "HOST USER", "MAPPING", "CREDENTIAL", "KEY VERSION", "UPDATED"});
    for (const auto& m : maps)
        t.row({m.principal, m.host_user, mapping_state(m), cred_text(m),
               m.credential ? std::to_string(m.credential->key_version) : "-",
               m.credential ? format_time(m.credential->updated_at) : "-"});
    t.print();
    return 0;
}

int cmd_cred_get(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    for (const auto& g : a.member_of) {
        std::string why;
        if (!principal::parse(g, ctx.cfg.realms, &why)) throw error(errc::invalid_argument, "--member-of: " + why);
    }
    const resolution r = ctx.st->resolve_audited(a.name, a.principal, a.member_of, a.reveal);
    if (!r.ok()) throw error(static_cast<errc>(r.ec.value()), r.message);
    auto shown = [&](const resolved_field& f) {
        return f.def.masked && !a.reveal ? std::string("********") : std::string(f.value.reveal());
    };
    if (a.json) {
        json fields = json::object();
        for (const auto& f : r.fields) fields[f.def.name] = shown(f);
        print_json({{"application", r.application}, {"principal", r.principal}, {"via_group", r.via_group},
                    {"host_user", r.host_user}, {"fields", fields}});
        return 0;
    }
    std::cout << "application  " << r.application << "\n"
              << "mapping      " << r.principal << (r.via_group ? " (group)" : " (user)") << "\n"
              << "host user    " << r.host_user << "\n";
    for (const auto& f : r.fields) {
        std::string label = f.def.name;
        label.resize(std::max<std::size_t>(label.size() + 1, 13), ' ');
        std::cout << label << shown(f) << "\n";
    }
    return 0;
}

// ------------------------------------------------------------------ config

int cmd_config_set(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    secret_bytes v = in.next("the value");
    if (v.empty()) throw error(errc::invalid_argument, "the value on standard input is empty");
    ctx.st->config_set(a.name, a.field, std::move(v));
    ok_line(a, "stored " + a.name + " " + a.field);
    return 0;
}

int cmd_config_get(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    std::optional<std::string_view> field;
    if (!a.field.empty()) field = a.field;
    const auto values = ctx.st->config_get(a.name, field, a.reveal);
    auto shown = [&](const resolved_field& f) {
        return f.def.masked && !a.reveal ? std::string("********") : std::string(f.value.reveal());
    };
    if (a.json) {
        json j = json::object();
        for (const auto& f : values) j[f.def.name] = shown(f);
        print_json(j);
        return 0;
    }
    table t({"FIELD", "VALUE"});
    for (const auto& f : values) t.row({f.def.name, shown(f)});
    t.print();
    return 0;
}

// ------------------------------------------------------------------ audit

int cmd_audit_list(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    const auto recs = ctx.st->audit_list(a.limit);
    if (a.json) {
        json j = json::array();
        for (const auto& r : recs)
            j.push_back({{"id", r.id}, {"writer", r.writer}, {"seq", r.seq}, {"at", format_time(r.at)},
                         {"actor", r.actor}, {"action", r.action}, {"target", r.target},
                         {"outcome", r.outcome}, {"detail", r.detail}});
        print_json(j);
        return 0;
    }
    table t({"TIME", "WRITER", "SEQ", "ACTOR", "ACTION", "TARGET", "OUTCOME", "DETAIL"});
    for (const auto& r : recs)
        t.row({format_time(r.at), r.writer, std::to_string(r.seq), r.actor, r.action, r.target, r.outcome, r.detail});
    t.print();
    return 0;
}

int cmd_audit_verify(const cli_args& a) {
    stdin_lines in;
    context ctx(a, true, in);
    const audit_report rep = ctx.st->audit_verify();
    if (a.json) {
        print_json({{"ok", rep.ok()}, {"records", rep.records}, {"writers", rep.writers}, {"problems", rep.problems}});
    } else if (rep.ok()) {
        std::cout << "audit log intact: " << rep.records << " records from " << rep.writers << " writer(s)\n";
    }
    if (!rep.ok()) {
        std::cerr << "ssogate: the audit log was altered: " << rep.problems.front();
        if (rep.problems.size() > 1) std::cerr << " (and " << rep.problems.size() - 1 << " more)";
        std::cerr << "\n";
        return 1;
    }
    return 0;
}

}  // namespace ssogate::gateway

#include <ssogate/identity/check_command.hpp>
#include <ssogate/identity/directory.hpp>
#include <ssogate/identity/identity_config.hpp>
#include <ssogate/identity/password_verifier.hpp>

#include "certificate_check.hpp"

#include <nlohmann/json.hpp>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <iostream>
#include <optional>

namespace ssogate::identity {
namespace {

using json = nlohmann::json;
constexpr std::size_t max_password = 4096;

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
    return out;
}

std::string format_time(std::chrono::system_clock::time_point tp) {
    const std::time_t t = std::chrono::system_clock::to_time_t(tp);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// The first line of `fd` (without its line ending) into locked memory; at a terminal, a prompt
// on `err` with echo off. nullopt when the line is longer than max_password.
std::optional<credstore::secret_bytes> read_password(int fd, const std::string& user, std::ostream& err) {
    termios old{};
    const bool tty = ::isatty(fd) == 1 && ::tcgetattr(fd, &old) == 0;
    if (tty) {
        err << "Windows password for " << printable(user) << ": " << std::flush;
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    credstore::secret_bytes buf(max_password);
    std::size_t n = 0;
    bool too_long = false;
    for (;;) {
        char c = 0;
        const ssize_t r = ::read(fd, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0 || c == '\n') break;
        if (n == max_password) {
            too_long = true;
            continue;
        }
        buf.data()[n++] = static_cast<std::byte>(c);
    }
    if (tty) {
        ::tcsetattr(fd, TCSAFLUSH, &old);
        err << "\n";
    }
    if (too_long) return std::nullopt;
    if (n > 0 && buf.data()[n - 1] == static_cast<std::byte>('\r')) --n;
    buf.truncate(n);
    return buf;
}

int refuse(const check_args& a, std::ostream& out, std::ostream& err, std::string_view state,
           const std::string& message, const std::optional<credstore::principal>& p,
           const identity_config* cfg) {
    if (a.json) {
        json j{{"user", printable(a.user)}, {"state", state}, {"error", printable(message)}};
        if (p && cfg != nullptr) j["principal"] = printable(p->display(cfg->realms));
        out << j.dump(2) << "\n";
    }
    err << "ssogate: " << printable(message) << "\n";
    return 1;
}

}  // namespace

int identity_check_command(const check_args& a, int in_fd, std::ostream& out, std::ostream& err) {
    try {
        if (!a.cert.empty()) {
            if (!a.user.empty() || a.password_stdin) {
                err << "ssogate: give either --user (with --password-stdin) or --cert, not both\n";
                return 2;
            }
            return detail::certificate_check_command(a, out, err);
        }
        if (a.user.empty()) {
            err << "ssogate: --user or --cert is required (--user CORP\\alice, alice@CORP.EXAMPLE or alice)\n";
            return 2;
        }
        const identity_config cfg = load_identity_config(a.config);
        std::string why;
        auto p = credstore::principal::parse(a.user, cfg.realms, &why);
        if (!p) return refuse(a, out, err, to_string(errc::bad_name), why, std::nullopt, &cfg);
        if (!cfg.serves_realm(p->realm()))
            return refuse(a, out, err, to_string(errc::unknown_realm),
                          "the realm " + p->realm() + " is not one of the gateway's realms; map its domain in [identity.domains]",
                          p, &cfg);

        std::optional<verified_identity> id;
        const std::shared_ptr<directory> dir = make_directory(cfg);  // null without [identity.ldap]
        if (a.password_stdin) {
            password_verifier verifier(cfg);  // checks the keytab first: a config error is exit 1
            auto password = read_password(in_fd, p->display(cfg.realms), err);
            if (!password)
                return refuse(a, out, err, to_string(errc::invalid_password_input),
                              "the password on standard input is longer than 4096 bytes", p, &cfg);
            auto o = apply_directory(verifier.verify(a.user, *password, "cli"), dir.get());
            if (!o) {
                const auto code = static_cast<errc>(o.code().value());
                return refuse(a, out, err, to_string(code), o.refused.message, p, &cfg);
            }
            id = std::move(o.identity);
        }

        const credstore::principal& who = id ? id->principal : *p;
        // Without a password: what the directory says about the name (nothing is verified).
        std::optional<directory_answer> looked;
        if (!id && dir) looked = dir->lookup(who);
        std::optional<std::string> sid = id ? id->sid : std::nullopt;
        std::vector<group> groups = id ? id->groups : std::vector<group>{};
        account_state account = id ? id->account : account_state::unknown;
        groups_status gstatus = id ? id->groups_from : groups_status::not_configured;
        std::string dn = id ? id->directory_dn : std::string();
        std::string note = id ? id->directory_note : std::string();
        if (looked) {
            if (*looked) {
                sid = looked->entry->sid;
                groups = looked->entry->groups;
                account = looked->entry->account;
                dn = looked->entry->dn;
                gstatus = groups_status::fresh;
            } else {
                gstatus = looked->code == errc::not_in_directory ? groups_status::not_in_directory
                                                                 : groups_status::unavailable;
                note = looked->message;
            }
        }
        const std::string kerberos = id ? id->kerberos_name : who.name() + "@" + who.realm();
        const std::string state = id ? "active" : "unverified";
        std::optional<std::string> expires;
        if (id && id->password_expires) expires = format_time(*id->password_expires);
        if (a.json) {
            json j{{"principal", printable(who.display(cfg.realms))},
                   {"kerberos", printable(kerberos)},
                   {"key", printable(who.key())},
                   {"sid", sid ? json(*sid) : json(nullptr)},
                   {"state", state},
                   {"password_expires", expires ? json(*expires) : json(nullptr)},
                   {"verified_by", id ? json("kdc+keytab") : json(nullptr)},
                   {"groups", json::array()},
                   {"account", dir ? json(to_string(account)) : json(nullptr)},
                   {"dn", dn.empty() ? json(nullptr) : json(printable(dn))},
                   {"groups_status", to_string(gstatus)},
                   {"directory_note", note.empty() ? json(nullptr) : json(printable(note))}};
            for (const auto& g : groups)
                j["groups"].push_back({{"name", printable(g.principal.display(cfg.realms))},
                                       {"sid", g.sid ? json(*g.sid) : json(nullptr)}});
            out << j.dump(2) << "\n";
        } else {
            std::string shown;
            for (const auto& g : groups)
                shown += (shown.empty() ? "" : ", ") + g.principal.display(cfg.realms) + (g.sid ? " (" + *g.sid + ")" : "");
            if (shown.empty() && !note.empty()) shown = "- (" + note + ")";
            out << "principal  " << printable(who.display(cfg.realms)) << "\n"
                << "kerberos   " << printable(kerberos) << "\n"
                << "key        " << printable(who.key()) << "\n"
                << "sid        " << (sid ? *sid : "-") << "\n"
                << "state      " << state
                << (expires ? ", password expires " + *expires : std::string())
                << (id ? "" : " (give --password-stdin to verify the password with the KDC)") << "\n";
            if (dir)
                out << "account    " << to_string(account) << "\n"
                    << "directory  " << (dn.empty() ? "-" : printable(dn)) << " (" << to_string(gstatus) << ")\n";
            out << "groups     " << (shown.empty() ? "-" : printable(shown)) << "\n";
        }
        out.flush();
        // The directory could not answer: the gateway grants no mapping by group (and refuses
        // Negotiate), so the check has not answered the admin's question.
        if (gstatus == groups_status::unavailable) {
            err << "ssogate: the directory cannot answer for " << printable(who.display(cfg.realms))
                << (id ? " (the password is right)" : "") << ": " << printable(note) << "\n";
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        err << "ssogate: " << printable(e.what()) << "\n";
        return 1;
    }
}

int identity_check_command(const check_args& a) { return identity_check_command(a, 0, std::cout, std::cerr); }

}  // namespace ssogate::identity

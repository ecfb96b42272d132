// Command-line parsing (CLI11) for `ssogate`. Only parsing lives here; commands.cpp does the work.
#include <ssogate/gateway/cli.hpp>

#include <ssogate/credstore/errc.hpp>
#include <ssogate/credstore/secret_bytes.hpp>
#include <ssogate/gateway/config.hpp>

#include <ssogate/identity/check_command.hpp>

#include "commands.hpp"
#include "output.hpp"
#include "tn3270_tools.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <functional>
#include <iostream>

namespace ssogate::gateway {

int run_cli(int argc, char** argv) {
    credstore::harden_process();
    cli_args a;
    std::function<int()> action;

    CLI::App app{"ssogate: sign-on gateway for IBM host systems", "ssogate"};
    app.require_subcommand(1);
    app.fallthrough();
    app.set_version_flag("--version", std::string("ssogate ") + SSOGATE_VERSION);
    if (const char* env = std::getenv("SSOGATE_CONFIG")) a.config = env;
    if (a.config.empty()) a.config = "/etc/ssogate/ssogate.toml";
    app.add_option("--config", a.config, "configuration file (TOML); default $SSOGATE_CONFIG or /etc/ssogate/ssogate.toml");
    app.add_flag("--json", a.json, "print JSON instead of tables");
    app.add_flag("--passphrase-stdin", a.passphrase_stdin,
                 "read the keyring passphrase from the first line of standard input");

    auto leaf = [&](CLI::App* parent, const std::string& name, const std::string& help,
                    std::function<int()> fn) {
        CLI::App* c = parent->add_subcommand(name, help);
        c->fallthrough();
        c->callback([&action, fn] { action = fn; });
        return c;
    };
    auto group = [&](const std::string& name, const std::string& help) {
        CLI::App* g = app.add_subcommand(name, help);
        g->require_subcommand(1);
        g->fallthrough();
        return g;
    };

    // secret
    auto* secret = group("secret", "the keyring: create it, see its state");
    leaf(secret, "init", "create the keyring, seal it under the unseal key, store it", [&] { return cmd_secret_init(a); });
    leaf(secret, "status", "key versions, fingerprint, values per version, last backup", [&] { return cmd_secret_status(a); });
    {
        auto* b = leaf(secret, "backup", "write the keyring to a file under a backup password", [&] { return cmd_secret_backup(a); });
        b->add_option("--out", a.out_file, "the backup file (created, mode 0600)")->required();
        b->add_flag("--password-stdin", a.password_stdin, "read the backup password from standard input (required)")->required();
        b->add_option("--reminder", a.reminder, "a hint kept in clear in the file (never the password)");
        auto* r = leaf(secret, "restore", "bring a backup into this store, sealed under this config's unseal key", [&] { return cmd_secret_restore(a); });
        r->add_option("--in", a.in_file, "the backup file")->required();
        r->add_flag("--password-stdin", a.password_stdin, "read the backup password from standard input (required)")->required();
        auto* o = leaf(secret, "rotate", "add a key version and re-encrypt every value under it (resumable)", [&] { return cmd_secret_rotate(a); });
        o->add_option("--batch", a.batch, "rows per transaction (default 500)")->check(CLI::Range(1, 100000));
        o->add_option("--live-within", a.live_within,
                      "a gateway whose heartbeat is this recent (seconds, default 600) must hold the new version "
                      "before old ones are retired")->check(CLI::Range(1, 86400 * 30));
        auto* rk = secret->add_subcommand("recovery-key", "the offline recovery key for emergency exports");
        rk->require_subcommand(1);
        rk->fallthrough();
        auto* rks = leaf(rk, "set", "register the recovery key's public half (RSA, 3072 bits or more)",
                         [&] { return cmd_secret_recovery_key_set(a); });
        rks->add_option("--public-key", a.public_key, "PEM public key file")->required();
        auto* ex = leaf(secret, "export", "emergency: a running gateway's keyring, encrypted to the recovery key only",
                        [&] { return cmd_secret_export(a); });
        ex->add_option("--gateway", a.gateway_socket, "the gateway's admin socket")->required();
        ex->add_option("--out", a.out_file, "the export file (created, mode 0600)")->required();
        auto* rc = leaf(secret, "recover", "offline: turn an export into a backup that `secret restore` takes",
                        [&] { return cmd_secret_recover(a); });
        rc->add_option("--in", a.in_file, "the export file")->required();
        rc->add_option("--private-key", a.private_key, "the recovery private key (PEM)")->required();
        rc->add_option("--out", a.out_file, "the backup file to write (created, mode 0600)")->required();
        rc->add_flag("--password-stdin", a.password_stdin, "read the new backup's password from standard input (required)")->required();
        rc->add_option("--reminder", a.reminder, "a hint kept in clear in the backup");
    }

    // store
    auto* storecmd = group("store", "the database schema");
    leaf(storecmd, "migrate", "upgrade the store's schema to this binary's", [&] { return cmd_store_migrate(a); });

    // app
    auto* appcmd = group("app", "applications (affiliate applications)");
    {
        auto* c = leaf(appcmd, "create", "create an application", [&] { return cmd_app_create(a); });
        c->add_option("NAME", a.name, "application name")->required();
        c->add_option("--kind", a.kind, "individual | group | config")->required()
            ->check(CLI::IsMember({"individual", "group", "config"}));
        c->add_option("--field", a.fields, "a credential or config field NAME[:masked], in order (repeatable)");
        c->add_option("--group", a.groups, "a Windows group, in priority order (group applications; repeatable)");
        c->add_option("--description", a.description, "free text");
        c->add_option("--contact", a.contact, "who owns it");
    }
    leaf(appcmd, "list", "list applications", [&] { return cmd_app_list(a); });
    for (auto [n, fn] : std::initializer_list<std::pair<const char*, std::function<int()>>>{
             {"show", [&] { return cmd_app_show(a); }},
             {"enable", [&] { return cmd_app_enable(a, true); }},
             {"disable", [&] { return cmd_app_enable(a, false); }},
             {"delete", [&] { return cmd_app_delete(a); }}}) {
        auto* c = leaf(appcmd, n, std::string(n) + " an application", fn);
        c->add_option("NAME", a.name, "application name")->required();
    }

    // map
    auto* mapcmd = group("map", "mappings of Windows principals to host accounts");
    {
        auto* c = leaf(mapcmd, "add", "map a user (or, for a group application, a group) to a host user", [&] { return cmd_map_add(a); });
        c->add_option("NAME", a.name, "application name")->required();
        c->add_option("--principal", a.principal, "CORP\\alice, alice@CORP.EXAMPLE, or a group")->required();
        c->add_option("--host-user", a.host_user, "the host user id (field 0)")->required();
        c->add_option("--sid", a.sid, "the principal's SID, when known");
        c->add_flag("--individual", a.individual,
                    "in a group application: map this one user individually (wins over the groups)");
        auto* l = leaf(mapcmd, "list", "list an application's mappings", [&] { return cmd_map_list(a); });
        l->add_option("NAME", a.name, "application name")->required();
        for (auto [n, fn] : std::initializer_list<std::pair<const char*, std::function<int()>>>{
                 {"enable", [&] { return cmd_map_enable(a, true); }},
                 {"disable", [&] { return cmd_map_enable(a, false); }},
                 {"delete", [&] { return cmd_map_delete(a); }}}) {
            auto* m = leaf(mapcmd, n, std::string(n) + " a mapping", fn);
            m->add_option("NAME", a.name, "application name")->required();
            m->add_option("--principal", a.principal, "the mapping's principal")->required();
        }
    }

    // cred
    auto* credcmd = group("cred", "host credentials");
    {
        auto* c = leaf(credcmd, "set", "set the secret fields of a mapping, one per line on stdin", [&] { return cmd_cred_set(a); });
        c->add_option("NAME", a.name, "application name")->required();
        c->add_option("--principal", a.principal, "the mapping's principal")->required();
        c->add_flag("--password-stdin", a.password_stdin, "read the fields from standard input (required)")->required();
        auto* s = leaf(credcmd, "status", "state and update time of credentials (no secrets)", [&] { return cmd_cred_status(a); });
        s->add_option("NAME", a.name, "application name")->required();
        s->add_option("--principal", a.principal, "only this mapping");
        auto* g = leaf(credcmd, "get", "resolve a user as the gateway will; audited", [&] { return cmd_cred_get(a); });
        g->add_option("NAME", a.name, "application name")->required();
        g->add_option("--principal", a.principal, "the Windows user")->required();
        g->add_option("--member-of", a.member_of, "a group the user is in (repeatable)");
        g->add_flag("--reveal", a.reveal, "print masked fields in clear");
        auto* k = leaf(credcmd, "check", "resolve through a running gateway's own keyring (no secret shown); audited",
                       [&] { return cmd_cred_check(a); });
        k->add_option("NAME", a.name, "application name")->required();
        k->add_option("--principal", a.principal, "the Windows user")->required();
        k->add_option("--member-of", a.member_of, "a group the user is in (repeatable)");
        k->add_option("--gateway", a.gateway_socket, "the gateway's admin socket")->required();
    }

    // config
    auto* cfgcmd = group("config", "the encrypted config store of config applications");
    {
        auto* c = leaf(cfgcmd, "set", "set a field from standard input", [&] { return cmd_config_set(a); });
        c->add_option("NAME", a.name, "application name")->required();
        c->add_option("FIELD", a.field, "field name")->required();
        c->add_flag("--value-stdin", a.value_stdin, "read the value from standard input (required)")->required();
        auto* g = leaf(cfgcmd, "get", "print fields (masked ones only with --reveal); audited", [&] { return cmd_config_get(a); });
        g->add_option("NAME", a.name, "application name")->required();
        g->add_option("FIELD", a.field, "one field (default: all)");
        g->add_flag("--reveal", a.reveal, "print masked fields in clear");
    }

    // identity
    auto* idcmd = group("identity", "Windows identity: who the gateway thinks a user is");
    {
        auto* c = leaf(idcmd, "check", "verify a Windows user with the KDC, or map a client certificate; print principal, SID, state, groups",
                       [&] { return identity::identity_check_command({a.config, a.principal, a.password_stdin, a.json, a.cert}); });
        c->add_option("--user", a.principal, "CORP\\alice, alice@CORP.EXAMPLE or alice");
        c->add_option("--cert", a.cert, "a client certificate (PEM, chain after it; or DER): which rule maps it to whom");
        c->add_flag("--password-stdin", a.password_stdin,
                    "read the Windows password from standard input (a prompt at a terminal)");
    }

    // audit
    auto* auditcmd = group("audit", "the audit log");
    {
        auto* l = leaf(auditcmd, "list", "the latest records", [&] { return cmd_audit_list(a); });
        l->add_option("--limit", a.limit, "how many (default 50)")->check(CLI::Range(1, 1000000));
        leaf(auditcmd, "verify", "check every writer's HMAC chain", [&] { return cmd_audit_verify(a); });
    }

    // services
    {
        auto* s = app.add_subcommand("secret-server", "run a master secret server (serves the keyring over mutual TLS)");
        s->fallthrough();
        s->callback([&] { action = [&] { return cmd_secret_server(a); }; });
        auto* g = app.add_subcommand("gateway", "run the gateway (fetches the keyring; /healthz, /metrics)");
        g->fallthrough();
        g->callback([&] { action = [&] { return cmd_gateway(a); }; });
    }

    // sample-host tn3270, probe
    tn3270_cli tn3270;
    tn3270.add_to(app, action);

    // demo
    {
        auto* d = app.add_subcommand("demo", "create (or reuse) a demo store and print it");
        d->fallthrough();
        d->add_option("--dir", a.dir, "where (default ./demo-data)");
        d->callback([&] { action = [&] { return cmd_demo(a); }; });
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // "A subcommand is required" hides the real cause when a word was not understood.
        const auto extra = app.remaining(true);
        if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && !extra.empty()) {
            std::cerr << "ssogate: unknown command or option '" << extra.front()
                      << "'\nRun with --help for more information.\n";
            return 2;
        }
        app.exit(e);
        return 2;
    }
    if (!action) return 2;
    try {
        const int rc = action();
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "ssogate: cannot write the output\n";
            return 1;
        }
        return rc;
    } catch (const std::exception& e) {
        // Messages can quote names from the database: no control characters reach the terminal.
        std::cerr << "ssogate: " << printable(e.what()) << "\n";
    }
    return 1;
}

}  // namespace ssogate::gateway

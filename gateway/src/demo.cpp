// `ssogate demo`: the embedded default on one machine. Creates (or reuses) a demo folder with a
// config, a SQLite store, a key file and sample applications, mappings and credentials, then
// prints them and how to try the commands. Later issues grow this into the running gateway.
#include "clock.hpp"
#include "commands.hpp"

#include <ssogate/credstore/store.hpp>
#include <ssogate/gateway/config.hpp>

#include "output.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace ssogate::gateway {

using namespace ssogate::credstore;

namespace {

constexpr const char* demo_config = R"(# ssogate demo configuration: the embedded default on one machine.
# Paths are relative to this file.
[store]
url = "sqlite:store.db"

[keyring]
key_file = "unseal.key"      # made by `secret init`, mode 0600

[identity]
default_domain = "CORP"
[identity.domains]
CORP = "CORP.EXAMPLE"

[audit]
writer = "demo"
)";


/// A host-style password: 8 characters from A-Z and 0-9, first a letter.
secret_bytes host_password() {
    static constexpr char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static constexpr char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    secret_bytes rnd = random_secret(8);
    secret_bytes out(8);
    for (std::size_t i = 0; i < 8; ++i) {
        const auto b = static_cast<unsigned>(rnd.data()[i]);
        out.data()[i] = static_cast<std::byte>(i == 0 ? letters[b % 26] : chars[b % 36]);
    }
    return out;
}

std::vector<secret_bytes> one(secret_bytes s) {
    std::vector<secret_bytes> v;
    v.push_back(std::move(s));
    return v;
}

void populate(store& st) {
    st.create_app({"TSOPROD", app_kind::individual, "TSO on the production mainframe (TN3270)",
                   "mainframe-team@corp.example", {{"password", true}}, {}});
    st.add_mapping("TSOPROD", "CORP\\alice", "ALICE1");
    st.add_mapping("TSOPROD", "CORP\\bob", "BOB01");
    st.add_mapping("TSOPROD", "CORP\\carol", "CAROL#1");
    st.set_credential("TSOPROD", "CORP\\alice", one(host_password()));
    st.set_credential("TSOPROD", "CORP\\bob", one(host_password()));
    st.set_credential("TSOPROD", "CORP\\carol", one(host_password()));
    st.set_mapping_enabled("TSOPROD", "CORP\\carol", false);

    st.create_app({"AS400", app_kind::individual, "IBM i order entry (TN5250)",
                   "midrange-team@corp.example", {{"password", true}}, {}});
    st.add_mapping("AS400", "alice@CORP.EXAMPLE", "ALICE");
    st.set_credential("AS400", "CORP\\alice", one(host_password()));

    st.create_app({"PAYROLL", app_kind::group, "payroll batch region, shared ids (TN3270)",
                   "payroll@corp.example", {{"password", true}},
                   {"CORP\\Payroll", "CORP\\MainframeUsers"}});
    st.add_mapping("PAYROLL", "CORP\\Payroll", "PAYRL01");
    st.add_mapping("PAYROLL", "CORP\\MainframeUsers", "MFUSER");
    st.set_credential("PAYROLL", "CORP\\Payroll", one(host_password()));
    st.set_credential("PAYROLL", "CORP\\MainframeUsers", one(host_password()));

    st.create_app({"HRPORTAL", app_kind::individual, "HR line-of-business web app (HTTP Basic)",
                   "hr-it@corp.example", {{"password", true}}, {}});
    st.add_mapping("HRPORTAL", "CORP\\bob", "bob.hr");
    st.set_credential("HRPORTAL", "CORP\\bob", one(host_password()));

    st.create_app({"LOBCONFIG", app_kind::config, "settings of the order LOB application",
                   "lob-team@corp.example",
                   {{"url", false}, {"drop_path", false}, {"api_key", true}}, {}});
    st.config_set("LOBCONFIG", "url", secret_bytes::copy_of("https://orders.corp.example/api"));
    st.config_set("LOBCONFIG", "drop_path", secret_bytes::copy_of("/srv/lob/drop"));
    st.config_set("LOBCONFIG", "api_key", host_password());
}

std::string self_path() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? "ssogate" : p.string();
}

}  // namespace

int cmd_demo(const cli_args& a) {
    const std::filesystem::path dir = std::filesystem::absolute(a.dir.empty() ? "demo-data" : a.dir);
    // A folder the demo makes is private; an existing one keeps its mode.
    if (std::filesystem::create_directories(dir)) ::chmod(dir.c_str(), 0700);
    const auto cfg_path = dir / "ssogate.toml";
    if (!std::filesystem::exists(cfg_path)) std::ofstream(cfg_path) << demo_config;

    const config cfg = load_config(cfg_path);
    if (!cfg.keyring.key_file)
        throw config_error(cfg_path.string() + ": the demo needs [keyring] key_file");
    store_options o = store_options_for(cfg, "demo");
    o.create_if_missing = true;
    auto st = store::open(o);
    std::optional<keyring> ring;
    bool created = false;
    if (st->schema_version() == 0 || !st->load_sealed_keyring()) {
        if (st->schema_version() == 0) st->migrate();
        if (std::filesystem::exists(*cfg.keyring.key_file))
            throw error(errc::keyring_exists, "the demo folder " + dir.string() +
                                                  " has a key file but no keyring: remove the folder and rerun");
        create_key_file(*cfg.keyring.key_file);
        ring.emplace(keyring::generate(now_ms()));
        st->save_new_keyring(seal_keyring(*ring, unseal_key::from_key_file(*cfg.keyring.key_file)), *ring);
        populate(*st);
        created = true;
    } else {
        st->require_current_schema();
        ring.emplace(unseal_keyring(st->load_sealed_keyring()->sealed,
                                    unseal_key::from_key_file(*cfg.keyring.key_file)));
        st->attach(*ring);
    }

    std::cout << (created ? "Created" : "Reusing") << " the demo store in " << dir.string() << "\n"
              << "  config       " << cfg_path.string() << "\n"
              << "  store        " << cfg.store.url << "\n"
              << "  unseal key   " << cfg.keyring.key_file->string() << " (mode 0600)\n"
              << "  keyring      " << ring->fingerprint() << "\n\n";
    std::cout << "Applications\n";
    table apps({"  NAME", "KIND", "STATE", "DESCRIPTION"});
    for (const auto& ap : st->list_apps())
        apps.row({"  " + ap.name, std::string(to_string(ap.kind)),
                  ap.intact ? (ap.enabled ? "enabled" : "disabled") : "TAMPERED", ap.description});
    apps.print();
    std::cout << "\nMappings (credentials are encrypted; none is printed here)\n";
    table maps({"  APPLICATION", "PRINCIPAL", "HOST USER", "MAPPING", "CREDENTIAL"});
    for (const auto& ap : st->list_apps()) {
        if (ap.kind == app_kind::config) continue;
        for (const auto& m : st->list_mappings(ap.name))
            maps.row({"  " + ap.name, m.principal, m.host_user, m.enabled ? "enabled" : "disabled",
                      m.credential ? std::string(to_string(m.credential->state)) : "none"});
    }
    maps.print();
    const std::string bin = self_path();
    const std::string c = " --config " + cfg_path.string();
    std::cout << "\nTry:\n"
              << "  " << bin << c << " app list\n"
              << "  " << bin << c << " map list TSOPROD\n"
              << "  " << bin << c << " cred get TSOPROD --principal 'CORP\\alice' --reveal\n"
              << "  " << bin << c << " cred get PAYROLL --principal 'CORP\\dave' --member-of 'CORP\\MainframeUsers'\n"
              << "  " << bin << c << " cred get TSOPROD --principal 'CORP\\carol'      # disabled mapping\n"
              << "  " << bin << c << " config get LOBCONFIG\n"
              << "  " << bin << c << " secret status\n"
              << "  " << bin << c << " audit verify\n"
              << "The TN3270 gateway joins this demo as its issue lands; make demo starts the sample host.\n";
    return 0;
}

}  // namespace ssogate::gateway

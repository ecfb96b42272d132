#pragma once
// The Active Directory domain every test of identity_samba_tests shares: a real Samba AD DC
// (realm SAMBA.EXAMPLE, NetBIOS domain SAMBA), provisioned ONCE per run by
// tests/peers/samba_ad.sh inside a network namespace of its own, which then runs this binary
// with SSOGATE_SAMBA_DIR set (see that script for the users, groups and files). Run alone, the
// binary fails: there is no domain to test against, and nothing is skipped.
//
// Each test gets its own temp folder (replay cache, ccaches, config files); KRB5_CONFIG points
// at the domain's krb5.conf for the whole process (the acceptor, curl and kinit read it).
#include "process.hpp"
#include "temp_dir.hpp"

#include <ssogate/identity/identity_config.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace ssogate::test {

class samba_domain {
public:
    /// The domain of this run; throws when the binary was not started by samba_ad.sh.
    static const samba_domain& get() {
        static const samba_domain d;
        return d;
    }

    std::filesystem::path dir;
    std::map<std::string, std::string> env;  // domain.env: REALM, DOMAIN, BASE_DN, SID_<name>, timings

    [[nodiscard]] std::filesystem::path krb5_conf() const { return dir / "krb5.conf"; }
    [[nodiscard]] std::filesystem::path keytab() const { return dir / "gateway.keytab"; }
    [[nodiscard]] std::filesystem::path smb_conf() const { return dir / "dc" / "etc" / "smb.conf"; }
    /// The SID the directory holds for a user or group (sAMAccountName, non-alphanumerics as _).
    [[nodiscard]] std::string sid(const std::string& name) const {
        const auto it = env.find("SID_" + name);
        if (it == env.end()) throw std::runtime_error("domain.env has no SID_" + name);
        return it->second;
    }

    /// `samba-tool ARGS -s smb.conf` (user disable, ...); throws with its output on failure.
    void samba_tool(std::vector<std::string> args) const {
        std::vector<std::string> argv{"/usr/bin/samba-tool"};
        for (auto& a : args) argv.push_back(std::move(a));
        argv.push_back("-s");
        argv.push_back(smb_conf().string());
        const auto r = run(argv, {}, 60);
        if (r.exit_code != 0) throw std::runtime_error("samba-tool failed: " + r.out + r.err);
    }

    /// kinit USER into `ccache` with the password on stdin.
    [[nodiscard]] run_result kinit(const std::string& user, const std::string& password,
                                   const std::filesystem::path& ccache) const {
        return run({"/usr/bin/env", "KRB5_CONFIG=" + krb5_conf().string(), "KRB5CCNAME=FILE:" + ccache.string(),
                    "/usr/bin/kinit", user},
                   password + "\n", 30);
    }

private:
    samba_domain() {
        const char* d = std::getenv("SSOGATE_SAMBA_DIR");
        if (d == nullptr || *d == '\0')
            throw std::runtime_error(
                "SSOGATE_SAMBA_DIR is not set: run this suite through tests/peers/samba_ad.sh run "
                "<binary> (ctest -R identity_samba), which provisions a Samba AD DC in a network namespace");
        dir = d;
        std::ifstream in(dir / "domain.env");
        if (!in) throw std::runtime_error("cannot read " + (dir / "domain.env").string());
        for (std::string line; std::getline(in, line);)
            if (const auto eq = line.find('='); eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
        ::setenv("KRB5_CONFIG", krb5_conf().c_str(), 1);
    }
};

/// Per test: the shared domain, a temp folder, and the gateway's TOML for this domain.
class samba_test : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("KRB5CCNAME", ("FILE:" + (tmp / "client.ccache").string()).c_str(), 1);
        ::setenv("KRB5RCACHEDIR", tmp.path().c_str(), 1);
    }

    /// [identity] for SAMBA.EXAMPLE with the gateway's keytab; `keys` go into [identity],
    /// `tables` after [identity.domains].
    [[nodiscard]] std::string toml(const std::string& keys = "", const std::string& tables = "") const {
        return "[identity]\ndefault_domain = \"SAMBA\"\n"
               "keytab = \"" + domain.keytab().string() + "\"\n"
               "krb5_conf = \"" + domain.krb5_conf().string() + "\"\n"
               "replay_cache = \"" + (tmp / "gateway.rcache").string() + "\"\n" + keys +
               "\n[identity.domains]\nSAMBA = \"SAMBA.EXAMPLE\"\n" + tables;
    }
    [[nodiscard]] identity::identity_config config(const std::string& keys = "", const std::string& tables = "") const {
        return identity::parse_identity_config(toml(keys, tables), tmp / "ssogate.toml");
    }
    [[nodiscard]] std::filesystem::path write_config(const std::string& keys = "", const std::string& tables = "") const {
        const auto p = tmp / "ssogate.toml";
        write_file(p, toml(keys, tables));
        return p;
    }

    const samba_domain& domain = samba_domain::get();
    temp_dir tmp;
};

}  // namespace ssogate::test

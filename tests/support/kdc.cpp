#include "kdc.hpp"
#include "service.hpp"
#include "temp_dir.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ssogate::test {
namespace {

const char* const kdb5_util = "/usr/sbin/kdb5_util";
const char* const kadmin_local = "/usr/sbin/kadmin.local";
const char* const krb5kdc = "/usr/sbin/krb5kdc";
const char* const kinit_bin = "/usr/bin/kinit";

}  // namespace

void mit_kdc::require_tools() {
    for (const char* t : {kdb5_util, kadmin_local, krb5kdc, kinit_bin})
        if (::access(t, X_OK) != 0)
            throw std::runtime_error(std::string(t) +
                                     " not found: the Kerberos tests need a real MIT KDC; as root run "
                                     "apt-get install krb5-kdc krb5-admin-server krb5-user");
}

mit_kdc::mit_kdc(std::filesystem::path dir, std::string realm) : dir_(std::move(dir)), realm_(std::move(realm)) {
    require_tools();
    std::filesystem::create_directories(dir_);
    port_ = free_port();
    write_config();
    const auto r = tool({kdb5_util, "create", "-s", "-r", realm_, "-P", "MasterPw!1"});
    if (r.exit_code != 0) throw std::runtime_error("kdb5_util create failed: " + r.out + r.err);
}

mit_kdc::~mit_kdc() { stop(); }

void mit_kdc::write_config() {
    const std::string d = dir_.string();
    const std::string p = std::to_string(port_);
    std::ofstream(dir_ / "krb5.conf", std::ios::trunc)
        << "[libdefaults]\n"
           "    default_realm = " << realm_ << "\n"
           "    dns_lookup_realm = false\n"
           "    dns_lookup_kdc = false\n"
           "    dns_canonicalize_hostname = false\n"
           "    rdns = false\n"
           "    udp_preference_limit = 1\n"
           "    ticket_lifetime = 1h\n"
           "[realms]\n"
           "    " << realm_ << " = {\n"
           "        kdc = 127.0.0.1:" << p << "\n"
           "    }\n"
           "[domain_realm]\n"
           "    localhost = " << realm_ << "\n";
    std::ofstream(dir_ / "kdc.conf", std::ios::trunc)
        << "[kdcdefaults]\n"
           "    kdc_listen = 127.0.0.1:" << p << "\n"
           "    kdc_tcp_listen = 127.0.0.1:" << p << "\n"
           "[realms]\n"
           "    " << realm_ << " = {\n"
           "        database_name = " << d << "/principal\n"
           "        key_stash_file = " << d << "/stash\n"
           "        acl_file = " << d << "/kadm5.acl\n"
           "        max_life = 10h 0m 0s\n"
           "        default_principal_flags = +preauth\n"
           "        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal\n"
           "    }\n"
           "[logging]\n"
           "    kdc = FILE:" << d << "/kdc.log\n"
           "    default = FILE:" << d << "/krb5lib.log\n";
    std::ofstream(dir_ / "kadm5.acl", std::ios::trunc) << "*/admin@" << realm_ << " *\n";
}

std::vector<std::string> mit_kdc::env() const {
    return {"KRB5_CONFIG=" + krb5_conf().string(), "KRB5_KDC_PROFILE=" + kdc_conf().string()};
}

run_result mit_kdc::tool(std::vector<std::string> argv, const std::string& input) const {
    std::vector<std::string> full{"/usr/bin/env"};
    for (auto& e : env()) full.push_back(e);
    for (auto& a : argv) full.push_back(std::move(a));
    return run(full, input, 60);
}

std::string mit_kdc::kadmin(const std::string& query) {
    const auto r = tool({kadmin_local, "-r", realm_, "-q", query});
    // kadmin.local exits 0 even when the query fails; its errors go to stderr
    const bool failed = r.exit_code != 0 || r.err.find("usage:") != std::string::npos ||
                        r.err.find(" while ") != std::string::npos ||
                        r.err.find("Unknown request") != std::string::npos;
    if (failed) throw std::runtime_error("kadmin.local -q '" + query + "' failed: " + r.out + r.err);
    return r.out;
}

void mit_kdc::add_user(const std::string& name, const std::string& password, const std::string& options) {
    kadmin("addprinc -pw " + password + (options.empty() ? "" : " " + options) + " " + name);
}

std::filesystem::path mit_kdc::add_service(const std::string& principal, const std::filesystem::path& keytab) {
    const auto path = keytab.is_absolute() ? keytab : dir_ / keytab;
    kadmin("addprinc -randkey " + principal);
    kadmin("ktadd -k " + path.string() + " " + principal);
    return path;
}

void mit_kdc::start() {
    stop();
    std::string why;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (attempt > 0) {
            port_ = free_port();
            write_config();
        }
        std::vector<std::string> argv{"/usr/bin/env"};
        for (auto& e : env()) argv.push_back(e);
        argv.insert(argv.end(), {krb5kdc, "-n", "-r", realm_, "-P", (dir_ / "kdc.pid").string()});
        kdc_ = std::make_unique<service>(argv, dir_ / "krb5kdc.out");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            if (!kdc_->running()) break;
            if (port_accepts(port_)) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        why = kdc_->log() + read_file(dir_ / "kdc.log");
        kdc_->stop();
        kdc_.reset();
    }
    throw std::runtime_error("krb5kdc did not start on 127.0.0.1: " + why);
}

void mit_kdc::stop() {
    if (kdc_) {
        kdc_->stop();  // SIGTERM to the PID we started, SIGKILL after the grace period
        kdc_.reset();
    }
}

bool mit_kdc::running() { return kdc_ && kdc_->running(); }

std::string mit_kdc::log() const { return read_file(dir_ / "kdc.log"); }

run_result mit_kdc::kinit(const std::string& user, const std::string& password,
                          const std::filesystem::path& ccache) const {
    std::vector<std::string> argv{"/usr/bin/env"};
    for (auto& e : env()) argv.push_back(e);
    argv.insert(argv.end(), {"KRB5CCNAME=FILE:" + ccache.string(), kinit_bin, user + "@" + realm_});
    return run(argv, password + "\n", 30);
}

}  // namespace ssogate::test

#include "slapd.hpp"
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

const char* const slapd_bin = "/usr/sbin/slapd";
const char* const slaptest_bin = "/usr/sbin/slaptest";
const char* const slappasswd_bin = "/usr/sbin/slappasswd";
const char* const ldapadd_bin = "/usr/bin/ldapadd";
const char* const ldapmodify_bin = "/usr/bin/ldapmodify";

}  // namespace

void slapd::require_tools() {
    for (const char* t : {slapd_bin, slaptest_bin, slappasswd_bin})
        if (::access(t, X_OK) != 0)
            throw std::runtime_error(std::string(t) +
                                     " not found: the directory tests need a real OpenLDAP server; as root run "
                                     "apt-get install slapd ldap-utils");
    for (const char* t : {ldapadd_bin, ldapmodify_bin})
        if (::access(t, X_OK) != 0)
            throw std::runtime_error(std::string(t) + " not found: as root run apt-get install ldap-utils");
}

slapd::slapd(std::filesystem::path dir, slapd_options options) : dir_(std::move(dir)), options_(std::move(options)) {
    require_tools();
    std::filesystem::create_directories(dir_ / "db");
    port_ = free_port();
    if (!options_.pki.empty()) ldaps_port_ = free_port();
    write_config();
    const auto r = run({slaptest_bin, "-u", "-f", (dir_ / "slapd.conf").string()}, {}, 30);
    if (r.exit_code != 0) throw std::runtime_error("slaptest refused slapd.conf: " + r.out + r.err);
}

slapd::~slapd() { stop(); }

void slapd::write_config() {
    const auto hash = run({slappasswd_bin, "-s", options_.admin_password}, {}, 30);
    if (hash.exit_code != 0) throw std::runtime_error("slappasswd failed: " + hash.err);
    std::string rootpw = hash.out;
    while (!rootpw.empty() && (rootpw.back() == '\n' || rootpw.back() == '\r')) rootpw.pop_back();
    const std::string d = dir_.string();
    std::ofstream conf(dir_ / "slapd.conf", std::ios::trunc);
    conf << "include /etc/ldap/schema/core.schema\n"
            "include /etc/ldap/schema/cosine.schema\n"
            "include /etc/ldap/schema/inetorgperson.schema\n"
            "include /etc/ldap/schema/nis.schema\n"
            "modulepath /usr/lib/ldap\n"
            "moduleload back_mdb\n"
            "moduleload memberof\n"
            "moduleload refint\n"
            "moduleload ppolicy\n"
            "pidfile " << d << "/slapd.pid\n"
            "argsfile " << d << "/slapd.args\n";
    if (!options_.keytab.empty())
        conf << "sasl-host localhost\n"
                "sasl-realm " << options_.sasl_realm << "\n";
    if (!options_.pki.empty())
        conf << "TLSCACertificateFile " << (options_.pki / "ca.pem").string() << "\n"
                "TLSCertificateFile " << (options_.pki / "server.pem").string() << "\n"
                "TLSCertificateKeyFile " << (options_.pki / "server.key").string() << "\n";
    conf << "database mdb\n"
            "maxsize 104857600\n"
            "suffix \"" << options_.suffix << "\"\n"
            "rootdn \"" << admin_dn() << "\"\n"
            "rootpw " << rootpw << "\n"
            "directory " << d << "/db\n"
            "index objectClass,uid,cn,member,memberOf eq\n"
            "overlay memberof\n"
            "memberof-group-oc groupOfNames\n"
            "memberof-member-ad member\n"
            "memberof-memberof-ad memberOf\n"
            "memberof-refint TRUE\n"
            "overlay refint\n"
            "refint_attributes member\n"
            "overlay ppolicy\n"
            "access to attrs=userPassword by self write by anonymous auth by * none\n"
            "access to * by users read by * none\n";
}

std::string slapd::url() const { return "ldap://127.0.0.1:" + std::to_string(port_); }
std::string slapd::localhost_url() const { return "ldap://localhost:" + std::to_string(port_); }
std::string slapd::ldaps_url() const { return "ldaps://127.0.0.1:" + std::to_string(ldaps_port_); }
std::string slapd::log() const { return read_file(dir_ / "slapd.log"); }

void slapd::start() {
    stop();
    std::string why;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (attempt > 0) {
            port_ = free_port();
            if (!options_.pki.empty()) ldaps_port_ = free_port();
        }
        std::string listen = url() + "/";
        if (!options_.pki.empty()) listen += " " + ldaps_url() + "/";
        std::vector<std::string> argv{"/usr/bin/env"};
        if (!options_.keytab.empty()) argv.push_back("KRB5_KTNAME=FILE:" + options_.keytab.string());
        if (!options_.krb5_conf.empty()) argv.push_back("KRB5_CONFIG=" + options_.krb5_conf.string());
        argv.insert(argv.end(), {slapd_bin, "-f", (dir_ / "slapd.conf").string(), "-h", listen, "-d", "0"});
        slapd_ = std::make_unique<service>(argv, dir_ / "slapd.log");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < deadline) {
            if (!slapd_->running()) break;
            if (port_accepts(port_) && (ldaps_port_ == 0 || port_accepts(ldaps_port_))) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        why = slapd_->log();
        slapd_->stop();
        slapd_.reset();
    }
    throw std::runtime_error("slapd did not start on 127.0.0.1: " + why);
}

void slapd::stop() {
    if (slapd_) {
        slapd_->stop();
        slapd_.reset();
    }
}

bool slapd::running() { return slapd_ && slapd_->running(); }

void slapd::ldap_tool(const char* tool, const std::string& ldif) {
    const auto r = run({tool, "-x", "-H", url(), "-D", admin_dn(), "-w", options_.admin_password}, ldif, 30);
    if (r.exit_code != 0) throw std::runtime_error(std::string(tool) + " failed: " + r.out + r.err);
}

void slapd::add(const std::string& ldif) { ldap_tool(ldapadd_bin, ldif); }
void slapd::modify(const std::string& ldif) { ldap_tool(ldapmodify_bin, ldif); }

}  // namespace ssogate::test

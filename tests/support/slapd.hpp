#pragma once
// A throw-away OpenLDAP directory for integration tests: slapd.conf (back_mdb, the memberof
// overlay so groups show up in memberOf, refint, ppolicy for pwdAccountLockedTime) in a folder
// of the test's own, /usr/sbin/slapd in the foreground on 127.0.0.1 at ports chosen at run time
// (ldap:// and, with a PKI, ldaps://), entries loaded with ldapadd as the rootdn, stopped by PID.
//
// SASL/GSSAPI: with a keytab holding ldap/localhost@REALM, slapd accepts GSSAPI binds to
// ldap://localhost:PORT (sasl-host localhost); the bound identity is
// uid=<principal>,cn=<realm>,cn=gssapi,cn=auth, which may read everything (access to * by * read).
//
// Needs the Debian packages slapd and ldap-utils (ldapadd); libsasl2-modules-gssapi-mit for GSSAPI.
// A missing tool is an error with the apt-get line in it, never a skipped test.
#include "process.hpp"
#include "service.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ssogate::test {

struct slapd_options {
    std::string suffix = "dc=corp,dc=example";
    std::string admin_password = "AdminPw1!";
    /// ldap/localhost keys for SASL/GSSAPI (empty: no GSSAPI), and the realm's krb5.conf.
    std::filesystem::path keytab;
    std::filesystem::path krb5_conf;
    std::string sasl_realm;
    /// A folder made by make_pki (ca.pem, server.pem, server.key): StartTLS and ldaps:// on.
    std::filesystem::path pki;
};

class slapd {
public:
    /// Writes slapd.conf under `dir` and checks it with slaptest. Not started yet.
    slapd(std::filesystem::path dir, slapd_options options = {});
    ~slapd();
    slapd(const slapd&) = delete;
    slapd& operator=(const slapd&) = delete;

    /// Starts slapd and waits until it accepts connections (a port taken meanwhile: new ports).
    void start();
    /// SIGTERM to its PID, SIGKILL after a grace period. Idempotent. The database stays.
    void stop();
    [[nodiscard]] bool running();

    /// ldapadd / ldapmodify as the rootdn over ldap://; throws with the tool's output on failure.
    void add(const std::string& ldif);
    void modify(const std::string& ldif);

    [[nodiscard]] int port() const noexcept { return port_; }
    [[nodiscard]] int ldaps_port() const noexcept { return ldaps_port_; }
    /// ldap://127.0.0.1:PORT
    [[nodiscard]] std::string url() const;
    /// ldap://localhost:PORT (the name GSSAPI binds need: the service is ldap/localhost)
    [[nodiscard]] std::string localhost_url() const;
    /// ldaps://127.0.0.1:PORT (with a PKI)
    [[nodiscard]] std::string ldaps_url() const;
    [[nodiscard]] std::string admin_dn() const { return "cn=admin," + options_.suffix; }
    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
    [[nodiscard]] std::string log() const;

    static void require_tools();

private:
    void write_config();
    void ldap_tool(const char* tool, const std::string& ldif);

    std::filesystem::path dir_;
    slapd_options options_;
    int port_ = 0;
    int ldaps_port_ = 0;
    std::unique_ptr<service> slapd_;
};

}  // namespace ssogate::test

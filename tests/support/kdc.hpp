#pragma once
// A throw-away MIT Kerberos realm for integration tests: krb5.conf and kdc.conf in a folder of
// the test's own, a database made with kdb5_util, principals added with kadmin.local, and
// krb5kdc on 127.0.0.1 at a port chosen at run time, stopped by its PID.
//
// Needs the Debian packages krb5-kdc, krb5-admin-server (kadmin.local) and krb5-user (kinit).
// A missing tool is an error with the apt-get line in it, never a skipped test.
#include "process.hpp"
#include "service.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ssogate::test {

class mit_kdc {
public:
    /// Writes the configuration under `dir` and creates the realm's database. Not started yet.
    explicit mit_kdc(std::filesystem::path dir, std::string realm = "CORP.EXAMPLE");
    ~mit_kdc();
    mit_kdc(const mit_kdc&) = delete;
    mit_kdc& operator=(const mit_kdc&) = delete;

    /// `kadmin.local -q QUERY`; throws with kadmin's output when it fails.
    std::string kadmin(const std::string& query);
    /// addprinc -pw PASSWORD [options] NAME
    void add_user(const std::string& name, const std::string& password, const std::string& options = "");
    /// addprinc -randkey PRINCIPAL, then ktadd it into `keytab` (relative: under dir()).
    std::filesystem::path add_service(const std::string& principal, const std::filesystem::path& keytab);

    /// Starts krb5kdc in the foreground (-n) and waits until it accepts TCP connections. If the
    /// port was taken meanwhile, picks another one (and rewrites krb5.conf) and tries again.
    void start();
    /// SIGTERM to its PID, SIGKILL after a grace period. Idempotent.
    void stop();
    [[nodiscard]] bool running();

    [[nodiscard]] int port() const noexcept { return port_; }
    [[nodiscard]] const std::string& realm() const noexcept { return realm_; }
    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
    [[nodiscard]] std::filesystem::path krb5_conf() const { return dir_ / "krb5.conf"; }
    [[nodiscard]] std::filesystem::path kdc_conf() const { return dir_ / "kdc.conf"; }
    /// The KDC's own log (kdc.log).
    [[nodiscard]] std::string log() const;
    /// "KRB5_CONFIG=..." and "KRB5_KDC_PROFILE=..." for child processes.
    [[nodiscard]] std::vector<std::string> env() const;

    /// kinit USER with PASSWORD on stdin into `ccache` (FILE: path), with this realm's krb5.conf.
    run_result kinit(const std::string& user, const std::string& password,
                     const std::filesystem::path& ccache) const;

    /// Where the MIT tools live; throws std::runtime_error naming the packages when missing.
    static void require_tools();

private:
    void write_config();
    run_result tool(std::vector<std::string> argv, const std::string& input = {}) const;

    std::filesystem::path dir_;
    std::string realm_;
    int port_ = 0;
    std::unique_ptr<service> kdc_;
};

}  // namespace ssogate::test

#pragma once
// The realm every Kerberos integration test starts: CORP.EXAMPLE on a real MIT KDC
// (tests/support/kdc.hpp) in the test's own temp folder, with
//   alice / AlicePw1!   a plain user
//   bob   / BobPw1!     password expired (modprinc -pwexpire in the past)
//   carol / CarolPw1!   disabled (modprinc -allow_tix)
//   dave  / DavePw1!    policy "lockout": the KDC locks him after 3 failures
//   erin  / ErinPw1!    password expires on 2031-01-01
//   HTTP/localhost      the gateway's service key, in http.keytab
// KRB5_CONFIG and KRB5CCNAME are set for this process (acceptor, kinit, curl).
#include "kdc.hpp"
#include "temp_dir.hpp"

#include <ssogate/identity/identity_config.hpp>

#include <cstdlib>
#include <string>

namespace ssogate::test {

struct corp_realm {
    temp_dir tmp;
    mit_kdc kdc{tmp / "kdc"};
    std::filesystem::path keytab;

    corp_realm() {
        kdc.add_user("alice", "AlicePw1!");
        kdc.add_user("bob", "BobPw1!");
        kdc.kadmin("modprinc -pwexpire \"2000-01-01 00:00:00 UTC\" bob");
        kdc.add_user("carol", "CarolPw1!");
        kdc.kadmin("modprinc -allow_tix carol");
        kdc.kadmin("addpol -maxfailure 3 -failurecountinterval 0 -lockoutduration 0 lockout");
        kdc.add_user("dave", "DavePw1!", "-policy lockout");
        kdc.add_user("erin", "ErinPw1!");
        kdc.kadmin("modprinc -pwexpire \"2031-01-01 00:00:00 UTC\" erin");
        keytab = kdc.add_service("HTTP/localhost", "http.keytab");
        kdc.start();
        ::setenv("KRB5_CONFIG", kdc.krb5_conf().c_str(), 1);
        ::setenv("KRB5CCNAME", ("FILE:" + (tmp / "client.ccache").string()).c_str(), 1);
        ::setenv("KRB5RCACHEDIR", tmp.path().c_str(), 1);
    }

    /// The gateway's TOML: [identity] with this realm's keytab, krb5.conf and a replay cache.
    /// `keys` go into [identity]; `tables` after [identity.domains].
    [[nodiscard]] std::string toml(const std::string& keys = "", const std::string& tables = "") const {
        return "[store]\nurl = \"sqlite:store.db\"\n\n[identity]\ndefault_domain = \"CORP\"\n"
               "keytab = \"" + keytab.string() + "\"\n"
               "krb5_conf = \"" + kdc.krb5_conf().string() + "\"\n"
               "replay_cache = \"" + (tmp / "gateway.rcache").string() + "\"\n" + keys +
               "\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n" + tables;
    }
    [[nodiscard]] identity::identity_config config(const std::string& keys = "", const std::string& tables = "") const {
        return identity::parse_identity_config(toml(keys, tables), tmp / "ssogate.toml");
    }
    [[nodiscard]] std::filesystem::path write_config(const std::string& keys = "", const std::string& tables = "") const {
        const auto p = tmp / "ssogate.toml";
        write_file(p, toml(keys, tables));
        return p;
    }
};

}  // namespace ssogate::test

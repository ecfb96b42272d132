#pragma once
// CORP.EXAMPLE with its directory: the MIT KDC of corp_realm.hpp plus a real OpenLDAP slapd
// (tests/support/slapd.hpp) that accepts SASL/GSSAPI binds with ldap/localhost's key, StartTLS and
// ldaps:// with a test CA (make_pki), and holds:
//
//   uid=alice         mainframe-users, as400-users; nested: host-operators (holds
//                     mainframe-users), all-staff (holds host-operators)
//   uid=bob           as400-users, cycle-a; cycle-a and cycle-b hold each other (a cycle)
//   uid=eve*(admin)   a name full of filter metacharacters; mainframe-users (and what it nests in)
//   uid=heidi         pwdAccountLockedTime 000001010000Z: disabled by an administrator
//   uid=grace         pwdAccountLockedTime 20260101000000Z: locked out
//   uid=frank         shadowExpire 1: expired in 1970
//   cn=ssogate,ou=services   the service account for simple binds (SvcPw1!)
// In the KDC too (passwords NamePw1!): heidi, grace, frank (alice and bob come from corp_realm).
// The gateway's key HTTP/localhost binds with GSSAPI (its keytab is the acceptor's keytab).
#include "corp_realm.hpp"
#include "slapd.hpp"

#include <ssogate/identity/ldap_codec.hpp>

#include <memory>

namespace ssogate::test {

struct corp_directory {
    corp_realm realm;
    std::filesystem::path pki = realm.tmp / "pki";
    std::filesystem::path ldap_keytab;
    std::unique_ptr<slapd> server;
    std::filesystem::path service_password = realm.tmp / "ldap.password";

    corp_directory() {
        std::filesystem::create_directories(pki);
        make_pki(pki, {});
        ldap_keytab = realm.kdc.add_service("ldap/localhost", "ldap.keytab");
        for (const char* u : {"heidi", "grace", "frank"}) {
            std::string name = u;
            name[0] = static_cast<char>(name[0] - 32);
            realm.kdc.add_user(u, name + "Pw1!");
        }
        slapd_options o;
        o.keytab = ldap_keytab;
        o.krb5_conf = realm.kdc.krb5_conf();
        o.sasl_realm = realm.kdc.realm();
        o.pki = pki;
        server = std::make_unique<slapd>(realm.tmp / "slapd", o);
        server->start();
        server->add(ldif());
        server->modify(
            "dn: cn=cycle-a,ou=groups,dc=corp,dc=example\nchangetype: modify\nadd: member\n"
            "member: cn=cycle-b,ou=groups,dc=corp,dc=example\n\n"
            "dn: uid=heidi,ou=people,dc=corp,dc=example\nchangetype: modify\nadd: pwdAccountLockedTime\n"
            "pwdAccountLockedTime: 000001010000Z\n\n"
            "dn: uid=grace,ou=people,dc=corp,dc=example\nchangetype: modify\nadd: pwdAccountLockedTime\n"
            "pwdAccountLockedTime: 20260101000000Z\n");
        write_file(service_password, "SvcPw1!\n");
    }

    static std::string person(const std::string& uid) {
        return "dn: uid=" + identity::ldap_codec::escape_dn_value(uid) +
               ",ou=people,dc=corp,dc=example\nobjectClass: inetOrgPerson\nuid: " + uid + "\ncn: " + uid +
               "\nsn: Example\n";
    }
    static std::string group(const std::string& cn, const std::vector<std::string>& members) {
        std::string s = "dn: cn=" + cn + ",ou=groups,dc=corp,dc=example\nobjectClass: groupOfNames\ncn: " + cn + "\n";
        for (const auto& m : members) s += "member: " + m + "\n";
        return s;
    }
    static std::string ldif() {
        const std::string people = ",ou=people,dc=corp,dc=example", groups = ",ou=groups,dc=corp,dc=example";
        return "dn: dc=corp,dc=example\nobjectClass: dcObject\nobjectClass: organization\no: Corp\ndc: corp\n\n"
               "dn: ou=people,dc=corp,dc=example\nobjectClass: organizationalUnit\nou: people\n\n"
               "dn: ou=groups,dc=corp,dc=example\nobjectClass: organizationalUnit\nou: groups\n\n"
               "dn: ou=services,dc=corp,dc=example\nobjectClass: organizationalUnit\nou: services\n\n"
               "dn: cn=ssogate,ou=services,dc=corp,dc=example\nobjectClass: organizationalRole\n"
               "objectClass: simpleSecurityObject\ncn: ssogate\nuserPassword: SvcPw1!\n\n" +
               person("alice") + "\n" + person("bob") + "\n" + person("eve*(admin)") + "\n" + person("heidi") +
               "\n" + person("grace") + "\n" + person("frank") +
               "objectClass: shadowAccount\nshadowExpire: 1\n\n" +
               group("mainframe-users", {"uid=alice" + people, "uid=eve*(admin)" + people}) + "\n" +
               group("as400-users", {"uid=alice" + people, "uid=bob" + people}) + "\n" +
               group("host-operators", {"cn=mainframe-users" + groups}) + "\n" +
               group("all-staff", {"cn=host-operators" + groups}) + "\n" + group("cycle-a", {"uid=bob" + people}) +
               "\n" + group("cycle-b", {"cn=cycle-a" + groups}) + "\n";
    }

    /// [identity.ldap] with a GSSAPI bind over ldap://localhost, plus `extra` lines.
    [[nodiscard]] std::string gssapi_section(const std::string& extra = "") const {
        return "\n[identity.ldap]\nurl = \"" + server->localhost_url() +
               "\"\nflavour = \"ldap\"\nbase_dn = \"dc=corp,dc=example\"\nbind = \"gssapi\"\n"
               "bind_principal = \"HTTP/localhost@CORP.EXAMPLE\"\n" + extra;
    }
    /// [identity.ldap] with a simple bind as the service account, plus `extra` lines.
    [[nodiscard]] std::string simple_section(const std::string& url, const std::string& extra = "") const {
        return "\n[identity.ldap]\nurl = \"" + url +
               "\"\nflavour = \"ldap\"\nbase_dn = \"dc=corp,dc=example\"\nbind = \"simple\"\n"
               "bind_dn = \"cn=ssogate,ou=services,dc=corp,dc=example\"\nbind_password_file = \"" +
               service_password.string() + "\"\n" + extra;
    }
    [[nodiscard]] identity::identity_config config(const std::string& section) const {
        return realm.config("", section);
    }
};

}  // namespace ssogate::test

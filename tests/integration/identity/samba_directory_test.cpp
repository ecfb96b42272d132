// The directory of a real Active Directory (Samba AD DC) with the `ad` flavour: tokenGroups
// (nested groups) resolved to names, objectSid, userAccountControl on the Negotiate path, a name
// with filter metacharacters; and `ssogate identity check` answering for SAMBA\alice.
#include "check_runner.hpp"
#include "negotiate_http_server.hpp"
#include "samba_domain.hpp"

#include <ssogate/identity/check_command.hpp>
#include <ssogate/identity/directory.hpp>
#include <ssogate/identity/kerberos_authenticator.hpp>
#include <ssogate/identity/ldap_directory.hpp>
#include <ssogate/identity/negotiate_acceptor.hpp>
#include <ssogate/identity/negotiate_header.hpp>
#include <ssogate/identity/pac.hpp>

#include <gssapi/gssapi.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <sstream>

using namespace ssogate;
using namespace ssogate::identity;

namespace {

errc code_of(const outcome& o) { return static_cast<errc>(o.code().value()); }

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::vector<std::string> names_of(const std::vector<group>& groups, const credstore::realm_map& realms) {
    std::vector<std::string> out;
    for (const auto& g : groups) out.push_back(g.principal.display(realms));
    return out;
}

std::vector<std::string> sids_of(const std::vector<group>& groups) {
    std::vector<std::string> out;
    for (const auto& g : groups)
        if (g.sid) out.push_back(*g.sid);
    return out;
}

class SambaDirectory : public test::samba_test {
protected:
    /// [identity.ldap] for the domain: a simple bind as the service account (password file),
    /// or SASL/GSSAPI with its key from the keytab (ldap://localhost: the ldap/localhost SPN).
    [[nodiscard]] std::string ldap(const std::string& bind = "simple") const {
        std::string t = "[identity.ldap]\nflavour = \"ad\"\nbase_dn = \"DC=samba,DC=example\"\n";
        if (bind == "simple")
            return t + "url = \"ldap://127.0.0.1\"\nbind = \"simple\"\nbind_dn = \"ssogatesvc@samba.example\"\n"
                       "bind_password_file = \"" + (domain.dir / "gateway.password").string() + "\"\n";
        return t + "url = \"ldap://localhost\"\nbind = \"gssapi\"\n";
    }

    void kinit(const std::string& user, const std::string& password) {
        const auto r = domain.kinit(user, password, tmp / "client.ccache");
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }

    /// A raw Kerberos AP-REQ for HTTP@localhost from the ccache in KRB5CCNAME.
    static std::string client_token() {
        OM_uint32 minor = 0;
        std::string service = "HTTP@localhost";
        gss_buffer_desc name_buf{service.size(), service.data()};
        gss_name_t target = GSS_C_NO_NAME;
        gss_import_name(&minor, &name_buf, GSS_C_NT_HOSTBASED_SERVICE, &target);
        gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
        gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
        EXPECT_FALSE(GSS_ERROR(gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx, target, GSS_C_NO_OID, 0, 0,
                                                    GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, nullptr, &out,
                                                    nullptr, nullptr)));
        std::string token = base64_encode({static_cast<const std::uint8_t*>(out.value), out.length});
        gss_release_buffer(&minor, &out);
        gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
        gss_release_name(&minor, &target);
        return token;
    }

    test::run_result curl(int port) const {
        const std::string p = std::to_string(port);
        return test::run({"/usr/bin/curl", "-sS", "--negotiate", "-u", ":", "--resolve", "localhost:" + p + ":127.0.0.1",
                          "-D", "-", "http://localhost:" + p + "/"});
    }

    static test::check_result check(const check_args& a, const std::string& input) { return test::run_check(a, input); }
};

}  // namespace

TEST_F(SambaDirectory, TokenGroupsGiveTheNestedGroupsByName) {
    for (const std::string bind : {"simple", "gssapi"}) {
        const auto cfg = config("", ldap(bind));
        const auto dir = make_directory(cfg);
        ASSERT_TRUE(dir);
        const auto a = dir->lookup(*credstore::principal::parse("SAMBA\\alice", cfg.realms));
        ASSERT_TRUE(a) << bind << ": " << a.message;
        EXPECT_EQ(a.entry->sid, domain.sid("alice")) << bind;
        EXPECT_EQ(a.entry->account, account_state::enabled) << bind;
        const auto names = names_of(a.entry->groups, cfg.realms);
        EXPECT_TRUE(has(names, "SAMBA\\MainframeUsers")) << bind;
        EXPECT_TRUE(has(names, "SAMBA\\AS400Users")) << bind;
        EXPECT_TRUE(has(names, "SAMBA\\GatewayAdmins")) << bind;  // through MainframeUsers
        EXPECT_TRUE(has(names, "SAMBA\\Domain Users")) << bind;
        EXPECT_FALSE(has(names, "SAMBA\\Domain Admins")) << bind;
        EXPECT_TRUE(has(sids_of(a.entry->groups), domain.sid("GatewayAdmins"))) << bind;
    }
}

TEST_F(SambaDirectory, ThePacAndTokenGroupsAgree) {
    kinit("alice", "AlicePw1!x");
    const auto cfg = config("", ldap());
    negotiate_acceptor acceptor(cfg);
    std::vector<std::string> pac_sids;
    acceptor.use_pac_groups(
        [&](const credstore::principal&, const std::vector<std::string>& sids) -> std::optional<std::vector<group>> {
            pac_sids = sids;
            return std::vector<group>{};
        },
        std::chrono::seconds(300));
    ASSERT_TRUE(acceptor.accept("Negotiate " + client_token()));

    const auto dir = make_directory(cfg);
    const auto a = dir->lookup(*credstore::principal::parse("SAMBA\\alice", cfg.realms));
    ASSERT_TRUE(a) << a.message;
    // every domain group of the PAC is a tokenGroups group the directory named, and back
    const std::string domain_prefix = domain.env.at("SID_DOMAIN") + "-";
    std::vector<std::string> pac_domain;
    for (const auto& s : pac_sids)
        if (s.rfind(domain_prefix, 0) == 0) pac_domain.push_back(s);
    auto dir_sids = sids_of(a.entry->groups);
    std::sort(pac_domain.begin(), pac_domain.end());
    std::sort(dir_sids.begin(), dir_sids.end());
    EXPECT_EQ(pac_domain, dir_sids);
}

TEST_F(SambaDirectory, IdentityCheckAnswersForAlice) {
    const auto cfg = write_config("", ldap());
    const auto r = check({cfg.string(), "SAMBA\\alice", true, false}, "AlicePw1!x\n");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("principal  SAMBA\\alice\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("kerberos   alice@SAMBA.EXAMPLE\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("sid        " + domain.sid("alice") + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("SAMBA\\GatewayAdmins"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("SAMBA\\MainframeUsers"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("AlicePw1"), std::string::npos);

    const auto j = check({cfg.string(), "alice@SAMBA.EXAMPLE", true, true}, "AlicePw1!x\n");
    ASSERT_EQ(j.code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["principal"], "SAMBA\\alice");
    EXPECT_EQ(doc["sid"], domain.sid("alice"));
    EXPECT_EQ(doc["state"], "active");
    std::vector<std::string> names;
    for (const auto& g : doc["groups"]) names.push_back(g["name"]);
    EXPECT_TRUE(has(names, "SAMBA\\GatewayAdmins")) << j.out;

    const auto wrong = check({cfg.string(), "SAMBA\\alice", true, false}, "nope\n");
    EXPECT_EQ(wrong.code, 1);
    EXPECT_EQ(wrong.err, "ssogate: wrong password for SAMBA\\alice\n");
}

TEST_F(SambaDirectory, ANameWithFilterMetacharactersIsFoundAndNeverMatchesAsAPattern) {
    const auto cfg = config("", ldap());
    const auto dir = make_directory(cfg);
    const auto found = dir->lookup(*credstore::principal::parse("SAMBA\\o(ne)&il", cfg.realms));
    ASSERT_TRUE(found) << found.message;
    EXPECT_EQ(found.entry->sid, domain.sid("o_ne__il"));
    for (const char* pattern : {"SAMBA\\o(ne)*", "SAMBA\\*", "SAMBA\\alice)(sAMAccountName=*"}) {
        const auto p = credstore::principal::parse(pattern, cfg.realms);
        if (!p) continue;  // the name rules refuse it before any filter is built
        const auto a = dir->lookup(*p);
        EXPECT_FALSE(a) << pattern;
        EXPECT_EQ(a.code, errc::not_in_directory) << pattern << ": " << a.message;
    }
}

TEST_F(SambaDirectory, NegotiateRefusesAnAccountDisabledAfterItsTicketWasIssued) {
    kinit("erin", "ErinPw1!x");
    {
        kerberos_authenticator auth(config("", ldap()));
        test::negotiate_http_server server(auth);
        const auto r = curl(server.port());  // curl's ccache now holds erin's HTTP/localhost ticket
        ASSERT_NE(r.out.find("HTTP/1.1 200 OK"), std::string::npos) << r.out << r.err;
    }
    domain.samba_tool({"user", "disable", "erin"});
    const auto cfg = config("", ldap());
    // the ticket alone still passes: its PAC was made while erin was enabled
    {
        negotiate_acceptor bare(cfg);
        test::negotiate_http_server server(bare);
        const auto r = curl(server.port());
        EXPECT_NE(r.out.find("HTTP/1.1 200 OK"), std::string::npos) << r.out << r.err;
    }
    // the authenticator asks the directory (a fresh cache: a miss) and refuses
    kerberos_authenticator auth(cfg);
    test::negotiate_http_server server(auth);
    const auto r = curl(server.port());
    domain.samba_tool({"user", "enable", "erin"});
    EXPECT_NE(r.out.find("HTTP/1.1 401"), std::string::npos) << r.out;
    const auto at = r.out.rfind("\r\n\r\n");
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(nlohmann::json::parse(r.out.substr(at + 4))["error"], "account_disabled") << r.out;
}

TEST_F(SambaDirectory, NegotiateTakesTheGroupsFromThePacWhileItIsYoungerThanTheCacheTtl) {
    kinit("alice", "AlicePw1!x");
    const auto cfg = config("", ldap());
    kerberos_authenticator auth(cfg);
    const auto o = auth.authenticate(negotiate_evidence{"Negotiate " + client_token(), "192.0.2.1"});
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->groups_from, groups_status::pac);
    EXPECT_TRUE(o.identity->groups_usable());
    EXPECT_EQ(o.identity->sid, domain.sid("alice"));
    EXPECT_EQ(o.identity->account, account_state::enabled);  // the directory was asked all the same
    const auto names = names_of(o.identity->groups, cfg.realms);
    for (const char* g : {"SAMBA\\MainframeUsers", "SAMBA\\GatewayAdmins", "SAMBA\\AS400Users", "SAMBA\\Domain Users"})
        EXPECT_TRUE(has(names, g)) << g;
    EXPECT_TRUE(has(sids_of(o.identity->groups), domain.sid("GatewayAdmins")));

    // over HTTP with curl: the same groups in the answer
    test::negotiate_http_server server(auth);
    const auto r = curl(server.port());
    ASSERT_NE(r.out.find("HTTP/1.1 200 OK"), std::string::npos) << r.out << r.err;
    const auto body = nlohmann::json::parse(r.out.substr(r.out.rfind("\r\n\r\n") + 4));
    std::vector<std::string> http_names;
    for (const auto& g : body["groups"]) http_names.push_back(g["name"]);
    EXPECT_TRUE(has(http_names, "GatewayAdmins@SAMBA.EXAMPLE")) << body.dump();

    // cache_seconds = 0: every PAC is too old, the groups come from the directory (tokenGroups)
    const auto strict_cfg = config("", ldap() + "cache_seconds = 0\n");
    kerberos_authenticator strict(strict_cfg);
    ::sleep(1);
    const auto d = strict.authenticate(negotiate_evidence{"Negotiate " + client_token(), "192.0.2.1"});
    ASSERT_TRUE(d) << d.refused.message;
    EXPECT_EQ(d.identity->groups_from, groups_status::fresh);
    EXPECT_TRUE(has(names_of(d.identity->groups, cfg.realms), "SAMBA\\GatewayAdmins"));
}

TEST_F(SambaDirectory, ASidNameIsNeverUsedBeyondTheCacheTtlOnceTheDirectoryStopsNamingIt) {
    domain.samba_tool({"group", "add", "TransientGroup"});
    const auto shown = test::run({"/usr/bin/samba-tool", "group", "show", "TransientGroup", "--attributes=objectSid",
                                  "-s", domain.smb_conf().string()},
                                 {}, 60);
    const auto at = shown.out.find("objectSid: ");
    if (at == std::string::npos) domain.samba_tool({"group", "delete", "TransientGroup"});
    ASSERT_NE(at, std::string::npos) << shown.out << shown.err;
    const std::string sid = shown.out.substr(at + 11, shown.out.find('\n', at) - at - 11);

    auto now = std::chrono::system_clock::now();
    ldap_directory dir(config("", ldap() + "cache_seconds = 60\n"), [&] { return now; });
    std::string why;
    auto named = dir.name_sids({sid}, &why);
    ASSERT_TRUE(named) << why;
    EXPECT_EQ((*named)[sid], "TransientGroup");

    domain.samba_tool({"group", "delete", "TransientGroup"});
    now += std::chrono::seconds(30);  // within the TTL the name is kept without asking
    named = dir.name_sids({sid}, &why);
    ASSERT_TRUE(named) << why;
    EXPECT_EQ((*named)[sid], "TransientGroup");
    now += std::chrono::seconds(31);  // beyond it the directory no longer names the SID: neither do we
    named = dir.name_sids({sid}, &why);
    ASSERT_TRUE(named) << why;
    EXPECT_FALSE(named->contains(sid)) << (*named)[sid];
}

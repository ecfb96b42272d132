// HTTP Negotiate against a real Active Directory (Samba AD DC): curl --negotiate -u : (a real
// client, kinit'ed against the DC) against the test acceptor; the ticket's MS-PAC decoded.
#include "negotiate_http_server.hpp"
#include "samba_domain.hpp"

#include <ssogate/identity/negotiate_acceptor.hpp>
#include <ssogate/identity/negotiate_header.hpp>
#include <ssogate/identity/pac.hpp>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

using namespace ssogate;
using namespace ssogate::identity;

namespace {

class SambaNegotiate : public test::samba_test {
protected:
    void kinit(const std::string& user, const std::string& password) {
        const auto r = domain.kinit(user, password, tmp / "client.ccache");
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }

    /// curl --negotiate -u : http://localhost:PORT/ with the ccache in KRB5CCNAME.
    test::run_result curl(int port) const {
        const std::string p = std::to_string(port);
        return test::run({"/usr/bin/curl", "-sS", "--negotiate", "-u", ":", "--resolve", "localhost:" + p + ":127.0.0.1",
                          "-D", "-", "http://localhost:" + p + "/"});
    }

    static nlohmann::json body_of(const std::string& response) {
        const auto at = response.rfind("\r\n\r\n");
        return at == std::string::npos ? nlohmann::json() : nlohmann::json::parse(response.substr(at + 4), nullptr, false);
    }

    /// A Kerberos AP-REQ wrapped in SPNEGO for HTTP@localhost, as a browser makes it.
    static std::string client_token() {
        OM_uint32 minor = 0;
        std::string service = "HTTP@localhost";
        gss_buffer_desc name_buf{service.size(), service.data()};
        gss_name_t target = GSS_C_NO_NAME;
        gss_import_name(&minor, &name_buf, GSS_C_NT_HOSTBASED_SERVICE, &target);
        gss_OID_desc spnego{6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};
        gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
        gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
        const OM_uint32 major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx, target, &spnego, 0, 0,
                                                     GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, nullptr, &out,
                                                     nullptr, nullptr);
        EXPECT_FALSE(GSS_ERROR(major)) << "gss_init_sec_context failed";
        std::string token = base64_encode({static_cast<const std::uint8_t*>(out.value), out.length});
        gss_release_buffer(&minor, &out);
        gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
        gss_release_name(&minor, &target);
        return token;
    }

    /// The raw `urn:mspac:logon-info` of a token, accepted by GSSAPI directly with the keytab.
    std::vector<std::uint8_t> raw_logon_info(const std::string& token_b64) const {
        const auto token = base64_decode(token_b64).value();
        const std::string keytab = "FILE:" + domain.keytab().string();
        gss_key_value_element_desc el{"keytab", keytab.c_str()};
        gss_key_value_set_desc store{1, &el};
        OM_uint32 minor = 0;
        gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
        EXPECT_FALSE(GSS_ERROR(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
                                                     GSS_C_ACCEPT, &store, &cred, nullptr, nullptr)));
        gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
        gss_buffer_desc in{token.size(), const_cast<std::uint8_t*>(token.data())};
        gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
        gss_name_t client = GSS_C_NO_NAME;
        const OM_uint32 major = gss_accept_sec_context(&minor, &ctx, cred, &in, GSS_C_NO_CHANNEL_BINDINGS, &client,
                                                       nullptr, &out, nullptr, nullptr, nullptr);
        EXPECT_FALSE(GSS_ERROR(major)) << "gss_accept_sec_context failed";
        std::vector<std::uint8_t> bytes;
        std::string attr_name = "urn:mspac:logon-info";
        gss_buffer_desc attr{attr_name.size(), attr_name.data()};
        gss_buffer_desc value = GSS_C_EMPTY_BUFFER, display = GSS_C_EMPTY_BUFFER;
        int authenticated = 0, complete = 0, more = -1;
        if (!GSS_ERROR(gss_get_name_attribute(&minor, client, &attr, &authenticated, &complete, &value, &display, &more))) {
            EXPECT_EQ(authenticated, 1);
            const auto* p = static_cast<const std::uint8_t*>(value.value);
            bytes.assign(p, p + value.length);
            gss_release_buffer(&minor, &value);
            gss_release_buffer(&minor, &display);
        }
        gss_release_buffer(&minor, &out);
        gss_release_name(&minor, &client);
        gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
        gss_release_cred(&minor, &cred);
        return bytes;
    }
};

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_F(SambaNegotiate, CurlSignsOnWithAnAdTicketAndTheSidComesFromThePac) {
    kinit("alice", "AlicePw1!x");
    negotiate_acceptor acceptor(config());
    test::negotiate_http_server server(acceptor);
    const auto r = curl(server.port());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_NE(r.out.find("HTTP/1.1 200 OK\r\nWWW-Authenticate: Negotiate "), std::string::npos) << r.out;
    const auto body = body_of(r.out);
    EXPECT_EQ(body["principal"], "alice@SAMBA.EXAMPLE");
    EXPECT_EQ(body["key"], "alice@samba.example");
    EXPECT_EQ(body["sid"], domain.sid("alice"));
}

TEST_F(SambaNegotiate, ThePacOfARealTicketHoldsTheNestedGroups) {
    kinit("alice", "AlicePw1!x");
    const auto blob = raw_logon_info(client_token());
    ASSERT_FALSE(blob.empty()) << "the Samba ticket carries no PAC logon info";
    if (const char* dump = std::getenv("SSOGATE_SAMBA_DUMP_PAC")) {  // to refresh tests/data
        std::ofstream out(dump);
        for (std::size_t i = 0; i < blob.size(); ++i) {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%02x", blob[i]);
            out << hex << ((i + 1) % 32 == 0 ? "\n" : "");
        }
        out << "\n";
        for (const auto& [k, v] : domain.env)
            if (k.rfind("SID_", 0) == 0 || k == "DOMAIN") out << "# " << k << "=" << v << "\n";
    }
    std::string why;
    const auto info = parse_pac_logon_info(blob, &why);
    ASSERT_TRUE(info) << why;
    EXPECT_EQ(info->account_name, "alice");
    EXPECT_EQ(info->domain_name, "SAMBA");
    EXPECT_EQ(info->user_sid, domain.sid("alice"));
    EXPECT_EQ(domain.sid("alice").rfind(info->domain_sid + "-", 0), 0u);
    // tokenGroups semantics: direct groups, the nested one, the primary group
    EXPECT_TRUE(has(info->group_sids, domain.sid("MainframeUsers")));
    EXPECT_TRUE(has(info->group_sids, domain.sid("AS400Users")));
    EXPECT_TRUE(has(info->group_sids, domain.sid("GatewayAdmins")));  // through MainframeUsers
    EXPECT_TRUE(has(info->group_sids, domain.sid("Domain_Users")));
    EXPECT_FALSE(has(info->group_sids, domain.sid("Domain_Admins")));
    // bob's ticket: only his own group
    kinit("bob", "BobPw1!x");
    const auto bob = parse_pac_logon_info(raw_logon_info(client_token()));
    ASSERT_TRUE(bob);
    EXPECT_EQ(bob->user_sid, domain.sid("bob"));
    EXPECT_TRUE(has(bob->group_sids, domain.sid("AS400Users")));
    EXPECT_FALSE(has(bob->group_sids, domain.sid("GatewayAdmins")));
}

TEST_F(SambaNegotiate, PacGroupsAreNamedWithinTheTrustWindowOnly) {
    kinit("alice", "AlicePw1!x");
    std::vector<std::string> asked;
    // the namer the directory provides; here one that names the domain's SIDs from domain.env
    // as the directory read them, so this test is about the window, not about LDAP
    auto namer = [&](const credstore::principal&, const std::vector<std::string>& sids) -> std::optional<std::vector<group>> {
        asked = sids;
        std::vector<group> out;
        for (const auto& [k, v] : domain.env)
            if (k.rfind("SID_", 0) == 0 && has(sids, v)) {
                auto p = credstore::principal::parse("SAMBA\\" + k.substr(4), config().realms);
                if (p) out.push_back(group{*p, v});
            }
        return out;
    };
    {
        negotiate_acceptor acceptor(config());
        acceptor.use_pac_groups(namer, std::chrono::seconds(300));
        const auto o = acceptor.accept("Negotiate " + client_token());
        ASSERT_TRUE(o) << o.refused.message;
        EXPECT_EQ(o.identity->sid, domain.sid("alice"));
        EXPECT_TRUE(has(asked, domain.sid("GatewayAdmins")));
        std::vector<std::string> names;
        for (const auto& g : o.identity->groups) names.push_back(g.principal.display(config().realms));
        EXPECT_TRUE(has(names, "SAMBA\\GatewayAdmins"));
        EXPECT_TRUE(has(names, "SAMBA\\MainframeUsers"));
    }
    {
        // a window of zero seconds: the ticket's logon is already older, so no PAC groups
        asked.clear();
        negotiate_acceptor acceptor(config());
        acceptor.use_pac_groups(namer, std::chrono::seconds(0));
        ::sleep(1);
        const auto o = acceptor.accept("Negotiate " + client_token());
        ASSERT_TRUE(o) << o.refused.message;
        EXPECT_EQ(o.identity->sid, domain.sid("alice"));
        EXPECT_TRUE(o.identity->groups.empty());
        EXPECT_TRUE(asked.empty());
    }
}

TEST_F(SambaNegotiate, ADisabledAccountIsRefusedOnTheNegotiatePath) {
    negotiate_acceptor acceptor(config());
    test::negotiate_http_server server(acceptor);
    // carol is disabled: the DC gives her no ticket, so curl never gets past the challenge
    const auto carol = domain.kinit("carol", "CarolPw1!x", tmp / "client.ccache");
    EXPECT_NE(carol.exit_code, 0);
    const auto r1 = curl(server.port());
    EXPECT_EQ(r1.out.find("HTTP/1.1 200"), std::string::npos) << r1.out;
    // erin holds a TGT, then an administrator disables her: her next service ticket is refused
    kinit("erin", "ErinPw1!x");
    domain.samba_tool({"user", "disable", "erin"});
    const auto r2 = curl(server.port());
    domain.samba_tool({"user", "enable", "erin"});
    EXPECT_EQ(r2.out.find("HTTP/1.1 200"), std::string::npos) << r2.out;
    EXPECT_NE(r2.out.find("HTTP/1.1 401"), std::string::npos) << r2.out << r2.err;
}

TEST_F(SambaNegotiate, GarbageTokensAreRefusedAndTheServerKeepsServing) {
    kinit("alice", "AlicePw1!x");
    negotiate_acceptor acceptor(config());
    test::negotiate_http_server server(acceptor);
    const std::string truncated = [] {
        const auto t = base64_decode(client_token()).value();
        return "Negotiate " + base64_encode({t.data(), t.size() / 2});
    }();
    struct {
        std::string header;
        const char* error;
    } cases[] = {
        {"Negotiate Z2FyYmFnZQ==", "token_rejected"},
        {"Negotiate !!!!", "malformed_header"},
        {"NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==", "unsupported_mechanism"},
        {truncated, "token_rejected"},
    };
    for (const auto& c : cases) {
        const auto r = test::raw_get(server.port(), c.header);
        EXPECT_EQ(r.status, 401) << c.header;
        EXPECT_EQ(nlohmann::json::parse(r.body)["error"], c.error) << c.header << " -> " << r.body;
    }
    const auto r = curl(server.port());
    EXPECT_NE(r.out.find("HTTP/1.1 200 OK"), std::string::npos) << r.out << r.err;
}

TEST_F(SambaNegotiate, ANameWithLdapFilterMetacharactersSignsOnWithItsOwnSid) {
    kinit("o(ne)&il", "MetaPw1!x");
    negotiate_acceptor acceptor(config());
    const auto o = acceptor.accept("Negotiate " + client_token());
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->kerberos_name, "o(ne)&il@SAMBA.EXAMPLE");
    EXPECT_EQ(o.identity->sid, domain.sid("o_ne__il"));
}

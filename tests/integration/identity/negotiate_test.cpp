// HTTP Negotiate against a real MIT KDC: curl --negotiate (a real client, with a kinit'ed
// ccache) against a tiny test server that asks our negotiate_acceptor; an in-process GSSAPI
// client for mutual authentication and replay; garbage tokens.
#include "corp_realm.hpp"
#include "negotiate_http_server.hpp"
#include "process.hpp"

#include <ssogate/identity/kerberos_authenticator.hpp>
#include <ssogate/identity/negotiate_acceptor.hpp>
#include <ssogate/identity/negotiate_header.hpp>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

using namespace ssogate;
using namespace ssogate::identity;

namespace {

errc code_of(const outcome& o) { return static_cast<errc>(o.code().value()); }

gss_OID_desc spnego_oid = {6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};

// A GSSAPI initiator for HTTP@localhost with the ccache in KRB5CCNAME: what a browser does.
class client_context {
public:
    client_context() {
        OM_uint32 minor = 0;
        std::string service = "HTTP@localhost";
        gss_buffer_desc name{service.size(), service.data()};
        EXPECT_EQ(gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE, &target_), GSS_S_COMPLETE);
    }
    ~client_context() {
        OM_uint32 minor = 0;
        if (ctx_ != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &ctx_, GSS_C_NO_BUFFER);
        gss_release_name(&minor, &target_);
    }
    client_context(const client_context&) = delete;
    client_context& operator=(const client_context&) = delete;

    /// One step; returns the next token (base64) and the major status.
    std::pair<OM_uint32, std::string> step(const std::string& reply_b64 = {}) {
        OM_uint32 minor = 0;
        std::vector<std::uint8_t> in_bytes;
        if (!reply_b64.empty()) in_bytes = base64_decode(reply_b64).value_or(std::vector<std::uint8_t>{});
        gss_buffer_desc in{in_bytes.size(), in_bytes.data()};
        gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
        const OM_uint32 major = gss_init_sec_context(
            &minor, GSS_C_NO_CREDENTIAL, &ctx_, target_, &spnego_oid, GSS_C_MUTUAL_FLAG, 0,
            GSS_C_NO_CHANNEL_BINDINGS, reply_b64.empty() ? GSS_C_NO_BUFFER : &in, nullptr, &out, nullptr, nullptr);
        std::string token = base64_encode({static_cast<const std::uint8_t*>(out.value), out.length});
        gss_release_buffer(&minor, &out);
        return {major, token};
    }

private:
    gss_name_t target_ = GSS_C_NO_NAME;
    gss_ctx_id_t ctx_ = GSS_C_NO_CONTEXT;
};

class Negotiate : public ::testing::Test {
protected:
    void SetUp() override {
        const auto r = realm.kdc.kinit("alice", "AlicePw1!", realm.tmp / "client.ccache");
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }

    test::run_result curl(int port) const {
        const std::string p = std::to_string(port);
        return test::run({"/usr/bin/curl", "-sS", "--negotiate", "-u", ":", "--resolve", "localhost:" + p + ":127.0.0.1",
                          "-D", "-", "http://localhost:" + p + "/"});
    }

    test::corp_realm realm;
};

}  // namespace

TEST_F(Negotiate, CurlSignsOnWithAKerberosTicketAndGetsTheMutualToken) {
    negotiate_acceptor acceptor(realm.config());
    test::negotiate_http_server server(acceptor);
    const auto r = curl(server.port());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // curl with Negotiate as its only method sends its token at once; the answer carries ours
    const auto ok = r.out.find("HTTP/1.1 200 OK\r\nWWW-Authenticate: Negotiate ");
    ASSERT_NE(ok, std::string::npos) << r.out;
    const auto body = nlohmann::json::parse(r.out.substr(r.out.find("\r\n\r\n", ok) + 4));
    EXPECT_EQ(body["principal"], "alice@CORP.EXAMPLE");
    EXPECT_EQ(body["key"], "alice@corp.example");
    ASSERT_EQ(server.authorizations().size(), 1u);
    EXPECT_EQ(server.authorizations()[0].rfind("Negotiate YI", 0), 0u);  // an SPNEGO InitialContextToken
}

TEST_F(Negotiate, TheMutualAuthenticationTokenCompletesTheClientsContext) {
    negotiate_acceptor acceptor(realm.config());
    client_context client;
    const auto [major, token] = client.step();
    ASSERT_EQ(major, GSS_S_CONTINUE_NEEDED);  // mutual authentication: the client waits for us
    const auto o = acceptor.accept("Negotiate " + token);
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->principal.display(realm.config().realms), "CORP\\alice");
    EXPECT_EQ(o.identity->method, auth_method::negotiate);
    ASSERT_FALSE(o.negotiate_reply.empty());
    EXPECT_EQ(client.step(o.negotiate_reply).first, GSS_S_COMPLETE);
}

TEST_F(Negotiate, RefusesAReplayedToken) {
    negotiate_acceptor acceptor(realm.config());
    client_context client;
    const std::string header = "Negotiate " + client.step().second;
    ASSERT_TRUE(acceptor.accept(header));
    const auto again = acceptor.accept(header);
    ASSERT_FALSE(again);
    EXPECT_EQ(code_of(again), errc::replayed_token) << again.refused.message;
    EXPECT_NE(again.refused.message.find("replayed"), std::string::npos);

    // and over HTTP: curl's own token, sent again by someone who captured it
    test::negotiate_http_server server(acceptor);
    ASSERT_EQ(curl(server.port()).exit_code, 0);
    ASSERT_EQ(server.authorizations().size(), 1u);
    const auto replay = test::raw_get(server.port(), server.authorizations()[0]);
    EXPECT_EQ(replay.status, 401);
    EXPECT_EQ(nlohmann::json::parse(replay.body)["error"], "replayed_token") << replay.body;
}

TEST_F(Negotiate, RefusesGarbageAndKeepsServing) {
    negotiate_acceptor acceptor(realm.config());
    test::negotiate_http_server server(acceptor);
    const std::string truncated = [] {
        client_context c;
        const auto t = base64_decode(c.step().second).value();
        return "Negotiate " + base64_encode({t.data(), t.size() / 2});
    }();
    struct {
        std::string header;
        const char* error;
    } cases[] = {
        {"Negotiate Z2FyYmFnZQ==", "token_rejected"},              // "garbage"
        {"Negotiate !!!!", "malformed_header"},
        {"Negotiate", "malformed_header"},
        {"Negotiate YIJ=", "malformed_header"},                   // non-zero padding bits
        {"Negotiate YIIBAAYGKwYBBQUCoA==", "token_rejected"},      // SPNEGO header, nothing inside
        {"Negotiate oRQwEqADCgEBoQsGCSqGSIb3EgECAg==", "token_rejected"},  // NegTokenResp out of the blue
        {"Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==", "unsupported_mechanism"},
        {"NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==", "unsupported_mechanism"},
        {"Basic YWxpY2U6QWxpY2VQdzEh", "unsupported_mechanism"},
        {truncated, "token_rejected"},
    };
    for (const auto& c : cases) {
        const auto r = test::raw_get(server.port(), c.header);
        EXPECT_EQ(r.status, 401) << c.header;
        ASSERT_FALSE(r.body.empty()) << c.header;
        const auto j = nlohmann::json::parse(r.body);
        EXPECT_EQ(j["error"], c.error) << c.header << " -> " << r.body;
        EXPECT_FALSE(j["message"].get<std::string>().empty());
    }
    // still alive and still right
    const auto r = curl(server.port());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("HTTP/1.1 200 OK"), std::string::npos) << r.out;
}

TEST_F(Negotiate, WithoutATicketCurlGetsNoFurtherThanTheChallenge) {
    negotiate_acceptor acceptor(realm.config());
    test::negotiate_http_server server(acceptor);
    ::setenv("KRB5CCNAME", ("FILE:" + (realm.tmp / "empty.ccache").string()).c_str(), 1);
    const auto r = curl(server.port());
    EXPECT_NE(r.out.find("HTTP/1.1 401"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("HTTP/1.1 200"), std::string::npos) << r.out;
}

TEST_F(Negotiate, RefusesATicketForAKeyTheKeytabNoLongerHolds) {
    realm.kdc.kadmin("cpw -randkey HTTP/localhost");  // the KDC re-keyed the service; the keytab is stale
    negotiate_acceptor acceptor(realm.config());
    client_context client;
    const auto o = acceptor.accept("Negotiate " + client.step().second);
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::token_rejected) << o.refused.message;
}

TEST_F(Negotiate, RefusesAClientOfARealmTheGatewayDoesNotServe) {
    const std::string toml = "[identity]\nkeytab = \"" + realm.keytab.string() +
                             "\"\nreplay_cache = \"" + (realm.tmp / "rc2").string() +
                             "\"\n[identity.domains]\nOTHER = \"OTHER.EXAMPLE\"\n";
    negotiate_acceptor acceptor(parse_identity_config(toml, realm.tmp / "other.toml"));
    client_context client;
    const auto o = acceptor.accept("Negotiate " + client.step().second);
    ASSERT_FALSE(o);
    EXPECT_EQ(code_of(o), errc::unknown_realm) << o.refused.message;
}

TEST_F(Negotiate, TheAuthenticatorInterfaceAnswersForNegotiate) {
    kerberos_authenticator auth(realm.config());
    client_context client;
    const auto o = auth.authenticate(negotiate_evidence{"Negotiate " + client.step().second, "192.0.2.5"});
    ASSERT_TRUE(o) << o.refused.message;
    EXPECT_EQ(o.identity->principal.key(), "alice@corp.example");
    EXPECT_FALSE(o.negotiate_reply.empty());
}

TEST_F(Negotiate, AcceptsFromManyThreadsAtOnce) {
    negotiate_acceptor acceptor(realm.config());
    std::vector<std::string> headers;
    for (int i = 0; i < 24; ++i) {
        client_context c;
        headers.push_back("Negotiate " + c.step().second);
    }
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (std::size_t i = static_cast<std::size_t>(t); i < headers.size(); i += 4)
                if (acceptor.accept(headers[i])) ++accepted;
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(accepted, 24);
}

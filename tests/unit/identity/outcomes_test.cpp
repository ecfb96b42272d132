// Outcome mapping (Kerberos and GSSAPI codes to errc), the errc contract, and the refusals the
// verifier and acceptor give before any KDC exchange (a keytab made here, no KDC needed).
#include <ssogate/identity/errc.hpp>
#include <ssogate/identity/identity_config.hpp>
#include <ssogate/identity/negotiate_acceptor.hpp>
#include <ssogate/identity/password_verifier.hpp>

#include "temp_dir.hpp"

#include <gssapi/gssapi.h>
#include <krb5/krb5.h>
#include <gtest/gtest.h>

#include <set>

using namespace ssogate;
using namespace ssogate::identity;

namespace {

// A keytab with one random AES key for `principal`, written with the krb5 API (no KDC).
void make_keytab(const std::filesystem::path& file, const std::string& principal) {
    krb5_context ctx = nullptr;
    ASSERT_EQ(krb5_init_context(&ctx), 0);
    krb5_keytab kt = nullptr;
    ASSERT_EQ(krb5_kt_resolve(ctx, ("FILE:" + file.string()).c_str(), &kt), 0);
    krb5_keytab_entry e{};
    ASSERT_EQ(krb5_parse_name(ctx, principal.c_str(), &e.principal), 0);
    e.vno = 2;
    ASSERT_EQ(krb5_c_make_random_key(ctx, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &e.key), 0);
    ASSERT_EQ(krb5_kt_add_entry(ctx, kt, &e), 0);
    krb5_free_keyblock_contents(ctx, &e.key);
    krb5_free_principal(ctx, e.principal);
    krb5_kt_close(ctx, kt);
    krb5_free_context(ctx);
}

errc code_of(const outcome& o) { return static_cast<errc>(o.code().value()); }

class NoKdc : public ::testing::Test {
protected:
    void SetUp() override {
        make_keytab(tmp / "gw.keytab", "HTTP/localhost@CORP.EXAMPLE");
        // no krb5.conf at all, and the only KDC is a port nobody listens on
        ::setenv("KRB5_CONFIG", (tmp / "none.conf").c_str(), 1);
    }
    identity_config config(const std::string& more = "") {
        return parse_identity_config(
            "[identity]\ndefault_domain = \"CORP\"\nkeytab = \"gw.keytab\"\nkrb5_conf = \"none.conf\"\n"
            "replay_cache = \"rcache\"\n" + more + "[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n"
            "[identity.kdc]\n\"CORP.EXAMPLE\" = \"127.0.0.1:1\"\n",
            tmp / "ssogate.toml");
    }
    test::temp_dir tmp;
};

}  // namespace

TEST(IdentityOutcomes, KdcErrorsMapToDistinctOutcomes) {
    EXPECT_EQ(classify_kdc_error(0), errc::ok);
    EXPECT_EQ(classify_kdc_error(KRB5KDC_ERR_PREAUTH_FAILED), errc::wrong_password);
    EXPECT_EQ(classify_kdc_error(KRB5KRB_AP_ERR_BAD_INTEGRITY), errc::wrong_password);
    EXPECT_EQ(classify_kdc_error(KRB5KDC_ERR_KEY_EXP), errc::password_expired);
    EXPECT_EQ(classify_kdc_error(KRB5KDC_ERR_CLIENT_REVOKED), errc::account_disabled);
    EXPECT_EQ(classify_kdc_error(KRB5KDC_ERR_POLICY), errc::account_disabled);
    EXPECT_EQ(classify_kdc_error(KRB5KDC_ERR_NAME_EXP), errc::account_expired);
    EXPECT_EQ(classify_kdc_error(KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN), errc::unknown_user);
    EXPECT_EQ(classify_kdc_error(KRB5_KDC_UNREACH), errc::kdc_unreachable);
    EXPECT_EQ(classify_kdc_error(KRB5_REALM_CANT_RESOLVE), errc::kdc_unreachable);
    EXPECT_EQ(classify_kdc_error(KRB5KRB_AP_ERR_SKEW), errc::clock_skew);
    EXPECT_EQ(classify_kdc_error(KRB5KDC_ERR_ETYPE_NOSUPP), errc::kerberos_error);
    EXPECT_EQ(classify_kdc_error(12345), errc::kerberos_error);
}

TEST(IdentityOutcomes, VerificationErrorsSeparateKeytabTroubleFromDistrust) {
    EXPECT_EQ(classify_verify_error(KRB5_KT_NOTFOUND), errc::keytab_error);
    EXPECT_EQ(classify_verify_error(ENOENT), errc::keytab_error);
    EXPECT_EQ(classify_verify_error(EACCES), errc::keytab_error);
    EXPECT_EQ(classify_verify_error(KRB5KRB_AP_ERR_BAD_INTEGRITY), errc::verification_failed);
    EXPECT_EQ(classify_verify_error(KRB5KRB_AP_ERR_MODIFIED), errc::verification_failed);
    EXPECT_EQ(classify_verify_error(KRB5_KT_KVNONOTFOUND), errc::verification_failed);
    EXPECT_EQ(classify_verify_error(KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN), errc::verification_failed);
    EXPECT_EQ(classify_verify_error(KRB5_KDC_UNREACH), errc::kdc_unreachable);
    EXPECT_EQ(classify_verify_error(KRB5KRB_AP_ERR_SKEW), errc::clock_skew);
}

TEST(IdentityOutcomes, AcceptErrorsMapReplayAndSkew) {
    EXPECT_EQ(classify_accept_error(GSS_S_FAILURE, KRB5KRB_AP_ERR_REPEAT), errc::replayed_token);
    EXPECT_EQ(classify_accept_error(GSS_S_DUPLICATE_TOKEN, 0), errc::replayed_token);
    EXPECT_EQ(classify_accept_error(GSS_S_FAILURE, KRB5KRB_AP_ERR_SKEW), errc::clock_skew);
    EXPECT_EQ(classify_accept_error(GSS_S_BAD_MECH, 0), errc::unsupported_mechanism);
    EXPECT_EQ(classify_accept_error(GSS_S_DEFECTIVE_TOKEN, 0), errc::token_rejected);
    EXPECT_EQ(classify_accept_error(GSS_S_FAILURE, KRB5KRB_AP_ERR_MODIFIED), errc::token_rejected);
    EXPECT_EQ(classify_accept_error(GSS_S_NO_CRED, KRB5_KT_NOTFOUND), errc::token_rejected);
}

TEST(IdentityOutcomes, EveryCodeHasAUniqueNameAMessageAndAUserMessage) {
    std::set<std::string_view> names;
    for (int i = 0; i <= static_cast<int>(errc::kerberos_error); ++i) {
        const auto e = static_cast<errc>(i);
        EXPECT_TRUE(names.insert(to_string(e)).second) << to_string(e);
        EXPECT_NE(make_error_code(e).message(), "unknown identity error");
        EXPECT_FALSE(user_message(e).empty());
    }
    EXPECT_STREQ(identity_category().name(), "ssogate.identity");
    // the person signing on cannot tell an unknown user from a wrong password
    EXPECT_EQ(user_message(errc::unknown_user), user_message(errc::wrong_password));
    EXPECT_TRUE(is_fatal(errc::keytab_error));
    EXPECT_FALSE(is_fatal(errc::wrong_password));
    EXPECT_TRUE(is_temporary(errc::kdc_unreachable));
    EXPECT_TRUE(is_temporary(errc::throttled));
    EXPECT_FALSE(is_temporary(errc::password_expired));
}

TEST_F(NoKdc, TheVerifierRefusesBadInputBeforeAnyKdcExchange) {
    password_verifier v(config());
    auto o = v.verify("CORP\\", credstore::secret_bytes::copy_of("pw"), "10.0.0.1");
    EXPECT_EQ(code_of(o), errc::bad_name);
    EXPECT_NE(o.refused.message.find("invalid principal"), std::string::npos) << o.refused.message;
    o = v.verify("alice@OTHER.EXAMPLE", credstore::secret_bytes::copy_of("pw"), "10.0.0.1");
    EXPECT_EQ(code_of(o), errc::unknown_realm);
    EXPECT_NE(o.refused.message.find("(CORP.EXAMPLE)"), std::string::npos) << o.refused.message;
    o = v.verify("CORP\\alice", credstore::secret_bytes{}, "10.0.0.1");
    EXPECT_EQ(code_of(o), errc::invalid_password_input);
    o = v.verify("CORP\\alice", credstore::secret_bytes::copy_of(std::string("a\0b", 3)), "10.0.0.1");
    EXPECT_EQ(code_of(o), errc::invalid_password_input);
    o = v.verify("CORP\\alice", credstore::secret_bytes::copy_of(std::string(1025, 'x')), "10.0.0.1");
    EXPECT_EQ(code_of(o), errc::invalid_password_input);
    // bad names count against the source address
    EXPECT_EQ(v.throttle().source_count("10.0.0.1"), 2);
}

TEST_F(NoKdc, NobodyListeningIsAnUnreachableKdc) {
    password_verifier v(config());
    const auto o = v.verify("CORP\\alice", credstore::secret_bytes::copy_of("Secret123"), "10.0.0.1");
    EXPECT_EQ(code_of(o), errc::kdc_unreachable) << o.refused.message;
    EXPECT_EQ(o.refused.message.find("Secret123"), std::string::npos);
}

TEST_F(NoKdc, AMissingOrForeignKeytabIsAStartupError) {
    auto cfg = config();
    cfg.keytab = tmp / "missing.keytab";
    try {
        password_verifier v(cfg);
        FAIL() << "no error";
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("[identity] keytab: cannot read the keytab FILE:"), std::string::npos) << e.what();
    }
    EXPECT_THROW(negotiate_acceptor{cfg}, config_error);
    cfg = config("service_principal = \"HTTP/other.example@CORP.EXAMPLE\"\n");
    try {
        password_verifier v(cfg);
        FAIL() << "no error";
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("has no key for HTTP/other.example@CORP.EXAMPLE"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(negotiate_acceptor{cfg}, config_error);
    // the right principal is fine for both
    cfg = config("service_principal = \"HTTP/localhost@CORP.EXAMPLE\"\n");
    EXPECT_NO_THROW(password_verifier{cfg});
    EXPECT_NO_THROW(negotiate_acceptor{cfg});
}

TEST_F(NoKdc, TheAcceptorRefusesGarbageWithoutCrashing) {
    negotiate_acceptor a(config());
    for (const char* h : {"", "Negotiate", "Negotiate Z2FyYmFnZQ==", "Negotiate YIIBAAYGKwYBBQUCoA==",
                          "Negotiate YAYGBCsGAQU=", "Negotiate oAMKAQA=", "Negotiate AAAA", "Kerberos abc"}) {
        const auto o = a.accept(h);
        EXPECT_FALSE(o) << h;
        EXPECT_FALSE(o.refused.message.empty()) << h;
        EXPECT_FALSE(is_fatal(o.code())) << h << ": " << o.refused.message;
    }
}

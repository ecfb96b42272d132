// The Authorization: Negotiate header (RFC 4559 section 4.2) and strict base64 (RFC 4648).
#include <ssogate/identity/negotiate_header.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace ssogate::identity;

namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

errc code_of(const negotiate_header& h) { return static_cast<errc>(h.error.value()); }

std::string data_file(const std::string& name) {
    std::ifstream in(std::string(SSOGATE_IDENTITY_TEST_DATA) + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

}  // namespace

TEST(Base64, RoundTripsEveryLengthAndMatchesRfc4648Vectors) {
    EXPECT_EQ(base64_encode(bytes("")), "");
    EXPECT_EQ(base64_encode(bytes("f")), "Zg==");
    EXPECT_EQ(base64_encode(bytes("fo")), "Zm8=");
    EXPECT_EQ(base64_encode(bytes("foo")), "Zm9v");
    EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
    std::vector<std::uint8_t> v;
    for (int n = 0; n < 70; ++n) {
        const auto text = base64_encode(v);
        const auto back = base64_decode(text);
        ASSERT_TRUE(back.has_value()) << text;
        EXPECT_EQ(*back, v);
        v.push_back(static_cast<std::uint8_t>(n * 37 + 250));
    }
}

TEST(Base64, RejectsWhatIsNotCanonicalBase64) {
    for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "====", "Zh==", "Zm9=", "Zm9v!", "Zm 9v", "Zm9v\n",
                            "Zm-_", "Zg==Zg==", "=Zg=", "Zm=v"})
        EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
}

TEST(NegotiateHeader, TakesTheTokenOfAWellFormedHeader) {
    const auto h = parse_negotiate_header("Negotiate YIIBAAYGKwYBBQUC");
    ASSERT_TRUE(h) << h.why;
    EXPECT_EQ(h.token.size(), 12u);
    EXPECT_EQ(classify_token(h.token), token_kind::spnego_init);
}

TEST(NegotiateHeader, SchemeIsCaseInsensitiveAndWhitespaceIsTrimmed) {
    for (const char* v : {"negotiate YIIBAAYGKwYBBQUC", "NEGOTIATE YIIBAAYGKwYBBQUC", "  Negotiate   YIIBAAYGKwYBBQUC  ",
                          "\tNegotiate\tYIIBAAYGKwYBBQUC\t"}) {
        const auto h = parse_negotiate_header(v);
        EXPECT_TRUE(h) << v << ": " << h.why;
    }
}

TEST(NegotiateHeader, RefusesMalformedHeadersWithAReason) {
    struct {
        const char* value;
        const char* why;
    } cases[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"Negotiate", "without a token"},
        {"Negotiate   ", "without a token"},
        {"Negotiate YIIB AAYG", "exactly one token"},
        {"Negotiate YIIBAAYG,Zm9v", "exactly one token"},
        {"Negotiate YIIBAAYG realm=\"x\"", "exactly one token"},
        {"Negotiate YII*AAYG", "not valid base64"},
        {"Negotiate YIIBAAY", "not valid base64"},
        {"Negotiate ====", "not valid base64"},
        {"Negotiate: YIIBAAYG", "auth-scheme"},
        {"\"Negotiate\" YIIBAAYG", "auth-scheme"},
        {"Negotiate\r\nX-Injected: 1", "auth-scheme"},
    };
    for (const auto& c : cases) {
        const auto h = parse_negotiate_header(c.value);
        EXPECT_FALSE(h) << c.value;
        EXPECT_EQ(code_of(h), errc::malformed_header) << c.value;
        EXPECT_NE(h.why.find(c.why), std::string::npos) << c.value << " -> " << h.why;
        EXPECT_TRUE(h.token.empty());
    }
}

TEST(NegotiateHeader, OtherSchemesAndNtlmAreUnsupportedMechanisms) {
    auto h = parse_negotiate_header("Basic YWxpY2U6cHc=");
    EXPECT_EQ(code_of(h), errc::unsupported_mechanism);
    EXPECT_NE(h.why.find("'Basic' scheme"), std::string::npos) << h.why;
    EXPECT_EQ(h.why.find("YWxpY2U6cHc="), std::string::npos);  // never quotes credentials
    h = parse_negotiate_header("NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==");
    EXPECT_EQ(code_of(h), errc::unsupported_mechanism);
    EXPECT_NE(h.why.find("fell back to NTLM"), std::string::npos) << h.why;
    h = parse_negotiate_header("Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==");
    EXPECT_EQ(code_of(h), errc::unsupported_mechanism);
    EXPECT_NE(h.why.find("NTLM token"), std::string::npos) << h.why;
}

TEST(NegotiateHeader, RefusesOversizedHeadersAndTokens) {
    const std::string big_token(base64_encode(std::vector<std::uint8_t>(max_negotiate_token + 3, 0x60)));
    auto h = parse_negotiate_header("Negotiate " + big_token);
    EXPECT_EQ(code_of(h), errc::malformed_header);
    const std::string huge(1 << 20, 'A');
    h = parse_negotiate_header("Negotiate " + huge);
    EXPECT_EQ(code_of(h), errc::malformed_header);
    EXPECT_NE(h.why.find("longer than"), std::string::npos);
    // exactly the maximum is fine
    h = parse_negotiate_header("Negotiate " + base64_encode(std::vector<std::uint8_t>(max_negotiate_token, 0x60)));
    EXPECT_TRUE(h) << h.why;
}

TEST(NegotiateHeader, ClassifiesTokensByTheirFirstBytes) {
    using v = std::vector<std::uint8_t>;
    EXPECT_EQ(classify_token(v{0x60, 0x06, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}), token_kind::spnego_init);
    EXPECT_EQ(classify_token(v{0x60, 0x82, 0x01, 0x00, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02}),
              token_kind::kerberos);
    EXPECT_EQ(classify_token(v{0x60, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02}),
              token_kind::kerberos);
    EXPECT_EQ(classify_token(v{0xa1, 0x00}), token_kind::spnego_resp);
    EXPECT_EQ(classify_token(bytes(std::string("NTLMSSP\0\x01", 9))), token_kind::ntlm);
    EXPECT_EQ(classify_token(v{}), token_kind::unknown);
    EXPECT_EQ(classify_token(v{0x60}), token_kind::unknown);
    EXPECT_EQ(classify_token(v{0x60, 0x85, 0, 0, 0, 0, 0, 0x06}), token_kind::unknown);
    EXPECT_EQ(classify_token(v{0x60, 0x81}), token_kind::unknown);
    EXPECT_EQ(classify_token(v{0x60, 0x02, 0x06, 0x40}), token_kind::unknown);
}

TEST(NegotiateHeader, ParsesATokenCapturedFromCurl) {
    // curl --negotiate against the integration tests' acceptor (MIT krb5 1.20, realm CORP.EXAMPLE)
    const std::string header = data_file("negotiate-curl-alice.txt");
    ASSERT_FALSE(header.empty());
    const auto h = parse_negotiate_header(header);
    ASSERT_TRUE(h) << h.why;
    EXPECT_EQ(classify_token(h.token), token_kind::spnego_init);
    EXPECT_GT(h.token.size(), 500u);
}

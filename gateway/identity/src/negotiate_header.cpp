#include <ssogate/identity/negotiate_header.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace ssogate::identity {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> decode_table = [] {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}();

bool is_ows(char c) { return c == ' ' || c == '\t'; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
               return lower(x) == lower(y);
           });
}

// RFC 7230 section 3.2.6 tchar: what an auth-scheme may consist of.
bool is_tchar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

negotiate_header refuse(errc code, std::string why) {
    negotiate_header h;
    h.error = make_error_code(code);
    h.why = std::move(why);
    return h;
}

// Skip a DER tag's length at p; returns the offset of the contents, or 0 when malformed.
std::size_t skip_der_length(std::span<const std::uint8_t> t, std::size_t p) {
    if (p >= t.size()) return 0;
    const std::uint8_t first = t[p++];
    if (first < 0x80) return p;
    const std::size_t n = first & 0x7fu;
    if (n == 0 || n > 4 || p + n > t.size()) return 0;
    return p + n;
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        unsigned v = unsigned{bytes[i]} << 16;
        if (rest == 2) v |= unsigned{bytes[i + 1]} << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        unsigned v = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const char c = text[i + j];
            if (c == '=') {
                if (!last || j < 4 - pad) return std::nullopt;
                v <<= 6;
                continue;
            }
            const auto d = decode_table[static_cast<unsigned char>(c)];
            if (d < 0) return std::nullopt;
            v = (v << 6) | static_cast<unsigned>(d);
        }
        const auto b0 = static_cast<std::uint8_t>((v >> 16) & 0xff);
        const auto b1 = static_cast<std::uint8_t>((v >> 8) & 0xff);
        const auto b2 = static_cast<std::uint8_t>(v & 0xff);
        out.push_back(b0);
        if (!last || pad < 2) out.push_back(b1);
        else if (b1 != 0) return std::nullopt;  // non-zero pad bits: not canonical
        if (!last || pad < 1) out.push_back(b2);
        else if (b2 != 0) return std::nullopt;
    }
    return out;
}

token_kind classify_token(std::span<const std::uint8_t> t) noexcept {
    static constexpr std::uint8_t ntlm[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    if (t.size() >= sizeof ntlm && std::equal(std::begin(ntlm), std::end(ntlm), t.begin()))
        return token_kind::ntlm;
    if (t.empty()) return token_kind::unknown;
    if (t[0] == 0xa1) return token_kind::spnego_resp;
    if (t[0] != 0x60) return token_kind::unknown;
    const std::size_t p = skip_der_length(t, 1);
    if (p == 0 || p + 2 > t.size() || t[p] != 0x06) return token_kind::unknown;
    const std::size_t len = t[p + 1];
    const auto oid = t.subspan(p + 2, std::min(len, t.size() - p - 2));
    static constexpr std::uint8_t spnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
    static constexpr std::uint8_t krb5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
    static constexpr std::uint8_t mskrb5[] = {0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};
    auto is = [&](std::span<const std::uint8_t> want) {
        return oid.size() == want.size() && std::equal(want.begin(), want.end(), oid.begin());
    };
    if (is(spnego)) return token_kind::spnego_init;
    if (is(krb5) || is(mskrb5)) return token_kind::kerberos;
    return token_kind::unknown;
}

negotiate_header parse_negotiate_header(std::string_view v) {
    // the base64 of a maximal token, the scheme and some whitespace
    constexpr std::size_t max_field = (max_negotiate_token + 2) / 3 * 4 + 64;
    if (v.size() > max_field)
        return refuse(errc::malformed_header, "the Authorization header is longer than " +
                                                  std::to_string(max_field) + " bytes");
    while (!v.empty() && is_ows(v.front())) v.remove_prefix(1);
    while (!v.empty() && is_ows(v.back())) v.remove_suffix(1);
    if (v.empty()) return refuse(errc::malformed_header, "the Authorization header is empty");

    std::size_t end = 0;
    while (end < v.size() && is_tchar(v[end])) ++end;
    const std::string_view scheme = v.substr(0, end);
    if (scheme.empty() || (end < v.size() && !is_ows(v[end])))
        return refuse(errc::malformed_header, "the Authorization header does not start with an auth-scheme");
    if (!iequals(scheme, "Negotiate")) {
        const std::string shown(scheme.substr(0, 24));
        return refuse(errc::unsupported_mechanism,
                      "the Authorization header uses the '" + shown + "' scheme, not Negotiate" +
                          (iequals(scheme, "NTLM") ? " (the client fell back to NTLM)" : ""));
    }
    std::string_view rest = v.substr(end);
    while (!rest.empty() && is_ows(rest.front())) rest.remove_prefix(1);
    if (rest.empty()) return refuse(errc::malformed_header, "Negotiate without a token");
    if (std::any_of(rest.begin(), rest.end(), [](char c) { return is_ows(c) || c == ','; }))
        return refuse(errc::malformed_header, "Negotiate takes exactly one token (RFC 4559 section 4.2)");
    auto bytes = base64_decode(rest);
    if (!bytes) return refuse(errc::malformed_header, "the Negotiate token is not valid base64");
    if (bytes->empty()) return refuse(errc::malformed_header, "the Negotiate token is empty");
    if (bytes->size() > max_negotiate_token)
        return refuse(errc::malformed_header, "the Negotiate token is larger than " +
                                                  std::to_string(max_negotiate_token) + " bytes");
    if (classify_token(*bytes) == token_kind::ntlm)
        return refuse(errc::unsupported_mechanism,
                      "the client sent an NTLM token: it could not get a Kerberos ticket for this "
                      "server (is the service principal registered and the URL using its host name?)");
    negotiate_header h;
    h.token = std::move(*bytes);
    return h;
}

}  // namespace ssogate::identity

#pragma once
// The `Authorization: Negotiate <token>` header of RFC 4559 section 4.2, taken apart without
// trusting a byte of it: no Kerberos here, just the scheme, the token68 and base64.
//
// Accepted: optional whitespace, the scheme "Negotiate" in any case (RFC 7235 section 2.1),
// one or more spaces, a token68 of standard base64 (RFC 4648 section 4) with its padding and
// zero pad bits, optional trailing whitespace. Nothing else: no auth-params, no second
// credential, no line breaks. Decoded tokens are at most `max_negotiate_token` bytes (AD tickets
// with large PACs stay well below it).
#include <ssogate/identity/errc.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ssogate::identity {

inline constexpr std::size_t max_negotiate_token = 64 * 1024;

/// What a decoded token looks like from its first bytes (no ASN.1 parsing beyond the tag).
enum class token_kind {
    spnego_init,   // [APPLICATION 0] with the SPNEGO OID 1.3.6.1.5.5.2 (RFC 4178 section 4.2)
    spnego_resp,   // NegTokenResp [1] (a later round)
    kerberos,      // [APPLICATION 0] with a Kerberos OID (raw RFC 4121 token)
    ntlm,          // "NTLMSSP\0": the client fell back to NTLM
    unknown,
};

struct negotiate_header {
    std::vector<std::uint8_t> token;  // decoded; empty on error
    std::error_code error;            // errc::malformed_header / unsupported_mechanism
    std::string why;                  // one line; quotes no token bytes
    [[nodiscard]] explicit operator bool() const noexcept { return !error; }
};

/// Parse a field value ("Negotiate YIIC..."). Never throws on any input.
negotiate_header parse_negotiate_header(std::string_view field_value);

token_kind classify_token(std::span<const std::uint8_t> token) noexcept;

/// RFC 4648 section 4 base64 with padding.
std::string base64_encode(std::span<const std::uint8_t> bytes);
/// Strict: standard alphabet, length a multiple of 4, '=' only as final padding, zero pad bits.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace ssogate::identity

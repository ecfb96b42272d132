// Directory data the gateway reads or builds (gateway/identity/src/ldap_codec.cpp): binary SIDs
// (objectSid, tokenGroups values), the RFC 4515 filter escaper and its inverse, RFC 4514 DN values,
// LDAP integers and URLs. Properties checked, not only "no crash":
//  - a SID that decodes re-encodes to the same bytes, and its string form parses back to it;
//  - an escaped filter value holds no `*`, `(`, `)` or NUL and unescapes to the input;
//  - a DN value read from a DN, escaped again, reads back the same.
#include <ssogate/identity/ldap_codec.hpp>

#include <cstdint>
#include <string>
#include <string_view>

using namespace ssogate::identity;
using namespace ssogate::identity::ldap_codec;

namespace {

void check_sid(std::span<const std::uint8_t> bytes) {
    const auto s = decode_sid(bytes);
    if (!s) return;
    const auto again = s->to_bytes();
    if (again.size() != bytes.size() || !std::equal(again.begin(), again.end(), bytes.begin())) __builtin_trap();
    const auto parsed = parse_sid(s->to_string());
    if (!parsed || !(*parsed == *s)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // the whole input as one objectSid, and as a tokenGroups list of [length][SID] values
    check_sid(bytes);
    for (std::size_t i = 0; i < size;) {
        const std::size_t n = std::min<std::size_t>(data[i], size - i - 1);
        check_sid(bytes.subspan(i + 1, n));
        i += 1 + n;
    }

    const std::string escaped = escape_filter_value(text);
    if (escaped.find_first_of(std::string_view("*()\0", 4)) != std::string::npos) __builtin_trap();
    const auto back = unescape_filter_value(escaped);
    if (!back || *back != text) __builtin_trap();
    if (escape_filter_bytes(bytes).size() != 3 * size) __builtin_trap();
    (void)unescape_filter_value(text);

    if (const auto v = first_rdn_value(text)) {
        const auto again = first_rdn_value("cn=" + escape_dn_value(*v) + ",dc=example");
        if (!again || *again != *v) __builtin_trap();
    }

    if (const auto s = parse_sid(text)) {
        const auto re = parse_sid(s->to_string());
        if (!re || !(*re == *s)) __builtin_trap();
    }
    if (const auto n = parse_integer(text)) {
        if (std::to_string(*n) != text) __builtin_trap();  // INTEGER syntax is canonical
    }
    (void)parse_ldap_url(text);
    (void)is_loopback_host(text);
    return 0;
}

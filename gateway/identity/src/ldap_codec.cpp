#include <ssogate/identity/ldap_codec.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

namespace ssogate::identity::ldap_codec {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex_escape(std::string& out, unsigned char b) {
    out.push_back('\\');
    out.push_back(hex_digits[b >> 4]);
    out.push_back(hex_digits[b & 0x0f]);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view s, std::uint64_t max) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    if (s.size() > 1 && s.front() == '0') return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

// FILETIME (100 ns ticks since 1601-01-01) -> system_clock.
std::chrono::system_clock::time_point from_filetime(std::int64_t ticks) {
    constexpr std::int64_t epoch_diff_s = 11644473600;  // 1601-01-01 .. 1970-01-01
    const std::int64_t secs = ticks / 10000000 - epoch_diff_s;
    return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
}

}  // namespace

// ---- RFC 4515 filter values

std::string escape_filter_value(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 8);
    for (const char ch : value) {
        const auto b = static_cast<unsigned char>(ch);
        if (b == '*' || b == '(' || b == ')' || b == '\\' || b < 0x20 || b >= 0x7f)
            append_hex_escape(out, b);
        else
            out.push_back(ch);
    }
    return out;
}

std::string escape_filter_bytes(std::span<const std::uint8_t> value) {
    std::string out;
    out.reserve(value.size() * 3);
    for (const auto b : value) append_hex_escape(out, b);
    return out;
}

std::optional<std::string> unescape_filter_value(std::string_view escaped) {
    std::string out;
    out.reserve(escaped.size());
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        const char ch = escaped[i];
        if (ch == '*' || ch == '(' || ch == ')' || ch == '\0') return std::nullopt;
        if (ch != '\\') {
            out.push_back(ch);
            continue;
        }
        if (i + 2 >= escaped.size()) return std::nullopt;
        const int hi = hex_value(escaped[i + 1]), lo = hex_value(escaped[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

// ---- RFC 4514 DN values

std::string escape_dn_value(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 8);
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char ch = value[i];
        const auto b = static_cast<unsigned char>(ch);
        if (b < 0x20 || b == 0x7f) {
            append_hex_escape(out, b);
        } else if (ch == '"' || ch == '+' || ch == ',' || ch == ';' || ch == '<' || ch == '>' || ch == '\\' ||
                   ch == '=' || (i == 0 && (ch == '#' || ch == ' ')) || (i + 1 == value.size() && ch == ' ')) {
            out.push_back('\\');
            out.push_back(ch);
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

std::optional<std::string> first_rdn_value(std::string_view dn) {
    const auto eq = dn.find('=');
    if (eq == std::string_view::npos || eq == 0) return std::nullopt;
    std::string out;
    std::size_t keep = 0;  // unescaped spaces around the value are not part of it (RFC 4514 section 3)
    std::size_t i = eq + 1;
    if (i < dn.size() && dn[i] == '#') return std::nullopt;  // BER hex string: not a name
    for (; i < dn.size(); ++i) {
        const char ch = dn[i];
        if (ch == ',' || ch == ';') break;
        if (ch == '+') return std::nullopt;  // multi-valued RDN
        if (ch == '\0') return std::nullopt;
        if (ch != '\\') {
            if (ch == ' ' && out.empty()) continue;
            out.push_back(ch);
            if (ch != ' ') keep = out.size();
            continue;
        }
        if (i + 1 >= dn.size()) return std::nullopt;
        const char next = dn[i + 1];
        if (std::strchr("\"+,;<>\\=# ", next) != nullptr && next != '\0') {
            out.push_back(next);
            keep = out.size();
            ++i;
            continue;
        }
        if (i + 2 >= dn.size()) return std::nullopt;
        const int hi = hex_value(next), lo = hex_value(dn[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        keep = out.size();
        i += 2;
    }
    out.resize(keep);
    if (out.empty() || out.find('\0') != std::string::npos) return std::nullopt;
    return out;
}

// ---- SIDs ([MS-DTYP] 2.4.2)

std::string sid::to_string() const {
    std::string out = "S-1-";
    if (authority >= (std::uint64_t{1} << 32)) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "0x%012llX", static_cast<unsigned long long>(authority));
        out += buf;
    } else {
        out += std::to_string(authority);
    }
    for (const auto s : sub_authorities) out += "-" + std::to_string(s);
    return out;
}

std::vector<std::uint8_t> sid::to_bytes() const {
    std::vector<std::uint8_t> out;
    out.reserve(8 + 4 * sub_authorities.size());
    out.push_back(1);
    out.push_back(static_cast<std::uint8_t>(sub_authorities.size()));
    for (int shift = 40; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(authority >> shift));
    for (const auto s : sub_authorities)
        for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>(s >> shift));
    return out;
}

std::optional<sid> decode_sid(std::span<const std::uint8_t> b) {
    if (b.size() < 8 || b[0] != 1) return std::nullopt;
    const std::size_t count = b[1];
    if (count > 15 || b.size() != 8 + 4 * count) return std::nullopt;
    sid s;
    for (std::size_t i = 2; i < 8; ++i) s.authority = (s.authority << 8) | b[i];
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t o = 8 + 4 * k;
        s.sub_authorities.push_back(static_cast<std::uint32_t>(b[o]) | static_cast<std::uint32_t>(b[o + 1]) << 8 |
                                    static_cast<std::uint32_t>(b[o + 2]) << 16 |
                                    static_cast<std::uint32_t>(b[o + 3]) << 24);
    }
    return s;
}

std::optional<sid> parse_sid(std::string_view text) {
    if (text.size() < 5 || text.substr(0, 4) != "S-1-") return std::nullopt;
    text.remove_prefix(4);
    std::vector<std::string_view> parts;
    while (true) {
        const auto dash = text.find('-');
        parts.push_back(text.substr(0, dash));
        if (dash == std::string_view::npos) break;
        text.remove_prefix(dash + 1);
    }
    if (parts.size() > 16) return std::nullopt;
    sid s;
    const std::string_view auth = parts[0];
    if (auth.size() > 2 && (auth.substr(0, 2) == "0x" || auth.substr(0, 2) == "0X")) {
        if (auth.size() > 14) return std::nullopt;
        std::uint64_t v = 0;
        for (char c : auth.substr(2)) {
            const int h = hex_value(c);
            if (h < 0) return std::nullopt;
            v = v * 16 + static_cast<std::uint64_t>(h);
        }
        s.authority = v;
    } else {
        const auto v = parse_unsigned(auth, 0xffffffffULL);
        if (!v) return std::nullopt;
        s.authority = *v;
    }
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const auto v = parse_unsigned(parts[i], 0xffffffffULL);
        if (!v) return std::nullopt;
        s.sub_authorities.push_back(static_cast<std::uint32_t>(*v));
    }
    return s;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
    bool negative = false;
    if (!text.empty() && text.front() == '-') {
        negative = true;
        text.remove_prefix(1);
        if (text == "0") return std::nullopt;  // "-0" is not INTEGER syntax
    }
    const auto v = parse_unsigned(text, negative ? std::uint64_t{1} << 63
                                                 : static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    if (!v) return std::nullopt;
    if (negative) return *v == (std::uint64_t{1} << 63) ? std::numeric_limits<std::int64_t>::min()
                                                        : -static_cast<std::int64_t>(*v);
    return static_cast<std::int64_t>(*v);
}

// ---- account state

account_state ad_account_state(std::optional<std::int64_t> uac, std::optional<std::int64_t> computed,
                               std::optional<std::int64_t> expires, std::chrono::system_clock::time_point now) {
    if (!uac && !computed && !expires) return account_state::unknown;
    if (uac && (static_cast<std::uint64_t>(*uac) & uac_accountdisable) != 0) return account_state::disabled;
    if ((uac && (static_cast<std::uint64_t>(*uac) & uac_lockout) != 0) ||
        (computed && (static_cast<std::uint64_t>(*computed) & uac_lockout) != 0))
        return account_state::locked;
    if (expires && *expires > 0 && *expires != std::numeric_limits<std::int64_t>::max() &&
        from_filetime(*expires) <= now)
        return account_state::expired;
    return account_state::enabled;
}

account_state ldap_account_state(const std::vector<std::string>& ns_account_lock,
                                 const std::vector<std::string>& pwd_account_locked_time,
                                 const std::vector<std::string>& shadow_expire,
                                 std::chrono::system_clock::time_point now) {
    if (ns_account_lock.empty() && pwd_account_locked_time.empty() && shadow_expire.empty())
        return account_state::unknown;
    for (const auto& v : ns_account_lock) {
        std::string lower = v;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
        if (lower == "true") return account_state::disabled;
    }
    for (const auto& v : pwd_account_locked_time)
        return v == "000001010000Z" ? account_state::disabled : account_state::locked;
    for (const auto& v : shadow_expire) {
        const auto days = parse_integer(v);
        if (!days || *days < 0) continue;
        if (*days > 1000000) continue;  // far beyond any clock
        const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(*days * 86400));
        if (when <= now) return account_state::expired;
    }
    return account_state::enabled;
}

// ---- URLs

bool is_loopback_host(std::string_view host) {
    if (host == "localhost" || host == "::1" || host == "localhost.") return true;
    in_addr a{};
    const std::string h(host);
    if (::inet_pton(AF_INET, h.c_str(), &a) == 1) return (ntohl(a.s_addr) >> 24) == 127;
    return false;
}

std::optional<ldap_url> parse_ldap_url(std::string_view url) {
    if (url.size() > 512) return std::nullopt;
    ldap_url u;
    if (url.substr(0, 7) == "ldap://") {
        u.scheme = "ldap";
        u.port = 389;
        url.remove_prefix(7);
    } else if (url.substr(0, 8) == "ldaps://") {
        u.scheme = "ldaps";
        u.port = 636;
        url.remove_prefix(8);
    } else {
        return std::nullopt;
    }
    if (!url.empty() && url.back() == '/') url.remove_suffix(1);
    if (url.empty()) return std::nullopt;
    for (const char c : url) {
        const auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b >= 0x7f || c == '/' || c == '?' || c == '@' || c == '#' || c == '%' || c == '\\')
            return std::nullopt;
    }
    std::string_view host = url, port;
    if (url.front() == '[') {
        const auto close = url.find(']');
        if (close == std::string_view::npos || close == 1) return std::nullopt;
        host = url.substr(1, close - 1);
        const auto rest = url.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
            if (port.empty()) return std::nullopt;
        }
    } else {
        const auto colon = url.find(':');
        if (colon != std::string_view::npos) {
            host = url.substr(0, colon);
            port = url.substr(colon + 1);
            if (port.empty() || port.find(':') != std::string_view::npos) return std::nullopt;
        }
        if (host.find('[') != std::string_view::npos || host.find(']') != std::string_view::npos)
            return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
    if (!port.empty()) {
        const auto p = parse_unsigned(port, 65535);
        if (!p || *p == 0) return std::nullopt;
        u.port = static_cast<int>(*p);
    }
    u.host = std::string(host);
    return u;
}

}  // namespace ssogate::identity::ldap_codec

#include <ssogate/protocols/tn3270/terminal_type.hpp>

namespace ssogate::protocols::tn3270 {
namespace {

char upper(char c) noexcept {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string to_upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = upper(c);
    return out;
}

bool valid_lu_name(std::string_view lu) noexcept {
    if (lu.empty() || lu.size() > 8) return false;
    for (char c : lu) {
        const bool ok =
            (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' || c == '@' || c == '$';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::string terminal_type::name() const {
    if (kind == family::ibm_dynamic) return "IBM-DYNAMIC";
    std::string s = kind == family::ibm_3278 ? "IBM-3278-" : "IBM-3279-";
    s += static_cast<char>('0' + model);
    if (extended) s += "-E";
    return s;
}

std::string terminal_type::wire_name() const {
    return lu_name.empty() ? name() : name() + "@" + lu_name;
}

std::optional<terminal_type> parse_terminal_type(std::string_view text) {
    if (text.size() > max_terminal_type_length) return std::nullopt;
    const std::string s = to_upper(text);
    std::string_view type = s;
    terminal_type t;
    // RFC 1646: TYPE@LUNAME. An LU name may itself contain '@', so split at the first one.
    if (const auto at = type.find('@'); at != std::string_view::npos) {
        const std::string_view lu = type.substr(at + 1);
        if (!valid_lu_name(lu)) return std::nullopt;
        t.lu_name = std::string(lu);
        type = type.substr(0, at);
    }
    if (type == "IBM-DYNAMIC") {
        t.kind = terminal_type::family::ibm_dynamic;
        t.model = 0;
        return t;
    }
    // IBM-327x-n[-E]
    if (type.size() != 10 && type.size() != 12) return std::nullopt;
    if (type.substr(0, 8) == "IBM-3278") {
        t.kind = terminal_type::family::ibm_3278;
    } else if (type.substr(0, 8) == "IBM-3279") {
        t.kind = terminal_type::family::ibm_3279;
    } else {
        return std::nullopt;
    }
    if (type[8] != '-' || type[9] < '2' || type[9] > '5') return std::nullopt;
    t.model = type[9] - '0';
    if (type.size() == 12) {
        if (type.substr(10) != "-E") return std::nullopt;
        t.extended = true;
    }
    return t;
}

}  // namespace ssogate::protocols::tn3270

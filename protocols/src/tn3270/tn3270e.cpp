#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/tn3270e.hpp>

namespace ssogate::protocols::tn3270 {
namespace {

constexpr unsigned highest_function = static_cast<unsigned>(tn3270e_function::sysreq);
constexpr unsigned highest_data_type = static_cast<unsigned>(data_type::print_eoj);

// SNA BIND RU (x3270 ctlr.c, IBM SNA formats): request code, then the PSERVIC screen sizes.
constexpr std::byte bind_request_code{0x31};
constexpr std::size_t bind_default_rows = 20;
constexpr std::size_t bind_default_cols = 21;
constexpr std::size_t bind_alternate_rows = 22;
constexpr std::size_t bind_alternate_cols = 23;
constexpr std::size_t bind_size_code = 24;

std::uint8_t at(std::span<const std::byte> s, std::size_t i) {
    return static_cast<std::uint8_t>(s[i]);
}

}  // namespace

std::vector<std::byte> function_set::codes() const {
    std::vector<std::byte> out;
    for (unsigned f = 0; f <= highest_function; ++f) {
        if (contains(static_cast<tn3270e_function>(f))) out.push_back(static_cast<std::byte>(f));
    }
    return out;
}

function_set function_set::from_codes(std::span<const std::byte> codes, bool& unknown) {
    function_set s;
    unknown = false;
    for (std::byte b : codes) {
        const auto v = static_cast<unsigned>(b);
        if (v > highest_function) {
            unknown = true;
            continue;
        }
        s.add(static_cast<tn3270e_function>(v));
    }
    return s;
}

std::optional<tn3270e_header> parse_tn3270e_header(std::span<const std::byte> record,
                                                   std::error_code& ec) {
    ec.clear();
    if (record.size() < tn3270e_header_size) {
        ec = errc::tn3270e_header_too_short;
        return std::nullopt;
    }
    if (at(record, 0) > highest_data_type) {
        ec = errc::unknown_data_type;
        return std::nullopt;
    }
    tn3270e_header h;
    h.type = static_cast<data_type>(record[0]);
    h.request_flag = at(record, 1);
    h.response_flag = at(record, 2);
    h.sequence = static_cast<std::uint16_t>((at(record, 3) << 8) | at(record, 4));
    return h;
}

void append_tn3270e_header(std::vector<std::byte>& out, const tn3270e_header& h) {
    out.push_back(static_cast<std::byte>(h.type));
    out.push_back(static_cast<std::byte>(h.request_flag));
    out.push_back(static_cast<std::byte>(h.response_flag));
    out.push_back(static_cast<std::byte>(h.sequence >> 8));
    out.push_back(static_cast<std::byte>(h.sequence & 0xFF));
}

bind_screen parse_bind_screen(std::span<const std::byte> ru, std::error_code& ec) {
    ec.clear();
    bind_screen b;
    if (ru.empty() || ru[0] != bind_request_code) {
        ec = errc::malformed_bind;
        return b;
    }
    if (ru.size() <= bind_size_code) return b;  // no PSERVIC screen sizes
    const std::uint8_t code = at(ru, bind_size_code);
    b.size_code = code;
    const screen_size given_default{at(ru, bind_default_rows), at(ru, bind_default_cols)};
    const screen_size given_alternate{at(ru, bind_alternate_rows), at(ru, bind_alternate_cols)};
    auto valid = [](screen_size s) { return s.rows != 0 && s.columns != 0; };
    switch (code) {
        case 0x00:
        case 0x02:
            b.default_size = default_screen_size;
            b.alternate_size = default_screen_size;
            break;
        case 0x03:
            b.default_size = default_screen_size;
            break;
        case 0x7E:
            if (!valid(given_default)) {
                ec = errc::malformed_bind;
                return bind_screen{};
            }
            b.default_size = given_default;
            b.alternate_size = given_default;
            break;
        case 0x7F:
            if (!valid(given_default) || !valid(given_alternate)) {
                ec = errc::malformed_bind;
                return bind_screen{};
            }
            b.default_size = given_default;
            b.alternate_size = given_alternate;
            break;
        default:
            break;  // a code this engine does not know: the sizes stay unknown
    }
    return b;
}

std::vector<std::byte> make_bind_ru(screen_size default_size,
                                    std::optional<screen_size> alternate) {
    // Bytes 0..19 of the x3270 test target's BIND (PROTOCOLS.md section 3): request code 31,
    // format/type 01, FM and TS profiles 03 03, primary/secondary protocols, LU type 2
    // presentation services; then PSERVIC sizes, code, and a PLU name length of 0.
    std::vector<std::byte> ru;
    for (int b : {0x31, 0x01, 0x03, 0x03, 0xB1, 0x90, 0x30, 0x80, 0x00, 0x87, 0x87, 0xF8, 0x87,
                  0x00, 0x02, 0x80, 0x00, 0x00, 0x00, 0x00})
        ru.push_back(static_cast<std::byte>(b));
    auto size_byte = [](std::uint16_t v) { return static_cast<std::byte>(v > 0xFF ? 0xFF : v); };
    ru.push_back(size_byte(default_size.rows));
    ru.push_back(size_byte(default_size.columns));
    ru.push_back(size_byte(alternate ? alternate->rows : 0));
    ru.push_back(size_byte(alternate ? alternate->columns : 0));
    ru.push_back(std::byte{alternate ? std::uint8_t{0x7F} : std::uint8_t{0x03}});
    ru.push_back(std::byte{0x00});  // bytes 25, 26: (reserved in LU 2 PSERVIC)
    ru.push_back(std::byte{0x00});
    ru.push_back(std::byte{0x00});  // byte 27: PLU name length
    return ru;
}

std::string_view to_string(tn3270e_function f) noexcept {
    switch (f) {
        case tn3270e_function::bind_image:
            return "BIND-IMAGE";
        case tn3270e_function::data_stream_ctl:
            return "DATA-STREAM-CTL";
        case tn3270e_function::responses:
            return "RESPONSES";
        case tn3270e_function::scs_ctl_codes:
            return "SCS-CTL-CODES";
        case tn3270e_function::sysreq:
            return "SYSREQ";
    }
    return "?";
}

std::string_view to_string(reject_reason r) noexcept {
    switch (r) {
        case reject_reason::conn_partner:
            return "CONN-PARTNER";
        case reject_reason::device_in_use:
            return "DEVICE-IN-USE";
        case reject_reason::inv_associate:
            return "INV-ASSOCIATE";
        case reject_reason::inv_name:
            return "INV-NAME";
        case reject_reason::inv_device_type:
            return "INV-DEVICE-TYPE";
        case reject_reason::type_name_error:
            return "TYPE-NAME-ERROR";
        case reject_reason::unknown_error:
            return "UNKNOWN-ERROR";
        case reject_reason::unsupported_req:
            return "UNSUPPORTED-REQ";
    }
    return "?";
}

std::string_view to_string(data_type t) noexcept {
    switch (t) {
        case data_type::data_3270:
            return "3270-DATA";
        case data_type::scs_data:
            return "SCS-DATA";
        case data_type::response:
            return "RESPONSE";
        case data_type::bind_image:
            return "BIND-IMAGE";
        case data_type::unbind:
            return "UNBIND";
        case data_type::nvt_data:
            return "NVT-DATA";
        case data_type::request:
            return "REQUEST";
        case data_type::sscp_lu_data:
            return "SSCP-LU-DATA";
        case data_type::print_eoj:
            return "PRINT-EOJ";
    }
    return "?";
}

}  // namespace ssogate::protocols::tn3270

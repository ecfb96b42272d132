#include <ssogate/protocols/telnet/errc.hpp>

#include <string>

namespace ssogate::protocols {
namespace {

class category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "ssogate.protocols"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::ok:
                return "success";
            case errc::invalid_command:
                return "telnet: IAC followed by an invalid command byte";
            case errc::unterminated_subnegotiation:
                return "telnet: subnegotiation not ended by IAC SE";
            case errc::subnegotiation_too_long:
                return "telnet: subnegotiation over the size limit";
            case errc::record_too_long:
                return "record over the size limit";
            case errc::truncated:
                return "peer closed in the middle of a command or record";
            case errc::session_closed:
                return "session closed";
            case errc::not_in_3270_mode:
                return "tn3270: not in 3270 mode";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::malformed_subnegotiation:
                return "telnet: malformed subnegotiation";
            case errc::unexpected_subnegotiation:
                return "telnet: subnegotiation for an option not agreed";
            case errc::terminal_type_refused:
                return "tn3270: the peer refused TERMINAL-TYPE";
            case errc::unsupported_terminal_type:
                return "tn3270: the terminal type is not an IBM 3270 type";
            case errc::binary_refused:
                return "tn3270: the peer refused BINARY";
            case errc::eor_refused:
                return "tn3270: the peer refused END-OF-RECORD";
            case errc::left_3270_mode:
                return "tn3270: the peer left 3270 mode";
            case errc::empty_record:
                return "3270: empty record";
            case errc::unknown_command:
                return "3270: unknown command";
            case errc::truncated_order:
                return "3270: order or address cut short by the end of the record";
            case errc::invalid_address:
                return "3270: buffer address outside the screen";
            case errc::malformed_structured_field:
                return "3270: malformed structured field";
            case errc::unsupported_structured_field:
                return "3270: unsupported structured field";
            case errc::unknown_aid:
                return "3270: unknown attention identifier";
            case errc::keyboard_locked:
                return "3270: keyboard locked";
            case errc::protected_field:
                return "3270: protected position";
            case errc::numeric_field:
                return "3270: numeric field takes only digits, '.' and '-'";
            case errc::field_overflow:
                return "3270: text longer than the field";
            case errc::invalid_position:
                return "3270: position outside the screen";
            case errc::unmappable_character:
                return "3270: character not in the host code page";
            case errc::invalid_utf8:
                return "3270: text is not valid UTF-8";
            case errc::tn3270e_header_too_short:
                return "tn3270e: record shorter than its 5-byte header";
            case errc::unknown_data_type:
                return "tn3270e: unknown data type in a record header";
            case errc::malformed_bind:
                return "tn3270e: BIND-IMAGE data is not a valid BIND";
            case errc::malformed_tn3270e:
                return "tn3270e: malformed subnegotiation";
            case errc::tn3270e_functions_violation:
                return "tn3270e: FUNCTIONS IS names a function not requested";
            case errc::record_before_negotiation:
                return "tn3270: record received before 3270 mode";
            case errc::function_not_negotiated:
                return "tn3270e: function or data type not negotiated";
        }
        return "unknown protocols error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& protocols_category() noexcept {
    static const category c;
    return c;
}

bool is_fatal(const std::error_code& ec) noexcept {
    if (ec.category() != protocols_category()) return static_cast<bool>(ec);
    switch (static_cast<errc>(ec.value())) {
        case errc::subnegotiation_too_long:
        case errc::record_too_long:
        case errc::truncated:
        case errc::session_closed:
            return true;
        default:
            return false;
    }
}

}  // namespace ssogate::protocols

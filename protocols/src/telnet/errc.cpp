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

#include <ssogate/protocols/tn3270/event.hpp>

#include <ostream>

namespace ssogate::protocols::tn3270 {
namespace {

struct printer {
    std::ostream& os;
    void operator()(const negotiated& e) const {
        os << "negotiated{" << e.terminal_type;
        if (!e.lu_name.empty()) os << '@' << e.lu_name;
        os << '}';
    }
    void operator()(const record& e) const { os << "record{" << e.data.size() << " bytes}"; }
    void operator()(const nvt_data& e) const { os << "nvt_data{" << e.data.size() << " bytes}"; }
    void operator()(const telnet_command& e) const {
        os << "telnet_command{" << static_cast<unsigned>(e.cmd) << '}';
    }
    void operator()(const negotiation_failed& e) const {
        os << "negotiation_failed{" << e.reason.message() << '}';
    }
    void operator()(const protocol_violation& e) const {
        os << "protocol_violation{" << e.reason.message() << '}';
    }
    void operator()(const peer_closed&) const { os << "peer_closed{}"; }
};

}  // namespace

std::ostream& operator<<(std::ostream& os, const event& e) {
    std::visit(printer{os}, e);
    return os;
}

}  // namespace ssogate::protocols::tn3270

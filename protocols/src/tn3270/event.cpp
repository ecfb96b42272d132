#include <ssogate/protocols/tn3270/event.hpp>

#include <ostream>

namespace ssogate::protocols::tn3270 {
namespace {

struct printer {
    std::ostream& os;
    void operator()(const negotiated& e) const {
        os << "negotiated{" << e.terminal_type;
        if (!e.lu_name.empty()) os << '@' << e.lu_name;
        if (e.tn3270e) {
            os << " tn3270e";
            for (std::byte f : e.functions.codes())
                os << ' ' << to_string(static_cast<tn3270e_function>(f));
        }
        os << '}';
    }
    void operator()(const record& e) const {
        os << "record{";
        if (e.header) {
            os << to_string(e.header->type) << " rsp=" << unsigned{e.header->response_flag}
               << " seq=" << e.header->sequence << ' ';
        }
        os << e.data.size() << " bytes}";
    }
    void operator()(const response_received& e) const {
        os << "response{seq=" << e.sequence << (e.positive ? " positive" : " negative")
           << " code=" << unsigned{e.code} << '}';
    }
    void operator()(const bind_received& e) const {
        os << "bind{" << e.ru.size() << " bytes";
        if (e.screen.default_size)
            os << " default=" << e.screen.default_size->rows << 'x' << e.screen.default_size->columns;
        if (e.screen.alternate_size)
            os << " alternate=" << e.screen.alternate_size->rows << 'x'
               << e.screen.alternate_size->columns;
        os << '}';
    }
    void operator()(const unbind_received& e) const {
        os << "unbind{" << unsigned{e.reason} << '}';
    }
    void operator()(const sysreq_received&) const { os << "sysreq{}"; }
    void operator()(const device_type_rejected& e) const {
        os << "device_type_rejected{" << to_string(e.reason) << '}';
    }
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

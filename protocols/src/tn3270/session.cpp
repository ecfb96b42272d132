#include <ssogate/protocols/telnet/encode.hpp>
#include <ssogate/protocols/tn3270/session.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace ssogate::protocols::tn3270 {

using telnet::command;
using telnet::option;
using telnet::option_change;
using telnet::side;

namespace {

// RFC 1091: the host may SEND again to walk the terminal's list of types; a terminal repeats
// its last type at the end of its list. Give up after this many.
constexpr int max_terminal_type_requests = 8;

// Compact the output buffer once this much of its front has been written.
constexpr std::size_t compact_threshold = 4096;

std::span<const std::byte> as_bytes(const std::string& s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

}  // namespace

session::session(role r, session_config cfg)
    : role_(r), cfg_(std::move(cfg)), tokenizer_(cfg_.max_subnegotiation) {
    if (cfg_.max_record_size == 0 || cfg_.max_subnegotiation == 0)
        throw std::invalid_argument("tn3270 session: size limits must be positive");

    // What we agree to when the peer asks (RFC 1576: TERMINAL-TYPE, BINARY, END-OF-RECORD).
    // Everything else, TN3270E included (a later stage), is refused.
    options_.allow(option::binary, side::local);
    options_.allow(option::binary, side::remote);
    options_.allow(option::end_of_record, side::local);
    options_.allow(option::end_of_record, side::remote);

    if (role_ == role::terminal) {
        if (cfg_.terminal_type.find('@') != std::string::npos)
            throw std::invalid_argument("tn3270 session: put the LU in lu_name, not in the type");
        auto t = parse_terminal_type(cfg_.terminal_type);
        if (!t) throw std::invalid_argument("tn3270 session: not an IBM 3270 terminal type");
        if (!cfg_.lu_name.empty()) {
            auto with_lu = parse_terminal_type(t->name() + "@" + cfg_.lu_name);
            if (!with_lu) throw std::invalid_argument("tn3270 session: invalid LU name");
            t = std::move(with_lu);
        }
        type_ = std::move(t);
        options_.allow(option::terminal_type, side::local);
    } else {
        options_.allow(option::terminal_type, side::remote);
        // The host speaks first (RFC 1576 section 3). [TN3270E: offer DO TN3270E here.]
        options_.request(option::terminal_type, side::remote, true, out_);
    }
}

std::size_t session::receive(std::span<const std::byte> in, std::error_code& ec) {
    ec.clear();
    if (closed_ || failed_) {
        ec = errc::session_closed;
        return 0;
    }
    std::span<const std::byte> rest = in;
    while (!rest.empty()) {
        std::error_code tec;
        const auto t = tokenizer_.next(rest, tec);
        if (tec) {
            if (tec == errc::subnegotiation_too_long) {
                fail(errc::subnegotiation_too_long, ec);
                break;
            }
            violation(static_cast<errc>(tec.value()));
            continue;
        }
        if (t) {
            on_token(*t, ec);
            if (ec) break;
        }
    }
    flush_nvt();
    return in.size() - rest.size();
}

void session::receive_eof(std::error_code& ec) {
    ec.clear();
    if (closed_ || failed_) {
        ec = errc::session_closed;
        return;
    }
    if (tokenizer_.in_command() || !record_.empty()) ec = errc::truncated;
    tokenizer_.reset();
    record_.clear();
    closed_ = true;
    push(peer_closed{});
}

std::optional<event> session::next_event() {
    if (events_.empty()) return std::nullopt;
    event e = std::move(events_.front());
    events_.pop_front();
    return e;
}

void session::send_record(std::span<const std::byte> data, std::error_code& ec) {
    ec.clear();
    if (failed_) {
        ec = errc::session_closed;
        return;
    }
    if (!in_3270_) {
        ec = errc::not_in_3270_mode;
        return;
    }
    telnet::append_escaped(out_, data);
    telnet::append_command(out_, command::eor);
}

void session::send_command(command cmd, std::error_code& ec) {
    ec.clear();
    if (failed_) {
        ec = errc::session_closed;
        return;
    }
    if (cmd == command::sb || cmd == command::se || cmd == command::iac ||
        telnet::is_negotiation_verb(cmd) || static_cast<std::uint8_t>(cmd) < 0xEF) {
        ec = errc::invalid_argument;
        return;
    }
    telnet::append_command(out_, cmd);
}

std::span<const std::byte> session::pending_output() const noexcept {
    return std::span<const std::byte>(out_).subspan(out_pos_);
}

void session::consume_output(std::size_t n) noexcept {
    out_pos_ += std::min(n, out_.size() - out_pos_);
    if (out_pos_ == out_.size()) {
        out_.clear();
        out_pos_ = 0;
    } else if (out_pos_ >= compact_threshold && out_pos_ * 2 >= out_.size()) {
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_pos_));
        out_pos_ = 0;
    }
}

void session::on_token(const telnet::token& t, std::error_code& ec) {
    switch (t.kind) {
        case telnet::token_kind::data:
            on_data(t.bytes, ec);
            break;
        case telnet::token_kind::command:
            on_command(t.cmd);
            break;
        case telnet::token_kind::negotiation:
            on_negotiation(t.cmd, t.opt);
            break;
        case telnet::token_kind::subnegotiation:
            on_subnegotiation(t.opt, t.bytes);
            break;
    }
}

void session::on_data(std::span<const std::byte> data, std::error_code& ec) {
    if (!in_3270_) {
        nvt_.insert(nvt_.end(), data.begin(), data.end());
        return;
    }
    if (data.size() > cfg_.max_record_size - record_.size()) {
        fail(errc::record_too_long, ec);
        return;
    }
    record_.insert(record_.end(), data.begin(), data.end());
}

void session::on_command(command cmd) {
    switch (cmd) {
        case command::eor:  // RFC 885: the end of a record
            if (in_3270_) {
                push(record{std::exchange(record_, {})});
            }
            break;  // outside 3270 mode an EOR only separates NVT data
        case command::nop:
        case command::ga:
        case command::se:
            break;
        default:
            push(telnet_command{cmd});
            break;
    }
}

void session::on_negotiation(command verb, option opt) {
    if (opt == option::timing_mark) {
        // RFC 860: answer DO TIMING-MARK with WILL TIMING-MARK once the data before it has
        // been processed (it has: we are sans-I/O). Not a state: the Q method stays out of it.
        if (verb == command::do_) telnet::append_negotiation(out_, command::will, opt);
        return;
    }
    const side s = (verb == command::will || verb == command::wont) ? side::remote : side::local;
    const option_change change = options_.receive(verb, opt, out_);

    if (role_ == role::host && s == side::remote) {
        if (opt == option::terminal_type) {
            if (change == option_change::enabled && step_ == host_step::want_will_ttype) {
                step_ = host_step::want_ttype_is;
                ++ttype_requests_;
                const std::byte send[] = {telnet::qualifier_send};
                telnet::append_subnegotiation(out_, option::terminal_type, send);
            } else if (change == option_change::refused ||
                       (change == option_change::disabled && !type_)) {
                fail_negotiation(errc::terminal_type_refused);
            }
        }
    }
    if (change == option_change::refused) {
        if (opt == option::binary) fail_negotiation(errc::binary_refused);
        if (opt == option::end_of_record) fail_negotiation(errc::eor_refused);
    }
    update_mode();
}

void session::on_subnegotiation(option opt, std::span<const std::byte> payload) {
    if (opt != option::terminal_type) return;  // an option we refused: nothing to do
    if (payload.empty()) {
        violation(errc::malformed_subnegotiation);
        return;
    }
    const std::byte qualifier = payload.front();
    if (role_ == role::terminal) {
        // RFC 1091: IAC SB TERMINAL-TYPE SEND IAC SE, only once WILL TERMINAL-TYPE is agreed.
        if (qualifier != telnet::qualifier_send || payload.size() != 1) {
            violation(errc::malformed_subnegotiation);
        } else if (!options_.enabled(option::terminal_type, side::local)) {
            violation(errc::unexpected_subnegotiation);
        } else {
            const std::string name = type_->wire_name();
            std::vector<std::byte> is{telnet::qualifier_is};
            const auto name_bytes = as_bytes(name);
            is.insert(is.end(), name_bytes.begin(), name_bytes.end());
            telnet::append_subnegotiation(out_, option::terminal_type, is);
        }
        return;
    }
    // Host role: IAC SB TERMINAL-TYPE IS <name> IAC SE, in answer to our SEND.
    if (qualifier != telnet::qualifier_is) {
        violation(errc::malformed_subnegotiation);
        return;
    }
    if (step_ != host_step::want_ttype_is) {
        violation(errc::unexpected_subnegotiation);
        return;
    }
    on_terminal_type_is(payload.subspan(1));
    update_mode();
}

void session::on_terminal_type_is(std::span<const std::byte> name) {
    std::string text;
    bool printable = name.size() <= max_terminal_type_length;
    for (std::size_t i = 0; printable && i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        printable = c > 0x20 && c < 0x7F;
        text.push_back(static_cast<char>(c));
    }
    auto t = printable ? parse_terminal_type(text) : std::nullopt;
    if (t) {
        type_ = std::move(t);
        step_ = host_step::want_binary_eor;
        // The order Hercules uses; any order works.
        options_.request(option::end_of_record, side::remote, true, out_);
        options_.request(option::end_of_record, side::local, true, out_);
        options_.request(option::binary, side::remote, true, out_);
        options_.request(option::binary, side::local, true, out_);
        return;
    }
    // Not a 3270: ask for the terminal's next type, unless it has repeated itself (end of its
    // list, RFC 1091) or we have asked often enough.
    if (text == last_ttype_ || ttype_requests_ >= max_terminal_type_requests) {
        fail_negotiation(errc::unsupported_terminal_type);
        return;
    }
    last_ttype_ = std::move(text);
    ++ttype_requests_;
    const std::byte send[] = {telnet::qualifier_send};
    telnet::append_subnegotiation(out_, option::terminal_type, send);
}

void session::update_mode() {
    const bool type_ok = role_ == role::terminal
                             ? options_.enabled(option::terminal_type, side::local)
                             : type_.has_value();
    const bool ok = type_ok && options_.enabled(option::binary, side::local) &&
                    options_.enabled(option::binary, side::remote) &&
                    options_.enabled(option::end_of_record, side::local) &&
                    options_.enabled(option::end_of_record, side::remote);
    if (ok == in_3270_) return;
    in_3270_ = ok;
    record_.clear();
    if (ok) {
        failure_reported_ = false;
        if (role_ == role::host) step_ = host_step::in_3270;
        push(negotiated{type_->name(), type_->lu_name});
    } else {
        fail_negotiation(errc::left_3270_mode);
    }
}

void session::fail_negotiation(errc reason) {
    if (role_ == role::host && !in_3270_) step_ = host_step::failed;
    if (failure_reported_) return;
    failure_reported_ = true;
    push(negotiation_failed{make_error_code(reason)});
}

void session::violation(errc reason) {
    push(protocol_violation{make_error_code(reason)});
}

void session::push(event e) {
    flush_nvt();  // NVT data received before this event comes first
    events_.push_back(std::move(e));
}

void session::flush_nvt() {
    if (nvt_.empty()) return;
    events_.push_back(nvt_data{std::exchange(nvt_, {})});
}

void session::fail(errc reason, std::error_code& ec) {
    failed_ = true;
    record_.clear();
    nvt_.clear();
    ec = reason;
}

}  // namespace ssogate::protocols::tn3270

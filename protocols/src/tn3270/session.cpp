#include <ssogate/protocols/telnet/encode.hpp>
#include <ssogate/protocols/tn3270/session.hpp>

#include <algorithm>
#include <cctype>
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

// RFC 2355 gives up on neither side; we do, after this many FUNCTIONS REQUEST rounds.
constexpr int max_function_rounds = 4;

// RFC 2355 section 7.1: an LU (device) name is at most 8 characters.
constexpr std::size_t max_lu_name_length = 8;

std::span<const std::byte> as_bytes(const std::string& s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

void append_text(std::vector<std::byte>& out, std::string_view s) {
    for (char c : s) out.push_back(static_cast<std::byte>(c));
}

std::string upper(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return r;
}

// Printable ASCII without space, 1..max characters: what a device type or LU name may hold.
std::optional<std::string> name_text(std::span<const std::byte> b, std::size_t max) {
    if (b.empty() || b.size() > max) return std::nullopt;
    std::string s;
    for (std::byte x : b) {
        const auto c = static_cast<unsigned char>(x);
        if (c <= 0x20 || c >= 0x7F) return std::nullopt;
        s.push_back(static_cast<char>(c));
    }
    return s;
}

// A VTAM LU name: 1..8 of A-Z 0-9 # @ $ (checked case-insensitively).
bool valid_lu_name(std::string_view s) {
    if (s.empty() || s.size() > max_lu_name_length) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(std::toupper(static_cast<unsigned char>(c)));
        return (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '#' || u == '@' ||
               u == '$';
    });
}

bool is_printer_type(std::string_view type) {
    return upper(type).starts_with("IBM-3287");
}

// The DEVICE-TYPE a terminal requests for its configured type: 3279 written as 3278.
std::string device_type_for(const terminal_type& t) {
    terminal_type d = t;
    d.lu_name.clear();
    if (d.kind == terminal_type::family::ibm_3279) d.kind = terminal_type::family::ibm_3278;
    return d.name();
}

// An LU name from a peer may be anything printable; keep it only when it is a VTAM name.
std::optional<terminal_type> with_lu(std::optional<terminal_type> t, const std::string& lu) {
    if (t && valid_lu_name(lu)) t->lu_name = upper(lu);
    return t;
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
        if (!cfg_.associate_lu.empty() && !cfg_.lu_name.empty())
            throw std::invalid_argument("tn3270 session: both lu_name and associate_lu set");
        if (!cfg_.associate_lu.empty() && !valid_lu_name(cfg_.associate_lu))
            throw std::invalid_argument("tn3270 session: invalid associate_lu");
        if (!cfg_.tn3270e_device_type.empty() &&
            !name_text(as_bytes(cfg_.tn3270e_device_type), max_terminal_type_length))
            throw std::invalid_argument("tn3270 session: invalid tn3270e_device_type");
        if (cfg_.tn3270e) options_.allow(option::tn3270e, side::local);
    } else {
        options_.allow(option::terminal_type, side::remote);
        if (!cfg_.lu_name.empty() && !valid_lu_name(cfg_.lu_name))
            throw std::invalid_argument("tn3270 session: invalid LU name");
        for (const auto& lu : cfg_.host_lu_names) {
            if (!valid_lu_name(lu))
                throw std::invalid_argument("tn3270 session: invalid name in host_lu_names");
        }
        // The host speaks first (RFC 1576 section 3, RFC 2355 section 7).
        if (cfg_.tn3270e) {
            options_.allow(option::tn3270e, side::remote);
            e_step_ = e_step::want_will;
            step_ = host_step::tn3270e_first;
            options_.request(option::tn3270e, side::remote, true, out_);
        } else {
            start_plain_negotiation();
        }
    }
}

void session::start_plain_negotiation() {
    if (plain_started_) return;
    plain_started_ = true;
    step_ = host_step::want_will_ttype;
    options_.request(option::terminal_type, side::remote, true, out_);
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
    if (mode_ == session_mode::tn3270e) {
        send_record(data, record_options{}, ec);
        return;
    }
    telnet::append_escaped(out_, data);
    telnet::append_command(out_, command::eor);
}

std::uint16_t session::send_record(std::span<const std::byte> data, const record_options& opts,
                                   std::error_code& ec) {
    ec.clear();
    if (failed_) {
        ec = errc::session_closed;
        return 0;
    }
    if (!in_3270_) {
        ec = errc::not_in_3270_mode;
        return 0;
    }
    if (mode_ != session_mode::tn3270e) {
        if (opts.type != data_type::data_3270 || opts.response != response_flag::no_response) {
            ec = errc::function_not_negotiated;
            return 0;
        }
        telnet::append_escaped(out_, data);
        telnet::append_command(out_, command::eor);
        return 0;
    }
    const bool responses = functions_.contains(tn3270e_function::responses);
    if (opts.type == data_type::response ||
        (opts.response != response_flag::no_response && !responses)) {
        ec = errc::function_not_negotiated;
        return 0;
    }
    tn3270e_header h;
    h.type = opts.type;
    h.response_flag = static_cast<std::uint8_t>(opts.response);
    h.sequence = take_sequence();
    send_with_header(h, data);
    if (role_ == role::host && opts.type == data_type::bind_image) bound_ = true;
    if (role_ == role::host && opts.type == data_type::unbind) bound_ = false;
    return h.sequence;
}

// Sequence numbers count only with RESPONSES agreed; otherwise 0 (as x3270).
std::uint16_t session::take_sequence() noexcept {
    if (!functions_.contains(tn3270e_function::responses)) return 0;
    const std::uint16_t seq = next_sequence_;
    next_sequence_ =
        next_sequence_ == max_sequence_number ? 0 : static_cast<std::uint16_t>(next_sequence_ + 1);
    return seq;
}

// FUNCTIONS agreed: a host with BIND-IMAGE binds the LU-LU session before any screen.
void session::on_tn3270e_agreed() {
    e_step_ = e_step::done;
    next_sequence_ = 0;
    if (role_ != role::host || !cfg_.host_sends_bind ||
        !functions_.contains(tn3270e_function::bind_image) || printer_)
        return;
    std::optional<screen_size> alternate;
    if (e_type_ && e_type_->kind != terminal_type::family::ibm_dynamic)
        alternate = model_screen_size(e_type_->model);
    const auto ru = make_bind_ru(default_screen_size, alternate);
    send_with_header({data_type::bind_image, 0, 0, take_sequence()}, ru);
    bound_ = true;
}

void session::send_with_header(const tn3270e_header& h, std::span<const std::byte> data) {
    std::vector<std::byte> head;
    append_tn3270e_header(head, h);
    telnet::append_escaped(out_, head);  // a sequence number can hold FF
    telnet::append_escaped(out_, data);
    telnet::append_command(out_, command::eor);
}

std::error_code session::function_usable(tn3270e_function f) const noexcept {
    if (failed_) return make_error_code(errc::session_closed);
    if (!in_3270_) return make_error_code(errc::not_in_3270_mode);
    if (mode_ != session_mode::tn3270e || !functions_.contains(f))
        return make_error_code(errc::function_not_negotiated);
    return {};
}

void session::send_positive_response(std::uint16_t sequence, std::error_code& ec) {
    ec = function_usable(tn3270e_function::responses);
    if (ec) return;
    const std::byte code[] = {std::byte{response_device_end}};
    send_with_header({data_type::response, 0, positive_response, sequence}, code);
}

void session::send_negative_response(std::uint16_t sequence, negative_code code,
                                     std::error_code& ec) {
    ec = function_usable(tn3270e_function::responses);
    if (ec) return;
    const std::byte data[] = {static_cast<std::byte>(code)};
    send_with_header({data_type::response, 0, negative_response, sequence}, data);
}

void session::send_sysreq(std::error_code& ec) {
    ec = function_usable(tn3270e_function::sysreq);
    if (ec) return;
    telnet::append_command(out_, command::ao);
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
            if (mode_ == session_mode::tn3270e) {
                on_tn3270e_record();
            } else if (in_3270_) {
                push(record{std::exchange(record_, {}), std::nullopt});
            } else if (e_step_ != e_step::off) {
                // A record while TN3270E is being negotiated (RFC 2355: none may flow yet). Its
                // bytes were reported as nvt_data.
                violation(errc::record_before_negotiation);
            }
            break;  // outside 3270 mode an EOR only separates NVT data
        case command::ao:  // RFC 2355 section 10.5: SYSREQ
            if (role_ == role::host && mode_ == session_mode::tn3270e &&
                functions_.contains(tn3270e_function::sysreq)) {
                push(sysreq_received{});
            } else {
                push(telnet_command{cmd});
            }
            break;
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
    if (opt == option::tn3270e) {
        on_tn3270e_negotiation(verb, change);
        update_mode();
        return;
    }

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
    if (opt == option::tn3270e) {
        on_tn3270e(payload);
        update_mode();
        return;
    }
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

bool session::tn3270e_enabled() const noexcept {
    return options_.enabled(option::tn3270e, role_ == role::host ? side::remote : side::local);
}

void session::update_mode() {
    session_mode m = session_mode::none;
    if (tn3270e_enabled()) {
        // RFC 2355 section 7: with TN3270E agreed, TERMINAL-TYPE, BINARY and EOR do not count.
        if (e_step_ == e_step::done) m = session_mode::tn3270e;
    } else {
        const bool type_ok = role_ == role::terminal
                                 ? options_.enabled(option::terminal_type, side::local)
                                 : type_.has_value();
        const bool ok = type_ok && options_.enabled(option::binary, side::local) &&
                        options_.enabled(option::binary, side::remote) &&
                        options_.enabled(option::end_of_record, side::local) &&
                        options_.enabled(option::end_of_record, side::remote);
        if (ok) m = session_mode::tn3270;
    }
    if (m == mode_) return;
    const bool was_in = mode_ != session_mode::none;
    mode_ = m;
    in_3270_ = m != session_mode::none;
    record_.clear();
    if (was_in) fail_negotiation(errc::left_3270_mode);
    if (!in_3270_) return;
    failure_reported_ = false;
    if (m == session_mode::tn3270) {
        if (role_ == role::host) step_ = host_step::in_3270;
        // Plain 3270 mode reached: a later DO TN3270E would end it; refuse one.
        options_.allow(option::tn3270e, side::local, false);
        options_.allow(option::tn3270e, side::remote, false);
        push(negotiated{type_->name(), type_->lu_name, false, {}});
    } else {
        push(negotiated{device_type_, lu_name_, true, functions_});
    }
}

void session::fail_negotiation(errc reason) {
    if (role_ == role::host && !in_3270_ && plain_started_) step_ = host_step::failed;
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

// ---- TN3270E (RFC 2355) -------------------------------------------------------------------

void session::on_tn3270e_negotiation(command verb, option_change change) {
    if (role_ == role::host) {
        if (verb != command::will && verb != command::wont) return;  // DO/DONT: refused as usual
        if (change == option_change::enabled && e_step_ == e_step::want_will) {
            // RFC 2355 section 7.1: the server asks for the device type.
            e_step_ = e_step::want_device_request;
            const std::byte send[] = {tn3270e_code::send, tn3270e_code::device_type};
            send_tn3270e_sb(send);
        } else if (change == option_change::refused || change == option_change::disabled) {
            // WONT TN3270E: the emulator cannot or will no more; plain TN3270 (RFC 2355 sec. 7).
            clear_tn3270e();
            options_.allow(option::tn3270e, side::remote, false);
            start_plain_negotiation();
        }
        return;
    }
    // Terminal role.
    if (verb == command::do_ && change == option_change::enabled) {
        e_step_ = e_step::want_send;
        e_rounds_ = 0;
    } else if (verb == command::dont && change == option_change::disabled) {
        clear_tn3270e();  // the host dropped TN3270E (we answered WONT): plain follows
    } else if (verb == command::wont && options_.enabled(option::tn3270e, side::local)) {
        // Some hosts say WONT TN3270E when they mean DONT (x3270 wont-tn3270e.trc): x3270 and
        // we answer by dropping our side too.
        abandon_tn3270e();
    }
}

// TN3270E is off (refused, dropped or abandoned): nothing of it may describe the session.
void session::clear_tn3270e() {
    e_step_ = e_step::off;
    bound_ = false;
    functions_ = {};
    e_requested_ = {};
    device_type_.clear();
    lu_name_.clear();
    e_type_.reset();
    printer_ = false;
}

// Ends TN3270E from our side (RFC 2355 section 7: WONT / DONT TN3270E); a host falls back to
// plain TN3270 at once, a terminal answers the plain negotiation the host then starts.
void session::abandon_tn3270e() {
    clear_tn3270e();
    if (role_ == role::terminal) {
        options_.request(option::tn3270e, side::local, false, out_);
    } else {
        options_.request(option::tn3270e, side::remote, false, out_);
        options_.allow(option::tn3270e, side::remote, false);
        start_plain_negotiation();
    }
}

void session::send_tn3270e_sb(std::span<const std::byte> payload) {
    telnet::append_subnegotiation(out_, option::tn3270e, payload);
}

void session::on_tn3270e(std::span<const std::byte> payload) {
    if (!tn3270e_enabled()) return;  // refused or dropped: nothing to do (as for other options)
    if (payload.size() < 2) {
        violation(errc::malformed_tn3270e);
        return;
    }
    if (role_ == role::terminal) {
        on_tn3270e_terminal(payload);
    } else {
        on_tn3270e_host(payload);
    }
}

void session::on_tn3270e_terminal(std::span<const std::byte> p) {
    const std::byte what = p[0];
    const std::byte verb = p[1];
    const auto rest = p.subspan(2);
    if (what == tn3270e_code::send && verb == tn3270e_code::device_type && rest.empty()) {
        // RFC 2355 section 7.1. Also a host restarting the negotiation (x3270
        // tn3270e-renegotiate.trc): start over; update_mode reports leaving 3270 mode.
        e_step_ = e_step::want_device_is;
        e_rounds_ = 0;
        functions_ = {};
        bound_ = false;
        send_device_type_request();
        return;
    }
    if (what == tn3270e_code::device_type && verb == tn3270e_code::is) {
        if (e_step_ != e_step::want_device_is) {
            violation(errc::unexpected_subnegotiation);
            return;
        }
        // IS <device-type> CONNECT <device-name>
        const auto sep = std::find(rest.begin(), rest.end(), tn3270e_code::connect);
        const auto type = name_text(rest.first(static_cast<std::size_t>(sep - rest.begin())),
                                    max_terminal_type_length);
        const auto lu = sep == rest.end()
                            ? std::optional<std::string>{}
                            : name_text(rest.subspan(static_cast<std::size_t>(sep - rest.begin()) + 1),
                                        max_terminal_type_length);
        if (!type || !lu) {
            violation(errc::malformed_tn3270e);
            abandon_tn3270e();
            return;
        }
        device_type_ = upper(*type);
        lu_name_ = *lu;
        printer_ = is_printer_type(device_type_);
        e_type_ = with_lu(parse_terminal_type(device_type_), lu_name_);
        e_step_ = e_step::want_functions;
        e_requested_ = offered_functions();
        send_functions(tn3270e_code::request, e_requested_);
        return;
    }
    if (what == tn3270e_code::device_type && verb == tn3270e_code::reject) {
        if (e_step_ != e_step::want_device_is) {
            violation(errc::unexpected_subnegotiation);
            return;
        }
        if (rest.size() != 2 || rest[0] != tn3270e_code::reason ||
            static_cast<std::uint8_t>(rest[1]) > static_cast<std::uint8_t>(reject_reason::unsupported_req)) {
            violation(errc::malformed_tn3270e);
            abandon_tn3270e();
            return;
        }
        push(device_type_rejected{static_cast<reject_reason>(rest[1])});
        abandon_tn3270e();
        return;
    }
    if (what == tn3270e_code::functions &&
        (verb == tn3270e_code::request || verb == tn3270e_code::is)) {
        on_functions(verb == tn3270e_code::is, rest);
        return;
    }
    violation(errc::malformed_tn3270e);
}

void session::send_device_type_request() {
    std::vector<std::byte> p{tn3270e_code::device_type, tn3270e_code::request};
    append_text(p, cfg_.tn3270e_device_type.empty() ? device_type_for(*type_)
                                                   : upper(cfg_.tn3270e_device_type));
    if (!cfg_.associate_lu.empty()) {
        p.push_back(tn3270e_code::associate);
        append_text(p, cfg_.associate_lu);
    } else if (!cfg_.lu_name.empty()) {
        p.push_back(tn3270e_code::connect);
        append_text(p, cfg_.lu_name);  // as configured (x3270 sends the name as given)
    }
    send_tn3270e_sb(p);
}

function_set session::offered_functions() const {
    function_set fs = cfg_.tn3270e_functions;
    if (!printer_) {
        // RFC 2355 section 10: printer-only functions.
        fs.remove(tn3270e_function::data_stream_ctl);
        fs.remove(tn3270e_function::scs_ctl_codes);
    }
    return fs;
}

void session::send_functions(std::byte verb, function_set fs) {
    std::vector<std::byte> p{tn3270e_code::functions, verb};
    const auto codes = fs.codes();
    p.insert(p.end(), codes.begin(), codes.end());
    send_tn3270e_sb(p);
}

// RFC 2355 section 7.2 (and x3270 tn3270e_negotiate): a REQUEST that is a subset of what we
// support is agreed with IS; one that adds functions gets a REQUEST with the intersection; an
// IS must be a subset of what we asked for.
void session::on_functions(bool is, std::span<const std::byte> codes) {
    if (e_step_ != e_step::want_functions) {
        violation(errc::unexpected_subnegotiation);
        return;
    }
    bool unknown = false;
    const function_set got = function_set::from_codes(codes, unknown);
    if (is) {
        if (unknown || !got.subset_of(e_requested_)) {
            violation(errc::tn3270e_functions_violation);
            abandon_tn3270e();
            return;
        }
        functions_ = got;
        on_tn3270e_agreed();
        return;
    }
    if (++e_rounds_ > max_function_rounds) {
        violation(errc::tn3270e_functions_violation);
        abandon_tn3270e();
        return;
    }
    const function_set ours = offered_functions();
    if (!unknown && got.subset_of(ours)) {
        send_functions(tn3270e_code::is, got);
        functions_ = got;
        on_tn3270e_agreed();
        return;
    }
    e_requested_ = got.intersect(ours);
    send_functions(tn3270e_code::request, e_requested_);
}

void session::on_tn3270e_host(std::span<const std::byte> p) {
    const std::byte what = p[0];
    const std::byte verb = p[1];
    const auto rest = p.subspan(2);
    if (what == tn3270e_code::device_type && verb == tn3270e_code::request) {
        if (e_step_ != e_step::want_device_request) {
            violation(errc::unexpected_subnegotiation);
            return;
        }
        on_device_type_request(rest);
        return;
    }
    if (what == tn3270e_code::functions &&
        (verb == tn3270e_code::request || verb == tn3270e_code::is)) {
        if (verb == tn3270e_code::is && e_requested_.empty() && e_rounds_ == 0) {
            violation(errc::unexpected_subnegotiation);  // IS to a REQUEST we never sent
            return;
        }
        on_functions(verb == tn3270e_code::is, rest);
        return;
    }
    violation(errc::malformed_tn3270e);
}

void session::on_device_type_request(std::span<const std::byte> rest) {
    // REQUEST <device-type> [CONNECT <device-name> | ASSOCIATE <device-name>]
    const auto sep = std::find_if(rest.begin(), rest.end(), [](std::byte b) {
        return b == tn3270e_code::connect || b == tn3270e_code::associate;
    });
    const auto type_len = static_cast<std::size_t>(sep - rest.begin());
    const auto type = name_text(rest.first(type_len), max_terminal_type_length);
    lu_request req;
    std::optional<reject_reason> reject;
    if (!type) {
        reject = reject_reason::inv_device_type;
    } else {
        req.device_type = upper(*type);
        if (sep != rest.end()) {
            const auto name = name_text(rest.subspan(type_len + 1), max_terminal_type_length);
            if (!name) {
                reject = reject_reason::inv_name;
            } else if (*sep == tn3270e_code::connect) {
                req.connect = upper(*name);
            } else {
                req.associate = upper(*name);
            }
        }
    }
    if (!reject) {
        bool allowed = false;
        if (cfg_.host_device_types.empty()) {
            allowed = parse_terminal_type(req.device_type).has_value() &&
                      req.device_type.find('@') == std::string::npos;
        } else {
            allowed = std::any_of(cfg_.host_device_types.begin(), cfg_.host_device_types.end(),
                                  [&](const std::string& t) { return upper(t) == req.device_type; });
        }
        if (!allowed) reject = reject_reason::inv_device_type;
    }
    lu_decision d;
    if (!reject) {
        d = decide_lu(req);
        if (!d.reject && !valid_lu_name(d.lu_name)) d.reject = reject_reason::unknown_error;
        reject = d.reject;
    }
    if (reject) {
        const std::byte p[] = {tn3270e_code::device_type, tn3270e_code::reject,
                               tn3270e_code::reason, static_cast<std::byte>(*reject)};
        send_tn3270e_sb(p);
        push(device_type_rejected{*reject});
        // RFC 2355 section 7.1.3 leaves the next step to the client; we end TN3270E (DONT) and
        // fall back to plain TN3270, which every 3270 emulator speaks.
        abandon_tn3270e();
        return;
    }
    device_type_ = req.device_type;
    lu_name_ = upper(d.lu_name);
    printer_ = is_printer_type(device_type_);
    e_type_ = with_lu(parse_terminal_type(device_type_), lu_name_);
    std::vector<std::byte> p{tn3270e_code::device_type, tn3270e_code::is};
    append_text(p, device_type_);
    p.push_back(tn3270e_code::connect);
    append_text(p, lu_name_);
    send_tn3270e_sb(p);
    e_step_ = e_step::want_functions;
    e_rounds_ = 0;
    e_requested_ = {};
}

lu_decision session::decide_lu(const lu_request& req) const {
    if (cfg_.assign_lu) return cfg_.assign_lu(req);
    if (!req.associate.empty()) return lu_decision::refuse(reject_reason::unsupported_req);
    const auto& pool = cfg_.host_lu_names;
    if (!req.connect.empty()) {
        if (!valid_lu_name(req.connect)) return lu_decision::refuse(reject_reason::inv_name);
        if (pool.empty()) return lu_decision::assign(req.connect);
        const bool known = std::any_of(pool.begin(), pool.end(), [&](const std::string& n) {
            return upper(n) == req.connect;
        });
        return known ? lu_decision::assign(req.connect)
                     : lu_decision::refuse(reject_reason::inv_name);
    }
    if (!pool.empty()) return lu_decision::assign(pool.front());
    return lu_decision::assign(cfg_.lu_name.empty() ? std::string(default_host_lu_name)
                                                    : cfg_.lu_name);
}

// One record in TN3270E mode (RFC 2355 section 8.1): header, then data by type.
void session::on_tn3270e_record() {
    std::vector<std::byte> rec = std::exchange(record_, {});
    std::error_code ec;
    const auto h = parse_tn3270e_header(rec, ec);
    if (!h) {
        violation(static_cast<errc>(ec.value()));
        return;
    }
    std::vector<std::byte> data(rec.begin() + static_cast<std::ptrdiff_t>(tn3270e_header_size),
                                rec.end());
    switch (h->type) {
        case data_type::response:
            if (data.empty() || h->response_flag > negative_response) {
                violation(errc::malformed_tn3270e);
                return;
            }
            push(response_received{h->sequence, h->response_flag == positive_response,
                                   static_cast<std::uint8_t>(data[0])});
            return;
        case data_type::bind_image: {
            const bind_screen screen = parse_bind_screen(data, ec);
            if (ec) {
                violation(errc::malformed_bind);
                return;
            }
            bound_ = true;
            push(bind_received{std::move(data), screen});
            return;
        }
        case data_type::unbind:
            bound_ = false;
            push(unbind_received{data.size() >= 2 ? static_cast<std::uint8_t>(data[1])
                                                  : std::uint8_t{0}});
            return;
        default:
            push(record{std::move(data), *h});
            return;
    }
}

}  // namespace ssogate::protocols::tn3270

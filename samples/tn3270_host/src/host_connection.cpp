#include <ssogate/sample_host/host_connection.hpp>

#include <ssogate/protocols/tn3270/constants.hpp>

#include <ostream>

namespace ssogate::sample_host {

namespace tn = protocols::tn3270;

namespace {

constexpr std::size_t buffer_size = screen_rows * screen_columns;

std::string trim_right(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s;
}

// The EBCDIC bytes a field sent; empty when it was not sent (not modified).
std::span<const std::uint8_t> field_bytes(const tn::inbound_record& in, const screen_item* item) {
    if (item == nullptr) return {};
    const auto* f = in.field_starting_at(item->address());
    if (f == nullptr) return {};
    return {f->data.data(), f->data.size()};
}

std::string decode(const tn::codepage& page, std::span<const std::uint8_t> bytes) {
    return trim_right(page.decode(std::as_bytes(bytes)));
}

// A field's text held in secret memory (passwords).
credstore::secret_bytes decode_secret(const tn::codepage& page, std::span<const std::uint8_t> bytes) {
    std::string text = decode(page, bytes);
    auto s = credstore::secret_bytes::copy_of(std::string_view(text));
    std::fill(text.begin(), text.end(), '\0');
    return s;
}

std::string hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i != 0) s.push_back(' ');
        s.push_back(digits[bytes[i] >> 4]);
        s.push_back(digits[bytes[i] & 0xF]);
    }
    return s;
}

std::string message_for(const sign_on_result& r, const std::string& user) {
    switch (r.outcome) {
        case sign_on_outcome::signed_on:
            return "IKJ56455I LOGGED ON AS " + user;
        case sign_on_outcome::unknown_user:
            return "IKJ56420I USERID " + user + " NOT AUTHORIZED";
        case sign_on_outcome::invalid_password:
            return "IKJ56421I INVALID PASSWORD - FAILURE COUNT " + std::to_string(r.failures);
        case sign_on_outcome::revoked:
            return "ICH408I USERID REVOKED";
        case sign_on_outcome::password_expired:
            return "ICH70002I PASSWORD EXPIRED - ENTER NEW PASSWORD";
        case sign_on_outcome::new_password_invalid:
            return "ICH70003I NEW PASSWORD NOT VALID";
        case sign_on_outcome::in_use:
            return "IKJ56425I USERID IN USE";
    }
    return {};
}

tn::session_config session_config(const host_config& cfg) {
    tn::session_config c;
    c.tn3270e = cfg.tn3270e;
    c.lu_name = cfg.lu_name;
    return c;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const host_event& e) {
    if (const auto* a = std::get_if<sign_on_attempt>(&e)) return os << "attempt " << a->user_id << " " << a->outcome;
    return os << "signed off " << std::get<signed_off>(e).user_id;
}

host_connection::host_connection(const screen_set& screens, user_directory& users, host_config cfg)
    : screens_(screens),
      users_(users),
      cfg_(cfg),
      page_(tn::codepage::get(cfg.code_page)),
      session_(tn::role::host, session_config(cfg_)) {}

host_connection::~host_connection() { sign_off(); }

std::size_t host_connection::receive(std::span<const std::byte> in, std::error_code& ec) {
    if (closing_) return in.size();  // the connection is ending: what follows is dropped
    const std::size_t used = session_.receive(in, ec);
    while (auto e = session_.next_event()) on_event(std::move(*e));
    return used;
}

void host_connection::receive_eof(std::error_code& ec) {
    session_.receive_eof(ec);
    while (auto e = session_.next_event()) on_event(std::move(*e));
    sign_off();
}

std::optional<host_event> host_connection::next_event() {
    if (events_.empty()) return std::nullopt;
    host_event e = std::move(events_.front());
    events_.pop_front();
    return e;
}

void host_connection::on_event(tn::event&& e) {
    if (closing_) return;
    if (auto* n = std::get_if<tn::negotiated>(&e)) {
        terminal_type_ = n->terminal_type;
        lu_name_ = n->lu_name;
        state_ = state::logon;
        // With BIND-IMAGE agreed the session has sent the BIND (session_config::host_sends_bind):
        // terminals show nothing before it.
        show_logon("", "");
    } else if (auto* r = std::get_if<tn::record>(&e)) {
        on_record(r->data);
    } else if (std::holds_alternative<tn::negotiation_failed>(e)) {
        closing_ = true;  // not a 3270: nothing to show it
        sign_off();
    }
    // nvt_data, telnet commands and tolerated violations: nothing to do.
}

void host_connection::on_record(std::span<const std::byte> data) {
    std::error_code ec;
    const auto in = tn::inbound_record::parse(data, buffer_size, ec);
    if (!in) {
        closing_ = true;
        sign_off();
        return;
    }
    if (state_ == state::logon) on_logon(*in);
    else if (state_ == state::application) on_application(*in);
}

void host_connection::on_logon(const tn::inbound_record& in) {
    if (in.key != tn::aid::enter) {
        show_logon("", "");
        return;
    }
    const screen_definition& logon = *screens_.find("logon");
    const auto id_bytes = field_bytes(in, logon.input("userid"));
    const std::string typed = decode(page_, id_bytes);
    const std::string user = normalize_user_id(typed);
    if (typed.empty()) {
        show_logon("IKJ56700A ENTER USERID", "");
        return;
    }
    if (user.empty()) {
        // Not a valid user id, so no such user exists. Neither the screen nor the event quotes
        // it: it may be a password typed into the wrong field.
        events_.push_back(sign_on_attempt{"", sign_on_outcome::unknown_user});
        show_logon("IKJ56420I USERID NOT AUTHORIZED", "");
        return;
    }
    const auto password = decode_secret(page_, field_bytes(in, logon.input("password")));
    const auto fresh = decode_secret(page_, field_bytes(in, logon.input("new_password")));
    const sign_on_result r = users_.sign_on(user, password.reveal(), fresh.reveal());
    // An id that is no user's may be a password typed into the wrong field too (passwords and
    // user ids share a shape here): the event, and so the logs, do not name it; only the screen
    // of the terminal that typed it does, as RACF's message does.
    events_.push_back(sign_on_attempt{r.outcome == sign_on_outcome::unknown_user ? "" : user, r.outcome});
    if (r.outcome == sign_on_outcome::signed_on) {
        user_ = user;
        state_ = state::application;
        echo_text_.clear();
        echo_hex_.clear();
        show_application(message_for(r, user));
        return;
    }
    show_logon(message_for(r, user), user);
}

void host_connection::on_application(const tn::inbound_record& in) {
    const screen_definition& app = *screens_.find("application");
    if (in.key == tn::aid::pf3) {
        const std::string user = user_;
        sign_off();
        state_ = state::logon;
        show_logon("IKJ56470I " + user + " LOGGED OFF", "");
        return;
    }
    if (in.key == tn::aid::enter) {
        const auto bytes = field_bytes(in, app.input("echo"));
        echo_text_ = trim_right(page_.decode(std::as_bytes(bytes)));
        echo_hex_ = hex(bytes);
        show_application("IKJ56455I LOGGED ON AS " + user_);
        return;
    }
    show_application("IKJ56455I LOGGED ON AS " + user_);
}

void host_connection::show_logon(const std::string& message, const std::string& user_id) {
    screen_values v;
    v.terminal_type = terminal_type_;
    v.lu_name = lu_name_;
    v.message = message;
    if (!user_id.empty()) {
        v.prefill["userid"] = user_id;
        v.cursor = "password";
    }
    send(erase_write(*screens_.find("logon"), v, page_));
}

void host_connection::show_application(const std::string& message) {
    screen_values v;
    v.userid = user_;
    v.terminal_type = terminal_type_;
    v.lu_name = lu_name_.empty() ? "(none)" : lu_name_;
    v.echo_text = echo_text_;
    v.echo_hex = echo_hex_;
    v.message = message;
    send(erase_write(*screens_.find("application"), v, page_));
}

void host_connection::send(const std::vector<std::byte>& record) {
    std::error_code ec;
    session_.send_record(record, ec);
    if (ec) closing_ = true;
}

void host_connection::sign_off() {
    if (user_.empty()) return;
    users_.sign_off(user_);
    events_.push_back(signed_off{user_});
    user_.clear();
}

}  // namespace ssogate::sample_host

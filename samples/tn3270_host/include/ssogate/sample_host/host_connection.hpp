#pragma once
// One terminal connected to the sample host, sans-I/O (the nghttp2 shape of tn3270::session,
// which it wraps in the host role): receive() the terminal's bytes, write pending_output(),
// drain next_event() for the attempt log.
//
// Flow:
//   negotiating --negotiated--> logon --Enter, signed_on--> application --PF3--> logon
//   logon: Enter reads USERID / PASSWORD / NEW PASSWORD and asks the user_directory; every
//          answer but success shows the logon screen again with the message (user id kept, the
//          cursor on the password). Other keys show the logon screen again.
//   application: shows LOGGED ON AS, the terminal type and LU name; Enter echoes what the
//          `echo` field held as text and as EBCDIC hex (a relay checked byte for byte); PF3
//          signs off (event) and shows the logon screen with IKJ56470I.
// Negotiation that fails or a record that does not parse closes the connection
// (want_read() false once the output is written).
//
// Messages (message id, then text; `n` the failures in a row, USER the user id):
//   IKJ56700A ENTER USERID                        nothing in USERID
//   IKJ56420I USERID USER NOT AUTHORIZED          unknown user id
//   IKJ56421I INVALID PASSWORD - FAILURE COUNT n  wrong password
//   ICH408I USERID REVOKED                        revoked (now or before)
//   ICH70002I PASSWORD EXPIRED - ENTER NEW PASSWORD
//   ICH70003I NEW PASSWORD NOT VALID
//   IKJ56425I USERID IN USE                       signed on on another connection
//   IKJ56455I LOGGED ON AS USER                   success (application screen)
//   IKJ56470I USER LOGGED OFF                     after PF3
//
// Secrets: passwords arrive in inbound records; they are compared and dropped, never kept in a
// screen, an event or a message.
#include <ssogate/protocols/tn3270/codepage.hpp>
#include <ssogate/protocols/tn3270/inbound_record.hpp>
#include <ssogate/protocols/tn3270/session.hpp>
#include <ssogate/sample_host/screens.hpp>
#include <ssogate/sample_host/users.hpp>

#include <cstddef>
#include <deque>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <variant>

namespace ssogate::sample_host {

struct host_config {
    protocols::tn3270::codepage::id code_page = protocols::tn3270::codepage::id::cp037;
    /// Offer TN3270E (RFC 2355) to terminals; plain TN3270 when they refuse it.
    bool tn3270e = true;
    /// TN3270E: the LU name a terminal that asks for none gets (one per connection); one that
    /// names an LU (CONNECT) gets it. Plain TN3270: an LU only when the terminal sends TYPE@LU.
    std::string lu_name = "SAMPLU01";
};

/// A sign-on attempt (Enter with a user id on the logon screen). Never holds a password.
struct sign_on_attempt {
    std::string user_id;
    sign_on_outcome outcome = sign_on_outcome::unknown_user;
    friend bool operator==(const sign_on_attempt&, const sign_on_attempt&) = default;
};
/// A signed-on user pressed PF3, or the connection ended while signed on.
struct signed_off {
    std::string user_id;
    friend bool operator==(const signed_off&, const signed_off&) = default;
};
using host_event = std::variant<sign_on_attempt, signed_off>;
std::ostream& operator<<(std::ostream& os, const host_event& e);

class host_connection {
  public:
    /// `screens` (checked for the host) and `users` must outlive the connection.
    host_connection(const screen_set& screens, user_directory& users, host_config cfg);
    ~host_connection();
    host_connection(const host_connection&) = delete;
    host_connection& operator=(const host_connection&) = delete;
    host_connection(host_connection&&) = delete;

    /// Bytes from the terminal. `ec` only for fatal telnet errors (tn3270::session's).
    std::size_t receive(std::span<const std::byte> in, std::error_code& ec);
    /// The terminal closed: a signed-on user is signed off (event).
    void receive_eof(std::error_code& ec);
    std::optional<host_event> next_event();

    [[nodiscard]] std::span<const std::byte> pending_output() const noexcept { return session_.pending_output(); }
    void consume_output(std::size_t n) noexcept { session_.consume_output(n); }
    [[nodiscard]] bool want_read() const noexcept { return !closing_ && session_.want_read(); }
    [[nodiscard]] bool want_write() const noexcept { return session_.want_write(); }

    /// The user signed on here; empty when none.
    [[nodiscard]] const std::string& user() const noexcept { return user_; }

  private:
    enum class state : std::uint8_t { negotiating, logon, application };

    void on_event(protocols::tn3270::event&& e);
    void on_record(std::span<const std::byte> data);
    void on_logon(const protocols::tn3270::inbound_record& in);
    void on_application(const protocols::tn3270::inbound_record& in);
    void show_logon(const std::string& message, const std::string& user_id);
    void show_application(const std::string& message);
    void send(const std::vector<std::byte>& record);
    void sign_off();

    const screen_set& screens_;
    user_directory& users_;
    host_config cfg_;
    const protocols::tn3270::codepage& page_;
    protocols::tn3270::session session_;
    std::deque<host_event> events_;
    state state_ = state::negotiating;
    bool closing_ = false;
    std::string terminal_type_;
    std::string lu_name_;
    std::string user_;
    std::string echo_text_;
    std::string echo_hex_;
};

}  // namespace ssogate::sample_host

#pragma once
// One TN3270 connection (RFC 1576), either end, sans-I/O in the nghttp2 shape: push the bytes a
// read returned into receive(), pull events with next_event(), write pending_output() to the
// socket and consume_output() what was written. No sockets, no clocks: a negotiation that never
// finishes is the owner's timer to catch.
//
// Roles:
// - host: we are the host, the peer is a 3270 emulator (the gateway facing a user). We speak
//   first: DO TERMINAL-TYPE; on WILL, SB TERMINAL-TYPE SEND; on an IBM 3270 type in IS,
//   DO/WILL END-OF-RECORD and DO/WILL BINARY. All four agreed -> `negotiated`.
// - terminal: we are the emulator, the peer is a host (the gateway signing on for a user). We
//   only answer: WILL TERMINAL-TYPE, IS <configured type>, WILL/DO BINARY and END-OF-RECORD.
// Both roles refuse every other option (RFC 854: refuse what you do not know), answer
// DO TIMING-MARK with WILL TIMING-MARK (RFC 860; z/OS TN3270 servers use it as a keep-alive and
// drop terminals that do not answer), and negotiate through RFC 1143's Q method, so no loops.
//
// TN3270E (RFC 2355) is a later stage. For now the terminal role refuses DO TN3270E with
// WONT TN3270E, which RFC 2355 hosts answer by falling back to this plain TN3270 negotiation,
// and the host role does not offer it. Its place: the host flow gets a step before
// DO TERMINAL-TYPE (offer DO TN3270E, fall back on WONT), the terminal role allows the option
// and handles its subnegotiations, and records gain the 5-byte header.
//
// Errors: receive() sets `ec` only for fatal conditions (is_fatal() is true: the session takes
// no more input); problems the session survives arrive as protocol_violation or
// negotiation_failed events. Nothing throws on peer input. The constructor throws
// std::invalid_argument for a bad session_config.
#include <ssogate/protocols/telnet/constants.hpp>
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/telnet/option_negotiator.hpp>
#include <ssogate/protocols/telnet/tokenizer.hpp>
#include <ssogate/protocols/tn3270/event.hpp>
#include <ssogate/protocols/tn3270/terminal_type.hpp>

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace ssogate::protocols::tn3270 {

enum class role : std::uint8_t { terminal, host };

struct session_config {
    /// Terminal role: the type sent in TERMINAL-TYPE IS; must parse (terminal_type.hpp) and
    /// carry no "@LU". Host role: unused (the terminal names its own type).
    std::string terminal_type = "IBM-3278-2-E";
    /// Terminal role: the LU to ask for, sent as TYPE@LU (RFC 1646). Empty: any LU.
    std::string lu_name;
    /// Largest inbound record (bytes before IAC EOR, after undoubling). Over it: fatal
    /// errc::record_too_long. 3270 screens are a few KiB; IND$FILE structured fields up to 32 KiB.
    std::size_t max_record_size = 64 * 1024;
    /// Largest subnegotiation payload. Over it: fatal errc::subnegotiation_too_long.
    std::size_t max_subnegotiation = telnet::tokenizer::default_max_subnegotiation;
};

/// Flow (host role):
///   want_will_ttype --WILL TTYPE--> want_ttype_is --IS 3270 type--> want_binary_eor
///   --BINARY+EOR both ways--> in_3270.   Refusals / non-3270 types -> failed (event).
/// Flow (terminal role): answering only; in_3270 when TTYPE (ours), BINARY and EOR (both ways)
/// are enabled. Either role leaves 3270 mode (event) if one of them is turned off later.
class session {
  public:
    session(role r, session_config cfg);

    /// Consumes bytes the peer sent, in any split (an IAC or a record may end a read). Returns
    /// the bytes consumed: all of `in` unless a fatal error stopped it (then `ec` is one of
    /// errc::subnegotiation_too_long, record_too_long or session_closed). Events and output
    /// produced are queued. Call next_event() until empty and flush pending_output() after it.
    std::size_t receive(std::span<const std::byte> in, std::error_code& ec);

    /// The peer closed its side. Queues peer_closed. `ec` is errc::truncated when it closed in
    /// the middle of a command, subnegotiation or record (the partial one is dropped), and
    /// errc::session_closed when the session had already ended.
    void receive_eof(std::error_code& ec);

    /// The next event, oldest first; nothing when none is queued.
    std::optional<event> next_event();

    /// Queues one outbound record: `record` with FF doubled, then IAC EOR (RFC 885, RFC 1576).
    /// `ec`: errc::not_in_3270_mode before negotiation or after it ended (nothing queued);
    /// errc::session_closed after a fatal error.
    void send_record(std::span<const std::byte> record, std::error_code& ec);

    /// Queues IAC <cmd> (e.g. BRK for ATTN, NOP as a keep-alive). `ec`: errc::invalid_argument
    /// for SB, SE, IAC and the negotiation verbs, which the session alone sends.
    void send_command(telnet::command cmd, std::error_code& ec);

    /// Bytes to write to the peer. The view is valid until the next non-const call.
    [[nodiscard]] std::span<const std::byte> pending_output() const noexcept;
    /// Drops the first `n` bytes of pending_output() (clamped to its size).
    void consume_output(std::size_t n) noexcept;

    /// False after peer_closed or a fatal error. When both want_read() and want_write() are
    /// false, the owner closes the connection.
    [[nodiscard]] bool want_read() const noexcept { return !closed_ && !failed_; }
    [[nodiscard]] bool want_write() const noexcept { return out_pos_ < out_.size(); }

    [[nodiscard]] role session_role() const noexcept { return role_; }
    [[nodiscard]] bool in_3270_mode() const noexcept { return in_3270_; }
    /// The negotiated type (host role: as the terminal sent it, uppercase); nothing before.
    [[nodiscard]] const std::optional<terminal_type>& negotiated_type() const noexcept {
        return type_;
    }
    /// The Q-method state of every option, for diagnostics (`ssogate probe`) and tests.
    [[nodiscard]] const telnet::option_negotiator& options() const noexcept { return options_; }

  private:
    enum class host_step : std::uint8_t {
        want_will_ttype,
        want_ttype_is,
        want_binary_eor,
        in_3270,
        failed,
    };

    void on_token(const telnet::token& t, std::error_code& ec);
    void on_data(std::span<const std::byte> data, std::error_code& ec);
    void on_command(telnet::command cmd);
    void on_negotiation(telnet::command verb, telnet::option opt);
    void on_subnegotiation(telnet::option opt, std::span<const std::byte> payload);
    void on_terminal_type_is(std::span<const std::byte> name);
    void update_mode();
    void fail_negotiation(errc reason);
    void violation(errc reason);
    void push(event e);
    void flush_nvt();
    void fail(errc reason, std::error_code& ec);

    role role_;
    session_config cfg_;
    telnet::tokenizer tokenizer_;
    telnet::option_negotiator options_;

    std::vector<std::byte> out_;
    std::size_t out_pos_ = 0;
    std::deque<event> events_;
    std::vector<std::byte> record_;  // inbound record being assembled (3270 mode)
    std::vector<std::byte> nvt_;     // inbound data outside 3270 mode, flushed as one event

    std::optional<terminal_type> type_;  // host: from IS; terminal: from cfg_
    bool in_3270_ = false;
    bool closed_ = false;
    bool failed_ = false;
    bool failure_reported_ = false;
    host_step step_ = host_step::want_will_ttype;
    int ttype_requests_ = 0;  // host: SENDs sent (RFC 1091 list cycling)
    std::string last_ttype_;  // host: the last non-3270 type the terminal named
};

}  // namespace ssogate::protocols::tn3270

#pragma once
// One TN3270 (RFC 1576) or TN3270E (RFC 2355) connection, either end, sans-I/O in the nghttp2 shape: push the bytes a
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
// TN3270E (RFC 2355), switched by session_config::tn3270e (default on), in the same object:
// - host: the first thing sent is DO TN3270E instead of DO TERMINAL-TYPE. On WILL: SB TN3270E
//   SEND DEVICE-TYPE; the terminal's DEVICE-TYPE REQUEST is accepted (IS <type> CONNECT <LU>)
//   or refused (REJECT REASON r) by host_device_types and the LU policy (assign_lu, or
//   host_lu_names); then FUNCTIONS REQUEST/IS until both agree. Agreed -> `negotiated` with
//   tn3270e = true. No BINARY/EOR/TERMINAL-TYPE in this mode (RFC 2355 section 7; the x3270
//   test target and z/OS do the same). On WONT TN3270E, or after a REJECT (followed by DONT
//   TN3270E), the host falls back to the plain flow above.
// - terminal: allows WILL TN3270E; answers SEND DEVICE-TYPE with REQUEST <type> [CONNECT lu |
//   ASSOCIATE lu], takes what DEVICE-TYPE IS assigns, and negotiates FUNCTIONS. On REJECT it
//   drops TN3270E (WONT TN3270E, as x3270 does) and answers the plain negotiation that a host
//   then starts; a host that never sends DO TN3270E gets plain TN3270 unchanged.
// In TN3270E mode records gain and lose the 5-byte header transparently: send_record() sends
// 3270-DATA, receive() strips the header into record::header. A host that agreed BIND-IMAGE
// sends a BIND first (session_config::host_sends_bind). RESPONSE, BIND-IMAGE, UNBIND and
// SYSREQ (IAC AO) arrive as their own events; send_positive_response() /
// send_negative_response() and send_sysreq() are the terminal's side of them. DEVICE-TYPE
// subnegotiations name LUs only; the session never sees or logs a password.
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
#include <ssogate/protocols/tn3270/tn3270e.hpp>

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ssogate::protocols::tn3270 {

enum class role : std::uint8_t { terminal, host };

/// Which protocol carries the records: none yet, plain TN3270 (RFC 1576) or TN3270E (RFC 2355).
enum class session_mode : std::uint8_t { none, tn3270, tn3270e };

/// Host role: what a terminal asked for in DEVICE-TYPE REQUEST (RFC 2355 section 7.1.1).
struct lu_request {
    std::string device_type;  // uppercase, e.g. "IBM-3278-2-E" or "IBM-3287-1"
    std::string connect;      // CONNECT <name>, uppercase; empty when none was given
    std::string associate;    // ASSOCIATE <name> (printers), uppercase; empty when none
};

/// Host role: the owner's answer to an lu_request: an LU name (1..8 of A-Z 0-9 # @ $) to send in
/// DEVICE-TYPE IS, or a REJECT reason.
struct lu_decision {
    std::string lu_name;
    std::optional<reject_reason> reject;
    static lu_decision assign(std::string name) { return {std::move(name), std::nullopt}; }
    static lu_decision refuse(reject_reason r) { return {{}, r}; }
};

/// Host role, TN3270E: the LU a terminal that names none gets when no pool or callback is set.
inline constexpr std::string_view default_host_lu_name = "SSOLU001";

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

    // --- TN3270E (RFC 2355) ---
    /// Host: offer TN3270E (DO TN3270E first). Terminal: accept it when a host offers it.
    /// false: plain TN3270 only (the host never offers it, the terminal answers WONT TN3270E).
    bool tn3270e = true;
    /// The functions we ask for (terminal) or agree to (host). DATA-STREAM-CTL and SCS-CTL-CODES
    /// are only ever agreed for a printer device type (IBM-3287-1), as RFC 2355 intends.
    function_set tn3270e_functions{tn3270e_function::bind_image, tn3270e_function::responses,
                                   tn3270e_function::sysreq};
    /// Terminal: the DEVICE-TYPE to request. Empty: terminal_type with 3279 written as 3278
    /// (RFC 2355 lists only 3278 names; x3270 does the same), e.g. IBM-3279-2-E -> IBM-3278-2-E.
    /// A printer type ("IBM-3287-1") goes with `associate_lu`.
    std::string tn3270e_device_type;
    /// Terminal: request DEVICE-TYPE ... ASSOCIATE <this display LU> (a printer session)
    /// instead of CONNECT lu_name. At most one of lu_name and associate_lu.
    std::string associate_lu;
    /// Host: device types accepted in DEVICE-TYPE REQUEST (case-insensitive). Empty: every IBM
    /// 3278/3279 display type and IBM-DYNAMIC (terminal_type.hpp). Others -> REJECT
    /// INV-DEVICE-TYPE.
    std::vector<std::string> host_device_types;
    /// Host: decides the LU for each DEVICE-TYPE REQUEST (the owner's pool: in use -> REJECT
    /// DEVICE-IN-USE, unknown -> INV-NAME, ...). Called from receive(). When unset:
    /// host_lu_names is the pool: a CONNECT name outside it -> INV-NAME, no name -> its first
    /// entry; with an empty pool any CONNECT name is taken as asked and a terminal that names
    /// none gets lu_name (default_host_lu_name when empty). ASSOCIATE -> UNSUPPORTED-REQ.
    /// The callback must not throw (it runs inside receive()); a name that is no VTAM LU name
    /// is refused with UNKNOWN-ERROR.
    std::function<lu_decision(const lu_request&)> assign_lu;
    std::vector<std::string> host_lu_names;
    /// Host: when BIND-IMAGE is agreed, send a BIND-IMAGE record at once (make_bind_ru: 24x80
    /// default, the device type's model size as alternate), so the LU-LU session is bound
    /// before the first screen: x3270 ignores 3270-DATA before a BIND once BIND-IMAGE is agreed.
    /// false: the owner sends its own (send_record with data_type::bind_image).
    bool host_sends_bind = true;
};

/// Options of one outbound record (send_record with options).
struct record_options {
    /// TN3270E data type. Plain TN3270 only carries data_3270. RESPONSE records go through
    /// send_response.
    data_type type = data_type::data_3270;
    /// TN3270E: ask the peer for a response (needs the RESPONSES function).
    response_flag response = response_flag::no_response;
};

/// Flow (host role, plain TN3270; with TN3270E offered it starts at tn3270e_first and enters
/// this flow only on fallback, see the e_step flow below):
///   want_will_ttype --WILL TTYPE--> want_ttype_is --IS 3270 type--> want_binary_eor
///   --BINARY+EOR both ways--> in_3270.   Refusals / non-3270 types -> failed (event).
/// Flow (terminal role): answering only; in_3270 when TTYPE (ours), BINARY and EOR (both ways)
/// are enabled, or, with TN3270E agreed, when DEVICE-TYPE and FUNCTIONS are. Either role leaves
/// 3270 mode (negotiation_failed left_3270_mode) if one of them is turned off later or the host
/// restarts the TN3270E negotiation (then `negotiated` comes again).
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

    /// As above, with a TN3270E data type and response flag (the 5-byte header is added). Returns
    /// the header's sequence number: with RESPONSES agreed each record takes the next one (0..
    /// 32767, wrapping), otherwise 0 (as x3270). `ec`: also errc::function_not_negotiated for a
    /// response flag without RESPONSES, a data type other than 3270-DATA in plain TN3270, or
    /// type RESPONSE (use send_response).
    std::uint16_t send_record(std::span<const std::byte> record, const record_options& opts,
                              std::error_code& ec);

    /// TN3270E RESPONSES: answers the peer's record `sequence` (record::header->sequence).
    /// Positive: DEVICE-END (00). `ec`: errc::not_in_3270_mode, errc::function_not_negotiated.
    void send_positive_response(std::uint16_t sequence, std::error_code& ec);
    void send_negative_response(std::uint16_t sequence, negative_code code, std::error_code& ec);

    /// TN3270E SYSREQ function: the SYSREQ key, sent as IAC AO (RFC 2355 section 10.5).
    /// `ec`: errc::not_in_3270_mode, errc::function_not_negotiated.
    void send_sysreq(std::error_code& ec);

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
    [[nodiscard]] session_mode mode() const noexcept { return mode_; }
    [[nodiscard]] bool in_tn3270e_mode() const noexcept { return mode_ == session_mode::tn3270e; }
    /// The negotiated type (host role: as the terminal sent it, uppercase); nothing before.
    /// TN3270E: the device type of DEVICE-TYPE IS with the CONNECT LU; nothing for a printer.
    [[nodiscard]] const std::optional<terminal_type>& negotiated_type() const noexcept {
        return mode_ == session_mode::tn3270e ? e_type_ : type_;
    }
    /// TN3270E: the device type and LU of DEVICE-TYPE IS, and the agreed functions (empty
    /// strings / set before TN3270E is agreed or in plain TN3270).
    [[nodiscard]] const std::string& device_type() const noexcept { return device_type_; }
    [[nodiscard]] const std::string& lu_name() const noexcept { return lu_name_; }
    [[nodiscard]] function_set functions() const noexcept { return functions_; }
    /// TN3270E with BIND-IMAGE: a BIND arrived and no UNBIND since.
    [[nodiscard]] bool bound() const noexcept { return bound_; }
    /// The Q-method state of every option, for diagnostics (`ssogate probe`) and tests.
    [[nodiscard]] const telnet::option_negotiator& options() const noexcept { return options_; }

  private:
    enum class host_step : std::uint8_t {
        tn3270e_first,  // TN3270E offered; the plain flow starts only on fallback
        want_will_ttype,
        want_ttype_is,
        want_binary_eor,
        in_3270,
        failed,
    };
    // Flow (TN3270E, RFC 2355 section 7):
    //   host:     want_will --WILL--> want_device_request --REQUEST ok--> want_functions
    //             --FUNCTIONS agreed--> done;   WONT / REJECT / violation -> off (plain flow)
    //   terminal: off --DO agreed--> want_send --SEND--> want_device_is --IS--> want_functions
    //             --FUNCTIONS agreed--> done;   REJECT / DONT / violation -> off (WONT sent)
    enum class e_step : std::uint8_t {
        off,
        want_will,
        want_send,
        want_device_request,
        want_device_is,
        want_functions,
        done,
    };

    void on_token(const telnet::token& t, std::error_code& ec);
    void on_data(std::span<const std::byte> data, std::error_code& ec);
    void on_command(telnet::command cmd);
    void on_negotiation(telnet::command verb, telnet::option opt);
    void on_subnegotiation(telnet::option opt, std::span<const std::byte> payload);
    void on_terminal_type_is(std::span<const std::byte> name);
    void on_tn3270e_negotiation(telnet::command verb, telnet::option_change change);
    void on_tn3270e(std::span<const std::byte> payload);
    void on_tn3270e_terminal(std::span<const std::byte> payload);
    void on_tn3270e_host(std::span<const std::byte> payload);
    void on_device_type_request(std::span<const std::byte> rest);
    void on_functions(bool is, std::span<const std::byte> codes);
    void on_tn3270e_record();
    lu_decision decide_lu(const lu_request& req) const;
    function_set offered_functions() const;
    void send_tn3270e_sb(std::span<const std::byte> payload);
    void send_device_type_request();
    void send_functions(std::byte verb, function_set fs);
    void abandon_tn3270e();
    void clear_tn3270e();
    void start_plain_negotiation();
    void send_with_header(const tn3270e_header& h, std::span<const std::byte> data);
    /// No error when `f` was agreed in TN3270E mode and the session is open; otherwise
    /// session_closed, not_in_3270_mode or function_not_negotiated.
    std::error_code function_usable(tn3270e_function f) const noexcept;
    std::uint16_t take_sequence() noexcept;
    void on_tn3270e_agreed();
    bool tn3270e_enabled() const noexcept;
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
    session_mode mode_ = session_mode::none;

    e_step e_step_ = e_step::off;
    int e_rounds_ = 0;                // FUNCTIONS exchanges so far (a loop guard)
    function_set e_requested_;        // the functions in our last FUNCTIONS REQUEST
    std::string device_type_;         // TN3270E: from DEVICE-TYPE IS
    std::string lu_name_;             // TN3270E: CONNECT name of DEVICE-TYPE IS
    std::optional<terminal_type> e_type_;
    function_set functions_;          // agreed
    bool printer_ = false;            // the device type is a printer (IBM-3287-1)
    bool bound_ = false;
    std::uint16_t next_sequence_ = 0;
    bool plain_started_ = false;      // host: DO TERMINAL-TYPE sent
    bool closed_ = false;
    bool failed_ = false;
    bool failure_reported_ = false;
    host_step step_ = host_step::want_will_ttype;
    int ttype_requests_ = 0;  // host: SENDs sent (RFC 1091 list cycling)
    std::string last_ttype_;  // host: the last non-3270 type the terminal named
};

}  // namespace ssogate::protocols::tn3270

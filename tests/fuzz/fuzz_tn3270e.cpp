// TN3270E (RFC 2355) fed untrusted bytes: the 5-byte header and BIND parsers, FUNCTIONS lists,
// and tn3270::session in both roles with TN3270E on, its subnegotiations and records.
// Input: one control byte, then the peer's bytes. Control bits:
//   0-3  chunk size - 1 (how the bytes are split into receive() calls)
//   4    prepend a valid negotiation, so the bytes land in TN3270E mode (records, RESPONSES)
//   5    host role: a LU pool instead of the default policy
//   6    small limits (max record 64, max subnegotiation 16)
//   7    the owner answers every response request, SYSREQ and echoes records
// Checks, beyond "no crash, no sanitizer report":
// - header and BIND parsers: a header that parses builds back to the same 5 bytes;
// - a session consumes all input unless it reports a fatal error, and takes none after it;
// - no record is longer than the configured limit; TN3270E records carry a known data type;
// - whatever a session writes is a well-formed telnet stream, and every TN3270E record it
//   writes has a header that parses.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/telnet/tokenizer.hpp>
#include <ssogate/protocols/tn3270/session.hpp>
#include <ssogate/protocols/tn3270/tn3270e.hpp>

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

using namespace ssogate::protocols;
namespace tn = ssogate::protocols::tn3270;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

std::vector<std::byte> bytes_of(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int b : v) out.push_back(static_cast<std::byte>(b));
    return out;
}

// What a host says to reach TN3270E with a terminal (IS IBM-3278-2-E CONNECT LU1, REQUEST
// 00 02 04), and what a terminal says to a host (WILL, REQUEST IBM-3278-2, REQUEST 00 02 04).
const std::vector<std::byte> host_prefix = bytes_of(
    {0xff, 0xfd, 0x28, 0xff, 0xfa, 0x28, 0x08, 0x02, 0xff, 0xf0, 0xff, 0xfa, 0x28, 0x02, 0x04,
     'I',  'B',  'M',  '-',  '3',  '2',  '7',  '8',  '-',  '2',  '-',  'E',  0x01, 'L',  'U',
     '1',  0xff, 0xf0, 0xff, 0xfa, 0x28, 0x03, 0x07, 0x00, 0x02, 0x04, 0xff, 0xf0});
const std::vector<std::byte> terminal_prefix = bytes_of(
    {0xff, 0xfb, 0x28, 0xff, 0xfa, 0x28, 0x02, 0x07, 'I', 'B', 'M', '-', '3', '2', '7',
     '8',  '-',  '2',  0x01, 'L',  'U',  '0',  '1',  0xff, 0xf0, 0xff, 0xfa, 0x28, 0x03, 0x07,
     0x00, 0x02, 0x04, 0xff, 0xf0});

// Our own output must parse without a single error; TN3270E records must have a header.
void check_output(const std::vector<std::byte>& wire, bool tn3270e) {
    telnet::tokenizer tok(1 << 20);
    std::span<const std::byte> in = wire;
    std::vector<std::byte> rec;
    while (!in.empty()) {
        std::error_code ec;
        const auto t = tok.next(in, ec);
        check(!ec);
        if (!t) continue;
        if (t->kind == telnet::token_kind::data) {
            rec.insert(rec.end(), t->bytes.begin(), t->bytes.end());
        } else if (t->kind == telnet::token_kind::command && t->cmd == telnet::command::eor) {
            if (tn3270e) {
                std::error_code hec;
                check(tn::parse_tn3270e_header(rec, hec).has_value());
            }
            rec.clear();
        }
    }
    check(!tok.in_command());
}

void parsers(std::span<const std::byte> input) {
    std::error_code ec;
    if (const auto h = tn::parse_tn3270e_header(input, ec)) {
        check(!ec);
        std::vector<std::byte> back;
        tn::append_tn3270e_header(back, *h);
        check(std::equal(back.begin(), back.end(), input.begin()));
    } else {
        check(ec == errc::tn3270e_header_too_short || ec == errc::unknown_data_type);
    }
    const auto b = tn::parse_bind_screen(input, ec);
    if (ec) {
        check(b == tn::bind_screen{});
    } else {
        if (b.default_size) check(b.default_size->rows != 0 && b.default_size->columns != 0);
        if (b.alternate_size) check(b.alternate_size->rows != 0 && b.alternate_size->columns != 0);
    }
    bool unknown = false;
    const auto fs = tn::function_set::from_codes(input, unknown);
    const auto codes = fs.codes();
    check(codes.size() <= 5);
    bool again_unknown = true;
    check(tn::function_set::from_codes(codes, again_unknown) == fs && !again_unknown);
}

void run_session(tn::role r, std::span<const std::byte> input, std::uint8_t control) {
    tn::session_config cfg;
    cfg.terminal_type = "IBM-3279-2-E";
    cfg.lu_name = "LU01";
    const bool small = (control & 0x40) != 0;
    cfg.max_record_size = small ? 64 : 4096;
    cfg.max_subnegotiation = small ? 16 : 1024;
    if (r == tn::role::host && (control & 0x20) != 0) cfg.host_lu_names = {"LU01", "LU02"};
    const bool answer = (control & 0x80) != 0;
    tn::session s(r, cfg);

    std::vector<std::byte> feed;
    if ((control & 0x10) != 0) {
        const auto& prefix = r == tn::role::terminal ? host_prefix : terminal_prefix;
        feed = prefix;
    }
    feed.insert(feed.end(), input.begin(), input.end());
    const std::size_t chunk = 1 + (control & 0x0F);

    std::vector<std::byte> written;
    bool ever_tn3270e = false;
    bool ever_plain = false;
    bool dead = false;
    auto drain = [&] {
        while (auto e = s.next_event()) {
            if (const auto* rec = std::get_if<tn::record>(&*e)) {
                check(rec->data.size() <= cfg.max_record_size);
                if (rec->header) check(static_cast<unsigned>(rec->header->type) <= 8);
                if (!answer) continue;
                std::error_code ec;
                if (rec->header && rec->header->response_flag != 0) {
                    s.send_positive_response(rec->header->sequence, ec);
                    s.send_negative_response(rec->header->sequence, tn::negative_code::operation_check,
                                             ec);
                }
                s.send_record(rec->data, tn::record_options{rec->type(), {}}, ec);
                s.send_record(rec->data, tn::record_options{tn::data_type::data_3270,
                                                            tn::response_flag::always_response},
                              ec);
                s.send_sysreq(ec);
            } else if (const auto* n = std::get_if<tn::negotiated>(&*e)) {
                (n->tn3270e ? ever_tn3270e : ever_plain) = true;
                check(!n->terminal_type.empty());
                if (n->tn3270e) check(!n->lu_name.empty());
            } else if (const auto* b = std::get_if<tn::bind_received>(&*e)) {
                check(!b->ru.empty());
            }
        }
        const auto out = s.pending_output();
        written.insert(written.end(), out.begin(), out.end());
        s.consume_output(out.size());
    };

    drain();
    for (std::size_t off = 0; off < feed.size(); off += chunk) {
        const auto in = std::span<const std::byte>(feed).subspan(off, std::min(chunk, feed.size() - off));
        std::error_code ec;
        const std::size_t used = s.receive(in, ec);
        if (dead) {
            check(used == 0 && ec == errc::session_closed);
            continue;
        }
        if (ec) {
            check(is_fatal(ec));
            check(!s.want_read());
            dead = true;
        } else {
            check(used == in.size());
        }
        drain();
    }
    std::error_code ec;
    s.receive_eof(ec);
    drain();
    // Records are checked for a header only when the session never spoke plain TN3270.
    check_output(written, ever_tn3270e && !ever_plain);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t control = data[0];
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    parsers(input);
    run_session(tn::role::terminal, input, control);
    run_session(tn::role::host, input, control);
    return 0;
}

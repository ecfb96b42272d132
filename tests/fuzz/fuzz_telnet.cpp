// Telnet tokenizer and TN3270 sessions (both roles) fed untrusted bytes.
// Input: one control byte (chunk size, limits), then the peer's bytes.
// Checks, beyond "no crash, no sanitizer report":
// - the tokenizer gives the same tokens and errors whether fed whole or in chunks;
// - a session consumes all input unless it reports a fatal error, and takes none after it;
// - no record is longer than the configured limit;
// - whatever a session writes is itself a well-formed telnet stream.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/telnet/tokenizer.hpp>
#include <ssogate/protocols/tn3270/session.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

using namespace ssogate::protocols;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

// Tokens as one string, adjacent data merged, so any split compares equal.
std::string tokenize(std::span<const std::byte> input, std::size_t chunk, std::size_t max_sb) {
    telnet::tokenizer tok(max_sb);
    std::string out;
    bool in_data = false;
    for (std::size_t off = 0; off < input.size(); off += chunk) {
        std::span<const std::byte> in = input.subspan(off, std::min(chunk, input.size() - off));
        while (!in.empty()) {
            const std::size_t before = in.size();
            std::error_code ec;
            const auto t = tok.next(in, ec);
            check(in.size() < before || t.has_value() || ec);  // progress
            if (ec) {
                out += "E" + std::to_string(ec.value()) + ";";
                in_data = false;
            }
            if (!t) continue;
            if (t->kind == telnet::token_kind::data) {
                if (!in_data) out += "D:";
                for (std::byte b : t->bytes) out.push_back(static_cast<char>(b));
                in_data = true;
                continue;
            }
            in_data = false;
            out += ";K" + std::to_string(static_cast<int>(t->kind)) + "C" +
                   std::to_string(static_cast<int>(t->cmd)) + "O" +
                   std::to_string(static_cast<int>(t->opt));
            if (t->kind == telnet::token_kind::subnegotiation) {
                check(t->bytes.size() <= max_sb);
                out += ":";
                for (std::byte b : t->bytes) out.push_back(static_cast<char>(b));
            }
            out += ";";
        }
    }
    return out;
}

// Our own output must parse without a single error.
void check_well_formed(const std::vector<std::byte>& wire) {
    telnet::tokenizer tok(1 << 20);
    std::span<const std::byte> in = wire;
    while (!in.empty()) {
        std::error_code ec;
        tok.next(in, ec);
        check(!ec);
    }
    check(!tok.in_command());
}

void run_session(tn3270::role r, std::span<const std::byte> input, std::size_t chunk,
                 std::size_t max_record, std::size_t max_sb) {
    tn3270::session_config cfg;
    cfg.terminal_type = "IBM-3279-2-E";
    cfg.max_record_size = max_record;
    cfg.max_subnegotiation = max_sb;
    tn3270::session s(r, cfg);
    std::vector<std::byte> written;
    bool dead = false;
    std::size_t write_step = 1;

    auto drain = [&] {
        while (auto e = s.next_event()) {
            if (const auto* rec = std::get_if<tn3270::record>(&*e)) {
                check(rec->data.size() <= max_record);
                std::error_code ec;
                s.send_record(rec->data, ec);  // echo: exercises the output path
                // 3270 mode may have ended later in the same read.
                check(!ec || ec == errc::not_in_3270_mode || ec == errc::session_closed);
            }
        }
        // Write in uneven pieces.
        while (s.want_write()) {
            const auto out = s.pending_output();
            const std::size_t n = std::min(out.size(), write_step);
            written.insert(written.end(), out.begin(),
                           out.begin() + static_cast<std::ptrdiff_t>(n));
            s.consume_output(n);
            write_step = write_step * 3 + 1;
        }
    };

    drain();
    for (std::size_t off = 0; off < input.size(); off += chunk) {
        const auto in = input.subspan(off, std::min(chunk, input.size() - off));
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
    check(!s.want_read());
    drain();
    check_well_formed(written);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t control = data[0];
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    const std::size_t chunk = 1 + (control & 0x0F);                             // 1..16
    const std::size_t max_sb = 8 + static_cast<std::size_t>(control >> 4) * 8;  // 8..128
    const std::size_t max_record = 64 + static_cast<std::size_t>(control & 0x30) * 16;

    const std::string whole = tokenize(input, input.size() + 1, max_sb);
    check(tokenize(input, chunk, max_sb) == whole);

    run_session(tn3270::role::terminal, input, chunk, max_record, max_sb);
    run_session(tn3270::role::host, input, chunk, max_record, max_sb);
    return 0;
}

// The 3270 data stream and screen model fed untrusted host records.
// Input: one control byte (terminal model, colour, "-E", code page, oversize screen), then host
// records as on the wire: each ends at FF EF, and FF FF is one FF byte (a last record without
// FF EF counts too).
// After each record an operator types at the cursor and, now and then, presses Enter.
// Checks, beyond "no crash, no sanitizer report":
// - outbound_record::parse and screen::apply agree, and a rejected record changes nothing;
// - the cursor stays on the screen;
// - every reply and every Read Modified parses as inbound data of this screen;
// and on the final screen (the checks that walk the whole buffer many times):
// - the screen written out as one Erase/Write record rebuilds it exactly on a fresh screen;
// - text typed into a non-display field never shows in the text or the rendering.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/inbound_record.hpp>
#include <ssogate/protocols/tn3270/outbound_record.hpp>
#include <ssogate/protocols/tn3270/render.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>
#include <ssogate/protocols/tn3270/screen_text.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

std::vector<std::vector<std::byte>> split_records(std::span<const std::byte> in) {
    std::vector<std::vector<std::byte>> out(1);
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == std::byte{0xFF} && i + 1 < in.size()) {
            if (in[i + 1] == std::byte{0xEF}) {
                out.emplace_back();
                ++i;
                continue;
            }
            if (in[i + 1] == std::byte{0xFF}) ++i;
        }
        out.back().push_back(in[i]);
    }
    if (out.back().empty()) out.pop_back();
    return out;
}

void check_inbound(const std::vector<std::byte>& record, const screen& s) {
    if (record.empty()) return;
    std::error_code ec;
    const auto in = inbound_record::parse(record, s.buffer_size(), ec);
    check(in.has_value() && !ec);
}

void check_rewrite(const screen& s) {
    screen copy(s.config());
    std::error_code ec;
    const auto reply = copy.apply(s.erase_write_record(), ec);
    check(!ec && reply.empty());
    check(copy.same_display(s));
    // The reply mode is partition state, not screen contents: the record does not carry it.
    if (copy.reply_mode() == s.reply_mode())
        check(copy.read_modified(aid::enter) == s.read_modified(aid::enter));
}

// Types a marker into the first non-display input field it fits and checks it stays hidden.
void check_secrecy(screen s) {
    static const std::string marker = "QZ7XJ";
    if (s.keyboard_locked() || contains(s, marker)) return;
    if (render(s).find(marker) != std::string::npos) return;
    for (const field& f : s.fields()) {
        if (f.is_protected() || !f.is_non_display() || f.is_numeric() || f.length < 5) continue;
        std::error_code ec;
        s.fill(f, marker, ec);
        check(!ec);
        check(!contains(s, marker));
        check(screen_text(s).find(marker) == std::string::npos);
        check(render(s).find(marker) == std::string::npos);
        check(field_text(s, f).find(marker) == std::string::npos);
        return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t control = data[0];
    screen_config cfg;
    cfg.model = 2 + (control & 0x03);
    cfg.color = (control & 0x04) != 0;
    cfg.extended = (control & 0x08) == 0;
    cfg.code_page = static_cast<codepage::id>(((control >> 4) & 0x07) % 5);
    if ((control & 0xC0) == 0xC0) cfg.alternate = screen_size{62, 160};  // 14-bit addresses
    screen s(cfg);

    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    for (const auto& record : split_records(input)) {
        std::error_code parse_ec;
        const auto parsed = outbound_record::parse(record, parse_ec);
        check(parsed.has_value() == !parse_ec);

        const screen before = s;
        std::error_code ec;
        const auto reply = s.apply(record, ec);
        if (ec) {
            check(!parsed || ec == errc::invalid_address);
            check(reply.empty());
            check(s.same_display(before) && s.fields() == before.fields() &&
                  s.keyboard_locked() == before.keyboard_locked());
        } else {
            check(parsed.has_value());
        }
        check(s.cursor() < s.buffer_size());
        check(s.buffer_size() == s.size().buffer_size());
        check_inbound(reply, s);

        // The same bytes as if a terminal had sent them: parse or fail cleanly.
        std::error_code in_ec;
        (void)inbound_record::parse(record, s.buffer_size(), in_ec);

        // An operator: type at the cursor, and press Enter after odd-sized records.
        if (!s.keyboard_locked()) {
            std::error_code tec;
            s.type("A1.", tec);
            check(s.cursor() < s.buffer_size());
            if ((record.size() & 1) != 0) {
                const auto rm = s.press(aid::enter, tec);
                check(!tec);
                check_inbound(rm, s);
            }
        }
    }

    // The whole-screen checks, once per input (each walks the buffer many times).
    check_rewrite(s);
    check_inbound(s.read_modified(aid::enter), s);
    check_inbound(s.read_modified(aid::pa1, true), s);
    check_inbound(s.read_buffer(aid::none), s);
    (void)render(s);
    (void)message_id_at(s, s.row_of(s.cursor()));
    check_secrecy(s);
    return 0;
}

#include <ssogate/protocols/tn3270/constants.hpp>
#include <ssogate/protocols/tn3270/query_reply.hpp>

#include <algorithm>

namespace ssogate::protocols::tn3270 {
namespace {

// Character cell and resolution values of a 3279-2 (the ones every emulator reports).
constexpr std::uint8_t cell_width = 0x09;
constexpr std::uint8_t cell_height = 0x0C;
constexpr std::uint32_t x_resolution = 0x000A02E5;
constexpr std::uint32_t y_resolution = 0x0002006F;
// CGCSGIDs: character set 697 (Latin-1) with the host code page; the APL set 963 / page 310.
constexpr std::uint16_t charset_latin1 = 697;
constexpr std::uint32_t cgcsgid_apl = 0x03C30136;

class writer {
  public:
    explicit writer(std::vector<std::byte>& out) : out_(out) {}

    void u8(std::uint8_t v) { out_.push_back(static_cast<std::byte>(v)); }
    void u16(std::uint32_t v) {
        u8(static_cast<std::uint8_t>((v >> 8) & 0xFF));
        u8(static_cast<std::uint8_t>(v & 0xFF));
    }
    void u32(std::uint32_t v) {
        u16(v >> 16);
        u16(v & 0xFFFF);
    }

    // One query reply: length, 81, qcode, then what `body` writes.
    template <class Body>
    void reply(std::uint8_t code, Body body) {
        const std::size_t start = out_.size();
        u16(0);
        u8(sfid::query_reply);
        u8(code);
        body();
        const std::size_t len = out_.size() - start;
        out_[start] = static_cast<std::byte>((len >> 8) & 0xFF);
        out_[start + 1] = static_cast<std::byte>(len & 0xFF);
    }

  private:
    std::vector<std::byte>& out_;
};

void write_reply(writer& w, const screen_config& cfg, std::uint8_t code) {
    const screen_size alt = cfg.alternate_size();
    switch (code) {
        case qcode::summary:
            w.reply(code, [&] {
                for (std::uint8_t c : supported_qcodes(cfg)) w.u8(c);
            });
            break;
        case qcode::usable_area:
            w.reply(code, [&] {
                w.u8(0x01);  // 12/14-bit addressing
                w.u8(0x00);  // no special character features
                w.u16(alt.columns);
                w.u16(alt.rows);
                w.u8(0x01);  // units: millimetres
                w.u32(x_resolution);
                w.u32(y_resolution);
                w.u8(cell_width);
                w.u8(cell_height);
                w.u16(static_cast<std::uint32_t>(alt.buffer_size()));
            });
            break;
        case qcode::character_sets:
            w.reply(code, [&] {
                w.u8(0x82);  // graphic escape supported, CGCSGIDs present
                w.u8(0x00);
                w.u8(cell_width);
                w.u8(cell_height);
                w.u32(0);    // no loadable character sets
                w.u8(0x07);  // each descriptor: 7 bytes
                // Set 0: the base set, non-loadable, single-byte.
                w.u8(0x00);
                w.u8(0x10);
                w.u8(0x00);
                w.u16(charset_latin1);
                w.u16(codepage::get(cfg.code_page).number());
                // Set 1: the APL set reached by Graphic Escape (LCID F1).
                w.u8(0x01);
                w.u8(0x00);
                w.u8(0xF1);
                w.u32(cgcsgid_apl);
            });
            break;
        case qcode::color:
            w.reply(code, [&] {
                w.u8(0x00);  // no flags
                w.u8(16);    // 16 attribute value / colour pairs
                w.u8(0x00);  // the default colour ...
                w.u8(0xF4);  // ... is green
                for (std::uint8_t c = 0xF1; c != 0x00; ++c) {
                    w.u8(c);
                    w.u8(cfg.color ? c : 0x00);
                }
            });
            break;
        case qcode::highlighting:
            w.reply(code, [&] {
                // Pairs: default -> normal, then blink, reverse, underscore, intensify.
                static constexpr std::uint8_t pairs[] = {0x00, 0xF0, 0xF1, 0xF1, 0xF2,
                                                         0xF2, 0xF4, 0xF4, 0xF8, 0xF8};
                w.u8(5);
                for (std::uint8_t v : pairs) w.u8(v);
            });
            break;
        case qcode::reply_modes:
            w.reply(code, [&] {
                w.u8(static_cast<std::uint8_t>(reply_mode::field));
                w.u8(static_cast<std::uint8_t>(reply_mode::extended_field));
                w.u8(static_cast<std::uint8_t>(reply_mode::character));
            });
            break;
        case qcode::implicit_partition:
            w.reply(code, [&] {
                w.u16(0x0000);  // reserved
                w.u8(0x0B);     // self-defining parameter: 11 bytes,
                w.u8(0x01);     // implicit partition sizes
                w.u8(0x00);
                w.u16(default_screen_size.columns);
                w.u16(default_screen_size.rows);
                w.u16(alt.columns);
                w.u16(alt.rows);
            });
            break;
        case qcode::null:
            w.reply(code, [] {});
            break;
        default:
            break;
    }
}

}  // namespace

std::vector<std::uint8_t> supported_qcodes(const screen_config& cfg) {
    if (!cfg.extended) return {qcode::summary, qcode::usable_area, qcode::implicit_partition};
    return {qcode::summary,      qcode::usable_area, qcode::character_sets,    qcode::color,
            qcode::highlighting, qcode::reply_modes, qcode::implicit_partition};
}

std::vector<std::byte> query_reply(const screen_config& cfg) {
    return query_reply(cfg, read_partition::all, {});
}

std::vector<std::byte> query_reply(const screen_config& cfg, std::uint8_t request_type,
                                   std::span<const std::uint8_t> qcodes) {
    std::vector<std::byte> out;
    out.push_back(static_cast<std::byte>(aid::structured_field));
    writer w(out);
    bool any = false;
    for (std::uint8_t code : supported_qcodes(cfg)) {
        if (request_type == read_partition::list &&
            std::find(qcodes.begin(), qcodes.end(), code) == qcodes.end())
            continue;
        write_reply(w, cfg, code);
        any = true;
    }
    if (!any) write_reply(w, cfg, qcode::null);
    return out;
}

}  // namespace ssogate::protocols::tn3270

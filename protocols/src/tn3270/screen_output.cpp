// tn3270::screen: inbound records (Read Modified, Read Buffer; GA23-0059 chapter 3.5) and the
// screen written out as one Erase/Write record.
#include <ssogate/protocols/tn3270/buffer_address.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>

#include <algorithm>

namespace ssogate::protocols::tn3270 {
namespace {

void put_byte(std::vector<std::byte>& out, std::uint8_t b) {
    out.push_back(static_cast<std::byte>(b));
}

void put_address(std::vector<std::byte>& out, std::size_t address, std::size_t buffer_size) {
    for (std::uint8_t b : encode_address(address, buffer_size)) put_byte(out, b);
}

// Character attributes as SA orders: one SA per type whose value differs from `current`.
void put_sa(std::vector<std::byte>& out, const extended_attributes& want,
            extended_attributes& current, std::span<const std::uint8_t> types) {
    for (std::uint8_t t : types) {
        const auto w = want.get(t);
        const auto c = current.get(t);
        if (!w || !c || *w == *c) continue;
        put_byte(out, static_cast<std::uint8_t>(order::sa));
        put_byte(out, t);
        put_byte(out, *w);
        current.set(t, *w);
    }
}

// SF, or (`sfe`) SFE with the 3270 attribute first and every non-default extended attribute.
void put_field_attribute(std::vector<std::byte>& out, const screen::cell& c, bool sfe) {
    if (!sfe) {
        put_byte(out, static_cast<std::uint8_t>(order::sf));
        put_byte(out, c.attribute.to_byte());
        return;
    }
    put_byte(out, static_cast<std::uint8_t>(order::sfe));
    const std::size_t count_at = out.size();
    put_byte(out, 1);
    put_byte(out, xa::field);
    put_byte(out, c.attribute.to_byte());
    std::uint8_t count = 1;
    for (std::uint8_t t : extended_attributes::types) {
        const std::uint8_t v = *c.extended.get(t);
        if (v == 0) continue;
        put_byte(out, t);
        put_byte(out, v);
        ++count;
    }
    out[count_at] = static_cast<std::byte>(count);
}

}  // namespace

// `count` positions from `from` (none of them an attribute), with GE before alternate-set
// characters, SUB for control bytes that are no format control, and, in character reply mode, SA
// orders for the requested types (`current`: the SA state the host has seen so far in this record).
void screen::append_characters(std::vector<std::byte>& out, std::size_t from, std::size_t count,
                               bool skip_nulls, extended_attributes& current) const {
    std::size_t a = from;
    for (std::size_t i = 0; i < count; ++i, a = next(a)) {
        const cell& c = cells_[a];
        if (skip_nulls && c.ch == ebcdic_null) continue;
        if (mode_ == tn3270::reply_mode::character)
            put_sa(out, c.extended, current, reply_attributes_);
        if (c.graphic_escape) {
            put_byte(out, static_cast<std::uint8_t>(order::ge));
            put_byte(out, c.ch);
        } else if (c.ch >= 0x40 || is_format_control(c.ch)) {
            put_byte(out, c.ch);
        } else {
            // A control byte a host put there with RA: sent as SUB, never as an order the host
            // would misread (SBA, SA, ...).
            put_byte(out, ebcdic_sub);
        }
    }
}

std::vector<std::byte> screen::read_modified(aid key, bool all) const {
    std::vector<std::byte> out;
    put_byte(out, static_cast<std::uint8_t>(key));
    if (is_short_read(key) && !all) return out;
    const bool send_data = all || key != aid::select;  // the selector pen sends no data
    put_address(out, cursor_, cells_.size());
    extended_attributes current;
    if (!formatted()) {
        if (send_data) append_characters(out, 0, cells_.size(), true, current);
        return out;
    }
    for (const field& f : fields()) {
        if (!f.is_modified()) continue;
        put_byte(out, static_cast<std::uint8_t>(order::sba));
        put_address(out, f.start, cells_.size());
        if (send_data) append_characters(out, f.start, f.length, true, current);
    }
    return out;
}

std::vector<std::byte> screen::read_buffer(aid key) const {
    std::vector<std::byte> out;
    put_byte(out, static_cast<std::uint8_t>(key));
    put_address(out, cursor_, cells_.size());
    extended_attributes current;
    std::size_t run = 0;  // characters since the last attribute
    for (std::size_t a = 0; a <= cells_.size(); ++a) {
        if (a == cells_.size() || cells_[a].is_attribute) {
            append_characters(out, a - run, run, false, current);
            run = 0;
            if (a == cells_.size()) break;
            put_field_attribute(out, cells_[a], mode_ != tn3270::reply_mode::field);
            continue;
        }
        ++run;
    }
    return out;
}

// The screen as EW / EWA + WCC, then in address order: SF / SFE at attributes, SA when a
// character's attributes change, characters (GE for the alternate set), RA for runs of four or
// more equal positions, SBA over null stretches (EW already cleared them), and SBA + IC for the
// cursor (GA23-0059; PROTOCOLS.md section 4, "Handing over the screen").
std::vector<std::byte> screen::erase_write_record() const {
    std::vector<std::byte> out;
    put_byte(out, static_cast<std::uint8_t>(alternate_ ? command_code::erase_write_alternate
                                                       : command_code::erase_write));
    put_byte(out, encode_6bit(keyboard_locked() ? 0 : wcc::keyboard_restore));
    const std::size_t size = cells_.size();
    const cell blank{};
    extended_attributes current;  // the SA state of the receiving terminal
    std::size_t written_to = 0;   // the receiving terminal's buffer address
    std::size_t a = 0;
    while (a < size) {
        const cell& c = cells_[a];
        if (c == blank) {
            ++a;
            continue;
        }
        if (a != written_to) {
            put_byte(out, static_cast<std::uint8_t>(order::sba));
            put_address(out, a, size);
        }
        if (c.is_attribute) {
            put_field_attribute(out, c, !c.extended.empty());
            written_to = ++a;
            continue;
        }
        put_sa(out, c.extended, current, extended_attributes::character_types);
        std::size_t run = 1;
        while (a + run < size && cells_[a + run] == c) ++run;
        const bool plain = c.graphic_escape || c.ch >= 0x40 || is_format_control(c.ch);
        if (run >= 4 || !plain) {
            // RA: fill to the stop address (0 when the run reaches the end of the buffer).
            // A control character that is no format control can only be written this way.
            if (!plain) run = 1;
            put_byte(out, static_cast<std::uint8_t>(order::ra));
            put_address(out, (a + run) % size, size);
            if (c.graphic_escape) put_byte(out, static_cast<std::uint8_t>(order::ge));
            put_byte(out, c.ch);
        } else {
            run = 1;
            if (c.graphic_escape) put_byte(out, static_cast<std::uint8_t>(order::ge));
            put_byte(out, c.ch);
        }
        a += run;
        written_to = a;
    }
    put_byte(out, static_cast<std::uint8_t>(order::sba));
    put_address(out, cursor_, size);
    put_byte(out, static_cast<std::uint8_t>(order::ic));
    return out;
}

bool screen::same_display(const screen& other) const noexcept {
    return size_ == other.size_ && alternate_ == other.alternate_ && cursor_ == other.cursor_ &&
           cells_ == other.cells_;
}

}  // namespace ssogate::protocols::tn3270

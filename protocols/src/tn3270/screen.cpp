// tn3270::screen: construction, fields, and the host's records (GA23-0059 chapters 3-5).
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/query_reply.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>

#include <stdexcept>
#include <utility>

namespace ssogate::protocols::tn3270 {

screen::screen(screen_config cfg) : cfg_(std::move(cfg)), page_(&codepage::get(cfg_.code_page)) {
    if (!cfg_.alternate && !model_screen_size(cfg_.model))
        throw std::invalid_argument("tn3270 screen: model must be 2..5");
    const screen_size alt = cfg_.alternate_size();
    if (alt.rows < default_screen_size.rows || alt.columns < default_screen_size.columns ||
        alt.rows > 255 || alt.columns > 255 || alt.buffer_size() >= max_14bit_buffer)
        throw std::invalid_argument("tn3270 screen: alternate size out of range");
    cells_.resize(size_.buffer_size());
}

bool screen::formatted() const noexcept {
    for (const cell& c : cells_)
        if (c.is_attribute) return true;
    return false;
}

std::optional<std::size_t> screen::attribute_of(std::size_t address) const noexcept {
    std::size_t a = address;
    for (std::size_t i = 0; i < cells_.size(); ++i) {
        if (cells_[a].is_attribute) return a;
        a = a == 0 ? cells_.size() - 1 : a - 1;
    }
    return std::nullopt;
}

// The first data position of the next unprotected field of non-zero length at or after
// `address` (searching once around the buffer), as terminals tab.
std::optional<std::size_t> screen::next_unprotected(std::size_t address) const noexcept {
    std::size_t a = address;
    for (std::size_t i = 0; i < cells_.size(); ++i) {
        const std::size_t n = next(a);
        if (cells_[a].is_attribute && !cells_[a].attribute.is_protected() &&
            !cells_[n].is_attribute)
            return n;
        a = n;
    }
    return std::nullopt;
}

// The number of data positions after the attribute at `attribute_address`.
std::size_t screen::field_end(std::size_t attribute_address) const noexcept {
    std::size_t a = next(attribute_address);
    std::size_t length = 0;
    while (a != attribute_address && !cells_[a].is_attribute) {
        ++length;
        a = next(a);
    }
    return length;
}

field screen::make_field(std::size_t attribute_address) const noexcept {
    field f;
    f.attribute_address = attribute_address;
    f.start = next(attribute_address);
    f.length = field_end(attribute_address);
    f.attribute = cells_[attribute_address].attribute;
    f.extended = cells_[attribute_address].extended;
    return f;
}

std::vector<field> screen::fields() const {
    std::vector<field> out;
    for (std::size_t a = 0; a < cells_.size(); ++a)
        if (cells_[a].is_attribute) out.push_back(make_field(a));
    return out;
}

std::optional<field> screen::field_at(std::size_t address) const {
    if (address >= cells_.size()) return std::nullopt;
    const auto fa = attribute_of(address);
    if (!fa) return std::nullopt;
    return make_field(*fa);
}

void screen::put(std::size_t address, std::uint8_t ch, bool ge, const extended_attributes& xa) {
    cell& c = cells_[address];
    c = cell{};
    c.ch = ch;
    c.graphic_escape = ge;
    c.extended = xa;
}

void screen::put_attribute(std::size_t address, field_attribute fa, const extended_attributes& xa) {
    cell& c = cells_[address];
    c = cell{};
    c.is_attribute = true;
    c.attribute = fa;
    c.extended = xa;
}

std::vector<std::byte> screen::apply(std::span<const std::byte> record, std::error_code& ec) {
    const auto r = outbound_record::parse(record, ec);
    if (!r) return {};
    return apply(*r, ec);
}

std::vector<std::byte> screen::apply(const outbound_record& record, std::error_code& ec) {
    ec.clear();
    // A record applies whole or not at all: the only error left after parsing is an address
    // beyond the screen, so check every address first.
    if (!addresses_fit(record)) {
        ec = errc::invalid_address;
        return {};
    }
    return execute(record, ec);
}

// Whether every SBA / RA / EUA address of `r` lies inside the screen as it will be when the
// order runs: EW selects the default size, EWA the alternate, W keeps the current one; in a WSF,
// Erase/Reset changes the size for the fields after it, Outbound 3270DS keeps it.
bool screen::addresses_fit(const outbound_record& r) const noexcept {
    const auto orders_fit = [](const outbound_record& w, std::size_t size) {
        for (const write_order& o : w.orders) {
            using kind = write_order::kind;
            if ((o.what == kind::sba || o.what == kind::ra || o.what == kind::eua) &&
                o.address >= size)
                return false;
        }
        return true;
    };
    switch (r.command) {
        case command_code::write:
            return orders_fit(r, cells_.size());
        case command_code::erase_write:
            return orders_fit(r, default_screen_size.buffer_size());
        case command_code::erase_write_alternate:
            return orders_fit(r, cfg_.alternate_size().buffer_size());
        case command_code::write_structured_field: {
            std::size_t size = cells_.size();
            for (const structured_field& sf : r.structured_fields) {
                if (sf.id == sfid::erase_reset) {
                    size = (sf.data[0] == 0x80 ? cfg_.alternate_size() : default_screen_size)
                               .buffer_size();
                } else if (sf.id == sfid::outbound_3270ds && !orders_fit(sf.nested.front(), size)) {
                    return false;
                }
            }
            return true;
        }
        default:
            return true;
    }
}

std::vector<std::byte> screen::execute(const outbound_record& r, std::error_code& ec) {
    switch (r.command) {
        case command_code::write:
            write(r, false, ec);
            return {};
        case command_code::erase_write:
            erase(false);
            write(r, true, ec);
            return {};
        case command_code::erase_write_alternate:
            erase(true);
            write(r, true, ec);
            return {};
        case command_code::erase_all_unprotected:
            erase_all_unprotected();
            return {};
        case command_code::read_buffer:
            return read_buffer(aid_);
        case command_code::read_modified:
            return read_modified(aid_, false);
        case command_code::read_modified_all:
            return read_modified(aid_, true);
        case command_code::write_structured_field:
            return structured_fields(r, ec);
        case command_code::nop:
            return {};
    }
    return {};
}

// Clears the buffer and selects the default or the alternate size (EW, EWA, Erase/Reset).
void screen::erase(bool alternate) {
    alternate_ = alternate;
    size_ = alternate ? cfg_.alternate_size() : default_screen_size;
    cells_.assign(size_.buffer_size(), cell{});
    cursor_ = 0;
}

// EAU (GA23-0059 3.5.4): nulls in every unprotected field, their MDTs reset, the cursor to the
// first of them, keyboard restored. An unformatted screen is cleared.
void screen::erase_all_unprotected() {
    if (!formatted()) {
        cells_.assign(cells_.size(), cell{});
        cursor_ = 0;
    } else {
        std::optional<std::size_t> first;
        for (const field& f : fields()) {
            if (f.is_protected()) continue;
            cells_[f.attribute_address].attribute.bits &= static_cast<std::uint8_t>(~fa::mdt);
            std::size_t a = f.start;
            for (std::size_t i = 0; i < f.length; ++i, a = next(a)) put(a, 0, false, {});
            if (!first) first = f.start;
        }
        cursor_ = first.value_or(0);
    }
    aid_ = aid::none;
    locked_ = false;
    awaiting_first_write_ = false;
}

// W / EW / EWA data (GA23-0059 3.3, 4.3). The buffer address starts at the cursor (0 after an
// erase); orders move it, characters advance it, wrapping at the end of the buffer. Addresses
// were checked by addresses_fit(); the checks here only keep a bug from reading out of bounds.
void screen::write(const outbound_record& r, bool erase, std::error_code& ec) {
    const std::uint8_t w = r.wcc;
    if ((w & wcc::reset) != 0 && erase) {
        mode_ = tn3270::reply_mode::field;
        reply_attributes_.clear();
    }
    alarm_ = (w & wcc::sound_alarm) != 0;
    if ((w & wcc::reset_mdt) != 0) {
        for (cell& c : cells_)
            if (c.is_attribute) c.attribute.bits &= static_cast<std::uint8_t>(~fa::mdt);
    }

    const std::size_t size = cells_.size();
    std::size_t addr = cursor_;
    extended_attributes sa;  // character attributes set by SA, for what follows in this write
    std::optional<std::size_t> insert_cursor;
    bool after_order = true;  // PT right after a command or order does not null the field
    bool last_pt_wrapped = false;

    for (const write_order& o : r.orders) {
        using kind = write_order::kind;
        switch (o.what) {
            case kind::text:
                for (std::uint8_t b : o.text) {
                    put(addr, b, false, sa);
                    addr = next(addr);
                    // Format controls other than NUL count as orders for PT (x3270 does so).
                    after_order = b != ebcdic_null && (b < 0x40 || b == 0xFF);
                }
                last_pt_wrapped = false;
                continue;
            case kind::sf:
                put_attribute(addr, field_attribute::from_byte(o.value), {});
                addr = next(addr);
                break;
            case kind::sfe: {
                field_attribute fa;
                extended_attributes xa;
                for (const attribute_pair& p : o.pairs) {
                    if (p.type == xa::field)
                        fa = field_attribute::from_byte(p.value);
                    else
                        xa.set(p.type, p.value);  // unknown types are ignored
                }
                put_attribute(addr, fa, xa);
                addr = next(addr);
                break;
            }
            case kind::sba:
                if (o.address >= size) {
                    ec = errc::invalid_address;
                    return;
                }
                addr = o.address;
                break;
            case kind::sa: {
                const attribute_pair& p = o.pairs.front();
                if (p.type == xa::all) {
                    sa = {};
                } else {
                    for (std::uint8_t t : extended_attributes::character_types)
                        if (t == p.type) sa.set(p.type, p.value);
                }
                break;
            }
            case kind::mf:
                // Only at a field attribute; elsewhere the order is skipped, address unchanged.
                if (cells_[addr].is_attribute) {
                    cell& c = cells_[addr];
                    for (const attribute_pair& p : o.pairs) {
                        if (p.type == xa::field)
                            c.attribute = field_attribute::from_byte(p.value);
                        else
                            c.extended.set(p.type, p.value);
                    }
                    addr = next(addr);
                }
                break;
            case kind::ic:
                insert_cursor = addr;
                break;
            case kind::pt: {
                // GA23-0059 4.3.6: to the first position of the next unprotected field, not
                // wrapping (address 0 then); nulls to the end of the current field unless PT
                // follows a command or order.
                if (cells_[addr].is_attribute && !cells_[addr].attribute.is_protected()) {
                    addr = next(addr);
                    last_pt_wrapped = false;
                    break;
                }
                std::size_t target = next_unprotected(addr).value_or(0);
                if (target < addr) target = 0;
                if (!after_order || last_pt_wrapped) {
                    for (std::size_t i = 0;
                         i < size && addr != target && !cells_[addr].is_attribute; ++i) {
                        put(addr, 0, false, {});
                        addr = next(addr);
                    }
                    last_pt_wrapped = target == 0;
                } else {
                    last_pt_wrapped = false;
                }
                addr = target;
                after_order = true;
                continue;
            }
            case kind::ra: {
                if (o.address >= size) {
                    ec = errc::invalid_address;
                    return;
                }
                // Up to, not including, the stop address; the whole buffer when they are equal.
                do {
                    put(addr, o.value, o.graphic_escape, sa);
                    addr = next(addr);
                } while (addr != o.address);
                break;
            }
            case kind::eua: {
                if (o.address >= size) {
                    ec = errc::invalid_address;
                    return;
                }
                const auto fa = attribute_of(addr);
                bool prot = fa && cells_[*fa].attribute.is_protected();
                do {
                    if (cells_[addr].is_attribute) {
                        prot = cells_[addr].attribute.is_protected();
                    } else if (!prot) {
                        cells_[addr].ch = 0;
                        cells_[addr].graphic_escape = false;
                    }
                    addr = next(addr);
                } while (addr != o.address);
                break;
            }
            case kind::ge:
                put(addr, o.value, true, sa);
                addr = next(addr);
                after_order = false;
                last_pt_wrapped = false;
                continue;
            case kind::unknown:
                break;
        }
        after_order = true;
        last_pt_wrapped = false;
    }

    if (insert_cursor) cursor_ = *insert_cursor;
    awaiting_first_write_ = false;
    if ((w & wcc::keyboard_restore) != 0) {
        locked_ = false;
        aid_ = aid::none;
    }
}

// WSF (GA23-0059 chapter 5): the fields outbound_record::parse accepted.
std::vector<std::byte> screen::structured_fields(const outbound_record& r, std::error_code& ec) {
    std::vector<std::byte> reply;
    for (const structured_field& sf : r.structured_fields) {
        const auto& d = sf.data;
        switch (sf.id) {
            case sfid::read_partition:
                if (!reply.empty()) break;  // one reply per record
                if (d[1] == read_partition::query) {
                    reply = query_reply(cfg_);
                } else if (d[1] == read_partition::query_list) {
                    reply = query_reply(cfg_, d[2], std::span(d).subspan(3));
                } else if (d[1] == 0xF2) {
                    reply = read_buffer(aid::read_partition);
                } else {
                    reply = read_modified(aid::read_partition, d[1] == 0x6E);
                }
                break;
            case sfid::erase_reset:
                erase(d[0] == 0x80);
                mode_ = tn3270::reply_mode::field;
                reply_attributes_.clear();
                break;
            case sfid::set_reply_mode:
                mode_ = static_cast<tn3270::reply_mode>(d[1]);
                reply_attributes_.clear();
                if (mode_ == tn3270::reply_mode::character)
                    reply_attributes_.assign(d.begin() + 2, d.end());
                break;
            case sfid::outbound_3270ds: {
                const outbound_record& w = sf.nested.front();
                switch (w.command) {
                    case command_code::write:
                        write(w, false, ec);
                        break;
                    case command_code::erase_write:
                    case command_code::erase_write_alternate:
                        erase(alternate_);  // the partition keeps its size (x3270 does so)
                        write(w, true, ec);
                        break;
                    default:
                        erase_all_unprotected();
                        break;
                }
                if (ec) return {};
                break;
            }
            default:
                break;
        }
    }
    return reply;
}

}  // namespace ssogate::protocols::tn3270

#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/buffer_address.hpp>
#include <ssogate/protocols/tn3270/outbound_record.hpp>

namespace ssogate::protocols::tn3270 {
namespace {

using kind = write_order::kind;

// Reads W / EW / EWA data: orders and character runs, starting after the WCC.
class order_reader {
  public:
    explicit order_reader(std::span<const std::uint8_t> data) : data_(data) {}

    bool read(std::vector<write_order>& out, std::error_code& ec) {
        while (pos_ < data_.size()) {
            const std::uint8_t b = data_[pos_++];
            if (b >= 0x40 || is_format_control(b)) {
                if (out.empty() || out.back().what != kind::text) out.push_back({});
                out.back().text.push_back(b);
                continue;
            }
            write_order o;
            bool ok = true;
            switch (static_cast<order>(b)) {
                case order::sf:
                    o.what = kind::sf;
                    ok = take(o.value);
                    break;
                case order::sba:
                    o.what = kind::sba;
                    ok = take_address(o.address);
                    break;
                case order::eua:
                    o.what = kind::eua;
                    ok = take_address(o.address);
                    break;
                case order::ic:
                    o.what = kind::ic;
                    break;
                case order::pt:
                    o.what = kind::pt;
                    break;
                case order::ge:
                    o.what = kind::ge;
                    ok = take(o.value);
                    break;
                case order::sa: {
                    o.what = kind::sa;
                    attribute_pair p;
                    ok = take(p.type) && take(p.value);
                    o.pairs.push_back(p);
                    break;
                }
                case order::sfe:
                case order::mf: {
                    o.what = static_cast<order>(b) == order::sfe ? kind::sfe : kind::mf;
                    std::uint8_t count = 0;
                    ok = take(count) && data_.size() - pos_ >= 2u * count;
                    for (std::uint8_t i = 0; ok && i < count; ++i) {
                        attribute_pair p;
                        take(p.type);
                        take(p.value);
                        o.pairs.push_back(p);
                    }
                    break;
                }
                case order::ra:
                    o.what = kind::ra;
                    ok = take_address(o.address) && take(o.value);
                    if (ok && o.value == static_cast<std::uint8_t>(order::ge)) {
                        o.graphic_escape = true;
                        ok = take(o.value);
                    }
                    break;
                default:
                    o.what = kind::unknown;
                    o.value = b;
                    break;
            }
            if (!ok) {
                ec = errc::truncated_order;
                return false;
            }
            out.push_back(std::move(o));
        }
        return true;
    }

  private:
    bool take(std::uint8_t& v) {
        if (pos_ >= data_.size()) return false;
        v = data_[pos_++];
        return true;
    }
    bool take_address(std::size_t& address) {
        if (data_.size() - pos_ < 2) return false;
        address = decode_address(data_[pos_], data_[pos_ + 1]);
        pos_ += 2;
        return true;
    }

    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

std::optional<outbound_record> parse_bytes(std::span<const std::uint8_t> in, bool nested,
                                           std::error_code& ec);

// Checks one structured field (GA23-0059 chapter 5) and fills `sf` from it.
bool parse_structured_field(std::span<const std::uint8_t> body, structured_field& sf,
                            std::error_code& ec) {
    sf.id = body[0];
    sf.data.assign(body.begin() + 1, body.end());
    const auto& d = sf.data;
    switch (sf.id) {
        case sfid::read_partition:
            // PID, type [, request type, qcodes...]
            if (d.size() < 2) break;
            if (d[1] == read_partition::query || d[1] == read_partition::query_list) {
                if (d[0] != 0xFF) {
                    ec = errc::unsupported_structured_field;
                    return false;
                }
                if (d[1] == read_partition::query_list) {
                    if (d.size() < 3) break;
                    if (d[2] != read_partition::list && d[2] != read_partition::equivalent &&
                        d[2] != read_partition::all) {
                        ec = errc::unsupported_structured_field;
                        return false;
                    }
                }
                return true;
            }
            if (d[1] == 0xF2 || d[1] == 0xF6 || d[1] == 0x6E) {  // RB, RM, RMA of partition 0
                if (d[0] != 0x00) {
                    ec = errc::unsupported_structured_field;
                    return false;
                }
                return true;
            }
            ec = errc::unsupported_structured_field;
            return false;
        case sfid::erase_reset:
            if (d.size() != 1) break;
            if (d[0] != 0x00 && d[0] != 0x80) {
                ec = errc::unsupported_structured_field;
                return false;
            }
            return true;
        case sfid::set_reply_mode:
            // PID, mode [, attribute types (character mode)]
            if (d.size() < 2) break;
            if (d[0] != 0x00 || d[1] > static_cast<std::uint8_t>(reply_mode::character)) {
                ec = errc::unsupported_structured_field;
                return false;
            }
            return true;
        case sfid::outbound_3270ds: {
            // PID, then a W / EW / EWA (with WCC and orders) or EAU.
            if (d.size() < 2) break;
            if (d[0] != 0x00) {
                ec = errc::unsupported_structured_field;
                return false;
            }
            auto r = parse_bytes(std::span(d).subspan(1), true, ec);
            if (!r) return false;
            sf.nested.push_back(std::move(*r));
            return true;
        }
        default:
            ec = errc::unsupported_structured_field;
            return false;
    }
    ec = errc::malformed_structured_field;
    return false;
}

// `nested`: inside Outbound 3270DS, where only W, EW, EWA and EAU may appear.
std::optional<outbound_record> parse_bytes(std::span<const std::uint8_t> in, bool nested,
                                           std::error_code& ec) {
    ec.clear();
    if (in.empty()) {
        ec = errc::empty_record;
        return std::nullopt;
    }
    const auto cmd = command_from_byte(in[0]);
    if (!cmd) {
        ec = errc::unknown_command;
        return std::nullopt;
    }
    outbound_record r;
    r.command = *cmd;
    switch (*cmd) {
        case command_code::write:
        case command_code::erase_write:
        case command_code::erase_write_alternate: {
            if (in.size() < 2) {
                ec = errc::truncated_order;
                return std::nullopt;
            }
            r.wcc = in[1];
            order_reader reader(in.subspan(2));
            if (!reader.read(r.orders, ec)) return std::nullopt;
            return r;
        }
        case command_code::erase_all_unprotected:
            return r;
        case command_code::write_structured_field: {
            if (nested) break;
            std::span<const std::uint8_t> rest = in.subspan(1);
            while (!rest.empty()) {
                if (rest.size() < 2) {
                    ec = errc::malformed_structured_field;
                    return std::nullopt;
                }
                std::size_t len = (static_cast<std::size_t>(rest[0]) << 8) | rest[1];
                if (len == 0) len = rest.size();  // "to the end of the record"
                if (len < 3 || len > rest.size()) {
                    ec = errc::malformed_structured_field;
                    return std::nullopt;
                }
                structured_field sf;
                if (!parse_structured_field(rest.subspan(2, len - 2), sf, ec)) return std::nullopt;
                r.structured_fields.push_back(std::move(sf));
                rest = rest.subspan(len);
            }
            return r;
        }
        case command_code::read_buffer:
        case command_code::read_modified:
        case command_code::read_modified_all:
        case command_code::nop:
            if (nested) break;
            return r;
    }
    ec = errc::unsupported_structured_field;  // a read, no-op or WSF inside Outbound 3270DS
    return std::nullopt;
}

}  // namespace

std::optional<outbound_record> outbound_record::parse(std::span<const std::byte> record,
                                                      std::error_code& ec) {
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(record.data()),
                                              record.size());
    return parse_bytes(bytes, false, ec);
}

}  // namespace ssogate::protocols::tn3270

#pragma once
// TN3270E (RFC 2355) building blocks: subnegotiation codes, functions, REJECT reasons, the 5-byte
// record header and the BIND-IMAGE screen sizes. Pure functions on bytes; tn3270::session uses
// them (session.hpp says where), tests and fuzz targets call them directly.
#include <ssogate/protocols/tn3270/screen_size.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

namespace ssogate::protocols::tn3270 {

/// RFC 2355 section 8 ("TN3270E subnegotiation commands"): the bytes after IAC SB TN3270E.
namespace tn3270e_code {
inline constexpr std::byte associate{0x00};
inline constexpr std::byte connect{0x01};
inline constexpr std::byte device_type{0x02};
inline constexpr std::byte functions{0x03};
inline constexpr std::byte is{0x04};
inline constexpr std::byte reason{0x05};
inline constexpr std::byte reject{0x06};
inline constexpr std::byte request{0x07};
inline constexpr std::byte send{0x08};
}  // namespace tn3270e_code

/// DEVICE-TYPE REJECT REASON codes (RFC 2355 section 8).
enum class reject_reason : std::uint8_t {
    conn_partner = 0x00,     // ASSOCIATE: the named LU is no connected terminal's
    device_in_use = 0x01,    // the requested LU is in use by another session
    inv_associate = 0x02,    // ASSOCIATE named a resource that is no terminal LU
    inv_name = 0x03,         // the requested LU (or resource) name is not known
    inv_device_type = 0x04,  // the device type is not supported
    type_name_error = 0x05,  // the device type does not fit the requested LU
    unknown_error = 0x06,
    unsupported_req = 0x07,  // e.g. a specific LU asked for but no pool defined, or ASSOCIATE
};

/// FUNCTIONS codes (RFC 2355 section 8). DATA-STREAM-CTL and SCS-CTL-CODES concern printers
/// (3287 LU types 3 and 1); the session agrees to them only for a printer device type.
enum class tn3270e_function : std::uint8_t {
    bind_image = 0x00,
    data_stream_ctl = 0x01,
    responses = 0x02,
    scs_ctl_codes = 0x03,
    sysreq = 0x04,
};

/// A set of RFC 2355 functions (codes 0..4). Unknown codes a peer names are dropped by
/// from_codes() and reported through its `unknown` out-parameter.
class function_set {
  public:
    constexpr function_set() noexcept = default;
    constexpr function_set(std::initializer_list<tn3270e_function> fs) noexcept {
        for (auto f : fs) add(f);
    }

    constexpr void add(tn3270e_function f) noexcept { bits_ |= bit(f); }
    constexpr void remove(tn3270e_function f) noexcept {
        bits_ = static_cast<std::uint8_t>(bits_ & ~bit(f));
    }
    [[nodiscard]] constexpr bool contains(tn3270e_function f) const noexcept {
        return (bits_ & bit(f)) != 0;
    }
    [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0; }
    [[nodiscard]] constexpr bool subset_of(function_set o) const noexcept {
        return (bits_ & ~o.bits_) == 0;
    }
    [[nodiscard]] constexpr function_set intersect(function_set o) const noexcept {
        function_set r;
        r.bits_ = static_cast<std::uint8_t>(bits_ & o.bits_);
        return r;
    }

    /// The function codes in ascending order, as sent in FUNCTIONS REQUEST / IS.
    [[nodiscard]] std::vector<std::byte> codes() const;
    /// Reads a FUNCTIONS list. `unknown` is set when a code above SYSREQ (4) was present
    /// (e.g. CONTENTION-RESOLUTION 5 from IBM's extension draft); such codes are left out.
    [[nodiscard]] static function_set from_codes(std::span<const std::byte> codes, bool& unknown);

    friend constexpr bool operator==(function_set, function_set) noexcept = default;

  private:
    static constexpr std::uint8_t bit(tn3270e_function f) noexcept {
        return static_cast<std::uint8_t>(1U << static_cast<unsigned>(f));
    }
    std::uint8_t bits_ = 0;
};

/// The data-type byte of the header (RFC 2355 section 8.1).
enum class data_type : std::uint8_t {
    data_3270 = 0x00,  // 3270-DATA
    scs_data = 0x01,
    response = 0x02,
    bind_image = 0x03,
    unbind = 0x04,
    nvt_data = 0x05,
    request = 0x06,
    sscp_lu_data = 0x07,
    print_eoj = 0x08,
};

/// RESPONSE-FLAG of a 3270-DATA / SCS-DATA record (what the sender asks for).
enum class response_flag : std::uint8_t {
    no_response = 0x00,
    error_response = 0x01,   // answer only when the record could not be processed
    always_response = 0x02,  // always answer, positively or negatively
};

/// RESPONSE-FLAG of a RESPONSE record, and the one-byte codes after its header.
inline constexpr std::uint8_t positive_response = 0x00;
inline constexpr std::uint8_t negative_response = 0x01;
inline constexpr std::uint8_t response_device_end = 0x00;  // positive
/// Negative response codes (RFC 2355 section 10.4.2).
enum class negative_code : std::uint8_t {
    command_reject = 0x00,
    intervention_required = 0x01,
    operation_check = 0x02,
    component_disconnected = 0x03,
};

/// REQUEST-FLAG of a REQUEST record: ERR-COND-CLEARED.
inline constexpr std::uint8_t request_err_cond_cleared = 0x00;

/// Sequence numbers run 0..32767 and wrap (RFC 2355 section 8.1.4).
inline constexpr std::uint16_t max_sequence_number = 0x7FFF;

/// The 5-byte header that prefixes every record once TN3270E is agreed (RFC 2355 section 8.1):
/// data type, request flag, response flag, sequence number (big endian). On the wire an FF in
/// the header is doubled like any data byte; these functions see the undoubled record.
struct tn3270e_header {
    data_type type = data_type::data_3270;
    std::uint8_t request_flag = 0;
    std::uint8_t response_flag = 0;
    std::uint16_t sequence = 0;
    friend bool operator==(const tn3270e_header&, const tn3270e_header&) = default;
};

inline constexpr std::size_t tn3270e_header_size = 5;

/// Reads the header at the front of an (undoubled) record. `ec`: errc::tn3270e_header_too_short
/// for fewer than 5 bytes, errc::unknown_data_type for a data type above PRINT-EOJ (8), e.g. the
/// BID type (9) of IBM's extension draft, which this engine does not negotiate.
[[nodiscard]] std::optional<tn3270e_header> parse_tn3270e_header(std::span<const std::byte> record,
                                                                 std::error_code& ec);

/// Appends the 5 header bytes, not doubled (the session doubles header and data together).
void append_tn3270e_header(std::vector<std::byte>& out, const tn3270e_header& h);

/// What a BIND-IMAGE's BIND RU says about the screen (SNA BIND, PSERVIC bytes 20..24 of the RU,
/// GA23-0059 / x3270 ctlr.c). A size is present only when the BIND carries it.
struct bind_screen {
    /// Default (Erase/Write) size: 24x80 for screen-size codes 00, 02 and 03; bytes 20/21 for
    /// 7E and 7F.
    std::optional<screen_size> default_size;
    /// Alternate (Erase/Write Alternate) size: bytes 22/23 for 7F, the default size again for
    /// 00, 02 and 7E; nothing for 03 ("the model's size": the terminal's own) or other codes.
    std::optional<screen_size> alternate_size;
    /// The raw screen-size code (byte 24), when the RU is long enough to hold it.
    std::optional<std::uint8_t> size_code;
    friend bool operator==(const bind_screen&, const bind_screen&) = default;
};

/// Reads the screen sizes of a BIND RU (the data of a BIND-IMAGE record, after the header).
/// `ec`: errc::malformed_bind when the RU does not start with the BIND request code 0x31 or
/// names a size of 0 rows or columns. A short RU (no PSERVIC) is no error: no sizes.
[[nodiscard]] bind_screen parse_bind_screen(std::span<const std::byte> ru, std::error_code& ec);

/// A BIND RU for a host to send in a BIND-IMAGE record: LU type 2 (3270 display) session
/// parameters as the x3270 test target sends them, PSERVIC screen-size code 7F with the given
/// default and alternate sizes (code 03, "the terminal's model size", when `alternate` is
/// nothing, e.g. for IBM-DYNAMIC), no PLU name. parse_bind_screen() reads it back.
[[nodiscard]] std::vector<std::byte> make_bind_ru(screen_size default_size,
                                                  std::optional<screen_size> alternate);

/// Names as RFC 2355 spells them, for logs ("BIND-IMAGE", "INV-NAME", "3270-DATA", ...).
[[nodiscard]] std::string_view to_string(tn3270e_function f) noexcept;
[[nodiscard]] std::string_view to_string(reject_reason r) noexcept;
[[nodiscard]] std::string_view to_string(data_type t) noexcept;

}  // namespace ssogate::protocols::tn3270

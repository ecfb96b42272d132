#pragma once
// EBCDIC host code pages for 3270 screens: CP037 (US/Canada), CP1047 (Latin-1 Open Systems, z/OS
// UNIX), CP500 (International), CP273 (Germany/Austria), CP285 (UK), each to and from Unicode.
//
// All five are the same 256 characters (IBM character set 697: ASCII, Latin-1 and the C0/C1
// controls) in different places, so each maps its 256 bytes one to one onto U+0000..U+00FF and
// round-trips every byte. They differ where sign-on data cares: user ids may hold '#', '@' and
// '$', which sit at 7B/7C/5B in CP037 but '@' is B5 in CP273 and '$' is 4A in CP285 (where 5B is
// '£'); '[', ']', '^' and '¬' move between all of them.
//
// Tables: written from IBM's published definitions as carried by glibc's charmaps
// (IBM NLS RM Vol. 2 SE09-8002-01; CDRA SC09-1391 for 1047) and checked byte for byte against
// iconv in the unit tests. One deliberate difference: CP285 A1 is U+00AF MACRON (IBM GCGID
// SM150000, the same graphic as CP037 BC), where glibc says U+203E OVERLINE. Encoding accepts
// U+203E as a fallback for the macron in every page, so both spellings reach the host.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ssogate::protocols::tn3270 {

class codepage {
  public:
    enum class id : std::uint8_t { cp037, cp1047, cp500, cp273, cp285 };

    /// The table for `page`; lives for the whole program.
    [[nodiscard]] static const codepage& get(id page) noexcept;

    /// "cp037", "037", "37", "IBM037", "IBM-037", "CCSID37", ... (case-insensitive) for each
    /// page; nothing for any other name.
    [[nodiscard]] static std::optional<id> parse(std::string_view name) noexcept;

    [[nodiscard]] id which() const noexcept { return id_; }
    /// "cp037", "cp1047", "cp500", "cp273", "cp285".
    [[nodiscard]] std::string_view name() const noexcept;
    /// The code page number in CGCSGIDs (Query Reply Character Sets): 37, 1047, 500, 273, 285.
    [[nodiscard]] std::uint16_t number() const noexcept;

    /// The Unicode character of an EBCDIC byte (always U+0000..U+00FF).
    [[nodiscard]] char32_t to_unicode(std::uint8_t ebcdic) const noexcept {
        return static_cast<char32_t>(to_latin1_[ebcdic]);
    }
    /// The EBCDIC byte of a Unicode character; nothing when the page lacks it.
    [[nodiscard]] std::optional<std::uint8_t> from_unicode(char32_t c) const noexcept;

    /// EBCDIC bytes to UTF-8, one character per byte (controls included, unchanged).
    [[nodiscard]] std::string decode(std::span<const std::byte> ebcdic) const;
    /// UTF-8 to EBCDIC. On errc::invalid_utf8 or errc::unmappable_character returns nothing
    /// (an empty vector) and sets `ec`; the message never quotes the text (it may be a secret).
    [[nodiscard]] std::vector<std::byte> encode(std::string_view utf8, std::error_code& ec) const;

  private:
    codepage(id page, const std::array<std::uint8_t, 256>& to_latin1) noexcept;

    id id_;
    const std::array<std::uint8_t, 256>& to_latin1_;
    std::array<std::uint8_t, 256> from_latin1_{};
};

}  // namespace ssogate::protocols::tn3270

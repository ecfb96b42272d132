#pragma once
// Outbound 3270 records for tests, written the way hosts write them:
//   ds().ew(0xC3).sba(4, 1).sf(fa::protect).text("USERID ===>").sf(0).ic().record()
// Text goes through CP037 unless another code page is given. Rows and columns are 0-origin;
// addresses are 12-bit (14-bit above 4096 positions), as screens of that width expect.
#include <ssogate/protocols/tn3270/buffer_address.hpp>
#include <ssogate/protocols/tn3270/codepage.hpp>
#include <ssogate/protocols/tn3270/constants.hpp>

#include "hex.hpp"

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace ssogate::test {

namespace tn = ssogate::protocols::tn3270;

class ds {
  public:
    explicit ds(std::size_t columns = 80, std::size_t buffer_size = 1920,
                tn::codepage::id page = tn::codepage::id::cp037)
        : columns_(columns), buffer_size_(buffer_size), page_(&tn::codepage::get(page)) {}

    ds& byte(std::uint8_t b) {
        out_.push_back(static_cast<std::byte>(b));
        return *this;
    }
    ds& raw(std::initializer_list<std::uint8_t> bs) {
        for (auto b : bs) byte(b);
        return *this;
    }
    ds& raw(const bytes& bs) {
        out_.insert(out_.end(), bs.begin(), bs.end());
        return *this;
    }
    ds& w(std::uint8_t wcc) { return byte(0xF1).byte(wcc); }
    ds& ew(std::uint8_t wcc) { return byte(0xF5).byte(wcc); }
    ds& ewa(std::uint8_t wcc) { return byte(0x7E).byte(wcc); }
    ds& address(std::size_t a) {
        for (auto b : tn::encode_address(a, buffer_size_)) byte(b);
        return *this;
    }
    ds& sba(std::size_t row, std::size_t col) { return byte(0x11).address(row * columns_ + col); }
    ds& sba(std::size_t a) { return byte(0x11).address(a); }
    /// SF with the attribute bits code-table encoded, as hosts send them.
    ds& sf(std::uint8_t bits) { return byte(0x1D).byte(tn::encode_6bit(bits)); }
    ds& sfe(std::initializer_list<std::pair<std::uint8_t, std::uint8_t>> pairs) {
        byte(0x29).byte(static_cast<std::uint8_t>(pairs.size()));
        for (auto [t, v] : pairs) byte(t).byte(v);
        return *this;
    }
    ds& sa(std::uint8_t type, std::uint8_t value) { return byte(0x28).byte(type).byte(value); }
    ds& mf(std::initializer_list<std::pair<std::uint8_t, std::uint8_t>> pairs) {
        byte(0x2C).byte(static_cast<std::uint8_t>(pairs.size()));
        for (auto [t, v] : pairs) byte(t).byte(v);
        return *this;
    }
    ds& ic() { return byte(0x13); }
    ds& pt() { return byte(0x05); }
    ds& ge(std::uint8_t c) { return byte(0x08).byte(c); }
    ds& ra(std::size_t row, std::size_t col, std::uint8_t c) {
        return byte(0x3C).address(row * columns_ + col).byte(c);
    }
    ds& eua(std::size_t row, std::size_t col) { return byte(0x12).address(row * columns_ + col); }
    ds& text(std::string_view utf8) {
        std::error_code ec;
        auto e = page_->encode(utf8, ec);
        if (ec) throw std::invalid_argument("ds::text: not encodable");
        out_.insert(out_.end(), e.begin(), e.end());
        return *this;
    }

    [[nodiscard]] const ssogate::test::bytes& record() const { return out_; }

  private:
    std::size_t columns_;
    std::size_t buffer_size_;
    const tn::codepage* page_;
    ssogate::test::bytes out_;
};

/// CP037 bytes of `utf8`.
inline bytes ebcdic(std::string_view utf8) {
    std::error_code ec;
    auto e = tn::codepage::get(tn::codepage::id::cp037).encode(utf8, ec);
    if (ec) throw std::invalid_argument("ebcdic: not encodable");
    return e;
}

/// A TSO-like logon screen (24x80), keyboard restored, MDTs reset, cursor in the USERID field:
///   row 0:  title "TSO/E LOGON" (protected, intensified) at column 30
///   row 4:  "USERID   ===>" at 2, input field data at (4,16), 8 positions
///   row 5:  "PASSWORD ===>" at 2, non-display input field at (5,16), 8 positions
///   row 6:  "ACCT NMBR===>" at 2, numeric input field at (6,16), 7 positions, then autoskip
///   row 22: message line, protected intensified, data from (22,1): `message`
inline bytes tso_logon(std::string_view message = "") {
    using namespace tn;
    ds d;
    // clang-format off
    d.ew(0xC3)
        .sba(0, 29).sf(fa::protect | fa::display_intensified).text("TSO/E LOGON")
        .sf(fa::protect)
        .sba(4, 1).sf(fa::protect).text("USERID   ===>").sf(0)
        .sba(4, 24).sf(fa::protect)
        .sba(5, 1).sf(fa::protect).text("PASSWORD ===>").sf(fa::display_none)
        .sba(5, 24).sf(fa::protect)
        .sba(6, 1).sf(fa::protect).text("ACCT NMBR===>").sf(fa::numeric)
        .sba(6, 23).sf(fa::protect | fa::numeric)
        .sba(22, 0).sf(fa::protect | fa::display_intensified).text(message)
        .sba(4, 16).ic();
    // clang-format on
    return d.record();
}

}  // namespace ssogate::test

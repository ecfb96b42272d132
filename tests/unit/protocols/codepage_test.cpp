// EBCDIC code pages: every byte of every page against glibc's iconv (the oracle), round trips,
// and the characters user ids depend on (PROTOCOLS.md section 5).
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/codepage.hpp>

#include "hex.hpp"

#include <gtest/gtest.h>
#include <iconv.h>

#include <string>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

const codepage::id all_pages[] = {codepage::id::cp037, codepage::id::cp1047, codepage::id::cp500,
                                  codepage::id::cp273, codepage::id::cp285};

std::string iconv_name(codepage::id p) {
    switch (p) {
        case codepage::id::cp037:
            return "IBM037";
        case codepage::id::cp1047:
            return "IBM1047";
        case codepage::id::cp500:
            return "IBM500";
        case codepage::id::cp273:
            return "IBM273";
        case codepage::id::cp285:
            return "IBM285";
    }
    return "";
}

// One conversion through iconv; throws when iconv cannot (a broken oracle fails the test).
std::string convert(const std::string& from, const std::string& to, const std::string& in) {
    iconv_t cd = iconv_open(to.c_str(), from.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv_open " + from);
    std::string out(in.size() * 4 + 16, '\0');
    char* src = const_cast<char*>(in.data());
    std::size_t src_left = in.size();
    char* dst = out.data();
    std::size_t dst_left = out.size();
    const std::size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
    iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1)) throw std::runtime_error("iconv failed");
    out.resize(out.size() - dst_left);
    return out;
}

std::string utf8_of(char32_t c) {
    std::string s;
    if (c < 0x80) {
        s.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        s.push_back(static_cast<char>(0xC0 | (c >> 6)));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        s.push_back(static_cast<char>(0xE0 | (c >> 12)));
        s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
    return s;
}

bytes enc(codepage::id p, std::string_view text) {
    std::error_code ec;
    auto out = codepage::get(p).encode(text, ec);
    EXPECT_FALSE(ec) << ec.message();
    return out;
}

}  // namespace

TEST(Codepage, EveryByteDecodesAsIconvDoes) {
    for (auto p : all_pages) {
        const codepage& page = codepage::get(p);
        for (int b = 0; b < 256; ++b) {
            const std::string in(1, static_cast<char>(b));
            std::string expected = convert(iconv_name(p), "UTF-8", in);
            // The one documented difference: CP285 A1 is the macron (IBM SM150000), glibc says
            // overline.
            if (p == codepage::id::cp285 && b == 0xA1) {
                EXPECT_EQ(expected, utf8_of(0x203E));
                expected = utf8_of(0x00AF);
            }
            const std::byte eb{static_cast<unsigned char>(b)};
            EXPECT_EQ(page.decode(std::span(&eb, 1)), expected) << page.name() << " byte " << b;
        }
    }
}

TEST(Codepage, EveryByteEncodesAsIconvDoes) {
    for (auto p : all_pages) {
        const codepage& page = codepage::get(p);
        for (int b = 0; b < 256; ++b) {
            const char32_t u = page.to_unicode(static_cast<std::uint8_t>(b));
            const std::string text = utf8_of(u);
            if (!(p == codepage::id::cp285 && b == 0xA1)) {
                const std::string expected = convert("UTF-8", iconv_name(p), text);
                ASSERT_EQ(expected.size(), 1u);
                EXPECT_EQ(static_cast<unsigned char>(expected[0]), b) << page.name();
            }
            EXPECT_EQ(to_hex(enc(p, text)),
                      to_hex(std::vector{std::byte{static_cast<unsigned char>(b)}}))
                << page.name() << " U+" << static_cast<unsigned>(u);
        }
    }
}

TEST(Codepage, EachPageIsAPermutationOfLatin1) {
    for (auto p : all_pages) {
        const codepage& page = codepage::get(p);
        bool seen[256] = {};
        for (int b = 0; b < 256; ++b) {
            const char32_t u = page.to_unicode(static_cast<std::uint8_t>(b));
            ASSERT_LT(u, 256u);
            EXPECT_FALSE(seen[u]) << page.name();
            seen[u] = true;
            EXPECT_EQ(page.from_unicode(u), b);
        }
    }
}

TEST(Codepage, AllTextRoundTrips) {
    bytes all;
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<std::byte>(b));
    for (auto p : all_pages) {
        std::error_code ec;
        const std::string text = codepage::get(p).decode(all);
        EXPECT_EQ(codepage::get(p).encode(text, ec), all) << codepage::get(p).name();
        EXPECT_FALSE(ec);
    }
}

TEST(Codepage, UserIdCharactersPerPage) {
    // '#', '@', '$' (user ids) and '[', ']', '^', '!', '|', '¬', '£', '§'.
    EXPECT_EQ(to_hex(enc(codepage::id::cp037, "A#@$[]^!|¬£§")),
              "c1 7b 7c 5b ba bb b0 5a 4f 5f b1 b5");
    EXPECT_EQ(to_hex(enc(codepage::id::cp1047, "A#@$[]^!|¬£§")),
              "c1 7b 7c 5b ad bd 5f 5a 4f b0 b1 b5");
    EXPECT_EQ(to_hex(enc(codepage::id::cp500, "A#@$[]^!|¬£§")),
              "c1 7b 7c 5b 4a 5a 5f 4f bb ba b1 b5");
    // PROTOCOLS.md: `printf 'A#@$' | iconv -f UTF-8 -t IBM273` gives C1 7B B5 5B.
    EXPECT_EQ(to_hex(enc(codepage::id::cp273, "A#@$")), "c1 7b b5 5b");
    EXPECT_EQ(to_hex(enc(codepage::id::cp273, "[]^!|¬£§")), "63 fc 5f 4f bb ba b1 7c");
    EXPECT_EQ(to_hex(enc(codepage::id::cp285, "A#@$[]^!|¬£§")),
              "c1 7b 7c 4a b1 bb ba 5a 4f 5f 5b b5");
}

TEST(Codepage, Cp037AndCp1047DifferInSixGraphics) {
    // PROTOCOLS.md section 5: 5F, AD, B0, BA, BB, BD and nothing else.
    const codepage& a = codepage::get(codepage::id::cp037);
    const codepage& b = codepage::get(codepage::id::cp1047);
    std::vector<int> differ;
    for (int i = 0; i < 256; ++i)
        if (a.to_unicode(static_cast<std::uint8_t>(i)) !=
            b.to_unicode(static_cast<std::uint8_t>(i)))
            differ.push_back(i);
    EXPECT_EQ(differ, (std::vector<int>{0x5F, 0xAD, 0xB0, 0xBA, 0xBB, 0xBD}));
    EXPECT_EQ(a.to_unicode(0x5F), U'¬');
    EXPECT_EQ(b.to_unicode(0x5F), U'^');
    EXPECT_EQ(a.to_unicode(0xAD), U'Ý');
    EXPECT_EQ(b.to_unicode(0xAD), U'[');
    EXPECT_EQ(a.to_unicode(0xBD), U'¨');
    EXPECT_EQ(b.to_unicode(0xBD), U']');
}

TEST(Codepage, CommonValuesAreTheSameEverywhere) {
    for (auto p : all_pages) {
        EXPECT_EQ(to_hex(enc(p, " 09AIJRSZairsz_.=")),
                  "40 f0 f9 c1 c9 d1 d9 e2 e9 81 89 99 a2 a9 6d 4b 7e")
            << codepage::get(p).name();
        // NUL, and the newline pair 15 = NEL, 25 = LF (not swapped in these tables).
        EXPECT_EQ(codepage::get(p).to_unicode(0x00), U'\0');
        EXPECT_EQ(codepage::get(p).to_unicode(0x15), U'\u0085');
        EXPECT_EQ(codepage::get(p).to_unicode(0x25), U'\n');
    }
}

TEST(Codepage, MacronAndOverlineBothEncode) {
    EXPECT_EQ(to_hex(enc(codepage::id::cp285, "\u00AF\u203E")), "a1 a1");
    EXPECT_EQ(to_hex(enc(codepage::id::cp037, "\u00AF\u203E")), "bc bc");
    EXPECT_EQ(codepage::get(codepage::id::cp285).to_unicode(0xA1), U'\u00AF');
}

TEST(Codepage, EncodeRefusesWhatThePageLacks) {
    std::error_code ec;
    EXPECT_TRUE(codepage::get(codepage::id::cp037).encode("price: 5€", ec).empty());
    EXPECT_EQ(ec, errc::unmappable_character);
    EXPECT_TRUE(codepage::get(codepage::id::cp037).encode("\xC3(", ec).empty());
    EXPECT_EQ(ec, errc::invalid_utf8);
    EXPECT_TRUE(codepage::get(codepage::id::cp037).encode("\xC0\x80", ec).empty());  // overlong
    EXPECT_EQ(ec, errc::invalid_utf8);
    EXPECT_TRUE(
        codepage::get(codepage::id::cp037).encode("\xED\xA0\x80", ec).empty());  // surrogate
    EXPECT_EQ(ec, errc::invalid_utf8);
    EXPECT_TRUE(codepage::get(codepage::id::cp037).encode("\xF4\x90\x80\x80", ec).empty());
    EXPECT_EQ(ec, errc::invalid_utf8);
    EXPECT_TRUE(codepage::get(codepage::id::cp037).encode("ab\xE2\x82", ec).empty());  // cut short
    EXPECT_EQ(ec, errc::invalid_utf8);
    EXPECT_TRUE(codepage::get(codepage::id::cp037).encode("", ec).empty());
    EXPECT_FALSE(ec);
}

TEST(Codepage, ParsesNames) {
    EXPECT_EQ(codepage::parse("cp037"), codepage::id::cp037);
    EXPECT_EQ(codepage::parse("CP37"), codepage::id::cp037);
    EXPECT_EQ(codepage::parse("IBM-037"), codepage::id::cp037);
    EXPECT_EQ(codepage::parse("ibm1047"), codepage::id::cp1047);
    EXPECT_EQ(codepage::parse("1047"), codepage::id::cp1047);
    EXPECT_EQ(codepage::parse("CCSID500"), codepage::id::cp500);
    EXPECT_EQ(codepage::parse("cp273"), codepage::id::cp273);
    EXPECT_EQ(codepage::parse("cp285"), codepage::id::cp285);
    EXPECT_EQ(codepage::parse("cp1140"), std::nullopt);
    EXPECT_EQ(codepage::parse(""), std::nullopt);
    EXPECT_EQ(codepage::parse("cp"), std::nullopt);
    EXPECT_EQ(codepage::parse("cp0370"), std::nullopt);
    EXPECT_EQ(codepage::parse(std::string(100, '0') + "37"), std::nullopt);
    for (auto p : all_pages) EXPECT_EQ(codepage::parse(codepage::get(p).name()), p);
}

// IBM 3270 terminal-type names (RFC 1576, RFC 1646 "@LU").
#include <ssogate/protocols/tn3270/terminal_type.hpp>

#include <gtest/gtest.h>

using namespace ssogate::protocols::tn3270;

TEST(TerminalType, ParsesEveryModelOfBothFamiliesWithAndWithoutE) {
    for (const char* family : {"IBM-3278-", "IBM-3279-"}) {
        for (int model = 2; model <= 5; ++model) {
            for (const char* suffix : {"", "-E"}) {
                const std::string name = family + std::to_string(model) + suffix;
                const auto t = parse_terminal_type(name);
                ASSERT_TRUE(t) << name;
                EXPECT_EQ(t->model, model);
                EXPECT_EQ(t->extended, *suffix != '\0');
                EXPECT_EQ(t->kind, name[7] == '8' ? terminal_type::family::ibm_3278
                                                  : terminal_type::family::ibm_3279);
                EXPECT_EQ(t->name(), name);
                EXPECT_TRUE(t->lu_name.empty());
            }
        }
    }
}

TEST(TerminalType, ParsesDynamic) {
    const auto t = parse_terminal_type("IBM-DYNAMIC");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, terminal_type::family::ibm_dynamic);
    EXPECT_EQ(t->name(), "IBM-DYNAMIC");
}

TEST(TerminalType, IgnoresCaseAndNormalisesToUppercase) {
    const auto t = parse_terminal_type("ibm-3279-2-e");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->name(), "IBM-3279-2-E");
}

TEST(TerminalType, SplitsOffTheLuName) {
    const auto t = parse_terminal_type("IBM-3278-2-E@tso#01");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->name(), "IBM-3278-2-E");
    EXPECT_EQ(t->lu_name, "TSO#01");
    EXPECT_EQ(t->wire_name(), "IBM-3278-2-E@TSO#01");
}

TEST(TerminalType, RejectsOtherTypes) {
    for (const char* bad :
         {"", "VT100", "XTERM", "IBM-3287-1", "IBM-3278-1", "IBM-3278-6", "IBM-3278-2-X",
          "IBM-3278-2-E ", " IBM-3278-2", "IBM-3278-22", "IBM-3278", "IBM-5555-C01", "IBM-3278-2@",
          "IBM-3278-2@TOOLONGLU", "IBM-3278-2@LU-1", "IBM-DYNAMIC-E"}) {
        EXPECT_FALSE(parse_terminal_type(bad)) << bad;
    }
}

// Telnet tokenizer and encoder (RFC 854, RFC 855): every split of the input gives the same
// tokens, IAC doubling both ways, and bad sequences as error codes.
#include <ssogate/protocols/telnet/encode.hpp>
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/telnet/tokenizer.hpp>

#include "hex.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace ssogate::protocols;
using namespace ssogate::protocols::telnet;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

// Tokens as text, adjacent data runs merged, so a stream fed in any split compares equal.
struct tokens_seen {
    std::vector<std::string> items;
    bytes pending_data;

    void flush() {
        if (pending_data.empty()) return;
        items.push_back("data " + to_hex(pending_data));
        pending_data.clear();
    }
    void add(const token& t) {
        if (t.kind == token_kind::data) {
            pending_data.insert(pending_data.end(), t.bytes.begin(), t.bytes.end());
            return;
        }
        flush();
        const auto code = std::to_string(static_cast<unsigned>(t.cmd));
        const auto opt = std::to_string(static_cast<unsigned>(t.opt));
        switch (t.kind) {
            case token_kind::command:
                items.push_back("command " + code);
                break;
            case token_kind::negotiation:
                items.push_back("verb " + code + " opt " + opt);
                break;
            case token_kind::subnegotiation:
                items.push_back("sb opt " + opt + " [" + to_hex(t.bytes) + "]");
                break;
            case token_kind::data:
                break;
        }
    }
    void error(const std::error_code& ec) {
        flush();
        items.push_back("error " + ec.message());
    }
};

// Feeds `input` in chunks of the given sizes (the rest in one last chunk).
std::vector<std::string> tokenize(const bytes& input, const std::vector<std::size_t>& cuts,
                                  std::size_t max_sb = tokenizer::default_max_subnegotiation) {
    tokenizer tok(max_sb);
    tokens_seen seen;
    std::size_t offset = 0;
    auto feed = [&](std::size_t n) {
        std::span<const std::byte> in(input.data() + offset, n);
        while (!in.empty()) {
            const auto before = in.size();
            std::error_code ec;
            auto t = tok.next(in, ec);
            if (ec) seen.error(ec);
            if (t) seen.add(*t);
            // Progress: every call consumes input, returns a token or reports an error.
            if (in.size() == before && !t && !ec) {
                ADD_FAILURE() << "tokenizer made no progress";
                return;
            }
        }
        offset += n;
    };
    for (std::size_t c : cuts) feed(c);
    feed(input.size() - offset);
    seen.flush();
    return seen.items;
}

std::vector<std::string> tokenize_whole(
    const bytes& input, std::size_t max_sb = tokenizer::default_max_subnegotiation) {
    return tokenize(input, {}, max_sb);
}

// Every two-way split and byte by byte must give what feeding it whole gives.
void expect_same_on_every_split(const bytes& input,
                                std::size_t max_sb = tokenizer::default_max_subnegotiation) {
    const auto whole = tokenize_whole(input, max_sb);
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
        ASSERT_EQ(tokenize(input, {cut}, max_sb), whole) << "split at " << cut;
    }
    ASSERT_EQ(tokenize(input, std::vector<std::size_t>(input.size(), 1), max_sb), whole)
        << "byte by byte";
}

const std::string invalid_command_msg = make_error_code(errc::invalid_command).message();
const std::string unterminated_msg = make_error_code(errc::unterminated_subnegotiation).message();
const std::string too_long_msg = make_error_code(errc::subnegotiation_too_long).message();

}  // namespace

TEST(TelnetTokenizer, SplitsDataCommandsNegotiationsAndSubnegotiations) {
    const auto input = "41 42 ff fd 18 ff fa 18 01 ff f0 43 ff f1 ff ff 44 ff fb 19 ff ef"_hex;
    EXPECT_EQ(tokenize_whole(input), (std::vector<std::string>{
                                         "data 41 42",
                                         "verb 253 opt 24",
                                         "sb opt 24 [01]",
                                         "data 43",
                                         "command 241",
                                         "data ff 44",
                                         "verb 251 opt 25",
                                         "command 239",
                                     }));
}

TEST(TelnetTokenizer, GivesTheSameTokensOnEverySplit) {
    expect_same_on_every_split(
        "41 ff ff 42 ff fd 18 ff fa 18 00 49 ff ff 4d ff f0 ff ef ff f3 ff fc 00 ff ff"_hex);
}

TEST(TelnetTokenizer, GivesTheSameErrorsOnEverySplit) {
    // invalid command, SB cut short by a command, oversize SB, then data again
    expect_same_on_every_split(
        "41 ff 10 42 ff fa 18 01 ff fd 00 ff fa 27 01 02 03 04 05 06 ff ff ff f0 43"_hex, 4);
}

TEST(TelnetTokenizer, IacIacInDataIsOneFfByte) {
    EXPECT_EQ(tokenize_whole("ff ff"_hex), std::vector<std::string>{"data ff"});
    EXPECT_EQ(tokenize_whole("01 ff ff ff ff 02"_hex),
              std::vector<std::string>{"data 01 ff ff 02"});
}

TEST(TelnetTokenizer, IacIacInSubnegotiationIsOneFfByte) {
    EXPECT_EQ(tokenize_whole("ff fa 18 00 ff ff 41 ff ff ff f0"_hex),
              std::vector<std::string>{"sb opt 24 [00 ff 41 ff]"});
}

TEST(TelnetTokenizer, EmptySubnegotiationIsAccepted) {
    EXPECT_EQ(tokenize_whole("ff fa 18 ff f0"_hex), std::vector<std::string>{"sb opt 24 []"});
}

TEST(TelnetTokenizer, IacFollowedByAnInvalidByteIsAnError) {
    EXPECT_EQ(tokenize_whole("41 ff 41 42"_hex),
              (std::vector<std::string>{"data 41", "error " + invalid_command_msg, "data 42"}));
    tokenizer tok;
    auto in = std::span<const std::byte>("ff 00"_hex);
    const bytes keep = "ff 00"_hex;
    in = keep;
    std::error_code ec;
    EXPECT_FALSE(tok.next(in, ec));
    EXPECT_EQ(ec, errc::invalid_command);
    EXPECT_FALSE(is_fatal(ec));
    EXPECT_TRUE(in.empty());
}

TEST(TelnetTokenizer, SubnegotiationWithoutSeIsAnErrorAndTheCommandIsKept) {
    // SB TTYPE SEND then IAC DO BINARY: the SB was never ended (RFC 855).
    EXPECT_EQ(tokenize_whole("ff fa 18 01 ff fd 00 41"_hex),
              (std::vector<std::string>{"error " + unterminated_msg, "verb 253 opt 0", "data 41"}));
}

TEST(TelnetTokenizer, SubnegotiationWithoutOptionIsAnError) {
    EXPECT_EQ(tokenize_whole("ff fa ff f1"_hex),
              (std::vector<std::string>{"error " + unterminated_msg, "command 241"}));
}

TEST(TelnetTokenizer, OversizeSubnegotiationIsAnErrorAndSkippedToSe) {
    EXPECT_EQ(tokenize_whole("ff fa 27 01 02 03 04 05 06 07 ff f0 ff f1 41"_hex, 4),
              (std::vector<std::string>{"error " + too_long_msg, "command 241", "data 41"}));
    EXPECT_TRUE(is_fatal(make_error_code(errc::subnegotiation_too_long)));
}

TEST(TelnetTokenizer, SubnegotiationLimitCountsUndoubledBytes) {
    // Four payload bytes (two of them FF, doubled on the wire) fit a limit of 4 ...
    EXPECT_EQ(tokenize_whole("ff fa 18 ff ff 00 ff ff 01 ff f0"_hex, 4),
              std::vector<std::string>{"sb opt 24 [ff 00 ff 01]"});
    // ... five do not, whether the fifth is plain or doubled.
    EXPECT_EQ(tokenize_whole("ff fa 18 ff ff 00 ff ff 01 02 ff f0"_hex, 4),
              std::vector<std::string>{"error " + too_long_msg});
    EXPECT_EQ(tokenize_whole("ff fa 18 01 02 03 04 ff ff ff f0"_hex, 4),
              std::vector<std::string>{"error " + too_long_msg});
}

TEST(TelnetTokenizer, SkippedSubnegotiationEndsAtAnyCommand) {
    EXPECT_EQ(tokenize_whole("ff fa 27 01 02 03 04 05 ff ff 06 ff fd 00"_hex, 2),
              (std::vector<std::string>{"error " + too_long_msg, "verb 253 opt 0"}));
}

TEST(TelnetTokenizer, StraySeAndEorAreCommands) {
    EXPECT_EQ(tokenize_whole("ff f0 ff ef"_hex),
              (std::vector<std::string>{"command 240", "command 239"}));
}

TEST(TelnetTokenizer, KeepsAPartialCommandAcrossReads) {
    tokenizer tok;
    const bytes first = "41 ff"_hex;
    const bytes second = "fb"_hex;
    const bytes third = "18"_hex;
    std::error_code ec;
    std::span<const std::byte> in = first;
    auto t = tok.next(in, ec);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, token_kind::data);
    EXPECT_FALSE(tok.next(in, ec));
    EXPECT_TRUE(tok.in_command());
    in = second;
    EXPECT_FALSE(tok.next(in, ec));
    EXPECT_TRUE(tok.in_command());
    in = third;
    t = tok.next(in, ec);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, token_kind::negotiation);
    EXPECT_EQ(t->cmd, command::will);
    EXPECT_EQ(t->opt, option::terminal_type);
    EXPECT_FALSE(tok.in_command());
    EXPECT_FALSE(ec);
}

TEST(TelnetTokenizer, DataTokensViewTheInput) {
    tokenizer tok;
    const bytes input = "41 42 43"_hex;
    std::span<const std::byte> in = input;
    std::error_code ec;
    auto t = tok.next(in, ec);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->bytes.data(), input.data());
    EXPECT_EQ(t->bytes.size(), 3u);
}

TEST(TelnetTokenizer, RandomInputAlwaysMakesProgressAndNeverCrashes) {
    std::mt19937 rng(1143);
    // Bias towards the interesting bytes: IAC, SB, SE, verbs, EOR.
    const std::byte interesting[] = {std::byte{0xFF}, std::byte{0xFA}, std::byte{0xF0},
                                     std::byte{0xFB}, std::byte{0xFD}, std::byte{0xEF},
                                     std::byte{0x18}, std::byte{0x00}};
    for (int round = 0; round < 300; ++round) {
        bytes input(rng() % 64);
        for (auto& b : input) {
            b = (rng() % 2) ? interesting[rng() % std::size(interesting)]
                            : static_cast<std::byte>(rng() % 256);
        }
        const auto whole = tokenize_whole(input, 8);
        const std::size_t cut = input.empty() ? 0 : rng() % input.size();
        ASSERT_EQ(tokenize(input, {cut}, 8), whole) << to_hex(input);
    }
}

TEST(TelnetEncode, DoublesIacInData) {
    EXPECT_EQ(escape("41 ff 42 ff ff"_hex), "41 ff ff 42 ff ff ff ff"_hex);
    EXPECT_EQ(escape(bytes{}), bytes{});
}

TEST(TelnetEncode, WritesCommandsNegotiationsAndSubnegotiations) {
    bytes out;
    append_command(out, command::eor);
    append_negotiation(out, command::do_, option::terminal_type);
    append_subnegotiation(out, option::terminal_type, "00 ff 41"_hex);
    EXPECT_EQ(out, "ff ef ff fd 18 ff fa 18 00 ff ff 41 ff f0"_hex);
}

TEST(TelnetEncode, EscapedDataRoundTripsThroughTheTokenizer) {
    std::mt19937 rng(854);
    for (int round = 0; round < 100; ++round) {
        bytes data(rng() % 200);
        for (auto& b : data) b = (rng() % 4 == 0) ? std::byte{0xFF} : static_cast<std::byte>(rng());
        const bytes wire = escape(data);
        tokenizer tok;
        bytes back;
        std::span<const std::byte> in = wire;
        std::error_code ec;
        while (!in.empty()) {
            auto t = tok.next(in, ec);
            ASSERT_FALSE(ec);
            if (t) back.insert(back.end(), t->bytes.begin(), t->bytes.end());
        }
        ASSERT_EQ(back, data);
    }
}

TEST(ProtocolsErrc, HasACategoryAndMessages) {
    const std::error_code ec = errc::subnegotiation_too_long;
    EXPECT_STREQ(ec.category().name(), "ssogate.protocols");
    EXPECT_FALSE(ec.message().empty());
    EXPECT_TRUE(is_fatal(errc::record_too_long));
    EXPECT_TRUE(is_fatal(errc::truncated));
    EXPECT_FALSE(is_fatal(errc::invalid_command));
    EXPECT_FALSE(is_fatal(errc::binary_refused));
    EXPECT_FALSE(is_fatal(std::error_code{}));
}

// Real captured negotiations (tests/data/*.hex) replayed through tn3270::session: the engine
// must answer byte for byte what the real emulator answered, in every feeding mode.
#include <ssogate/protocols/tn3270/session.hpp>

#include "hex.hpp"
#include "transcript.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;

namespace {

using script = transcript<session>;

const std::string data_dir = SSOGATE_TEST_DATA_DIR;

auto terminal(std::string type) {
    return [type] {
        session_config cfg;
        cfg.terminal_type = type;
        return session(role::terminal, cfg);
    };
}

// The host bytes after the "@negotiated" marker of a trace, without the final IAC EOR, with
// IAC IAC undoubled: the first record.
bytes first_record(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    bool after = false;
    std::string hex;
    while (std::getline(in, line)) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        if (line.rfind("@negotiated", 0) == 0) after = true;
        if (after && line.rfind("< ", 0) == 0) hex += line.substr(2) + " ";
    }
    bytes wire = parse_hex(hex);
    if (wire.size() < 2) {
        ADD_FAILURE() << "no record after @negotiated in " << file;
        return {};
    }
    EXPECT_EQ(to_hex(std::span(wire).last(2)), "ff ef");
    const std::size_t end = wire.size() - 2;  // without the IAC EOR
    bytes data;
    for (std::size_t i = 0; i < end; ++i) {
        data.push_back(wire[i]);
        if (wire[i] == std::byte{0xFF}) ++i;  // doubled
    }
    return data;
}

std::string describe(const event& e) {
    if (const auto* r = std::get_if<record>(&e)) {
        return "record{" + std::to_string(r->data.size()) + " bytes: " +
               to_hex(std::span(r->data).first(std::min<std::size_t>(r->data.size(), 16))) +
               " ...}";
    }
    std::ostringstream os;
    os << e;
    return os.str();
}

}  // namespace

TEST(Tn3270Trace, TerminalReplaysS3270AgainstHercules) {
    // Hercules 3.13 console: DO TTYPE / SEND / DO+WILL EOR / DO+WILL BINARY, then the logo
    // screen as one 1025-byte read. We answer exactly as s3270 -model 3279-2 did.
    const std::string file = data_dir + "/hercules_s3270_tn3270.hex";
    const bytes logo = first_record(file);
    ASSERT_EQ(logo.size(), 1023u);
    EXPECT_EQ(to_hex(std::span(logo).first(7)), "f5 42 11 40 40 1d 60");  // EW, WCC, SBA, SF
    script t;
    t.describe_events_with(describe).load(
        file, trace_side::terminal,
        {{"negotiated",
          [](script& s) {
              s.expect_event(negotiated{"IBM-3279-2-E", ""});
          }},
         {"first_record", [&](script& s) { s.expect_event(record{logo}); }}});
    EXPECT_EQ(t.rounds(), 5u);
    t.run_all(terminal("IBM-3279-2-E"));
}

TEST(Tn3270Trace, TerminalReplaysX3270PipelinedLoginNegotiation) {
    // The host sends every request in one read, SEND before our WILL TTYPE has arrived.
    script()
        .load(data_dir + "/x3270_login_negotiation.hex", trace_side::terminal,
              {{"negotiated",
                [](script& s) {
                    s.expect_event(negotiated{"IBM-3278-4-E", ""});
                }}})
        .run_all(terminal("IBM-3278-4-E"));
}

TEST(Tn3270Trace, MissingTraceFileFailsLoudly) {
    script t;
    EXPECT_THROW(t.load(data_dir + "/no-such-trace.hex", trace_side::terminal), std::runtime_error);
}

// TN3270 records (RFC 1576 / RFC 885): framing by IAC EOR, FF doubling both ways, limits,
// commands, tolerated and fatal peer errors, closing, and the output buffer.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/session.hpp>

#include "hex.hpp"
#include "transcript.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

using script = transcript<session>;

// Records shown in hex in failure messages (the library's operator<< shows lengths only).
std::string describe(const event& e) {
    if (const auto* r = std::get_if<record>(&e)) return "record{" + to_hex(r->data) + "}";
    if (const auto* n = std::get_if<nvt_data>(&e)) return "nvt_data{" + to_hex(n->data) + "}";
    std::ostringstream os;
    os << e;
    return os.str();
}

event rec(const bytes& data) {
    return record{data};
}

auto terminal(std::size_t max_record = 64 * 1024, std::size_t max_sb = 1024) {
    return [=] {
        session_config cfg;
        cfg.terminal_type = "IBM-3278-2";
        cfg.max_record_size = max_record;
        cfg.max_subnegotiation = max_sb;
        return session(role::terminal, cfg);
    };
}

// A terminal in 3270 mode after one round; tests add the rounds after it.
script negotiated_terminal() {
    script t;
    t.peer_sends("ff fd 18 ff fa 18 01 ff f0 ff fd 19 ff fb 19 ff fd 00 ff fb 00"_hex)
        .expect_sent(cat({"ff fb 18 ff fa 18 00"_hex, ascii("IBM-3278-2"),
                          "ff f0 ff fb 19 ff fd 19 ff fb 00 ff fd 00"_hex}))
        .expect_event(negotiated{"IBM-3278-2", ""})
        .describe_events_with(describe);
    return t;
}

// Plain TN3270 (RFC 1576); tn3270e_records_test.cpp covers the TN3270E header.
session negotiated_session(role r) {
    session_config plain;
    plain.tn3270e = false;
    session h(role::host, plain);
    session_config cfg;
    cfg.terminal_type = "IBM-3278-2";
    session t(role::terminal, cfg);
    for (int i = 0; i < 8; ++i) {
        for (auto [from, to] : {std::pair{&h, &t}, std::pair{&t, &h}}) {
            const auto out = from->pending_output();
            std::error_code ec;
            to->receive(out, ec);
            from->consume_output(out.size());
        }
    }
    while (h.next_event()) {
    }
    while (t.next_event()) {
    }
    EXPECT_TRUE(h.in_3270_mode() && t.in_3270_mode());
    return r == role::host ? std::move(h) : std::move(t);
}

}  // namespace

TEST(Tn3270Record, TerminalParsesARecordEndingIacEor) {
    negotiated_terminal()
        .peer_sends("f5 c3 11 40 40 1d 60 c8 c5 d3 d3 d6 ff ef"_hex)
        .expect_event(rec("f5 c3 11 40 40 1d 60 c8 c5 d3 d3 d6"_hex))
        .run_all(terminal());
}

TEST(Tn3270Record, RecordsWithEmbeddedFfArriveUndoubled) {
    negotiated_terminal()
        .peer_sends("f5 ff ff 40 ff ff ff ff ff ef"_hex)
        .expect_event(rec("f5 ff 40 ff ff"_hex))
        .run_all(terminal());
}

TEST(Tn3270Record, SeveralRecordsInOneReadAndOneRecordOverSeveralReads) {
    negotiated_terminal()
        .peer_sends("f1 c2 ff ef f5 c3 ff ef 6d ff ef ff"_hex)
        .expect_event(rec("f1 c2"_hex))
        .expect_event(rec("f5 c3"_hex))
        .expect_event(rec("6d"_hex))
        .peer_sends("ff 7d"_hex)
        .peer_sends("ff"_hex)
        .peer_sends("ef"_hex)
        .expect_event(rec("ff 7d"_hex))
        .run_all(terminal());
}

TEST(Tn3270Record, AnEmptyRecordIsReported) {
    negotiated_terminal().peer_sends("ff ef"_hex).expect_event(rec({})).run_all(terminal());
}

TEST(Tn3270Record, SendRecordDoublesIacAndAppendsEor) {
    session s = negotiated_session(role::host);
    std::error_code ec;
    s.send_record("f5 ff 40 ff ff"_hex, ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(bytes(s.pending_output().begin(), s.pending_output().end()),
              "f5 ff ff 40 ff ff ff ff ff ef"_hex);
}

TEST(Tn3270Record, RecordsWithEmbeddedFfRoundTripBothWays) {
    session h = negotiated_session(role::host);
    session t = negotiated_session(role::terminal);
    bytes all_ff(300, std::byte{0xFF});
    for (const bytes& data :
         {"f5 ff 40 ff ff"_hex, "ff"_hex, bytes{}, all_ff, "7d 40 40 11 40 c1 ff ef ff f0"_hex}) {
        for (auto [from, to] : {std::pair{&h, &t}, std::pair{&t, &h}}) {
            std::error_code ec;
            from->send_record(data, ec);
            ASSERT_FALSE(ec);
            const auto out = from->pending_output();
            ASSERT_EQ(to->receive(out, ec), out.size());
            ASSERT_FALSE(ec);
            from->consume_output(out.size());
            auto e = to->next_event();
            ASSERT_TRUE(e);
            EXPECT_EQ(*e, rec(data)) << describe(*e);
            EXPECT_FALSE(to->next_event());
        }
    }
}

TEST(Tn3270Record, ARecordAtTheLimitIsAccepted) {
    negotiated_terminal()
        .peer_sends("01 02 03 04 ff ff 06 07 ff ef"_hex)
        .expect_event(rec("01 02 03 04 ff 06 07"_hex))
        .run_all(terminal(7));
}

TEST(Tn3270Record, ARecordOverTheLimitIsFatal) {
    negotiated_terminal()
        .peer_sends("01 02 03 04 05 06 07 08 ff ef"_hex)
        .expect_error(errc::record_too_long)
        .then([](session& s) {
            EXPECT_FALSE(s.want_read());
            std::error_code ec;
            EXPECT_EQ(s.receive("ff ef"_hex, ec), 0u);
            EXPECT_EQ(ec, errc::session_closed);
            EXPECT_TRUE(is_fatal(ec));
        })
        .run_all(terminal(7));
}

TEST(Tn3270Record, AnOversizeSubnegotiationIsFatal) {
    script()
        .peer_sends("ff fd 18 ff fa 18 01 02 03 04 05 06 07 08 09 ff f0"_hex)
        .expect_sent("ff fb 18"_hex)  // answers before the error are still written
        .expect_error(errc::subnegotiation_too_long)
        .then([](session& s) {
            EXPECT_FALSE(s.want_read());
            std::error_code ec;
            s.receive_eof(ec);
            EXPECT_EQ(ec, errc::session_closed);
        })
        .run_all(terminal(64 * 1024, 8));
}

TEST(Tn3270Record, AnInvalidCommandInsideARecordIsDroppedAndReported) {
    negotiated_terminal()
        .peer_sends("f5 ff 41 42 ff ef"_hex)
        .expect_event(protocol_violation{make_error_code(errc::invalid_command)})
        .expect_event(rec("f5 42"_hex))
        .run_all(terminal());
}

TEST(Tn3270Record, ASubnegotiationWithoutSeIsDroppedAndReported) {
    negotiated_terminal()
        .peer_sends("ff fa 18 01 ff fd 00 7d ff ef"_hex)  // SB ... cut by IAC DO BINARY
        .expect_event(protocol_violation{make_error_code(errc::unterminated_subnegotiation)})
        .expect_event(rec("7d"_hex))
        .run_all(terminal());
}

TEST(Tn3270Record, BreakAndOtherCommandsAreReported) {
    negotiated_terminal()
        .peer_sends("6c ff ef ff f3 ff f1 ff f9 ff f6"_hex)  // PA1, BRK (ATTN), NOP, GA, AYT
        .expect_event(rec("6c"_hex))
        .expect_event(telnet_command{telnet::command::brk})
        .expect_event(telnet_command{telnet::command::ayt})
        .run_all(terminal());
}

TEST(Tn3270Record, SendCommandWritesIacCommandAndRefusesNegotiationBytes) {
    session s = negotiated_session(role::terminal);
    std::error_code ec;
    s.send_command(telnet::command::brk, ec);
    EXPECT_FALSE(ec);
    for (auto bad :
         {telnet::command::sb, telnet::command::se, telnet::command::will, telnet::command::dont,
          telnet::command::iac, static_cast<telnet::command>(0x41)}) {
        s.send_command(bad, ec);
        EXPECT_EQ(ec, errc::invalid_argument);
    }
    EXPECT_EQ(bytes(s.pending_output().begin(), s.pending_output().end()), "ff f3"_hex);
}

TEST(Tn3270Record, ThePeerClosingBetweenRecordsIsClean) {
    negotiated_terminal()
        .peer_sends("7d ff ef"_hex)
        .peer_closes()
        .expect_event(rec("7d"_hex))
        .expect_event(peer_closed{})
        .then([](session& s) {
            EXPECT_FALSE(s.want_read());
            EXPECT_FALSE(s.want_write());
        })
        .run_all(terminal());
}

TEST(Tn3270Record, ThePeerClosingInsideARecordIsTruncated) {
    negotiated_terminal()
        .peer_sends("7d 40 40"_hex)
        .peer_closes(errc::truncated)
        .expect_event(peer_closed{})
        .run_all(terminal());
}

TEST(Tn3270Record, ThePeerClosingInsideACommandIsTruncated) {
    negotiated_terminal()
        .peer_sends("ff fa 18"_hex)
        .peer_closes(errc::truncated)
        .expect_event(peer_closed{})
        .run_all(terminal());
}

TEST(Tn3270Record, DataBeforeNegotiationIsNvtData) {
    script()
        .peer_sends(cat({ascii("Welcome"), "ff ff 0d 0a ff ef"_hex}))
        .expect_event(nvt_data{cat({ascii("Welcome"), "ff 0d 0a"_hex})})
        .merge_events_with([](event& into, const event& next) {
            auto* a = std::get_if<nvt_data>(&into);
            const auto* b = std::get_if<nvt_data>(&next);
            if (a == nullptr || b == nullptr) return false;
            a->data.insert(a->data.end(), b->data.begin(), b->data.end());
            return true;
        })
        .describe_events_with(describe)
        .run_all(terminal());
}

TEST(Tn3270Record, OutputCanBeWrittenInPieces) {
    session s = negotiated_session(role::terminal);
    std::error_code ec;
    const bytes big(10000, std::byte{0x40});
    s.send_record(big, ec);
    s.send_record("7d"_hex, ec);
    bytes written;
    while (s.want_write()) {
        const auto out = s.pending_output();
        const std::size_t n = std::min<std::size_t>(out.size(), 777);
        written.insert(written.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
        s.consume_output(n);
    }
    EXPECT_EQ(written, cat({big, "ff ef 7d ff ef"_hex}));
    s.consume_output(5);  // more than pending: clamped
    EXPECT_FALSE(s.want_write());
}

TEST(Tn3270Record, EventsDescribeThemselvesWithoutRecordContents) {
    std::ostringstream os;
    os << event{record{ascii("SECRET")}} << ' ' << event{negotiated{"IBM-3278-2", "LU1"}};
    EXPECT_EQ(os.str(), "record{6 bytes} negotiated{IBM-3278-2@LU1}");
}

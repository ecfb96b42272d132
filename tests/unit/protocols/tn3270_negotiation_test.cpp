// TN3270 negotiation (RFC 1576) in both roles: terminal answers, host drives, the two in memory,
// refusals and fallbacks. Every transcript runs whole, split at every offset and byte by byte.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/session.hpp>

#include "hex.hpp"
#include "transcript.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

using script = transcript<session>;

// Builders for the subnegotiations (RFC 1091).
bytes sb_ttype_send() {
    return "ff fa 18 01 ff f0"_hex;
}
bytes sb_ttype_is(std::string_view type) {
    return cat({"ff fa 18 00"_hex, ascii(type), "ff f0"_hex});
}

// What a host asks once it has a terminal type, and what a terminal answers to all of it.
const bytes host_asks_binary_eor = "ff fd 19 ff fb 19 ff fd 00 ff fb 00"_hex;
const bytes terminal_agrees_binary_eor = "ff fb 19 ff fd 19 ff fb 00 ff fd 00"_hex;

auto terminal(std::string type = "IBM-3279-2-E", std::string lu = {}) {
    return [type, lu] {
        session_config cfg;
        cfg.terminal_type = type;
        cfg.lu_name = lu;
        return session(role::terminal, cfg);
    };
}

// A plain TN3270 host (RFC 1576); tn3270e_negotiation_test.cpp has the TN3270E ones.
session_config plain_host_config() {
    session_config cfg;
    cfg.tn3270e = false;
    return cfg;
}

auto host() {
    return [] { return session(role::host, plain_host_config()); };
}

// NVT data arrives in as many pieces as there were reads: compare it whole.
bool merge_nvt(event& into, const event& next) {
    auto* a = std::get_if<nvt_data>(&into);
    const auto* b = std::get_if<nvt_data>(&next);
    if (a == nullptr || b == nullptr) return false;
    a->data.insert(a->data.end(), b->data.begin(), b->data.end());
    return true;
}

event failed(errc e) {
    return negotiation_failed{make_error_code(e)};
}
event violation(errc e) {
    return protocol_violation{make_error_code(e)};
}

// The host side of a complete negotiation, up to (not including) the terminal's last answer.
script host_negotiation_until_binary_eor(std::string_view type) {
    script t;
    t.expect_sent("ff fd 18"_hex)
        .peer_sends("ff fb 18"_hex)
        .expect_sent(sb_ttype_send())
        .peer_sends(sb_ttype_is(type))
        .expect_sent(host_asks_binary_eor);
    return t;
}

// Moves bytes between two sessions until both are quiet; collects each one's events.
struct wire {
    wire(session& first, session& second) : a(first), b(second) {}

    session& a;
    session& b;
    std::vector<event> a_events, b_events;

    void settle() {
        for (int i = 0; i < 32; ++i) {
            if (!a.want_write() && !b.want_write()) return;
            pass(a, b);
            pass(b, a);
            drain();
        }
        FAIL() << "the two sessions never went quiet";
    }
    void drain() {
        while (auto e = a.next_event()) a_events.push_back(std::move(*e));
        while (auto e = b.next_event()) b_events.push_back(std::move(*e));
    }
    static void pass(session& from, session& to) {
        const auto out = from.pending_output();
        std::error_code ec;
        ASSERT_EQ(to.receive(out, ec), out.size());
        ASSERT_FALSE(ec) << ec.message();
        from.consume_output(out.size());
    }
};

}  // namespace

TEST(Tn3270Session, TerminalAnswersTerminalTypeRequest) {
    script()
        .peer_sends("ff fd 18"_hex)
        .expect_sent("ff fb 18"_hex)
        .peer_sends(sb_ttype_send())
        .expect_sent(sb_ttype_is("IBM-3279-2-E"))
        .run_all(terminal());
}

TEST(Tn3270Session, TerminalAnswersEveryTerminalTypeRequest) {
    // RFC 1091: a host may ask again; with one type we repeat it.
    script()
        .peer_sends(cat({"ff fd 18"_hex, sb_ttype_send(), sb_ttype_send()}))
        .expect_sent(cat({"ff fb 18"_hex, sb_ttype_is("IBM-3278-2"), sb_ttype_is("IBM-3278-2")}))
        .run_all(terminal("IBM-3278-2"));
}

TEST(Tn3270Session, TerminalSendsTheLuNameWithTheType) {
    script()
        .peer_sends(cat({"ff fd 18"_hex, sb_ttype_send()}))
        .expect_sent(cat({"ff fb 18"_hex, sb_ttype_is("IBM-3278-2-E@TSO00001")}))
        .run_all(terminal("IBM-3278-2-E", "TSO00001"));
}

TEST(Tn3270Session, TerminalNegotiatesWithHerculesStyleHost) {
    script()
        .peer_sends("ff fd 18"_hex)
        .expect_sent("ff fb 18"_hex)
        .peer_sends(sb_ttype_send())
        .expect_sent(sb_ttype_is("IBM-3279-2-E"))
        .peer_sends("ff fd 19 ff fb 19"_hex)
        .expect_sent("ff fb 19 ff fd 19"_hex)
        .peer_sends("ff fd 00 ff fb 00"_hex)
        .expect_sent("ff fb 00 ff fd 00"_hex)
        .expect_event(negotiated{"IBM-3279-2-E", ""})
        .run_all(terminal());
}

TEST(Tn3270Session, TerminalRefusesTn3270eWhenSwitchedOff) {
    // session_config::tn3270e = false: DO TN3270E -> WONT TN3270E; RFC 2355 hosts then fall
    // back to plain TN3270.
    script()
        .peer_sends("ff fd 28"_hex)
        .expect_sent("ff fc 28"_hex)
        .peer_sends("ff fa 28 08 02 ff f0"_hex)  // a TN3270E SB after the refusal: ignored
        .run_all([] {
            session_config cfg;
            cfg.tn3270e = false;
            return session(role::terminal, cfg);
        });
}

TEST(Tn3270Session, TerminalRefusesOptionsItDoesNotKnow) {
    script()
        .peer_sends("ff fd 1f ff fb 01 ff fd 27 ff fb 18"_hex)  // DO NAWS, WILL ECHO, ...
        .expect_sent("ff fc 1f ff fe 01 ff fc 27 ff fe 18"_hex)
        .run_all(terminal());
}

TEST(Tn3270Session, TerminalAnswersEveryTimingMark) {
    // RFC 860; z/OS TN3270 servers use DO TIMING-MARK as a keep-alive.
    script()
        .peer_sends("ff fd 06"_hex)
        .expect_sent("ff fb 06"_hex)
        .peer_sends("ff fd 06"_hex)
        .expect_sent("ff fb 06"_hex)
        .peer_sends("ff fe 06 ff fb 06 ff fc 06"_hex)  // nothing to say to these
        .run_all(terminal());
}

TEST(Tn3270Session, TerminalIgnoresTerminalTypeSendBeforeAgreeing) {
    script()
        .peer_sends(sb_ttype_send())
        .expect_event(violation(errc::unexpected_subnegotiation))
        .run_all(terminal());
}

TEST(Tn3270Session, TerminalReportsMalformedTerminalTypeSubnegotiation) {
    script()
        .peer_sends("ff fd 18"_hex)
        .expect_sent("ff fb 18"_hex)
        .peer_sends("ff fa 18 05 ff f0 ff fa 18 ff f0"_hex)
        .expect_event(violation(errc::malformed_subnegotiation))
        .expect_event(violation(errc::malformed_subnegotiation))
        .run_all(terminal());
}

TEST(Tn3270Session, TerminalIgnoresRepeatedRequestsAfterNegotiation) {
    script()
        .peer_sends(cat({"ff fd 18"_hex, sb_ttype_send(), host_asks_binary_eor}))
        .expect_sent(cat({"ff fb 18"_hex, sb_ttype_is("IBM-3279-2-E"), terminal_agrees_binary_eor}))
        .expect_event(negotiated{"IBM-3279-2-E", ""})
        .peer_sends(cat({"ff fd 18"_hex, host_asks_binary_eor}))  // no answers: no loop
        .run_all(terminal());
}

TEST(Tn3270Session, TerminalIsNotNegotiatedWhenHostRefusesBinary) {
    // The host wants EOR but not BINARY: no 3270 mode; what follows is NVT data.
    script()
        .peer_sends(cat({"ff fd 18"_hex, sb_ttype_send(), "ff fd 19 ff fb 19"_hex}))
        .expect_sent(cat({"ff fb 18"_hex, sb_ttype_is("IBM-3279-2-E"), "ff fb 19 ff fd 19"_hex}))
        .peer_sends(cat({"ff fc 00 ff fe 00"_hex, ascii("login: ")}))
        .expect_event(nvt_data{ascii("login: ")})
        .then([](session& s) {
            EXPECT_FALSE(s.in_3270_mode());
            std::error_code ec;
            s.send_record("7d"_hex, ec);
            EXPECT_EQ(ec, errc::not_in_3270_mode);
        })
        .merge_events_with(merge_nvt)
        .run_all(terminal());
}

TEST(Tn3270Session, TerminalLeaves3270ModeWhenHostTurnsBinaryOff) {
    script()
        .peer_sends(cat({"ff fd 18"_hex, sb_ttype_send(), host_asks_binary_eor}))
        .expect_sent(cat({"ff fb 18"_hex, sb_ttype_is("IBM-3279-2-E"), terminal_agrees_binary_eor}))
        .expect_event(negotiated{"IBM-3279-2-E", ""})
        .peer_sends("ff fc 00"_hex)   // WONT BINARY
        .expect_sent("ff fe 00"_hex)  // DONT BINARY, once
        .expect_event(failed(errc::left_3270_mode))
        .peer_sends("ff fc 00"_hex)
        .run_all(terminal());
}

TEST(Tn3270Session, HostAsksForTheTerminalTypeFirst) {
    session s(role::host, plain_host_config());
    EXPECT_TRUE(s.want_write());
    EXPECT_TRUE(s.want_read());
    EXPECT_EQ(bytes(s.pending_output().begin(), s.pending_output().end()), "ff fd 18"_hex);
}

TEST(Tn3270Session, HostNegotiatesWithATerminal) {
    host_negotiation_until_binary_eor("IBM-3278-2")
        .peer_sends(terminal_agrees_binary_eor)
        .expect_event(negotiated{"IBM-3278-2", ""})
        .then([](session& s) {
            EXPECT_TRUE(s.in_3270_mode());
            ASSERT_TRUE(s.negotiated_type());
            EXPECT_EQ(s.negotiated_type()->model, 2);
        })
        .run_all(host());
}

TEST(Tn3270Session, HostNegotiatesWithS3270sAnswers) {
    // s3270 4.1 answers (tests/data/hercules_s3270_tn3270.hex), to our slightly faster host.
    script()
        .expect_sent("ff fd 18"_hex)
        .peer_sends("ff fb 18"_hex)
        .expect_sent("ff fa 18 01 ff f0"_hex)
        .peer_sends("ff fa 18 00 49 42 4d 2d 33 32 37 39 2d 32 2d 45 ff f0"_hex)
        .expect_sent("ff fd 19 ff fb 19 ff fd 00 ff fb 00"_hex)
        .peer_sends("ff fb 19 ff fd 19"_hex)
        .peer_sends("ff fb 00 ff fd 00"_hex)
        .expect_event(negotiated{"IBM-3279-2-E", ""})
        .run_all(host());
}

TEST(Tn3270Session, HostTakesTheLuNameFromTheTerminalType) {
    host_negotiation_until_binary_eor("ibm-3279-3-e@lu01")
        .peer_sends(terminal_agrees_binary_eor)
        .expect_event(negotiated{"IBM-3279-3-E", "LU01"})
        .run_all(host());
}

TEST(Tn3270Session, HostSendsNoRedundantRequestsToAnEagerTerminal) {
    // The terminal offers everything before being asked; the requests cross ours.
    script()
        .expect_sent("ff fd 18"_hex)
        .peer_sends("ff fb 18 ff fb 00 ff fd 00 ff fb 19 ff fd 19"_hex)
        .expect_sent(cat({sb_ttype_send(), "ff fd 00 ff fb 00 ff fd 19 ff fb 19"_hex}))
        .peer_sends(sb_ttype_is("IBM-3278-4-E"))
        .expect_event(negotiated{"IBM-3278-4-E", ""})  // and nothing sent: all already on
        .run_all(host());
}

TEST(Tn3270Session, HostFailsWhenTerminalRefusesTerminalType) {
    script()
        .expect_sent("ff fd 18"_hex)
        .peer_sends("ff fc 18"_hex)
        .expect_event(failed(errc::terminal_type_refused))
        .run_all(host());
}

TEST(Tn3270Session, HostFailsWhenTerminalRefusesBinary) {
    host_negotiation_until_binary_eor("IBM-3278-2")
        .peer_sends("ff fb 19 ff fd 19 ff fc 00 ff fd 00"_hex)  // WONT BINARY
        .expect_event(failed(errc::binary_refused))
        .then([](session& s) {
            EXPECT_FALSE(s.in_3270_mode());
            std::error_code ec;
            s.send_record("f5 c3"_hex, ec);
            EXPECT_EQ(ec, errc::not_in_3270_mode);
            EXPECT_FALSE(s.want_write());
        })
        .run_all(host());
}

TEST(Tn3270Session, HostFailsWhenTerminalRefusesEor) {
    host_negotiation_until_binary_eor("IBM-3278-2")
        .peer_sends("ff fb 19 ff fe 19 ff fb 00 ff fd 00"_hex)  // DONT EOR
        .expect_event(failed(errc::eor_refused))
        .run_all(host());
}

TEST(Tn3270Session, HostReportsOneFailureWhenTerminalRefusesEverything) {
    host_negotiation_until_binary_eor("IBM-3278-2")
        .peer_sends("ff fc 19 ff fe 19 ff fc 00 ff fe 00"_hex)
        .expect_event(failed(errc::eor_refused))
        .run_all(host());
}

TEST(Tn3270Session, HostWalksTheTerminalsTypeListThenGivesUp) {
    // RFC 1091: SEND again for the next type; a repeated type is the end of the list.
    script()
        .expect_sent("ff fd 18"_hex)
        .peer_sends("ff fb 18"_hex)
        .expect_sent(sb_ttype_send())
        .peer_sends(sb_ttype_is("VT100"))
        .expect_sent(sb_ttype_send())
        .peer_sends(sb_ttype_is("XTERM"))
        .expect_sent(sb_ttype_send())
        .peer_sends(sb_ttype_is("XTERM"))
        .expect_event(failed(errc::unsupported_terminal_type))
        .run_all(host());
}

TEST(Tn3270Session, HostAcceptsA3270FurtherDownTheTerminalsList) {
    script()
        .expect_sent("ff fd 18"_hex)
        .peer_sends("ff fb 18"_hex)
        .expect_sent(sb_ttype_send())
        .peer_sends(sb_ttype_is("DEC-VT100"))
        .expect_sent(sb_ttype_send())
        .peer_sends(sb_ttype_is("IBM-3278-5"))
        .expect_sent(host_asks_binary_eor)
        .peer_sends(terminal_agrees_binary_eor)
        .expect_event(negotiated{"IBM-3278-5", ""})
        .run_all(host());
}

TEST(Tn3270Session, HostGivesUpOnATerminalThatNeverNamesA3270) {
    script t;
    t.expect_sent("ff fd 18"_hex).peer_sends("ff fb 18"_hex).expect_sent(sb_ttype_send());
    for (int i = 0; i < 7; ++i) {
        t.peer_sends(sb_ttype_is("TYPE-" + std::to_string(i))).expect_sent(sb_ttype_send());
    }
    t.peer_sends(sb_ttype_is("TYPE-7")).expect_event(failed(errc::unsupported_terminal_type));
    t.run_all(host());
}

TEST(Tn3270Session, HostRejectsTerminalTypeWithUnprintableBytes) {
    script()
        .expect_sent("ff fd 18"_hex)
        .peer_sends("ff fb 18"_hex)
        .expect_sent(sb_ttype_send())
        .peer_sends(cat({"ff fa 18 00"_hex, ascii("IBM-3278-2"), "00 ff f0"_hex}))
        .expect_sent(sb_ttype_send())
        .run_all(host());
}

TEST(Tn3270Session, HostReportsTerminalTypeIsNotAskedFor) {
    script()
        .expect_sent("ff fd 18"_hex)
        .peer_sends(sb_ttype_is("IBM-3278-2"))
        .expect_event(violation(errc::unexpected_subnegotiation))
        .run_all(host());
}

TEST(Tn3270Session, PlainHostDoesNotOfferTn3270eAndRefusesIt) {
    script()
        .expect_sent("ff fd 18"_hex)
        .peer_sends("ff fb 28 ff fd 28"_hex)
        .expect_sent("ff fe 28 ff fc 28"_hex)
        .run_all(host());
}

TEST(Tn3270Session, PlainHostAndTerminalNegotiateInMemory) {
    session h(role::host, plain_host_config());
    session_config cfg;
    cfg.terminal_type = "IBM-3279-2-E";
    session t(role::terminal, cfg);
    wire w{h, t};
    w.settle();
    ASSERT_EQ(w.a_events, (std::vector<event>{negotiated{"IBM-3279-2-E", ""}}));
    ASSERT_EQ(w.b_events, (std::vector<event>{negotiated{"IBM-3279-2-E", ""}}));
    EXPECT_TRUE(h.in_3270_mode());
    EXPECT_TRUE(t.in_3270_mode());
    EXPECT_FALSE(h.want_write());
    EXPECT_FALSE(t.want_write());
    EXPECT_TRUE(h.options().enabled(telnet::option::binary, telnet::side::local));
    EXPECT_TRUE(t.options().enabled(telnet::option::terminal_type, telnet::side::local));
    EXPECT_FALSE(t.options().enabled(telnet::option::tn3270e, telnet::side::local));
}

class Tn3270SessionTypes : public ::testing::TestWithParam<std::string> {};

TEST_P(Tn3270SessionTypes, HostAndTerminalAgreeOnTheType) {
    session h(role::host, plain_host_config());
    session_config cfg;
    cfg.terminal_type = GetParam();
    cfg.lu_name = "LUA";
    session t(role::terminal, cfg);
    wire w{h, t};
    w.settle();
    const event expected = negotiated{GetParam(), "LUA"};
    ASSERT_EQ(w.a_events, std::vector<event>{expected});
    ASSERT_EQ(w.b_events, std::vector<event>{expected});
}

INSTANTIATE_TEST_SUITE_P(AllModels, Tn3270SessionTypes,
                         ::testing::Values("IBM-3278-2", "IBM-3278-3", "IBM-3278-4", "IBM-3278-5",
                                           "IBM-3279-2", "IBM-3279-3", "IBM-3279-4", "IBM-3279-5",
                                           "IBM-3278-2-E", "IBM-3278-3-E", "IBM-3278-4-E",
                                           "IBM-3278-5-E", "IBM-3279-2-E", "IBM-3279-3-E",
                                           "IBM-3279-4-E", "IBM-3279-5-E", "IBM-DYNAMIC"),
                         [](const auto& param_info) {
                             std::string name = param_info.param;
                             for (char& c : name) {
                                 if (c == '-') c = '_';
                             }
                             return name;
                         });

TEST(Tn3270Session, RejectsABadConfiguration) {
    session_config cfg;
    cfg.terminal_type = "VT100";
    EXPECT_THROW(session(role::terminal, cfg), std::invalid_argument);
    cfg.terminal_type = "IBM-3278-2@LU1";
    EXPECT_THROW(session(role::terminal, cfg), std::invalid_argument);
    cfg.terminal_type = "IBM-3278-2";
    cfg.lu_name = "BAD LU";
    EXPECT_THROW(session(role::terminal, cfg), std::invalid_argument);
    cfg.lu_name.clear();
    cfg.max_record_size = 0;
    EXPECT_THROW(session(role::terminal, cfg), std::invalid_argument);
}

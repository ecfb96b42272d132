// TN3270E (RFC 2355) in tn3270::session, both roles: DEVICE-TYPE and FUNCTIONS negotiation,
// REJECT paths, fallback to plain TN3270, and the two roles against each other in memory.
// Every transcript runs whole, split at every offset and byte by byte.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/session.hpp>

#include "hex.hpp"
#include "transcript.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

using script = transcript<session>;

bytes sb_e(const bytes& payload) {
    return cat({"ff fa 28"_hex, payload, "ff f0"_hex});
}
const bytes send_device_type = sb_e("08 02"_hex);
bytes device_type_request(std::string_view type, std::string_view lu = {}, bool associate = false) {
    bytes p = cat({"02 07"_hex, ascii(type)});
    if (!lu.empty()) p = cat({p, associate ? "00"_hex : "01"_hex, ascii(lu)});
    return sb_e(p);
}
bytes device_type_is(std::string_view type, std::string_view lu) {
    return sb_e(cat({"02 04"_hex, ascii(type), "01"_hex, ascii(lu)}));
}
bytes device_type_reject(std::uint8_t reason) {
    return sb_e(bytes{std::byte{0x02}, std::byte{0x06}, std::byte{0x05}, std::byte{reason}});
}
bytes functions(bool is, const bytes& codes) {
    return sb_e(cat({is ? "03 04"_hex : "03 07"_hex, codes}));
}

const function_set all_three{tn3270e_function::bind_image, tn3270e_function::responses,
                             tn3270e_function::sysreq};

auto terminal(std::string type = "IBM-3279-2-E", std::string lu = {}) {
    return [type, lu] {
        session_config cfg;
        cfg.terminal_type = type;
        cfg.lu_name = lu;
        return session(role::terminal, cfg);
    };
}

template <class Configure>
auto host_with(Configure configure) {
    return [configure] {
        session_config cfg;
        configure(cfg);
        return session(role::host, cfg);
    };
}
auto host() {
    return host_with([](session_config&) {});
}

event violation(errc e) {
    return protocol_violation{make_error_code(e)};
}

// The terminal side up to DEVICE-TYPE IS; tests add the FUNCTIONS rounds.
script terminal_until_functions(std::string_view lu_assigned = "LU000042") {
    script t;
    t.peer_sends(cat({"ff fd 28"_hex, send_device_type}))
        .expect_sent(cat({"ff fb 28"_hex, device_type_request("IBM-3278-2-E")}))
        .peer_sends(device_type_is("IBM-3278-2-E", lu_assigned))
        .expect_sent(functions(false, "00 02 04"_hex));
    return t;
}

// The host side up to its DEVICE-TYPE SEND.
script host_until_device_type() {
    script t;
    t.expect_sent("ff fd 28"_hex).peer_sends("ff fb 28"_hex).expect_sent(send_device_type);
    return t;
}

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
            while (auto e = a.next_event()) a_events.push_back(std::move(*e));
            while (auto e = b.next_event()) b_events.push_back(std::move(*e));
        }
        FAIL() << "the two sessions never went quiet";
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

// ---- terminal role ------------------------------------------------------------------------

TEST(Tn3270eSession, TerminalNegotiatesWhatTheHostOffers) {
    terminal_until_functions()
        .peer_sends(functions(true, "00 02 04"_hex))
        .expect_event(negotiated{"IBM-3278-2-E", "LU000042", true, all_three})
        .then([](session& s) {
            EXPECT_EQ(s.mode(), session_mode::tn3270e);
            EXPECT_TRUE(s.in_3270_mode());
            EXPECT_EQ(s.functions(), all_three);
            EXPECT_EQ(s.lu_name(), "LU000042");
            ASSERT_TRUE(s.negotiated_type());
            EXPECT_EQ(s.negotiated_type()->name(), "IBM-3278-2-E");
            EXPECT_EQ(s.negotiated_type()->lu_name, "LU000042");
        })
        .run_all(terminal());
}

TEST(Tn3270eSession, TerminalAgreesToAHostSubset) {
    terminal_until_functions()
        .peer_sends(functions(false, "02"_hex))
        .expect_sent(functions(true, "02"_hex))
        .expect_event(negotiated{"IBM-3278-2-E", "LU000042", true, {tn3270e_function::responses}})
        .run_all(terminal());
}

TEST(Tn3270eSession, TerminalCounterProposesWhenTheHostAsksForMore) {
    // The host asks for SCS-CTL-CODES (a printer function) and BIND-IMAGE: we answer with the
    // intersection, and the host's IS of it ends the negotiation.
    terminal_until_functions()
        .peer_sends(functions(false, "00 03"_hex))
        .expect_sent(functions(false, "00"_hex))
        .peer_sends(functions(true, "00"_hex))
        .expect_event(negotiated{"IBM-3278-2-E", "LU000042", true, {tn3270e_function::bind_image}})
        .run_all(terminal());
}

TEST(Tn3270eSession, TerminalAsksForItsLuByName) {
    script()
        .peer_sends(cat({"ff fd 28"_hex, send_device_type}))
        .expect_sent(cat({"ff fb 28"_hex, device_type_request("IBM-3278-5", "TSO0001")}))
        .run_all(terminal("IBM-3279-5", "TSO0001"));
}

TEST(Tn3270eSession, TerminalAssociatesAPrinter) {
    script()
        .peer_sends(cat({"ff fd 28"_hex, send_device_type}))
        .expect_sent(cat({"ff fb 28"_hex, device_type_request("IBM-3287-1", "TERMLU", true)}))
        .peer_sends(device_type_is("IBM-3287-1", "PRTLU"))
        .expect_sent(functions(false, "01 03"_hex))  // printer-only functions, for a printer
        .peer_sends(functions(true, "03"_hex))
        .expect_event(negotiated{"IBM-3287-1", "PRTLU", true, {tn3270e_function::scs_ctl_codes}})
        .then([](session& s) { EXPECT_FALSE(s.negotiated_type()); })  // not a display
        .run_all([] {
            session_config cfg;
            cfg.tn3270e_device_type = "IBM-3287-1";
            cfg.associate_lu = "TERMLU";
            cfg.tn3270e_functions = {tn3270e_function::data_stream_ctl,
                                     tn3270e_function::scs_ctl_codes};
            return session(role::terminal, cfg);
        });
}

TEST(Tn3270eSession, TerminalFallsBackAfterADeviceTypeReject) {
    // RFC 2355 7.1.3: REJECT REASON INV-NAME; x3270 and we drop TN3270E (WONT), the host's
    // DONT crosses it, and the host's plain TN3270 negotiation follows.
    script()
        .peer_sends(cat({"ff fd 28"_hex, send_device_type}))
        .expect_sent(cat({"ff fb 28"_hex, device_type_request("IBM-3278-2-E", "NOSUCH")}))
        .peer_sends(cat({device_type_reject(0x03), "ff fe 28"_hex}))
        .expect_sent("ff fc 28"_hex)
        .expect_event(device_type_rejected{reject_reason::inv_name})
        .peer_sends("ff fd 18 ff fa 18 01 ff f0 ff fd 19 ff fb 19 ff fd 00 ff fb 00"_hex)
        .expect_sent(cat({"ff fb 18 ff fa 18 00"_hex, ascii("IBM-3279-2-E@NOSUCH"),
                          "ff f0 ff fb 19 ff fd 19 ff fb 00 ff fd 00"_hex}))
        .expect_event(negotiated{"IBM-3279-2-E", "NOSUCH"})
        .run_all(terminal("IBM-3279-2-E", "NOSUCH"));
}

TEST(Tn3270eSession, TerminalFallsBackWhenTheHostSaysDontAfterWill) {
    script()
        .peer_sends("ff fd 28"_hex)
        .expect_sent("ff fb 28"_hex)
        .peer_sends("ff fe 28"_hex)
        .expect_sent("ff fc 28"_hex)
        .peer_sends("ff fd 28"_hex)  // asked again: agreed again (RFC 1143 allows it)
        .expect_sent("ff fb 28"_hex)
        .run_all(terminal());
}

TEST(Tn3270eSession, TerminalAbandonsTn3270eOnFunctionsItDidNotAskFor) {
    // RFC 2355 7.2: an IS must be a subset of the REQUEST; x3270 backs off with WONT TN3270E.
    terminal_until_functions()
        .peer_sends(functions(true, "00 01"_hex))
        .expect_sent("ff fc 28"_hex)
        .expect_event(violation(errc::tn3270e_functions_violation))
        .run_all(terminal());
}

TEST(Tn3270eSession, TerminalRefusesTn3270eInPlain3270Mode) {
    // Once plain 3270 mode is reached, a late DO TN3270E would end it: refused.
    script()
        .peer_sends("ff fd 18 ff fa 18 01 ff f0 ff fd 19 ff fb 19 ff fd 00 ff fb 00"_hex)
        .expect_sent(cat({"ff fb 18 ff fa 18 00"_hex, ascii("IBM-3279-2-E"),
                          "ff f0 ff fb 19 ff fd 19 ff fb 00 ff fd 00"_hex}))
        .expect_event(negotiated{"IBM-3279-2-E", ""})
        .peer_sends("ff fd 28"_hex)
        .expect_sent("ff fc 28"_hex)
        .run_all(terminal());
}

TEST(Tn3270eSession, TerminalReportsMalformedSubnegotiations) {
    script()
        .peer_sends("ff fd 28"_hex)
        .expect_sent("ff fb 28"_hex)
        .peer_sends(sb_e("08"_hex))            // too short
        .peer_sends(sb_e("09 02"_hex))         // unknown code
        .peer_sends(device_type_is("X", "Y"))  // IS before our REQUEST
        .peer_sends(functions(true, "00"_hex)) // FUNCTIONS before DEVICE-TYPE
        .expect_event(violation(errc::malformed_tn3270e))
        .expect_event(violation(errc::malformed_tn3270e))
        .expect_event(violation(errc::unexpected_subnegotiation))
        .expect_event(violation(errc::unexpected_subnegotiation))
        .run_all(terminal());
}

TEST(Tn3270eSession, TerminalAbandonsOnAnUnreadableDeviceTypeIs) {
    script()
        .peer_sends(cat({"ff fd 28"_hex, send_device_type}))
        .expect_sent(cat({"ff fb 28"_hex, device_type_request("IBM-3278-2-E")}))
        .peer_sends(sb_e("02 04 49 42 4d 00 01"_hex))  // a NUL in the type, no LU
        .expect_sent("ff fc 28"_hex)
        .expect_event(violation(errc::malformed_tn3270e))
        .run_all(terminal());
}

TEST(Tn3270eSession, TerminalReportsARecordBeforeNegotiation) {
    script()
        .peer_sends(cat({"ff fd 28"_hex, "00 00 00 00 00 f5 c3 ff ef"_hex}))
        .expect_sent("ff fb 28"_hex)
        .expect_event(nvt_data{"00 00 00 00 00 f5 c3"_hex})
        .expect_event(violation(errc::record_before_negotiation))
        .merge_events_with([](event& into, const event& next) {
            auto* a = std::get_if<nvt_data>(&into);
            const auto* b = std::get_if<nvt_data>(&next);
            if (a == nullptr || b == nullptr) return false;
            a->data.insert(a->data.end(), b->data.begin(), b->data.end());
            return true;
        })
        .run_all(terminal());
}

// ---- host role ----------------------------------------------------------------------------

TEST(Tn3270eSession, HostOffersTn3270eFirst) {
    session s(role::host, {});
    EXPECT_EQ(bytes(s.pending_output().begin(), s.pending_output().end()), "ff fd 28"_hex);
    EXPECT_EQ(s.mode(), session_mode::none);
}

TEST(Tn3270eSession, HostAssignsItsDefaultLuAndAgreesToASubset) {
    // With BIND-IMAGE agreed the host binds at once: BIND-IMAGE record, seq 0, a BIND RU for
    // 24x80 default and the model 2 size (24x80) as alternate, code 7F, no PLU name.
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3278-2-E"))
        .expect_sent(device_type_is("IBM-3278-2-E", "SSOLU001"))
        .peer_sends(functions(false, "00 02"_hex))
        .expect_sent(functions(true, "00 02"_hex))
        .expect_sent("03 00 00 00 00 31 01 03 03 b1 90 30 80 00 87 87 f8 87 00 02 80 00 00 00 00"
                     " 18 50 18 50 7f 00 00 00 ff ef"_hex)
        .expect_event(negotiated{"IBM-3278-2-E", "SSOLU001", true,
                                 {tn3270e_function::bind_image, tn3270e_function::responses}})
        .then([](session& s) { EXPECT_TRUE(s.bound()); })
        .run_all(host());
}

TEST(Tn3270eSession, HostCounterProposesAndAcceptsTheTerminalsIs) {
    host_until_device_type()
        .peer_sends(device_type_request("ibm-3279-3-e"))
        .expect_sent(device_type_is("IBM-3279-3-E", "SSOLU001"))
        .peer_sends(functions(false, "00 01 02 03 04 05"_hex))
        .expect_sent(functions(false, "00 02 04"_hex))
        .peer_sends(functions(true, "00 04"_hex))
        .expect_sent("03 00 00 00 00 31 01 03 03 b1 90 30 80 00 87 87 f8 87 00 02 80 00 00 00 00"
                     " 18 50 20 50 7f 00 00 00 ff ef"_hex)  // model 3: 32x80 alternate
        .expect_event(negotiated{"IBM-3279-3-E", "SSOLU001", true,
                                 {tn3270e_function::bind_image, tn3270e_function::sysreq}})
        .run_all(host());
}

TEST(Tn3270eSession, HostTakesTheRequestedLuFromItsPool) {
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3278-4", "lu02"))
        .expect_sent(device_type_is("IBM-3278-4", "LU02"))
        .run_all(host_with([](session_config& c) { c.host_lu_names = {"LU01", "LU02"}; }));
}

TEST(Tn3270eSession, HostGivesTheFirstPoolLuWhenNoneIsAskedFor) {
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3278-4"))
        .expect_sent(device_type_is("IBM-3278-4", "LU01"))
        .run_all(host_with([](session_config& c) { c.host_lu_names = {"LU01", "LU02"}; }));
}

TEST(Tn3270eSession, HostRejectsAnLuOutsideItsPoolAndFallsBack) {
    // REJECT REASON INV-NAME, DONT TN3270E, then the plain TN3270 negotiation.
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3278-2", "OTHER"))
        .expect_sent(cat({device_type_reject(0x03), "ff fe 28 ff fd 18"_hex}))
        .expect_event(device_type_rejected{reject_reason::inv_name})
        .peer_sends("ff fc 28 ff fb 18"_hex)
        .expect_sent("ff fa 18 01 ff f0"_hex)
        .peer_sends("ff fa 18 00 49 42 4d 2d 33 32 37 38 2d 32 ff f0"_hex)
        .expect_sent("ff fd 19 ff fb 19 ff fd 00 ff fb 00"_hex)
        .peer_sends("ff fb 19 ff fd 19 ff fb 00 ff fd 00"_hex)
        .expect_event(negotiated{"IBM-3278-2", ""})
        .then([](session& s) { EXPECT_EQ(s.mode(), session_mode::tn3270); })
        .run_all(host_with([](session_config& c) { c.host_lu_names = {"LU01"}; }));
}

TEST(Tn3270eSession, HostRejectsDeviceTypesItDoesNotTake) {
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3287-1"))
        .expect_sent(cat({device_type_reject(0x04), "ff fe 28 ff fd 18"_hex}))
        .expect_event(device_type_rejected{reject_reason::inv_device_type})
        .run_all(host());
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3279-2-E"))
        .expect_sent(cat({device_type_reject(0x04), "ff fe 28 ff fd 18"_hex}))
        .expect_event(device_type_rejected{reject_reason::inv_device_type})
        .run_all(host_with([](session_config& c) { c.host_device_types = {"IBM-3278-2-E"}; }));
}

TEST(Tn3270eSession, HostRejectsAssociateWithoutAPolicy) {
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3278-2", "TERMLU", true))
        .expect_sent(cat({device_type_reject(0x07), "ff fe 28 ff fd 18"_hex}))
        .expect_event(device_type_rejected{reject_reason::unsupported_req})
        .run_all(host());
}

TEST(Tn3270eSession, HostAsksTheOwnersCallbackForTheLu) {
    std::vector<lu_request> seen;
    auto make = [&seen] {
        session_config c;
        c.assign_lu = [&seen](const lu_request& r) {
            seen.push_back(r);
            return r.connect == "BUSY" ? lu_decision::refuse(reject_reason::device_in_use)
                                       : lu_decision::assign("POOL0007");
        };
        return session(role::host, c);
    };
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3278-2", "busy"))
        .expect_sent(cat({device_type_reject(0x01), "ff fe 28 ff fd 18"_hex}))
        .expect_event(device_type_rejected{reject_reason::device_in_use})
        .run_whole(make);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].device_type, "IBM-3278-2");
    EXPECT_EQ(seen[0].connect, "BUSY");
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3278-2"))
        .expect_sent(device_type_is("IBM-3278-2", "POOL0007"))
        .run_all(make);
}

TEST(Tn3270eSession, HostRejectsWhenTheCallbackGivesNoUsableName) {
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3278-2"))
        .expect_sent(cat({device_type_reject(0x06), "ff fe 28 ff fd 18"_hex}))
        .expect_event(device_type_rejected{reject_reason::unknown_error})
        .run_all(host_with([](session_config& c) {
            c.assign_lu = [](const lu_request&) { return lu_decision::assign("NOT VALID"); };
        }));
}

TEST(Tn3270eSession, HostFallsBackWhenTheEmulatorRefusesTn3270e) {
    script()
        .expect_sent("ff fd 28"_hex)
        .peer_sends("ff fc 28"_hex)
        .expect_sent("ff fd 18"_hex)
        .peer_sends("ff fb 18"_hex)
        .expect_sent("ff fa 18 01 ff f0"_hex)
        .run_all(host());
}

TEST(Tn3270eSession, HostFallsBackWhenTheEmulatorDropsTn3270eMidway) {
    // x3270 backs off with WONT TN3270E when it cannot go on.
    host_until_device_type()
        .peer_sends("ff fc 28"_hex)
        .expect_sent("ff fe 28 ff fd 18"_hex)
        .run_all(host());
}

TEST(Tn3270eSession, HostGivesUpOnEndlessFunctionRequests) {
    script t = host_until_device_type();
    t.peer_sends(device_type_request("IBM-3278-2")).expect_sent(device_type_is("IBM-3278-2", "SSOLU001"));
    for (int i = 0; i < 4; ++i)
        t.peer_sends(functions(false, "01"_hex)).expect_sent(functions(false, ""_hex));
    t.peer_sends(functions(false, "01"_hex))
        .expect_sent("ff fe 28 ff fd 18"_hex)
        .expect_event(violation(errc::tn3270e_functions_violation));
    t.run_all(host());
}

TEST(Tn3270eSession, HostIgnoresAnEagerTerminalTypeWhileOfferingTn3270e) {
    // WILL TERMINAL-TYPE before our DO TN3270E is answered: agreed, but no SEND (TN3270E first).
    script()
        .expect_sent("ff fd 28"_hex)
        .peer_sends("ff fb 18 ff fb 28"_hex)
        .expect_sent(cat({"ff fd 18"_hex, send_device_type}))
        .run_all(host());
}

TEST(Tn3270eSession, HostReportsSubnegotiationsOutOfOrder) {
    host_until_device_type()
        .peer_sends(functions(true, "00"_hex))        // IS before any REQUEST
        .peer_sends(device_type_is("IBM-3278-2", "X"))  // a server's message
        .expect_event(violation(errc::unexpected_subnegotiation))
        .expect_event(violation(errc::malformed_tn3270e))
        .run_all(host());
}

// ---- both roles in memory -----------------------------------------------------------------

TEST(Tn3270eSession, HostAndTerminalNegotiateTn3270eInMemory) {
    session h(role::host, {});
    session_config cfg;
    cfg.terminal_type = "IBM-3279-5-E";
    cfg.lu_name = "TSO00001";
    session t(role::terminal, cfg);
    wire w{h, t};
    w.settle();
    const event expected = negotiated{"IBM-3278-5-E", "TSO00001", true, all_three};
    ASSERT_EQ(w.a_events, std::vector<event>{expected});
    // The host bound the session at once, for 24x80 and the model 5 size.
    const event bind = bind_received{make_bind_ru({24, 80}, screen_size{27, 132}),
                                     {screen_size{24, 80}, screen_size{27, 132}, std::uint8_t{0x7F}}};
    ASSERT_EQ(w.b_events, (std::vector<event>{expected, bind}));
    EXPECT_TRUE(h.bound());
    EXPECT_TRUE(t.bound());
    EXPECT_TRUE(h.in_tn3270e_mode());
    EXPECT_TRUE(t.in_tn3270e_mode());
    // No BINARY / EOR / TERMINAL-TYPE in TN3270E (RFC 2355 section 7).
    EXPECT_FALSE(h.options().enabled(telnet::option::binary, telnet::side::local));
    EXPECT_FALSE(t.options().enabled(telnet::option::terminal_type, telnet::side::local));
}

TEST(Tn3270eSession, HostBindsDynamicTerminalsWithTheirModelSizeCode) {
    // IBM-DYNAMIC has no model size: screen-size code 03 (alternate = the terminal's own).
    host_until_device_type()
        .peer_sends(device_type_request("IBM-DYNAMIC"))
        .expect_sent(device_type_is("IBM-DYNAMIC", "SSOLU001"))
        .peer_sends(functions(false, "00"_hex))
        .expect_sent(functions(true, "00"_hex))
        .expect_sent("03 00 00 00 00 31 01 03 03 b1 90 30 80 00 87 87 f8 87 00 02 80 00 00 00 00"
                     " 18 50 00 00 03 00 00 00 ff ef"_hex)
        .expect_event(negotiated{"IBM-DYNAMIC", "SSOLU001", true, {tn3270e_function::bind_image}})
        .run_all(host());
}

TEST(Tn3270eSession, HostLeavesTheBindToTheOwnerWhenAsked) {
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3278-2"))
        .expect_sent(device_type_is("IBM-3278-2", "SSOLU001"))
        .peer_sends(functions(false, "00"_hex))
        .expect_sent(functions(true, "00"_hex))
        .expect_event(negotiated{"IBM-3278-2", "SSOLU001", true, {tn3270e_function::bind_image}})
        .then([](session& s) { EXPECT_FALSE(s.bound()); })
        .run_all(host_with([](session_config& c) { c.host_sends_bind = false; }));
}

TEST(Tn3270eSession, PlainTerminalAndTn3270eHostFallBackInMemory) {
    session h(role::host, {});
    session_config cfg;
    cfg.terminal_type = "IBM-3278-2";
    cfg.tn3270e = false;
    session t(role::terminal, cfg);
    wire w{h, t};
    w.settle();
    ASSERT_EQ(w.a_events, std::vector<event>{negotiated("IBM-3278-2", "")});
    ASSERT_EQ(w.b_events, std::vector<event>{negotiated("IBM-3278-2", "")});
    EXPECT_EQ(h.mode(), session_mode::tn3270);
}

TEST(Tn3270eSession, RejectedTerminalAndHostFallBackToPlainInMemory) {
    session_config hc;
    hc.host_lu_names = {"LU01"};
    session h(role::host, hc);
    session_config tc;
    tc.terminal_type = "IBM-3279-2-E";
    tc.lu_name = "LU99";
    session t(role::terminal, tc);
    wire w{h, t};
    w.settle();
    const event rejected = device_type_rejected{reject_reason::inv_name};
    // Plain TN3270 takes the LU from TYPE@LU (RFC 1646) without a pool check.
    const event plain = negotiated("IBM-3279-2-E", "LU99");
    EXPECT_EQ(w.a_events, (std::vector<event>{rejected, plain}));
    EXPECT_EQ(w.b_events, (std::vector<event>{rejected, plain}));
    EXPECT_EQ(h.mode(), session_mode::tn3270);
    EXPECT_EQ(t.mode(), session_mode::tn3270);
}

TEST(Tn3270eSession, PlainHostAndTn3270eTerminalNegotiatePlainInMemory) {
    session_config hc;
    hc.tn3270e = false;
    session h(role::host, hc);
    session t(role::terminal, {});
    wire w{h, t};
    w.settle();
    ASSERT_EQ(w.b_events, std::vector<event>{negotiated("IBM-3278-2-E", "")});
}

TEST(Tn3270eSession, RejectsABadTn3270eConfiguration) {
    session_config cfg;
    cfg.lu_name = "A";
    cfg.associate_lu = "B";
    EXPECT_THROW(session(role::terminal, cfg), std::invalid_argument);
    cfg.lu_name.clear();
    cfg.associate_lu = "TOO-LONG-NAME";
    EXPECT_THROW(session(role::terminal, cfg), std::invalid_argument);
    session_config h;
    h.host_lu_names = {"BAD NAME"};
    EXPECT_THROW(session(role::host, h), std::invalid_argument);
}

// ---- more bad input and restarts ----------------------------------------------------------

TEST(Tn3270eSession, OverLongSubnegotiationIsFatal) {
    session_config cfg;
    cfg.max_subnegotiation = 16;
    script()
        .peer_sends("ff fd 28"_hex)
        .expect_sent("ff fb 28"_hex)
        .peer_sends(device_type_is("IBM-3278-2-E", "A-NAME-FAR-TOO-LONG"))
        .expect_error(make_error_code(errc::subnegotiation_too_long))
        .then([](session& s) { EXPECT_FALSE(s.want_read()); })
        .run_all([cfg] { return session(role::terminal, cfg); });
}

TEST(Tn3270eSession, TerminalAbandonsOnAnUnknownRejectReason) {
    script()
        .peer_sends(cat({"ff fd 28"_hex, send_device_type}))
        .expect_sent(cat({"ff fb 28"_hex, device_type_request("IBM-3278-2-E")}))
        .peer_sends(device_type_reject(0x42))
        .expect_sent("ff fc 28"_hex)
        .expect_event(violation(errc::malformed_tn3270e))
        .run_all(terminal());
}

TEST(Tn3270eSession, TerminalFollowsAHostThatRestartsTheNegotiation) {
    // x3270 tn3270e-renegotiate.trc: the host sends SEND DEVICE-TYPE again in TN3270E mode.
    terminal_until_functions()
        .peer_sends(functions(true, "00 02 04"_hex))
        .expect_event(negotiated{"IBM-3278-2-E", "LU000042", true, all_three})
        .peer_sends(send_device_type)
        .expect_sent(device_type_request("IBM-3278-2-E"))
        .expect_event(negotiation_failed{make_error_code(errc::left_3270_mode)})
        .then([](session& s) { EXPECT_FALSE(s.in_3270_mode()); })
        .peer_sends(cat({device_type_is("IBM-3278-2-E", "LU000043"), functions(false, "00"_hex)}))
        .expect_sent(cat({functions(false, "00 02 04"_hex), functions(true, "00"_hex)}))
        .expect_event(negotiated{"IBM-3278-2-E", "LU000043", true, {tn3270e_function::bind_image}})
        .run_all(terminal());
}

TEST(Tn3270eSession, HostAcceptsAPrinterAssociatedByTheOwner) {
    host_until_device_type()
        .peer_sends(device_type_request("IBM-3287-1", "termlu", true))
        .expect_sent(device_type_is("IBM-3287-1", "PRT001"))
        .peer_sends(functions(false, "01 03"_hex))
        .expect_sent(functions(false, "03"_hex))  // DATA-STREAM-CTL is not ours: counter
        .peer_sends(functions(true, "03"_hex))
        .expect_event(negotiated{"IBM-3287-1", "PRT001", true, {tn3270e_function::scs_ctl_codes}})
        .run_all(host_with([](session_config& c) {
            c.host_device_types = {"IBM-3287-1", "IBM-3278-2"};
            c.tn3270e_functions = {tn3270e_function::scs_ctl_codes, tn3270e_function::responses};
            c.assign_lu = [](const lu_request& r) {
                return r.associate == "TERMLU" ? lu_decision::assign("PRT001")
                                               : lu_decision::refuse(reject_reason::inv_associate);
            };
        }));
}

TEST(Tn3270eSession, HostReportsARecordBeforeNegotiation) {
    host_until_device_type()
        .peer_sends("00 00 00 00 00 7d ff ef"_hex)
        .expect_event(nvt_data{"00 00 00 00 00 7d"_hex})
        .expect_event(violation(errc::record_before_negotiation))
        .merge_events_with([](event& into, const event& next) {
            auto* a = std::get_if<nvt_data>(&into);
            const auto* b = std::get_if<nvt_data>(&next);
            if (a == nullptr || b == nullptr) return false;
            a->data.insert(a->data.end(), b->data.begin(), b->data.end());
            return true;
        })
        .run_all(host());
}

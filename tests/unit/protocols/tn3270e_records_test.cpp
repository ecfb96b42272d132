// TN3270E records (RFC 2355 section 8.1): the 5-byte header vectors, IAC doubling inside it,
// data types in and out, RESPONSES round trips, BIND-IMAGE / UNBIND, SYSREQ, and bad headers.
#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/tn3270/session.hpp>
#include <ssogate/protocols/tn3270/tn3270e.hpp>

#include "hex.hpp"
#include "transcript.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace ssogate::protocols;
using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

using script = transcript<session>;

const function_set all_three{tn3270e_function::bind_image, tn3270e_function::responses,
                             tn3270e_function::sysreq};

bytes sb_e(const bytes& payload) {
    return cat({"ff fa 28"_hex, payload, "ff f0"_hex});
}

// A terminal in TN3270E mode with `codes` agreed, after one round.
script tn3270e_terminal(const bytes& codes = "00 02 04"_hex) {
    bool unknown = false;
    const function_set fs = function_set::from_codes(codes, unknown);
    script t;
    t.peer_sends(cat({"ff fd 28"_hex, sb_e("08 02"_hex),
                      sb_e(cat({"02 04"_hex, ascii("IBM-3278-2-E"), "01"_hex, ascii("LU1")})),
                      sb_e(cat({"03 07"_hex, codes}))}))
        .expect_sent(cat({"ff fb 28"_hex, sb_e(cat({"02 07"_hex, ascii("IBM-3278-2-E")})),
                          sb_e("03 07 00 02 04"_hex), sb_e(cat({"03 04"_hex, codes}))}))
        .expect_event(negotiated{"IBM-3278-2-E", "LU1", true, fs});
    return t;
}

auto terminal() {
    return [] { return session(role::terminal, {}); };
}

// A host in TN3270E mode with `codes` agreed, after two rounds.
script tn3270e_host(const bytes& codes = "00 02 04"_hex) {
    bool unknown = false;
    const function_set fs = function_set::from_codes(codes, unknown);
    script t;
    t.expect_sent("ff fd 28"_hex)
        .peer_sends("ff fb 28"_hex)
        .expect_sent(sb_e("08 02"_hex))
        .peer_sends(sb_e(cat({"02 07"_hex, ascii("IBM-3278-2")})))
        .expect_sent(sb_e(cat({"02 04"_hex, ascii("IBM-3278-2"), "01"_hex, ascii("SSOLU001")})))
        .peer_sends(sb_e(cat({"03 07"_hex, codes})))
        .expect_sent(sb_e(cat({"03 04"_hex, codes})))
        .expect_event(negotiated{"IBM-3278-2", "SSOLU001", true, fs});
    return t;
}

// The owner sends its own BIND here (the automatic one is in tn3270e_negotiation_test).
auto host() {
    return [] {
        session_config cfg;
        cfg.host_sends_bind = false;
        return session(role::host, cfg);
    };
}

event violation(errc e) {
    return protocol_violation{make_error_code(e)};
}

// Two sessions negotiated against each other in memory.
struct pair_in_memory {
    session h{role::host, {}};
    session t{role::terminal, {}};

    pair_in_memory() {
        pump();
        EXPECT_TRUE(h.in_tn3270e_mode());
        EXPECT_TRUE(t.in_tn3270e_mode());
        drain(h);
        drain(t);
    }
    void pump() {
        for (int i = 0; i < 16 && (h.want_write() || t.want_write()); ++i) {
            pass(h, t);
            pass(t, h);
        }
    }
    static void pass(session& from, session& to) {
        const auto out = from.pending_output();
        std::error_code ec;
        to.receive(out, ec);
        ASSERT_FALSE(ec) << ec.message();
        from.consume_output(out.size());
    }
    static std::vector<event> drain(session& s) {
        std::vector<event> v;
        while (auto e = s.next_event()) v.push_back(std::move(*e));
        return v;
    }
};

// The start of the real BIND of the x3270 test target (tests/data/x3270_tn3270e_lu.hex) up to
// the screen-size code, with bytes 20..24 replaced.
bytes bind_with_sizes(const bytes& sizes) {
    return cat({"31 01 03 03 b1 90 30 80 00 87 87 f8 87 00 02 80 00 00 00 00"_hex, sizes});
}

}  // namespace

// ---- header vectors -----------------------------------------------------------------------

TEST(Tn3270eHeader, ParsesTheFiveBytes) {
    std::error_code ec;
    const auto h = parse_tn3270e_header("02 00 01 12 34 00"_hex, ec);
    ASSERT_TRUE(h) << ec.message();
    EXPECT_EQ(*h, (tn3270e_header{data_type::response, 0x00, 0x01, 0x1234}));
    const auto bind = parse_tn3270e_header("03 00 00 00 00"_hex, ec);
    ASSERT_TRUE(bind);
    EXPECT_EQ(bind->type, data_type::bind_image);
    const auto big = parse_tn3270e_header("08 00 02 ff ff"_hex, ec);
    ASSERT_TRUE(big);
    EXPECT_EQ(big->sequence, 0xFFFF);
    EXPECT_EQ(big->type, data_type::print_eoj);
}

TEST(Tn3270eHeader, RejectsShortHeadersAndUnknownTypes) {
    std::error_code ec;
    EXPECT_FALSE(parse_tn3270e_header("00 00 00 00"_hex, ec));
    EXPECT_EQ(ec, errc::tn3270e_header_too_short);
    EXPECT_FALSE(parse_tn3270e_header(""_hex, ec));
    EXPECT_EQ(ec, errc::tn3270e_header_too_short);
    EXPECT_FALSE(parse_tn3270e_header("09 00 00 00 00"_hex, ec));  // BID (extension draft)
    EXPECT_EQ(ec, errc::unknown_data_type);
    EXPECT_FALSE(parse_tn3270e_header("ff 00 00 00 00"_hex, ec));
    EXPECT_EQ(ec, errc::unknown_data_type);
}

TEST(Tn3270eHeader, BuildsTheFiveBytes) {
    bytes out;
    append_tn3270e_header(out, {data_type::sscp_lu_data, 0, 0, 0});
    EXPECT_EQ(to_hex(out), "07 00 00 00 00");  // x3270 sscp-lu-data.trc
    out.clear();
    append_tn3270e_header(out, {data_type::data_3270, 0, 2, 0x7FFF});
    EXPECT_EQ(to_hex(out), "00 00 02 7f ff");
    for (unsigned t = 0; t <= 8; ++t) {
        out.clear();
        const tn3270e_header h{static_cast<data_type>(t), 1, 2, static_cast<std::uint16_t>(t * 0x1111)};
        append_tn3270e_header(out, h);
        std::error_code ec;
        EXPECT_EQ(parse_tn3270e_header(out, ec), h) << t;
    }
}

TEST(Tn3270eHeader, NamesAsTheRfcSpellsThem) {
    EXPECT_EQ(to_string(data_type::data_3270), "3270-DATA");
    EXPECT_EQ(to_string(data_type::sscp_lu_data), "SSCP-LU-DATA");
    EXPECT_EQ(to_string(reject_reason::inv_name), "INV-NAME");
    EXPECT_EQ(to_string(tn3270e_function::bind_image), "BIND-IMAGE");
}

TEST(Tn3270eHeader, FunctionSetsReadAndWriteCodes) {
    bool unknown = true;
    const auto fs = function_set::from_codes("04 00 02 02"_hex, unknown);
    EXPECT_FALSE(unknown);
    EXPECT_EQ(fs, all_three);
    EXPECT_EQ(to_hex(fs.codes()), "00 02 04");
    const auto with_cr = function_set::from_codes("00 05"_hex, unknown);
    EXPECT_TRUE(unknown);  // CONTENTION-RESOLUTION (IBM extension) is not RFC 2355
    EXPECT_EQ(with_cr, function_set{tn3270e_function::bind_image});
    EXPECT_TRUE(with_cr.subset_of(all_three));
    EXPECT_FALSE(all_three.subset_of(with_cr));
    EXPECT_EQ(all_three.intersect({tn3270e_function::sysreq, tn3270e_function::scs_ctl_codes}),
              function_set{tn3270e_function::sysreq});
}

// ---- BIND-IMAGE ---------------------------------------------------------------------------

TEST(Tn3270eBind, ReadsTheScreenSizesOfTheBind) {
    std::error_code ec;
    // x3270 test target: 24x80 default, 43x80 alternate, code 7F.
    auto b = parse_bind_screen(bind_with_sizes("18 50 2b 50 7f 00 00 08"_hex), ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(b, (bind_screen{screen_size{24, 80}, screen_size{43, 80}, std::uint8_t{0x7F}}));
    b = parse_bind_screen(bind_with_sizes("1b 84 00 00 7e"_hex), ec);  // 27x132, default only
    EXPECT_EQ(b, (bind_screen{screen_size{27, 132}, screen_size{27, 132}, std::uint8_t{0x7E}}));
    b = parse_bind_screen(bind_with_sizes("00 00 00 00 03"_hex), ec);  // alternate = model's
    EXPECT_EQ(b, (bind_screen{screen_size{24, 80}, std::nullopt, std::uint8_t{0x03}}));
    b = parse_bind_screen(bind_with_sizes("00 00 00 00 00"_hex), ec);
    EXPECT_EQ(b, (bind_screen{screen_size{24, 80}, screen_size{24, 80}, std::uint8_t{0x00}}));
    b = parse_bind_screen(bind_with_sizes("00 00 00 00 55"_hex), ec);  // unknown code
    EXPECT_FALSE(ec);
    EXPECT_EQ(b, (bind_screen{std::nullopt, std::nullopt, std::uint8_t{0x55}}));
    b = parse_bind_screen("31 01 03"_hex, ec);  // no PSERVIC: no sizes, no error
    EXPECT_FALSE(ec);
    EXPECT_EQ(b, bind_screen{});
}

TEST(Tn3270eBind, RefusesWhatIsNoBind) {
    std::error_code ec;
    (void)parse_bind_screen("32 01"_hex, ec);  // UNBIND RU
    EXPECT_EQ(ec, errc::malformed_bind);
    (void)parse_bind_screen(""_hex, ec);
    EXPECT_EQ(ec, errc::malformed_bind);
    (void)parse_bind_screen(bind_with_sizes("00 50 2b 50 7f"_hex), ec);  // 0 rows
    EXPECT_EQ(ec, errc::malformed_bind);
    (void)parse_bind_screen(bind_with_sizes("18 50 2b 00 7f"_hex), ec);  // 0 alternate cols
    EXPECT_EQ(ec, errc::malformed_bind);
}

TEST(Tn3270eRecords, TerminalReportsBindAndUnbind) {
    const bytes bind = bind_with_sizes("18 50 20 50 7f"_hex);
    tn3270e_terminal()
        .peer_sends(cat({"03 00 00 00 00"_hex, bind, "ff ef"_hex}))
        .expect_event(bind_received{bind, {screen_size{24, 80}, screen_size{32, 80}, std::uint8_t{0x7F}}})
        .then([](session& s) { EXPECT_TRUE(s.bound()); })
        .peer_sends("04 00 00 00 00 32 01 ff ef"_hex)
        .expect_event(unbind_received{0x01})
        .then([](session& s) { EXPECT_FALSE(s.bound()); })
        .peer_sends("03 00 00 00 00 32 ff ef"_hex)  // not a BIND RU: dropped
        .expect_event(violation(errc::malformed_bind))
        .run_all(terminal());
}

// ---- data types and headers through the session ------------------------------------------

TEST(Tn3270eRecords, TerminalStripsTheHeaderAndTellsTheDataType) {
    tn3270e_terminal()
        .peer_sends("00 00 02 00 07 f5 c3 ff ef"_hex)
        .expect_event(record{"f5 c3"_hex, tn3270e_header{data_type::data_3270, 0, 2, 7}})
        .peer_sends("05 00 00 00 00 48 49 0d 0a ff ef"_hex)
        .expect_event(record{"48 49 0d 0a"_hex, tn3270e_header{data_type::nvt_data, 0, 0, 0}})
        .peer_sends("01 00 00 00 00 c1 ff ef 08 00 00 00 00 ff ef"_hex)
        .expect_event(record{"c1"_hex, tn3270e_header{data_type::scs_data, 0, 0, 0}})
        .expect_event(record{""_hex, tn3270e_header{data_type::print_eoj, 0, 0, 0}})
        .peer_sends("06 00 00 00 00 ff ef"_hex)
        .expect_event(record{""_hex, tn3270e_header{data_type::request, 0, 0, 0}})
        .run_all(terminal());
}

TEST(Tn3270eRecords, HeaderBytesFfAreUndoubled) {
    // Sequence number 0x00FF: the FF is doubled on the wire like any data byte.
    tn3270e_terminal()
        .peer_sends("00 00 02 00 ff ff f5 ff ff ff ef"_hex)
        .expect_event(record{"f5 ff"_hex, tn3270e_header{data_type::data_3270, 0, 2, 0x00FF}})
        .run_all(terminal());
}

TEST(Tn3270eRecords, BadHeadersAreReportedAndDropped) {
    tn3270e_terminal()
        .peer_sends("00 00 ff ef"_hex)
        .expect_event(violation(errc::tn3270e_header_too_short))
        .peer_sends("09 00 00 00 00 f5 ff ef"_hex)
        .expect_event(violation(errc::unknown_data_type))
        .peer_sends("ff ef"_hex)
        .expect_event(violation(errc::tn3270e_header_too_short))
        .peer_sends("00 00 00 00 00 f1 c2 ff ef"_hex)  // and the next good one still arrives
        .expect_event(record{"f1 c2"_hex, tn3270e_header{}})
        .run_all(terminal());
}

TEST(Tn3270eRecords, TerminalSendsRecordsWithAHeader) {
    tn3270e_terminal("00"_hex)  // BIND-IMAGE only: sequence numbers stay 0 (as x3270)
        .then([](session& s) {
            std::error_code ec;
            s.send_record("7d 40 40 ff"_hex, ec);
            EXPECT_FALSE(ec);
            EXPECT_EQ(s.send_record("c1"_hex, record_options{data_type::sscp_lu_data, {}}, ec), 0);
            EXPECT_FALSE(ec);
        })
        .expect_sent("00 00 00 00 00 7d 40 40 ff ff ff ef 07 00 00 00 00 c1 ff ef"_hex)
        .run_all(terminal());
}

TEST(Tn3270eRecords, SendingRefusesWhatWasNotAgreed) {
    tn3270e_terminal("00"_hex)
        .then([](session& s) {
            std::error_code ec;
            s.send_record("f5"_hex, record_options{data_type::data_3270, response_flag::always_response}, ec);
            EXPECT_EQ(ec, errc::function_not_negotiated);
            s.send_positive_response(1, ec);
            EXPECT_EQ(ec, errc::function_not_negotiated);
            s.send_negative_response(1, negative_code::command_reject, ec);
            EXPECT_EQ(ec, errc::function_not_negotiated);
            s.send_sysreq(ec);
            EXPECT_EQ(ec, errc::function_not_negotiated);
            s.send_record("02"_hex, record_options{data_type::response, {}}, ec);
            EXPECT_EQ(ec, errc::function_not_negotiated);
        })
        .run_all(terminal());
}

TEST(Tn3270eRecords, PlainSessionsRefuseTn3270eOnlyCalls) {
    session s(role::terminal, {});
    std::error_code ec;
    s.send_sysreq(ec);
    EXPECT_EQ(ec, errc::not_in_3270_mode);
    s.send_positive_response(0, ec);
    EXPECT_EQ(ec, errc::not_in_3270_mode);
    s.send_record("f5"_hex, record_options{data_type::nvt_data, {}}, ec);
    EXPECT_EQ(ec, errc::not_in_3270_mode);
}

// ---- RESPONSES ----------------------------------------------------------------------------

TEST(Tn3270eRecords, TerminalAnswersAHostsResponseRequests) {
    tn3270e_terminal()
        .peer_sends("00 00 02 00 05 f5 c3 ff ef"_hex)  // ALWAYS-RESPONSE, seq 5
        .expect_event(record{"f5 c3"_hex, tn3270e_header{data_type::data_3270, 0, 2, 5}})
        .then([](session& s) {
            std::error_code ec;
            s.send_positive_response(5, ec);
            EXPECT_FALSE(ec);
        })
        .expect_sent("02 00 00 00 05 00 ff ef"_hex)
        .peer_sends("00 00 01 00 ff ff 99 ff ef"_hex)  // ERROR-RESPONSE, seq 0x00FF
        .expect_event(record{"99"_hex, tn3270e_header{data_type::data_3270, 0, 1, 0xFF}})
        .then([](session& s) {
            std::error_code ec;
            s.send_negative_response(0xFF, negative_code::command_reject, ec);
            EXPECT_FALSE(ec);
        })
        .expect_sent("02 00 01 00 ff ff 00 ff ef"_hex)
        .run_all(terminal());
}

TEST(Tn3270eRecords, HostAsksForResponsesAndReceivesThem) {
    tn3270e_host()
        .then([](session& s) {
            std::error_code ec;
            EXPECT_EQ(s.send_record("f5 c3"_hex, record_options{data_type::data_3270, response_flag::always_response}, ec), 0);
            EXPECT_FALSE(ec);
            EXPECT_EQ(s.send_record("f1 c3"_hex, record_options{data_type::data_3270, response_flag::error_response}, ec), 1);
            s.send_record("f1 c2"_hex, ec);  // no response asked, still numbered
        })
        .expect_sent("00 00 02 00 00 f5 c3 ff ef 00 00 01 00 01 f1 c3 ff ef 00 00 00 00 02 f1 c2 ff ef"_hex)
        .peer_sends("02 00 00 00 00 00 ff ef 02 00 01 00 01 01 ff ef"_hex)
        .expect_event(response_received{0, true, 0x00})
        .expect_event(response_received{1, false, 0x01})  // INTERVENTION-REQUIRED
        .peer_sends("02 00 00 00 02 ff ef 02 00 07 00 02 00 ff ef"_hex)  // no code; bad flag
        .expect_event(violation(errc::malformed_tn3270e))
        .expect_event(violation(errc::malformed_tn3270e))
        .run_all(host());
}

TEST(Tn3270eRecords, ResponsesRoundTripInMemory) {
    pair_in_memory p;
    std::error_code ec;
    std::vector<std::uint16_t> seqs;
    for (int i = 0; i < 3; ++i) {
        seqs.push_back(p.h.send_record("f5 c3 ff"_hex, record_options{data_type::data_3270, response_flag::always_response}, ec));
        ASSERT_FALSE(ec);
    }
    EXPECT_EQ(seqs, (std::vector<std::uint16_t>{1, 2, 3}));  // the automatic BIND took 0
    p.pump();
    const auto got = pair_in_memory::drain(p.t);
    ASSERT_EQ(got.size(), 3u);
    for (std::size_t i = 0; i < got.size(); ++i) {
        const auto& r = std::get<record>(got[i]);
        EXPECT_EQ(r.data, "f5 c3 ff"_hex);
        ASSERT_TRUE(r.header);
        EXPECT_EQ(r.header->response_flag, static_cast<std::uint8_t>(response_flag::always_response));
        if (i == 1) {
            p.t.send_negative_response(r.header->sequence, negative_code::operation_check, ec);
        } else {
            p.t.send_positive_response(r.header->sequence, ec);
        }
        ASSERT_FALSE(ec);
    }
    p.pump();
    EXPECT_EQ(pair_in_memory::drain(p.h),
              (std::vector<event>{response_received{1, true, 0}, response_received{2, false, 2},
                                  response_received{3, true, 0}}));
}

TEST(Tn3270eRecords, SequenceNumbersWrapAt32767) {
    pair_in_memory p;
    std::error_code ec;
    std::uint16_t last = 0;
    for (int i = 1; i <= 0x7FFF; ++i) {  // the automatic BIND took 0
        last = p.h.send_record("f1"_hex, record_options{}, ec);
        p.h.consume_output(p.h.pending_output().size());
    }
    EXPECT_EQ(last, 0x7FFF);
    EXPECT_EQ(p.h.send_record("f1"_hex, record_options{}, ec), 0);
}

// ---- SYSREQ and the rest in memory --------------------------------------------------------

TEST(Tn3270eRecords, SysreqReachesTheHostAsAnEvent) {
    pair_in_memory p;
    std::error_code ec;
    p.t.send_sysreq(ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(to_hex(p.t.pending_output()), "ff f5");  // IAC AO
    p.pump();
    EXPECT_EQ(pair_in_memory::drain(p.h), std::vector<event>{sysreq_received{}});
}

TEST(Tn3270eRecords, HostWithoutSysreqSeesAbortOutput) {
    tn3270e_host("00 02"_hex)
        .peer_sends("ff f5"_hex)
        .expect_event(telnet_command{telnet::command::ao})
        .run_all(host());
}

TEST(Tn3270eRecords, RecordsRoundTripInMemoryWithEveryByte) {
    pair_in_memory p;
    bytes all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::byte>(i));
    std::error_code ec;
    p.h.send_record(all, ec);
    p.h.send_record(bind_with_sizes("18 50 2b 50 7f"_hex), record_options{data_type::bind_image, {}}, ec);
    p.t.send_record(all, record_options{data_type::sscp_lu_data, {}}, ec);
    ASSERT_FALSE(ec);
    p.pump();
    const auto t_events = pair_in_memory::drain(p.t);
    ASSERT_EQ(t_events.size(), 2u);
    EXPECT_EQ(std::get<record>(t_events[0]).data, all);
    EXPECT_EQ(std::get<record>(t_events[0]).header->sequence, 1);
    EXPECT_EQ(std::get<bind_received>(t_events[1]).screen.alternate_size, (screen_size{43, 80}));
    const auto h_events = pair_in_memory::drain(p.h);
    ASSERT_EQ(h_events.size(), 1u);
    EXPECT_EQ(std::get<record>(h_events[0]).data, all);
    EXPECT_EQ(std::get<record>(h_events[0]).type(), data_type::sscp_lu_data);
}

TEST(Tn3270eRecords, RecordLimitHoldsForTheHeaderToo) {
    session_config cfg;
    cfg.max_record_size = 8;
    tn3270e_terminal()
        .peer_sends("00 00 00 00 00 01 02 03 04"_hex)
        .expect_error(make_error_code(errc::record_too_long))
        .run_all([cfg] { return session(role::terminal, cfg); });
}

TEST(Tn3270eRecords, EventsPrintWithoutRecordContents) {
    std::ostringstream os;
    os << event{record{"c1 c2"_hex, tn3270e_header{data_type::sscp_lu_data, 0, 2, 9}}} << ' '
       << event{negotiated{"IBM-3278-2", "LU1", true, all_three}} << ' '
       << event{device_type_rejected{reject_reason::device_in_use}};
    EXPECT_EQ(os.str(),
              "record{SSCP-LU-DATA rsp=2 seq=9 2 bytes} "
              "negotiated{IBM-3278-2@LU1 tn3270e BIND-IMAGE RESPONSES SYSREQ} "
              "device_type_rejected{DEVICE-IN-USE}");
}

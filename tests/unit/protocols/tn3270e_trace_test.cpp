// Real TN3270E sessions of the x3270 project (tests/data/x3270_*.hex, our own annotated files
// written from the facts of pmattes/x3270's s3270/Test/*.trc) replayed through tn3270::session:
// the terminal role must answer what s3270 / x3270 answered, the host role must send what the
// x3270 test target sent. Every replay runs whole, split at every offset and byte by byte.
#include <ssogate/protocols/tn3270/session.hpp>

#include "hex.hpp"
#include "transcript.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

using namespace ssogate::protocols::tn3270;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

using script = transcript<session>;
using markers = std::map<std::string, script::marker>;

const std::string data_dir = SSOGATE_TEST_DATA_DIR;

// The bytes of the hex lines after "@from" up to the next '@' line, IAC EOR removed and
// IAC IAC undoubled: one record as the receiver sees it (header included).
bytes record_after(const std::string& file, const std::string& from) {
    std::ifstream in(file);
    EXPECT_TRUE(in) << file;
    std::string line;
    bool inside = false;
    std::string hex;
    while (std::getline(in, line)) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        if (line.rfind('@', 0) == 0) {
            std::string name = line.substr(1);
            name.erase(name.find_last_not_of(" \t\r") + 1);
            if (inside) break;
            inside = name == from;
            continue;
        }
        if (inside && (line.rfind("< ", 0) == 0 || line.rfind("> ", 0) == 0))
            hex += line.substr(2) + " ";
    }
    const bytes wire = parse_hex(hex);
    EXPECT_GE(wire.size(), 2u);
    EXPECT_EQ(to_hex(std::span(wire).last(2)), "ff ef");
    bytes data;
    for (std::size_t i = 0; i + 2 < wire.size(); ++i) {
        data.push_back(wire[i]);
        if (wire[i] == std::byte{0xFF}) ++i;
    }
    return data;
}

bytes without_header(const bytes& r) {
    return bytes(r.begin() + static_cast<std::ptrdiff_t>(tn3270e_header_size), r.end());
}

std::string describe(const event& e) {
    if (const auto* r = std::get_if<record>(&e)) {
        std::ostringstream os;
        os << e << " " << to_hex(std::span(r->data).first(std::min<std::size_t>(r->data.size(), 12)));
        return os.str();
    }
    std::ostringstream os;
    os << e;
    return os.str();
}

auto terminal(std::string type, std::string lu = {}) {
    return [type, lu] {
        session_config cfg;
        cfg.terminal_type = type;
        cfg.lu_name = lu;
        return session(role::terminal, cfg);
    };
}

// The x3270 test target agrees to BIND-IMAGE only and assigns its own LU whatever is asked.
auto test_target_host(std::string lu, std::string expected_connect) {
    return [lu, expected_connect] {
        session_config cfg;
        cfg.tn3270e_functions = {tn3270e_function::bind_image};
        cfg.host_sends_bind = false;  // the test sends the target's own BIND
        cfg.assign_lu = [lu, expected_connect](const lu_request& r) {
            EXPECT_EQ(r.device_type, "IBM-3278-4-E");
            EXPECT_EQ(r.connect, expected_connect);
            return lu_decision::assign(lu);
        };
        return session(role::host, cfg);
    };
}

const function_set bind_only{tn3270e_function::bind_image};
const bytes our_functions_request = "ff fa 28 03 07 00 02 04 ff f0"_hex;
const bytes x3270_functions_request = "ff fa 28 03 07 00 02 04 05 ff f0"_hex;

void send(session& s, const bytes& data, data_type type) {
    std::error_code ec;
    s.send_record(data, record_options{type, response_flag::no_response}, ec);
    ASSERT_FALSE(ec) << ec.message();
}

const bind_screen model4_bind{screen_size{24, 80}, screen_size{43, 80}, std::uint8_t{0x7F}};

}  // namespace

TEST(Tn3270eTrace, TerminalReplaysS3270SigningOnToTheX3270TestTarget) {
    const std::string file = data_dir + "/x3270_tn3270e_lu.hex";
    const bytes bind = record_after(file, "bind");
    const bytes menu = record_after(file, "first_record");
    ASSERT_EQ(menu.size(), 605u);
    script t;
    t.describe_events_with(describe).load(
        file, trace_side::terminal,
        markers{
            {"do_new_environ", [](script& s) { s.peer_sends("ff fd 27"_hex); }},
            {"refuse_new_environ", [](script& s) { s.expect_sent("ff fc 27"_hex); }},
            {"new_environ_send", [](script& s) { s.peer_sends("ff fa 27 01 ff f0"_hex); }},
            {"functions_request", [](script& s) { s.expect_sent(our_functions_request); }},
            {"negotiated",
             [](script& s) {
                 s.expect_event(negotiated{"IBM-3278-4-E", "IBM0TE01", true, bind_only});
             }},
            {"bind", [](script&) {}},
            {"bound",
             [&](script& s) {
                 s.expect_event(bind_received{without_header(bind), model4_bind});
                 s.then([](session& x) {
                     EXPECT_TRUE(x.bound());
                     EXPECT_EQ(x.lu_name(), "IBM0TE01");
                     EXPECT_EQ(x.device_type(), "IBM-3278-4-E");
                     ASSERT_TRUE(x.negotiated_type());
                     EXPECT_EQ(x.negotiated_type()->model, 4);
                     EXPECT_EQ(x.negotiated_type()->lu_name, "IBM0TE01");
                 });
             }},
            {"first_record", [](script&) {}},
            {"first_record_received",
             [&](script& s) {
                 s.expect_event(record{without_header(menu), tn3270e_header{}});
             }},
        });
    t.run_all(terminal("IBM-3279-4-E", "foo"));
}

TEST(Tn3270eTrace, HostReplaysTheX3270TestTargetForS3270) {
    const std::string file = data_dir + "/x3270_tn3270e_lu.hex";
    const bytes bind = record_after(file, "bind");
    const bytes menu = record_after(file, "first_record");
    script t;
    t.describe_events_with(describe).load(
        file, trace_side::host,
        markers{
            {"do_new_environ", [](script&) {}},
            {"refuse_new_environ", [](script&) {}},
            {"new_environ_send", [](script&) {}},
            {"functions_request", [](script& s) { s.peer_sends(x3270_functions_request); }},
            {"negotiated",
             [](script& s) {
                 s.expect_event(negotiated{"IBM-3278-4-E", "IBM0TE01", true, bind_only});
             }},
            {"bind",
             [&](script& s) {
                 s.then([&](session& x) { send(x, without_header(bind), data_type::bind_image); });
             }},
            {"bound", [](script&) {}},
            {"first_record",
             [&](script& s) {
                 // send_record without options: 3270-DATA, no response asked, seq 0.
                 s.then([&](session& x) {
                     std::error_code ec;
                     x.send_record(without_header(menu), ec);
                     EXPECT_FALSE(ec);
                 });
             }},
            {"first_record_received", [](script&) {}},
        });
    t.run_all(test_target_host("IBM0TE01", "FOO"));
}

TEST(Tn3270eTrace, TerminalReplaysX3270InSscpLuMode) {
    const std::string file = data_dir + "/x3270_tn3270e_sscp_lu.hex";
    const bytes bind = record_after(file, "bind");
    const bytes menu = record_after(file, "sscp_menu");
    const bytes reply = record_after(file, "reply");
    const tn3270e_header sscp{data_type::sscp_lu_data, 0, 0, 0};
    script t;
    t.describe_events_with(describe).load(
        file, trace_side::terminal,
        markers{
            {"functions_request", [](script& s) { s.expect_sent(our_functions_request); }},
            {"negotiated",
             [](script& s) {
                 s.expect_event(negotiated{"IBM-3278-4-E", "IBM0TE00", true, bind_only});
             }},
            {"bind", [](script&) {}},
            {"bound",
             [&](script& s) { s.expect_event(bind_received{without_header(bind), model4_bind}); }},
            {"sscp_menu", [](script&) {}},
            {"sscp_menu_received",
             [&](script& s) { s.expect_event(record{without_header(menu), sscp}); }},
            {"type_foo",
             [](script& s) {
                 s.then([](session& x) { send(x, "86 96 96"_hex, data_type::sscp_lu_data); });
             }},
            {"foo_received", [](script&) {}},
            {"reply", [](script&) {}},
            {"reply_received",
             [&](script& s) { s.expect_event(record{without_header(reply), sscp}); }},
        });
    t.run_all(terminal("IBM-3279-4-E"));
}

TEST(Tn3270eTrace, HostReplaysTheX3270TestTargetInSscpLuMode) {
    const std::string file = data_dir + "/x3270_tn3270e_sscp_lu.hex";
    const bytes bind = record_after(file, "bind");
    const bytes menu = record_after(file, "sscp_menu");
    const bytes reply = record_after(file, "reply");
    script t;
    t.describe_events_with(describe).load(
        file, trace_side::host,
        markers{
            {"functions_request", [](script& s) { s.peer_sends(x3270_functions_request); }},
            {"negotiated",
             [](script& s) {
                 s.expect_event(negotiated{"IBM-3278-4-E", "IBM0TE00", true, bind_only});
             }},
            {"bind",
             [&](script& s) {
                 s.then([&](session& x) { send(x, without_header(bind), data_type::bind_image); });
             }},
            {"bound", [](script&) {}},
            {"sscp_menu",
             [&](script& s) {
                 s.then([&](session& x) { send(x, without_header(menu), data_type::sscp_lu_data); });
             }},
            {"sscp_menu_received", [](script&) {}},
            {"type_foo", [](script&) {}},
            {"foo_received",
             [](script& s) {
                 s.expect_event(
                     record{"86 96 96"_hex, tn3270e_header{data_type::sscp_lu_data, 0, 0, 0}});
             }},
            {"reply",
             [&](script& s) {
                 s.then([&](session& x) { send(x, without_header(reply), data_type::sscp_lu_data); });
             }},
            {"reply_received", [](script&) {}},
        });
    t.run_all(test_target_host("IBM0TE00", ""));
}

TEST(Tn3270eTrace, TerminalFallsBackWhenTheHostWithdrawsTn3270e) {
    const std::string file = data_dir + "/x3270_wont_tn3270e.hex";
    const bytes ewa = record_after(file, "first_record");
    ASSERT_EQ(to_hex(std::span(ewa).first(2)), "0d c1");  // Erase/Write Alternate, WCC
    script t;
    t.describe_events_with(describe).load(
        file, trace_side::terminal,
        markers{
            {"functions_request", [](script& s) { s.expect_sent(our_functions_request); }},
            {"negotiated",
             [](script& s) {
                 s.expect_event(negotiated{"IBM-3279-4-E", ""});
                 s.then([](session& x) {
                     EXPECT_EQ(x.mode(), session_mode::tn3270);
                     EXPECT_TRUE(x.functions().empty());
                 });
             }},
            {"first_record", [](script&) {}},
            {"first_record_received", [&](script& s) { s.expect_event(record{ewa}); }},
            {"second_record_received", [](script& s) { s.expect_event(record{"01 c2"_hex}); }},
        });
    t.run_all(terminal("IBM-3279-4-E"));
}

TEST(Tn3270eTrace, TerminalReplaysX3270InNvtModeAndARestart) {
    const std::string file = data_dir + "/x3270_tn3270e_renegotiate.hex";
    const bytes bind_a = record_after(file, "bind");
    const bytes bind_b = record_after(file, "bind_again");
    const bytes menu = record_after(file, "nvt_menu");
    const tn3270e_header nvt{data_type::nvt_data, 0, 0, 0};
    script t;
    t.describe_events_with(describe).load(
        file, trace_side::terminal,
        markers{
            {"functions_request", [](script& s) { s.expect_sent(our_functions_request); }},
            {"negotiated",
             [](script& s) {
                 s.expect_event(negotiated{"IBM-3278-4-E", "IBM0TE00", true, bind_only});
             }},
            {"bind", [](script&) {}},
            {"bound",
             [&](script& s) { s.expect_event(bind_received{without_header(bind_a), model4_bind}); }},
            {"nvt_menu", [](script&) {}},
            {"nvt_menu_received",
             [&](script& s) { s.expect_event(record{without_header(menu), nvt}); }},
            {"type_uvvm",
             [](script& s) {
                 s.then([](session& x) { send(x, ascii("uvvm\r\n"), data_type::nvt_data); });
             }},
            {"uvvm_received", [](script&) {}},
            {"left",
             [](script& s) {
                 s.expect_event(negotiation_failed{make_error_code(ssogate::protocols::errc::left_3270_mode)});
                 s.then([](session& x) {
                     EXPECT_FALSE(x.in_3270_mode());
                     EXPECT_FALSE(x.bound());
                     EXPECT_TRUE(x.functions().empty());  // nothing of TN3270E is left
                     EXPECT_TRUE(x.lu_name().empty());
                     EXPECT_TRUE(x.device_type().empty());
                 });
             }},
            {"renegotiated",
             [](script& s) {
                 s.expect_event(negotiated{"IBM-3278-4-E", "IBM0TE01", true, bind_only});
             }},
            {"bind_again", [](script&) {}},
            {"bound_again",
             [&](script& s) { s.expect_event(bind_received{without_header(bind_b), model4_bind}); }},
        });
    t.run_all(terminal("IBM-3279-4-E"));
}

// `ssogate probe`'s terminal (gateway/src/tn3270_probe.*), sans-I/O: host bytes in memory.
#include "tn3270_probe.hpp"

#include "hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ssogate::gateway;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

bytes sb_e(const bytes& payload) { return cat({"ff fa 28"_hex, payload, "ff f0"_hex}); }
const bytes do_tn3270e = "ff fd 28"_hex;
const bytes send_device_type = sb_e("08 02"_hex);
bytes device_type_is(std::string_view type, std::string_view lu) {
    return sb_e(cat({"02 04"_hex, ascii(type), "01"_hex, ascii(lu)}));
}
const bytes functions_request_responses = sb_e("03 07 02"_hex);
// 3270-DATA header, Erase/Write, WCC reset + keyboard restore, "HI", IAC EOR.
const bytes hello_screen = "00 00 00 00 00 f5 c3 c8 c9 ff ef"_hex;

bool feed(probe_terminal& t, const bytes& in) {
    const bool ok = t.receive(in);
    t.consume_output(t.pending_output().size());
    return ok;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST(Tn3270Probe, WaitsForAHostThatRestartsTheTn3270eNegotiation) {
    probe_terminal t(probe_options{});
    ASSERT_TRUE(feed(t, cat({do_tn3270e, send_device_type})));
    ASSERT_TRUE(feed(t, cat({device_type_is("IBM-3279-2-E", "LU000042"), functions_request_responses})));
    EXPECT_FALSE(t.ready());  // negotiated, no screen yet
    ASSERT_TRUE(feed(t, hello_screen));
    ASSERT_TRUE(t.ready());
    EXPECT_EQ(t.negotiation_text(), "negotiated TN3270E, terminal type IBM-3279-2-E, LU LU000042, functions RESPONSES\n");

    // The host starts over (SEND DEVICE-TYPE in TN3270E mode): not an error, but no screen to
    // type into until it has negotiated again and written one.
    ASSERT_TRUE(feed(t, send_device_type)) << t.error();
    EXPECT_TRUE(t.renegotiating());
    EXPECT_FALSE(t.ready());
    ASSERT_TRUE(feed(t, cat({device_type_is("IBM-3279-2-E", "LU000043"), functions_request_responses})));
    EXPECT_FALSE(t.renegotiating());
    EXPECT_FALSE(t.ready());
    ASSERT_TRUE(feed(t, hello_screen));
    EXPECT_TRUE(t.ready());
    EXPECT_EQ(t.error(), "");
    // The second negotiation replaces the first: one function, not two.
    EXPECT_EQ(t.negotiation_text(), "negotiated TN3270E, terminal type IBM-3279-2-E, LU LU000043, functions RESPONSES\n");
    ASSERT_EQ(t.actions().size(), 1u);
    EXPECT_EQ(t.actions()[0],
              "the host negotiated again: TN3270E, terminal type IBM-3279-2-E, LU LU000043, functions RESPONSES");
    EXPECT_TRUE(has(t.screen_text("screen"), "the host negotiated again"));
}

TEST(Tn3270Probe, WaitsForAHostThatTurnsBinaryOffAndOnAgain) {
    probe_options o;
    o.tn3270e = false;
    probe_terminal t(o);
    // Plain TN3270 (RFC 1576): terminal type, BINARY and EOR both ways.
    ASSERT_TRUE(feed(t, "ff fd 18 ff fa 18 01 ff f0 ff fd 00 ff fb 00 ff fd 19 ff fb 19"_hex)) << t.error();
    ASSERT_TRUE(feed(t, "f5 c3 c8 c9 ff ef"_hex));
    ASSERT_TRUE(t.ready());
    EXPECT_EQ(t.negotiation_text(), "negotiated TN3270, terminal type IBM-3279-2-E, LU (none)\n");
    ASSERT_TRUE(feed(t, "ff fe 00"_hex)) << t.error();  // DONT BINARY: out of 3270 mode
    EXPECT_TRUE(t.renegotiating());
    EXPECT_FALSE(t.ready());
    ASSERT_TRUE(feed(t, "ff fd 00"_hex)) << t.error();  // DO BINARY: back in
    EXPECT_FALSE(t.renegotiating());
    ASSERT_TRUE(feed(t, "f5 c3 c8 c9 ff ef"_hex));
    EXPECT_TRUE(t.ready());
    EXPECT_EQ(t.actions(), std::vector<std::string>{"the host negotiated again: TN3270, terminal type IBM-3279-2-E, LU (none)"});
}

TEST(Tn3270Probe, KeyNames) {
    using ssogate::protocols::tn3270::aid;
    EXPECT_EQ(probe_key("enter"), aid::enter);
    EXPECT_EQ(probe_key("clear"), aid::clear);
    EXPECT_EQ(probe_key("pf3"), aid::pf3);
    EXPECT_EQ(probe_key("pf24"), aid::pf24);
    EXPECT_EQ(probe_key("pa2"), aid::pa2);
    for (const char* bad : {"pf0", "pf25", "pf", "pa4", "pf1x", "f5", "ENTER", "pf99999999999"})
        EXPECT_FALSE(probe_key(bad)) << bad;
}

TEST(Tn3270Probe, AtOutsideTheScreenSaysSo) {
    probe_terminal t(probe_options{});
    probe_step step;
    step.text = "x";
    step.at = std::pair{30, 5};
    EXPECT_FALSE(t.run(step));
    EXPECT_EQ(t.error(), "--at 30,5 is outside the 24x80 screen");
}

TEST(Tn3270Probe, TextFromStandardInputIsNeverQuoted) {
    probe_options o;
    o.tn3270e = false;
    probe_terminal t(o);
    // A screen with one normal (displayed) input field at 1,2, the cursor in it.
    ASSERT_TRUE(feed(t, "ff fd 18 ff fa 18 01 ff f0 ff fd 00 ff fb 00 ff fd 19 ff fb 19"_hex));
    ASSERT_TRUE(feed(t, "f5 c3 1d 40 13 ff ef"_hex));
    ASSERT_TRUE(t.ready());
    probe_step secret;
    secret.text = "PASSW0RD";
    secret.secret = true;  // --type-stdin
    ASSERT_TRUE(t.run(secret)) << t.error();
    probe_step plain;
    plain.text = "X";
    ASSERT_TRUE(t.run(plain)) << t.error();
    ASSERT_EQ(t.actions().size(), 2u);
    EXPECT_EQ(t.actions()[0], "typed a line of standard input at the cursor at 1,2");
    EXPECT_EQ(t.actions()[1], "typed \"X\" at the cursor at 1,10");
}

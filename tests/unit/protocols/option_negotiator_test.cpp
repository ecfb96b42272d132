// RFC 1143's Q method: answers, refusals, the WANTNO/WANTYES queue, and no loops when both
// sides ask at once (two negotiators wired back to back).
#include <ssogate/protocols/telnet/option_negotiator.hpp>
#include <ssogate/protocols/telnet/tokenizer.hpp>

#include "hex.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace ssogate::protocols::telnet;
using namespace ssogate::test;
using namespace ssogate::test::literals;

namespace {

constexpr option x = option::binary;  // any option will do

// Delivers every WILL/WONT/DO/DONT in `wire` to `to`, appending its answers to `answers`.
// Returns how many negotiation commands were delivered.
int deliver(const bytes& wire, option_negotiator& to, bytes& answers) {
    tokenizer tok;
    std::span<const std::byte> in = wire;
    int n = 0;
    while (!in.empty()) {
        std::error_code ec;
        auto t = tok.next(in, ec);
        EXPECT_FALSE(ec);
        if (t && t->kind == token_kind::negotiation) {
            to.receive(t->cmd, t->opt, answers);
            ++n;
        }
    }
    return n;
}

// Passes bytes between a and b until neither has anything to say. Returns the number of
// negotiation commands exchanged, or -1 if it did not settle within `limit`.
int settle(option_negotiator& a, bytes& a_out, option_negotiator& b, bytes& b_out, int limit = 64) {
    int exchanged = 0;
    while (!a_out.empty() || !b_out.empty()) {
        if (exchanged > limit) return -1;
        bytes to_b = std::exchange(a_out, {});
        bytes to_a = std::exchange(b_out, {});
        exchanged += deliver(to_b, b, b_out);
        exchanged += deliver(to_a, a, a_out);
    }
    return exchanged;
}

bool settled(q_state s) {
    return s == q_state::yes || s == q_state::no;
}

}  // namespace

TEST(OptionNegotiator, AnswersAnAllowedWillWithDoOnce) {
    option_negotiator n;
    n.allow(x, side::remote);
    bytes out;
    EXPECT_EQ(n.receive(command::will, x, out), option_change::enabled);
    EXPECT_EQ(out, "ff fd 00"_hex);
    EXPECT_TRUE(n.enabled(x, side::remote));
    out.clear();
    // A second WILL only confirms what is in force: no answer, so no loop.
    EXPECT_EQ(n.receive(command::will, x, out), option_change::none);
    EXPECT_TRUE(out.empty());
}

TEST(OptionNegotiator, AnswersAnAllowedDoWithWillOnce) {
    option_negotiator n;
    n.allow(x, side::local);
    bytes out;
    EXPECT_EQ(n.receive(command::do_, x, out), option_change::enabled);
    EXPECT_EQ(out, "ff fb 00"_hex);
    out.clear();
    EXPECT_EQ(n.receive(command::do_, x, out), option_change::none);
    EXPECT_TRUE(out.empty());
}

TEST(OptionNegotiator, RefusesWhatItDoesNotAllow) {
    option_negotiator n;
    bytes out;
    EXPECT_EQ(n.receive(command::will, option::echo, out), option_change::none);
    EXPECT_EQ(n.receive(command::do_, option::naws, out), option_change::none);
    EXPECT_EQ(out, "ff fe 01 ff fc 1f"_hex);
    EXPECT_EQ(n.state(option::echo, side::remote), q_state::no);
    EXPECT_EQ(n.state(option::naws, side::local), q_state::no);
}

TEST(OptionNegotiator, IgnoresWontAndDontForWhatIsOff) {
    option_negotiator n;
    n.allow(x, side::local);
    n.allow(x, side::remote);
    bytes out;
    EXPECT_EQ(n.receive(command::wont, x, out), option_change::none);
    EXPECT_EQ(n.receive(command::dont, x, out), option_change::none);
    EXPECT_TRUE(out.empty());
}

TEST(OptionNegotiator, PeerTurningAnOptionOffIsAcknowledgedOnce) {
    option_negotiator n;
    n.allow(x, side::remote);
    bytes out;
    n.receive(command::will, x, out);
    out.clear();
    EXPECT_EQ(n.receive(command::wont, x, out), option_change::disabled);
    EXPECT_EQ(out, "ff fe 00"_hex);
    out.clear();
    EXPECT_EQ(n.receive(command::wont, x, out), option_change::none);
    EXPECT_TRUE(out.empty());
}

TEST(OptionNegotiator, OurRequestAgreedSendsNothingMore) {
    option_negotiator n;
    bytes out;
    n.request(x, side::remote, true, out);
    EXPECT_EQ(out, "ff fd 00"_hex);
    EXPECT_EQ(n.state(x, side::remote), q_state::want_yes);
    out.clear();
    EXPECT_EQ(n.receive(command::will, x, out), option_change::enabled);
    EXPECT_TRUE(out.empty());  // WILL answers our DO: no DO again
}

TEST(OptionNegotiator, OurRequestRefusedIsReportedAndNotRepeated) {
    option_negotiator n;
    bytes out;
    n.request(x, side::local, true, out);
    EXPECT_EQ(out, "ff fb 00"_hex);
    out.clear();
    EXPECT_EQ(n.receive(command::dont, x, out), option_change::refused);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(n.state(x, side::local), q_state::no);
}

TEST(OptionNegotiator, RequestForTheStateInForceSendsNothing) {
    option_negotiator n;
    bytes out;
    n.request(x, side::remote, false, out);  // already off
    EXPECT_TRUE(out.empty());
    n.request(x, side::remote, true, out);
    out.clear();
    n.request(x, side::remote, true, out);  // already asked
    EXPECT_TRUE(out.empty());
}

TEST(OptionNegotiator, WantNoQueuesAnEnableUntilTheDisableIsAnswered) {
    option_negotiator n;
    n.allow(x, side::remote);
    bytes out;
    n.receive(command::will, x, out);
    out.clear();
    n.request(x, side::remote, false, out);
    EXPECT_EQ(out, "ff fe 00"_hex);  // DONT
    out.clear();
    n.request(x, side::remote, true, out);  // changed our mind: queued, nothing sent yet
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(n.state(x, side::remote), q_state::want_no);
    EXPECT_TRUE(n.queued(x, side::remote));
    EXPECT_EQ(n.receive(command::wont, x, out), option_change::none);
    EXPECT_EQ(out, "ff fd 00"_hex);  // now the queued DO
    EXPECT_EQ(n.state(x, side::remote), q_state::want_yes);
    EXPECT_FALSE(n.queued(x, side::remote));
    out.clear();
    EXPECT_EQ(n.receive(command::will, x, out), option_change::enabled);
    EXPECT_TRUE(out.empty());
}

TEST(OptionNegotiator, WantYesQueuesADisableUntilTheEnableIsAnswered) {
    option_negotiator n;
    bytes out;
    n.request(x, side::local, true, out);
    out.clear();
    n.request(x, side::local, false, out);
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(n.queued(x, side::local));
    EXPECT_EQ(n.receive(command::do_, x, out), option_change::none);
    EXPECT_EQ(out, "ff fc 00"_hex);  // the queued WONT
    EXPECT_EQ(n.state(x, side::local), q_state::want_no);
    out.clear();
    EXPECT_EQ(n.receive(command::dont, x, out), option_change::none);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(n.state(x, side::local), q_state::no);
}

TEST(OptionNegotiator, RefusalOfAnEnableWithADisableQueuedIsNoRefusal) {
    option_negotiator n;
    bytes out;
    n.request(x, side::remote, true, out);
    n.request(x, side::remote, false, out);
    out.clear();
    // RFC 1143: "refused into" the state we wanted anyway.
    EXPECT_EQ(n.receive(command::wont, x, out), option_change::none);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(n.state(x, side::remote), q_state::no);
    EXPECT_FALSE(n.queued(x, side::remote));
}

TEST(OptionNegotiator, ASecondRequestCancelsTheQueuedOne) {
    option_negotiator n;
    n.allow(x, side::remote);
    bytes out;
    n.receive(command::will, x, out);
    n.request(x, side::remote, false, out);
    n.request(x, side::remote, true, out);
    n.request(x, side::remote, false, out);  // back to just "disable"
    EXPECT_FALSE(n.queued(x, side::remote));
    out.clear();
    n.receive(command::wont, x, out);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(n.state(x, side::remote), q_state::no);
}

TEST(OptionNegotiator, WillAnsweringOurDontIsAPeerErrorWithoutAnAnswer) {
    option_negotiator n;
    n.allow(x, side::remote);
    bytes out;
    n.receive(command::will, x, out);
    n.request(x, side::remote, false, out);
    out.clear();
    EXPECT_EQ(n.receive(command::will, x, out), option_change::none);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(n.state(x, side::remote), q_state::no);
}

TEST(OptionNegotiator, BothSidesAskingToEnableAtOnceSettleWithoutLoops) {
    option_negotiator a, b;
    for (auto* n : {&a, &b}) {
        n->allow(x, side::local);
        n->allow(x, side::remote);
    }
    bytes a_out, b_out;
    // Each asks for both directions before hearing from the other: the requests cross.
    a.request(x, side::local, true, a_out);
    a.request(x, side::remote, true, a_out);
    b.request(x, side::local, true, b_out);
    b.request(x, side::remote, true, b_out);
    const int exchanged = settle(a, a_out, b, b_out);
    ASSERT_NE(exchanged, -1) << "negotiation loop";
    EXPECT_EQ(exchanged, 4);  // the four requests; each also serves as the other's answer
    EXPECT_TRUE(a.enabled(x, side::local));
    EXPECT_TRUE(a.enabled(x, side::remote));
    EXPECT_TRUE(b.enabled(x, side::local));
    EXPECT_TRUE(b.enabled(x, side::remote));
}

TEST(OptionNegotiator, BothSidesAskingToDisableAtOnceSettleWithoutLoops) {
    option_negotiator a, b;
    for (auto* n : {&a, &b}) {
        n->allow(x, side::local);
        n->allow(x, side::remote);
    }
    bytes a_out, b_out;
    a.request(x, side::local, true, a_out);
    b.request(x, side::local, true, b_out);
    ASSERT_NE(settle(a, a_out, b, b_out), -1);
    a.request(x, side::local, false, a_out);
    b.request(x, side::remote, false, b_out);  // b asks a to stop the same direction
    ASSERT_NE(settle(a, a_out, b, b_out), -1);
    EXPECT_FALSE(a.enabled(x, side::local));
    EXPECT_FALSE(b.enabled(x, side::remote));
    EXPECT_TRUE(b.enabled(x, side::local));
    EXPECT_TRUE(a.enabled(x, side::remote));
}

TEST(OptionNegotiator, OneSideRefusingSettlesWithBothSidesOff) {
    option_negotiator a, b;  // b allows nothing
    bytes a_out, b_out;
    a.request(x, side::local, true, a_out);
    a.request(x, side::remote, true, a_out);
    ASSERT_NE(settle(a, a_out, b, b_out), -1);
    EXPECT_EQ(a.state(x, side::local), q_state::no);
    EXPECT_EQ(a.state(x, side::remote), q_state::no);
}

TEST(OptionNegotiator, RandomRequestsOnBothSidesAlwaysSettleInAgreement) {
    std::mt19937 rng(1143);
    const option opts[] = {option::binary, option::end_of_record, option::terminal_type};
    for (int trial = 0; trial < 200; ++trial) {
        option_negotiator a, b;
        for (auto* n : {&a, &b}) {
            for (option o : opts) {
                n->allow(o, side::local, rng() % 3 != 0);
                n->allow(o, side::remote, rng() % 3 != 0);
            }
        }
        bytes a_out, b_out;
        // Requests and partial deliveries interleaved at random, then settle.
        for (int step = 0; step < 20; ++step) {
            const option o = opts[rng() % 3];
            const side s = rng() % 2 ? side::local : side::remote;
            const bool on = rng() % 2;
            switch (rng() % 4) {
                case 0:
                    a.request(o, s, on, a_out);
                    break;
                case 1:
                    b.request(o, s, on, b_out);
                    break;
                case 2:
                    deliver(std::exchange(a_out, {}), b, b_out);
                    break;
                case 3:
                    deliver(std::exchange(b_out, {}), a, a_out);
                    break;
            }
        }
        ASSERT_NE(settle(a, a_out, b, b_out), -1) << "trial " << trial;
        for (option o : opts) {
            const auto us = a.state(o, side::local);
            const auto him = b.state(o, side::remote);
            ASSERT_TRUE(settled(us) && settled(him)) << "trial " << trial;
            ASSERT_EQ(us, him) << "trial " << trial;
            ASSERT_EQ(a.state(o, side::remote), b.state(o, side::local)) << "trial " << trial;
        }
    }
}

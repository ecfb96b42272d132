// The sliding-window throttle, with a clock moved by hand (no sleeps).
#include <ssogate/identity/throttle.hpp>

#include <gtest/gtest.h>

#include <vector>

using namespace ssogate::identity;
using namespace std::chrono_literals;

namespace {

struct clock_stub {
    std::chrono::steady_clock::time_point now{std::chrono::hours(500)};
    attempt_throttle::clock_fn fn() {
        return [this] { return now; };
    }
};

throttle_limits limits(int user, int source, std::chrono::seconds window = 60s) {
    throttle_limits l;
    l.user_failures = user;
    l.source_failures = source;
    l.window = window;
    return l;
}

}  // namespace

TEST(AttemptThrottle, AllowsUpToTheLimitThenRefusesTheUser) {
    clock_stub c;
    attempt_throttle t(limits(3, 0), c.fn());
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(t.check("alice@corp.example", "10.0.0.1").allowed);
        t.failed("alice@corp.example", "10.0.0.1");
        c.now += 1s;
    }
    const auto d = t.check("alice@corp.example", "10.0.0.9");
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.limited_by, attempt_throttle::decision::by::user);
    EXPECT_TRUE(t.check("bob@corp.example", "10.0.0.1").allowed);
}

TEST(AttemptThrottle, TheWindowSlidesOneFailureAtATime) {
    clock_stub c;
    attempt_throttle t(limits(3, 0, 60s), c.fn());
    t.failed("u", "");  // t = 0
    c.now += 10s;
    t.failed("u", "");  // t = 10
    c.now += 10s;
    t.failed("u", "");  // t = 20
    EXPECT_EQ(t.check("u", "").retry_after, 40s);  // the first one leaves at t = 60
    c.now += 39s;                                  // t = 59
    EXPECT_FALSE(t.check("u", "").allowed);
    EXPECT_EQ(t.check("u", "").retry_after, 1s);
    c.now += 1s;  // t = 60: the first failure is out
    EXPECT_TRUE(t.check("u", "").allowed);
    EXPECT_EQ(t.user_count("u"), 2);
    t.failed("u", "");  // three in the window again
    EXPECT_FALSE(t.check("u", "").allowed);
    EXPECT_EQ(t.check("u", "").retry_after, 10s);  // the t = 10 one leaves at t = 70
}

TEST(AttemptThrottle, RetryAfterRoundsUpToWholeSeconds) {
    clock_stub c;
    attempt_throttle t(limits(1, 0, 60s), c.fn());
    t.failed("u", "");
    c.now += 59500ms;
    EXPECT_EQ(t.check("u", "").retry_after, 1s);
    c.now += 250ms;
    EXPECT_EQ(t.check("u", "").retry_after, 1s);
}

TEST(AttemptThrottle, SuccessForgetsTheUsersFailuresButNotTheSources) {
    clock_stub c;
    attempt_throttle t(limits(2, 3), c.fn());
    t.failed("alice", "10.0.0.1");
    t.failed("alice", "10.0.0.1");
    EXPECT_FALSE(t.check("alice", "10.0.0.2").allowed);
    t.succeeded("alice");
    EXPECT_TRUE(t.check("alice", "10.0.0.2").allowed);
    EXPECT_EQ(t.source_count("10.0.0.1"), 2);
    t.failed("bob", "10.0.0.1");
    const auto d = t.check("carol", "10.0.0.1");
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.limited_by, attempt_throttle::decision::by::source);
}

TEST(AttemptThrottle, ASourceSprayingManyUsersIsStopped) {
    clock_stub c;
    attempt_throttle t(limits(5, 10), c.fn());
    for (int i = 0; i < 10; ++i) {
        const std::string user = "user" + std::to_string(i);
        ASSERT_TRUE(t.check(user, "192.0.2.7").allowed);
        t.failed(user, "192.0.2.7");
    }
    EXPECT_FALSE(t.check("user99", "192.0.2.7").allowed);
    EXPECT_TRUE(t.check("user99", "192.0.2.8").allowed);
}

TEST(AttemptThrottle, ReportsTheLongerWaitWhenBothLimitsApply) {
    clock_stub c;
    attempt_throttle t(limits(1, 2, 100s), c.fn());
    t.failed("x", "192.0.2.1");  // t = 0
    c.now += 50s;
    t.failed("y", "192.0.2.1");  // t = 50
    c.now += 10s;
    t.failed("alice", "192.0.2.9");  // t = 60
    const auto d = t.check("alice", "192.0.2.1");
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after, 100s);  // alice's failure leaves at t = 160; the source's first at 100
    EXPECT_EQ(d.limited_by, attempt_throttle::decision::by::user);
}

TEST(AttemptThrottle, ALimitOfZeroDisablesThatCount) {
    clock_stub c;
    attempt_throttle t(limits(0, 0), c.fn());
    for (int i = 0; i < 100; ++i) t.failed("alice", "10.0.0.1");
    EXPECT_TRUE(t.check("alice", "10.0.0.1").allowed);
    EXPECT_EQ(t.tracked(), 0u);
}

TEST(AttemptThrottle, EmptyKeysAreNotCounted) {
    clock_stub c;
    attempt_throttle t(limits(1, 1), c.fn());
    t.failed("", "");
    EXPECT_TRUE(t.check("", "").allowed);
    EXPECT_EQ(t.tracked(), 0u);
}

TEST(AttemptThrottle, IPv6AddressesCountPerSlash64AndMappedIPv4AsIPv4) {
    EXPECT_EQ(source_key("2001:db8:1:2:aaaa::1"), "2001:0db8:0001:0002::/64");
    EXPECT_EQ(source_key("2001:db8:1:2:bbbb::7"), source_key("[2001:db8:1:2::9]"));
    EXPECT_NE(source_key("2001:db8:1:3::1"), source_key("2001:db8:1:2::1"));
    EXPECT_EQ(source_key("::ffff:192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(source_key("fe80::1%eth0"), "fe80:0000:0000:0000::/64");
    EXPECT_EQ(source_key("192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(source_key("cli"), "cli");
    clock_stub c;
    attempt_throttle t(limits(0, 2), c.fn());
    t.failed("a", "2001:db8:1:2::1");
    t.failed("b", "2001:db8:1:2::2");
    EXPECT_FALSE(t.check("c", "2001:db8:1:2:ffff::3").allowed);
    EXPECT_TRUE(t.check("c", "2001:db8:1:3::3").allowed);
}

TEST(AttemptThrottle, MemoryStaysBoundedUnderASprayOfNames) {
    clock_stub c;
    throttle_limits l = limits(3, 0, 600s);
    l.max_tracked = 100;
    attempt_throttle t(l, c.fn());
    for (int i = 0; i < 10000; ++i) {
        t.failed("spray" + std::to_string(i), "");
        c.now += 1ms;
    }
    EXPECT_LE(t.tracked(), 100u);
    // the newest names are still counted
    EXPECT_EQ(t.user_count("spray9999"), 1);
}

TEST(AttemptThrottle, OldEntriesArePrunedWhenTheTableFills) {
    clock_stub c;
    throttle_limits l = limits(3, 0, 10s);
    l.max_tracked = 16;
    attempt_throttle t(l, c.fn());
    for (int i = 0; i < 16; ++i) t.failed("old" + std::to_string(i), "");
    c.now += 11s;
    t.failed("new", "");
    EXPECT_EQ(t.tracked(), 1u);
}

TEST(AttemptThrottle, AClockThatStepsBackDoesNotBreakTheWindow) {
    clock_stub c;
    attempt_throttle t(limits(2, 0, 60s), c.fn());
    t.failed("u", "");
    c.now -= 30s;
    t.failed("u", "");
    EXPECT_FALSE(t.check("u", "").allowed);
    c.now += 95s;
    EXPECT_TRUE(t.check("u", "").allowed);
}

TEST(AttemptThrottle, AttemptsUnderWayCountSoConcurrentGuessesCannotPassTheLimitTogether) {
    clock_stub c;
    attempt_throttle t(limits(3, 5), c.fn());
    // three guesses for alice sent at once: all admitted, none has failed yet
    std::vector<attempt_throttle::reservation> held;
    for (int i = 0; i < 3; ++i) {
        auto a = t.begin("alice@corp.example", "10.0.0.1");
        ASSERT_TRUE(a.verdict.allowed) << i;
        held.push_back(std::move(a.held));
    }
    // a fourth is refused while they are under way (check() agrees), for a second only
    auto fourth = t.begin("alice@corp.example", "10.0.0.2");
    EXPECT_FALSE(fourth.verdict.allowed);
    EXPECT_TRUE(fourth.verdict.under_way);
    EXPECT_EQ(fourth.verdict.limited_by, attempt_throttle::decision::by::user);
    EXPECT_EQ(fourth.verdict.retry_after, 1s);
    EXPECT_FALSE(t.check("alice@corp.example", "10.0.0.2").allowed);
    // the source counts them too: 3 under way + 2 more users fill its 5
    auto bob = t.begin("bob@corp.example", "10.0.0.1");
    auto carol = t.begin("carol@corp.example", "10.0.0.1");
    ASSERT_TRUE(bob.verdict.allowed);
    ASSERT_TRUE(carol.verdict.allowed);
    const auto dave = t.begin("dave@corp.example", "10.0.0.1");
    EXPECT_FALSE(dave.verdict.allowed);
    EXPECT_EQ(dave.verdict.limited_by, attempt_throttle::decision::by::source);
    EXPECT_TRUE(dave.verdict.under_way);
    bob.held.release();
    carol.held.release();

    // one succeeds, its reservation ends: a new attempt is admitted
    t.succeeded("alice@corp.example");
    held.pop_back();
    auto again = t.begin("alice@corp.example", "10.0.0.3");
    EXPECT_TRUE(again.verdict.allowed);
    // the others fail: failures now fill the limit, and the refusal is by failures, for the window
    t.failed("alice@corp.example", "10.0.0.1");
    t.failed("alice@corp.example", "10.0.0.1");
    t.failed("alice@corp.example", "10.0.0.3");
    held.clear();
    again.held = {};
    const auto after = t.begin("alice@corp.example", "10.0.0.4");
    EXPECT_FALSE(after.verdict.allowed);
    EXPECT_FALSE(after.verdict.under_way);
    EXPECT_EQ(after.verdict.retry_after, 60s);
    // a refused admission holds nothing; ending everything leaves only the failures
    EXPECT_EQ(t.user_count("alice@corp.example"), 3);
    c.now += 61s;
    EXPECT_TRUE(t.begin("alice@corp.example", "10.0.0.4").verdict.allowed);
}

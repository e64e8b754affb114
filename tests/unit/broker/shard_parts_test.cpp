#include "keep_alive_wheel.hpp"
#include "log_limiter.hpp"
#include "mailbox_overflow.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::broker::detail;

TEST_CASE("the log limiter lets N lines a second through and says how many it held back") {
    log_limiter limiter{2};
    std::size_t suppressed = 99;
    CHECK(limiter.allow(10, suppressed));
    CHECK(suppressed == 0);
    CHECK(limiter.allow(10, suppressed));
    CHECK_FALSE(limiter.allow(10, suppressed));
    CHECK_FALSE(limiter.allow(10, suppressed));
    CHECK(limiter.allow(11, suppressed));
    CHECK(suppressed == 2);
    CHECK(limiter.allow(11, suppressed));
    CHECK(suppressed == 0);
}

TEST_CASE("each kind of log line has its own limit and its own count of suppressed lines") {
    log_limiters limiters{1};
    std::size_t suppressed = 99;
    CHECK(limiters.allow(log_kind::acl_denied, 10, suppressed));
    for (int i = 0; i < 5; ++i) {
        CHECK_FALSE(limiters.allow(log_kind::acl_denied, 10, suppressed));
    }
    CHECK(limiters.allow(log_kind::tls_handshake, 10, suppressed)); // not silenced by the other
    CHECK(suppressed == 0);                                         // nor told its count
    std::vector<std::pair<log_kind, std::size_t>> reported;
    const auto collect = [&](log_kind kind, std::size_t n) { reported.emplace_back(kind, n); };
    limiters.report_unreported(10, collect); // the second is not over
    CHECK(reported.empty());
    limiters.report_unreported(11, collect);
    CHECK(reported == std::vector<std::pair<log_kind, std::size_t>>{{log_kind::acl_denied, 5}});
    limiters.report_unreported(12, collect); // once
    CHECK(reported.size() == 1);
    CHECK(limiters.allow(log_kind::acl_denied, 12, suppressed));
    CHECK(suppressed == 0); // already reported
}

TEST_CASE("the keep-alive wheel files connections under the first slot at their deadline") {
    using wheel_t = keep_alive_wheel;
    wheel_t wheel;
    const auto now = 100 * wheel_t::slot_ms;
    wheel.file(1, now + 500, now);
    wheel.file(2, now + 450, now); // mid-slot: the next slot, not this one (never early)
    wheel.file(3, now + 700, now);
    CHECK(wheel.take(104).empty());
    CHECK(wheel.take(105) == std::vector<std::uint64_t>{1, 2});
    CHECK(wheel.take(105).empty()); // taken once
    CHECK(wheel.take(107) == std::vector<std::uint64_t>{3});
    CHECK(wheel_t::slot_of(now + 499) == 104);
    // A past deadline is filed for the next slot; one beyond the span at its end.
    wheel.file(4, 50, 200 * wheel_t::slot_ms);
    CHECK(wheel.take(201) == std::vector<std::uint64_t>{4});
    wheel.file(5, (200 + 5 * wheel_t::span) * wheel_t::slot_ms, 200 * wheel_t::slot_ms);
    CHECK(wheel.take(200 + wheel_t::span - 1) == std::vector<std::uint64_t>{5});
}

TEST_CASE("a deadline is never taken before it has come") {
    keep_alive_wheel wheel;
    // Whatever the deadline's offset within a slot, the slot it is taken in starts at or
    // after it: slot_of(time taken) >= slot filed, and that slot's start >= the deadline.
    for (std::uint64_t deadline = 10'000; deadline < 10'300; deadline += 7) {
        wheel.file(deadline, deadline, 9'000);
        for (std::uint64_t slot = keep_alive_wheel::slot_of(9'000);; ++slot) {
            const auto due = wheel.take(slot);
            if (!due.empty()) {
                CHECK(due == std::vector<std::uint64_t>{deadline});
                CHECK(slot * keep_alive_wheel::slot_ms >= deadline);
                CHECK(slot * keep_alive_wheel::slot_ms < deadline + keep_alive_wheel::slot_ms);
                break;
            }
        }
    }
}

TEST_CASE("mailbox overflow: counts the bytes it holds, also after its front was moved out") {
    auto msg = std::make_shared<message>();
    msg->topic = "device/a-0001/responses";
    msg->payload.assign(1000, 'x');
    mailbox_overflow pending;
    pending.push_back(deliver_request{1, msg});
    pending.push_back(deliver_request{2, msg});
    const auto one = sizeof(envelope) + msg->topic.size() + 1000;
    CHECK(pending.size() == 2);
    CHECK(pending.bytes() == 2 * one);
    const envelope taken = std::move(pending.front()); // as a ring's push does
    pending.pop_front();
    CHECK(pending.bytes() == one);
    pending.pop_front();
    CHECK(pending.empty());
    CHECK(pending.bytes() == 0);
}

#include "keep_alive_wheel.hpp"
#include "log_limiter.hpp"

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

TEST_CASE("the keep-alive wheel files connections under their deadline second") {
    keep_alive_wheel wheel;
    wheel.file(1, 105, 100);
    wheel.file(2, 105, 100);
    wheel.file(3, 107, 100);
    CHECK(wheel.take(104).empty());
    CHECK(wheel.take(105) == std::vector<std::uint64_t>{1, 2});
    CHECK(wheel.take(105).empty()); // taken once
    CHECK(wheel.take(107) == std::vector<std::uint64_t>{3});
    // A past deadline is filed for the next second; one beyond the span at its end.
    wheel.file(4, 50, 200);
    CHECK(wheel.take(201) == std::vector<std::uint64_t>{4});
    wheel.file(5, 200 + 5 * keep_alive_wheel::span, 200);
    CHECK(wheel.take(200 + keep_alive_wheel::span - 1) == std::vector<std::uint64_t>{5});
}

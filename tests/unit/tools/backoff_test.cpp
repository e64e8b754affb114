#include "backoff.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using fleetmq::tools::reconnect_backoff;

TEST_CASE("the backoff ceiling doubles from the retry time up to the maximum interval") {
    reconnect_backoff backoff{500ms, 4s, 42};
    CHECK(backoff.ceiling() == 500ms);
    std::vector<std::chrono::milliseconds> ceilings;
    for (int i = 0; i < 6; ++i) {
        ceilings.push_back(backoff.ceiling());
        const auto wait = backoff.next();
        CHECK(wait >= 0ms);
        CHECK(wait <= ceilings.back());
    }
    CHECK(ceilings == std::vector<std::chrono::milliseconds>{500ms, 1s, 2s, 4s, 4s, 4s});
    backoff.reset();
    CHECK(backoff.ceiling() == 500ms);
    CHECK(backoff.attempts() == 0);
}

TEST_CASE("full jitter spreads the waits over the whole window") {
    reconnect_backoff backoff{10s, 10s, 7};
    std::chrono::milliseconds least{10s};
    std::chrono::milliseconds most{0ms};
    for (int i = 0; i < 1000; ++i) {
        const auto wait = backoff.next();
        least = std::min(least, wait);
        most = std::max(most, wait);
    }
    CHECK(least < 500ms);
    CHECK(most > 9500ms);
}

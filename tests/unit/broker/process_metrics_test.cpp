#include "process_metrics.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <vector>

using fleetmq::broker::detail::process_metrics;

TEST_CASE("open descriptors are counted as they open and close") {
    const auto before = process_metrics::read().open_fds;
    REQUIRE(before >= 3); // at least what ctest gave us, and whatever Catch holds
    std::vector<int> opened;
    for (int i = 0; i < 50; ++i) {
        const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        opened.push_back(fd);
    }
    // One far up the table as well: the count walks the whole table, not the low slots.
    const int high = ::fcntl(opened.back(), F_DUPFD_CLOEXEC, 900);
    REQUIRE(high >= 900);
    opened.push_back(high);
    CHECK(process_metrics::read().open_fds == before + 51);
    for (const int fd : opened) {
        ::close(fd);
    }
    CHECK(process_metrics::read().open_fds == before);
}

TEST_CASE("the other process figures are read") {
    const auto m = process_metrics::read();
    CHECK(m.resident_bytes > 0);
    CHECK(m.max_fds > 0);
    CHECK(m.start_time_seconds > 1.6e9);
}

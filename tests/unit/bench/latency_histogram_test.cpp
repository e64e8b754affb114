#include "latency_histogram.hpp"

#include <catch2/catch.hpp>

#include <random>

using fleetmq::bench::latency_histogram;

TEST_CASE("small latencies are exact") {
    latency_histogram h;
    for (std::uint64_t v = 1; v <= 50; ++v) {
        h.record(v);
    }
    CHECK(h.count() == 50);
    CHECK(h.quantile(0.0) == 1);
    CHECK(h.quantile(0.5) == 25);
    CHECK(h.quantile(1.0) == 50);
    CHECK(h.max() == 50);
}

TEST_CASE("every quantile is within 1/64 of the true value") {
    std::mt19937_64 random{42};
    std::lognormal_distribution<double> latency{8.0, 1.5}; // ~3 ms median, long tail
    std::vector<std::uint64_t> values;
    latency_histogram h;
    for (int i = 0; i < 100000; ++i) {
        const auto v = static_cast<std::uint64_t>(latency(random)) + 1;
        values.push_back(v);
        h.record(v);
    }
    std::sort(values.begin(), values.end());
    for (const double q : {0.5, 0.9, 0.99, 0.999}) {
        const auto truth = static_cast<double>(
            values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))]);
        const auto reported = static_cast<double>(h.quantile(q));
        CHECK(reported >= truth);
        CHECK(reported <= truth * (1.0 + 1.0 / 64) + 1);
    }
    CHECK(h.quantile(1.0) == values.back());
}

TEST_CASE("merged histograms count both") {
    latency_histogram a;
    latency_histogram b;
    a.record(100);
    b.record(100000);
    b.record(7);
    a.merge(b);
    CHECK(a.count() == 3);
    CHECK(a.max() == 100000);
    CHECK(a.quantile(0.0) == 7);
    CHECK(latency_histogram{}.quantile(0.5) == 0);
}

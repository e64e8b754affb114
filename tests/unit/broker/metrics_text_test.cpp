#include "metrics_render.hpp"
#include "metrics_text.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::broker::detail;

TEST_CASE("the text format escapes label values and help texts") {
    metrics_text m;
    m.family("x_total", "counter", "back\\slash and\nnewline");
    m.sample("x_total", {{"id", "a\"b\\c\nd"}}, std::uint64_t{3});
    CHECK(m.text() == "# HELP x_total back\\\\slash and\\nnewline\n"
                      "# TYPE x_total counter\n"
                      "x_total{id=\"a\\\"b\\\\c\\nd\"} 3\n");
}

TEST_CASE("a histogram's buckets are cumulative and end with +Inf") {
    metrics_text m;
    const std::array<double, 2> bounds{0.5, 1};
    const std::array<std::uint64_t, 3> counts{1, 2, 3};
    m.histogram("h_seconds", {{"l", "v"}}, bounds, counts, 7.25);
    CHECK(m.text() == "h_seconds_bucket{l=\"v\",le=\"0.5\"} 1\n"
                      "h_seconds_bucket{l=\"v\",le=\"1\"} 3\n"
                      "h_seconds_bucket{l=\"v\",le=\"+Inf\"} 6\n"
                      "h_seconds_sum{l=\"v\"} 7.25\n"
                      "h_seconds_count{l=\"v\"} 6\n");
}

TEST_CASE("bucket counts observe into the first bound at or above the value") {
    bucket_counts<2> b;
    const std::array<double, 2> bounds{1, 10};
    b.observe(1, bounds);
    b.observe(5, bounds, 2);
    b.observe(50, bounds);
    CHECK(b.counts == std::array<std::uint64_t, 3>{1, 2, 1});
    CHECK(b.sum == 61);
}

TEST_CASE("reason codes and packet types become label values") {
    CHECK(label_value("Not authorized") == "not_authorized");
    CHECK(label_value("PUBLISH") == "publish");
}

TEST_CASE("certificate expiry is summed per day from every shard") {
    shard_snapshot a;
    a.counted.handshakes.resize(1);
    a.counted.connections_by_trust = {2};
    a.counted.not_after_by_trust.resize(1);
    const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'000'000'000}};
    a.counted.not_after_by_trust[0][1'000'000'000 + 5 * 86400] = 2; // 5 days left
    shard_snapshot b = a;
    b.counted.not_after_by_trust[0].clear();
    b.counted.not_after_by_trust[0][1'000'000'000 + 100 * 86400] = 1; // 100 days left
    const std::vector<shard_snapshot> shards{a, b};
    const auto page = render_metrics(shards, {{"127.0.0.1:8883"}, {"vendor-a"}, "t", 10}, {}, now);
    CHECK_THAT(page, Catch::Contains("fleetmq_connections{trust=\"vendor-a\"} 4\n"));
    CHECK_THAT(
        page,
        Catch::Contains(
            "fleetmq_client_cert_expiry_seconds_bucket{trust=\"vendor-a\",le=\"604800\"} 2\n"));
    CHECK_THAT(
        page,
        Catch::Contains(
            "fleetmq_client_cert_expiry_seconds_bucket{trust=\"vendor-a\",le=\"15552000\"} 3\n"));
    CHECK_THAT(page, Catch::Contains("fleetmq_max_connections 10\n"));
}

#include "placement.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace fleetmq::broker::detail;

TEST_CASE("placement: every shard computes the same owner, and ids spread over all shards") {
    const placement a{4};
    const placement b{4};
    std::set<std::uint32_t> used;
    for (int i = 0; i < 200; ++i) {
        const auto id = "a-" + std::to_string(i);
        CHECK(a.of_client(id) == b.of_client(id));
        CHECK(a.of_client(id) < 4);
        used.insert(a.of_client(id));
    }
    CHECK(used.size() == 4);
    CHECK(placement{1}.of_topic("device/a-0001/commands") == 0);
}

TEST_CASE("placement: wildcard and shared subscriptions are kept by every shard") {
    CHECK(placement::on_every_shard("device/+/responses"));
    CHECK(placement::on_every_shard("#"));
    CHECK(placement::on_every_shard("$share/ctl/device/a-0001/responses"));
    CHECK_FALSE(placement::on_every_shard("device/a-0001/commands"));
}

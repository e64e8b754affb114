#include "fleetmq/auth/client_id_policy.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::auth;

namespace {
const identity device{"dev-1", role::device, "vendor-a"};
}

TEST_CASE("by default the client id must equal the device id") {
    auto d = decide_client_id(client_id_rule::equal_to_id, device, "dev-1", "");
    CHECK(d.accepted);
    CHECK(d.client_id == "dev-1");
    CHECK_FALSE(d.assigned);
    CHECK_FALSE(decide_client_id(client_id_rule::equal_to_id, device, "dev-2", "").accepted);
    CHECK_FALSE(decide_client_id(client_id_rule::equal_to_id, device, "dev-10", "").accepted);
    CHECK_FALSE(decide_client_id(client_id_rule::equal_to_id, device, "dev-1/x", "").accepted);
}

TEST_CASE("an empty client id is assigned one the identity owns") {
    auto d = decide_client_id(client_id_rule::equal_to_id, device, "", "7");
    CHECK(d.accepted);
    CHECK(d.assigned);
    CHECK(d.client_id == "dev-1");
    d = decide_client_id(client_id_rule::any, device, "", "7f3a");
    CHECK(d.client_id == "dev-1/7f3a");
}

TEST_CASE("prefix rule: the device id, then '/' and a suffix") {
    CHECK(decide_client_id(client_id_rule::prefixed_by_id, device, "dev-1", "").accepted);
    CHECK(decide_client_id(client_id_rule::prefixed_by_id, device, "dev-1/telemetry", "").accepted);
    CHECK_FALSE(decide_client_id(client_id_rule::prefixed_by_id, device, "dev-10", "").accepted);
    CHECK_FALSE(decide_client_id(client_id_rule::prefixed_by_id, device, "dev-", "").accepted);
}

TEST_CASE("any rule accepts any client id") {
    const auto d = decide_client_id(client_id_rule::any, device, "whatever", "");
    CHECK(d.accepted);
    CHECK(d.client_id == "whatever");
}

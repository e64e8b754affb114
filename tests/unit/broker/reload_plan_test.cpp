#include "reload_plan.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::broker;
using fleetmq::broker::detail::plan_reload;

namespace {

config with_trust(std::initializer_list<const char*> names) {
    config c;
    c.listeners.push_back({});
    for (const auto* name : names) {
        trust_config t;
        t.entry.policy.name = name;
        c.trust.push_back(t);
    }
    return c;
}

} // namespace

TEST_CASE("a reload applies trust entries changed in place or added at the end") {
    const auto running = with_trust({"vendor-a", "controllers"});
    auto next = with_trust({"vendor-a", "controllers", "vendor-b"});
    next.trust[0].entry.policy.id_prefix = "a-";
    next.limits.max_inflight = 7;
    next.log_level = "debug";
    const auto plan = plan_reload(running, next);
    CHECK(plan.restart_needed.empty());
    REQUIRE(plan.apply.trust.size() == 3);
    CHECK(plan.apply.trust[0].entry.policy.id_prefix == "a-");
    CHECK(plan.apply.limits.max_inflight == 7);
    CHECK(plan.apply.log_level == "debug");
}

TEST_CASE("a reload keeps the running trust list when entries are removed or reordered") {
    const auto running = with_trust({"vendor-a", "controllers"});
    for (const auto& next : {with_trust({"controllers", "vendor-a"}), with_trust({"vendor-a"}),
                             with_trust({"vendor-b", "controllers"})}) {
        auto changed = next;
        changed.limits.max_subscriptions = 3; // still applied
        const auto plan = plan_reload(running, changed);
        REQUIRE(plan.restart_needed.size() == 1);
        CHECK(plan.restart_needed[0].find("trust entries") != std::string::npos);
        REQUIRE(plan.apply.trust.size() == 2);
        CHECK(plan.apply.trust[0].entry.policy.name == "vendor-a");
        CHECK(plan.apply.trust[1].entry.policy.name == "controllers");
        CHECK(plan.apply.limits.max_subscriptions == 3);
    }
}

TEST_CASE("listeners, shards, the admin endpoint and max_connections wait for a restart") {
    auto running = with_trust({"vendor-a"});
    running.listeners[0].port = 8883;
    running.shards = 2;
    auto next = running;
    next.listeners[0].port = 8884;
    next.listeners[0].tls.handshake_timeout = std::chrono::seconds{3}; // live
    next.shards = 4;
    next.admin.port = 9999;
    next.limits.max_connections = 5;
    const auto plan = plan_reload(running, next);
    CHECK(plan.restart_needed.size() == 4);
    CHECK(plan.apply.listeners[0].port == 8883);
    CHECK(plan.apply.listeners[0].tls.handshake_timeout == std::chrono::seconds{3});
    CHECK(plan.apply.shards == 2);
    CHECK(plan.apply.admin.port == running.admin.port);
    CHECK(plan.apply.limits.max_connections == running.limits.max_connections);

    auto more = running;
    more.listeners.push_back({});
    const auto added = plan_reload(running, more);
    REQUIRE(added.restart_needed.size() == 1);
    CHECK(added.apply.listeners.size() == 1);
}

#include "fleetmq/acl/rule_set.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq;
using acl::action;

namespace {

const acl::subject device{"dev-1", "dev-1", "vendor-a", auth::role::device};
const acl::subject other_device{"dev-2", "dev-2", "vendor-a", auth::role::device};
const acl::subject controller{"dispatcher", "dispatcher/1", "controllers", auth::role::controller};

bool allowed(const acl::rule_set& rules, const acl::subject& who, action what,
             std::string_view topic) {
    return rules.check(who, what, topic).allowed;
}

} // namespace

TEST_CASE("default rules: a device has its own two topics") {
    const auto rules = acl::rule_set::defaults();
    CHECK(allowed(rules, device, action::subscribe, "device/dev-1/commands"));
    CHECK(allowed(rules, device, action::publish, "device/dev-1/responses"));
    // Not its own, not the other direction, not wider.
    CHECK_FALSE(allowed(rules, device, action::subscribe, "device/dev-2/commands"));
    CHECK_FALSE(allowed(rules, device, action::publish, "device/dev-2/responses"));
    CHECK_FALSE(allowed(rules, device, action::publish, "device/dev-1/commands"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "device/dev-1/responses"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "device/+/commands"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "device/#"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "#"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "device/dev-1/commands/#"));
    CHECK_FALSE(allowed(rules, device, action::publish, "device/dev-1/responses/extra"));
    // A shared subscription is checked by its filter: its own commands are its own.
    CHECK(allowed(rules, device, action::subscribe, "$share/g/device/dev-1/commands"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "$share/g/device/+/commands"));
}

TEST_CASE("default rules: the controller commands any device and reads every response") {
    const auto rules = acl::rule_set::defaults();
    CHECK(allowed(rules, controller, action::publish, "device/dev-1/commands"));
    CHECK(allowed(rules, controller, action::publish, "device/dev-9999999/commands"));
    CHECK(allowed(rules, controller, action::subscribe, "device/+/responses"));
    CHECK(allowed(rules, controller, action::subscribe, "device/dev-1/responses"));
    CHECK(allowed(rules, controller, action::subscribe, "$share/controllers/device/+/responses"));
    CHECK_FALSE(allowed(rules, controller, action::subscribe, "device/#"));
    CHECK_FALSE(allowed(rules, controller, action::subscribe, "#"));
    CHECK_FALSE(allowed(rules, controller, action::publish, "device/dev-1/responses"));
}

TEST_CASE("the deciding rule's line is reported; no rule means deny at line 0") {
    const auto rules = acl::rule_set::defaults();
    const auto yes = rules.check(device, action::subscribe, "device/dev-1/commands");
    CHECK(yes.allowed);
    CHECK(yes.line == 6);
    const auto no = rules.check(device, action::subscribe, "elsewhere");
    CHECK_FALSE(no.allowed);
    CHECK(no.line == 0);
}

TEST_CASE("rules apply in order: a deny rule refuses the filters it covers") {
    const auto rules = acl::rule_set::parse(R"(
deny  subscribe  device/+/secrets
allow subscribe  device/#            role=controller
deny  publish    device/dev-2/#
allow publish    #
)",
                                            "test");
    CHECK_FALSE(allowed(rules, controller, action::subscribe, "device/+/secrets"));
    CHECK_FALSE(allowed(rules, controller, action::subscribe, "device/x/secrets"));
    CHECK(rules.check(controller, action::subscribe, "device/x/secrets").line == 2);
    CHECK(allowed(rules, controller, action::subscribe, "device/x/status"));
    CHECK(allowed(rules, controller, action::subscribe, "device/+/status"));
    CHECK_FALSE(rules.check(controller, action::subscribe, "device/+/status").filtered);
    CHECK_FALSE(allowed(rules, device, action::subscribe, "device/x/status")); // role selector
    CHECK_FALSE(allowed(rules, device, action::publish, "device/dev-2/x"));
    CHECK(allowed(rules, device, action::publish, "device/dev-3/x"));
    CHECK_FALSE(allowed(rules, device, action::publish, "$SYS/x")); // '#' does not match $ topics
}

TEST_CASE("everything except X: a wider filter is granted filtered, and X is withheld") {
    const auto rules = acl::rule_set::parse(R"(
deny  subscribe  test/nosubscribe
deny  subscribe  device/+/secrets
allow subscribe  #
)",
                                            "test");
    for (const auto* filter :
         {"#", "+/+", "test/#", "test/+", "device/#", "device/+/+", "$share/g/#", "+/+/secrets"}) {
        INFO(filter);
        const auto verdict = rules.check(controller, action::subscribe, filter);
        CHECK(verdict.allowed);
        CHECK(verdict.filtered);
        CHECK(verdict.line == 4);
    }
    // Filters no deny rule shares a topic with are granted unfiltered: no per-message check.
    for (const auto* filter :
         {"other/#", "test/yes", "test/nosubscribe/deeper", "device/x/status", "+/x/status"}) {
        INFO(filter);
        const auto verdict = rules.check(controller, action::subscribe, filter);
        CHECK(verdict.allowed);
        CHECK_FALSE(verdict.filtered);
    }
    // What the deny rules cover is still refused outright.
    CHECK_FALSE(allowed(rules, controller, action::subscribe, "test/nosubscribe"));
    CHECK_FALSE(allowed(rules, controller, action::subscribe, "device/+/secrets"));
    // At delivery: the denied topics are withheld, the rest goes.
    CHECK_FALSE(rules.delivers(controller, "test/nosubscribe"));
    CHECK_FALSE(rules.delivers(controller, "device/x/secrets"));
    CHECK(rules.delivers(controller, "test/other"));
    CHECK(rules.delivers(controller, "test/nosubscribe/deeper"));
    CHECK(rules.delivers(controller, "device/x/status"));
}

TEST_CASE("a filtered grant follows the rules' order at delivery") {
    const auto rules = acl::rule_set::parse(R"(
allow subscribe  a/b/c
deny  subscribe  a/b/#
allow subscribe  a/#                 role=controller
deny  subscribe  {id}/private/#
allow subscribe  +/#
)",
                                            "test");
    // a/b/c is allowed before a/b/# denies the rest of a/b: a/# delivers it, withholds a/b/x.
    CHECK(rules.check(controller, action::subscribe, "a/#").filtered);
    CHECK(rules.delivers(controller, "a/b/c"));
    CHECK_FALSE(rules.delivers(controller, "a/b/x"));
    CHECK_FALSE(rules.delivers(controller, "a/b"));
    CHECK(rules.delivers(controller, "a/x"));
    // A filter a deny rule covers is refused even where an earlier allow shares part of it.
    CHECK_FALSE(allowed(rules, controller, action::subscribe, "a/b/+"));
    // Placeholders and selectors count at delivery too: the device's own private topics only.
    // For a device a/# comes from +/#, after a/b/#: filtered the same way.
    CHECK(rules.check(device, action::subscribe, "a/#").line == 6);
    CHECK(rules.check(device, action::subscribe, "a/#").filtered);
    const auto own = rules.check(device, action::subscribe, "dev-1/#");
    CHECK(own.allowed);
    CHECK(own.filtered);
    CHECK_FALSE(rules.delivers(device, "dev-1/private/key"));
    CHECK(rules.delivers(device, "dev-1/public"));
    CHECK_FALSE(rules.check(device, action::subscribe, "dev-2/#").filtered);
    CHECK(rules.delivers(other_device, "dev-1/private/key"));
    // Nothing covers the topic: withheld (default deny), as a subscription to it would be.
    CHECK_FALSE(rules.delivers(device, "$SYS/x"));
}

TEST_CASE("placeholders for id, client id, vendor and role") {
    const auto rules = acl::rule_set::parse(R"(
allow publish  fleet/{vendor}/{id}/telemetry
allow publish  clients/{client_id}/state
allow subscribe broadcast/{role}/#
)",
                                            "test");
    CHECK(allowed(rules, device, action::publish, "fleet/vendor-a/dev-1/telemetry"));
    CHECK_FALSE(allowed(rules, device, action::publish, "fleet/vendor-b/dev-1/telemetry"));
    CHECK(allowed(rules, device, action::publish, "clients/dev-1/state"));
    CHECK(allowed(rules, device, action::subscribe, "broadcast/device/#"));
    CHECK(allowed(rules, device, action::subscribe, "broadcast/device/firmware"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "broadcast/controller/x"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "broadcast/+/x"));
    // A client id holding '/' (or a wildcard) cannot widen a pattern: the rule does not apply.
    CHECK_FALSE(allowed(rules, controller, action::publish, "clients/dispatcher/1/state"));
    const acl::subject sneaky{"dev-1", "+", "vendor-a", auth::role::device};
    CHECK_FALSE(allowed(rules, sneaky, action::publish, "clients/x/state"));
}

TEST_CASE("selectors: role, vendor and id") {
    const auto rules = acl::rule_set::parse(R"(
allow publish  special/topic  id=dev-2
allow publish  vendor/topic   vendor=vendor-b
allow publish  ops/topic      role=controller
)",
                                            "test");
    CHECK_FALSE(allowed(rules, device, action::publish, "special/topic"));
    CHECK(allowed(rules, other_device, action::publish, "special/topic"));
    CHECK_FALSE(allowed(rules, device, action::publish, "vendor/topic"));
    CHECK(allowed(rules, controller, action::publish, "ops/topic"));
    CHECK_FALSE(allowed(rules, device, action::publish, "ops/topic"));
}

TEST_CASE("subscription coverage at the edges") {
    const auto rules = acl::rule_set::parse(R"(
allow subscribe a/#
allow subscribe b/+
allow subscribe c
)",
                                            "test");
    CHECK(allowed(rules, device, action::subscribe, "a"));
    CHECK(allowed(rules, device, action::subscribe, "a/#"));
    CHECK(allowed(rules, device, action::subscribe, "a/+/x"));
    CHECK(allowed(rules, device, action::subscribe, "b/+"));
    CHECK(allowed(rules, device, action::subscribe, "b/x"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "b/#")); // "b/#" also matches "b"
    CHECK_FALSE(allowed(rules, device, action::subscribe, "b"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "b/x/y"));
    CHECK(allowed(rules, device, action::subscribe, "c"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "c/#"));
    CHECK_FALSE(allowed(rules, device, action::subscribe, "+"));
}

TEST_CASE(
    "a deny rule on $ topics does not filter wildcard subscriptions, which never match them") {
    const auto rules = acl::rule_set::parse("deny subscribe $SYS/#\nallow subscribe #\n", "test");
    CHECK(allowed(rules, controller, action::subscribe, "#"));
    CHECK_FALSE(rules.check(controller, action::subscribe, "#").filtered);
    CHECK_FALSE(rules.check(controller, action::subscribe, "+/x").filtered);
    CHECK_FALSE(allowed(rules, controller, action::subscribe, "$SYS/broker"));
}

#include "fleetmq/acl/rule_set.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq;
using Catch::Matchers::Contains;

TEST_CASE("the shipped default rules parse") {
    CHECK(acl::rule_set::defaults().size() == 4);
}

TEST_CASE("comments and blank lines are skipped; line numbers are kept") {
    const auto rules = acl::rule_set::parse("\n# comment\n\n  allow publish a/b\n", "f");
    REQUIRE(rules.size() == 1);
    const acl::subject who{"d", "d", "v", auth::role::device};
    CHECK(rules.check(who, acl::action::publish, "a/b").line == 4);
}

TEST_CASE("rule errors name the source, the line and the problem") {
    CHECK_THROWS_WITH(acl::rule_set::parse("alow publish a", "acl.conf"),
                      Contains("acl.conf:1:") && Contains("unknown decision 'alow'"));
    CHECK_THROWS_WITH(acl::rule_set::parse("\nallow publsh a", "acl.conf"),
                      Contains("acl.conf:2:") && Contains("unknown action 'publsh'"));
    CHECK_THROWS_WITH(acl::rule_set::parse("allow publish", "acl.conf"),
                      Contains("acl.conf:1:") && Contains("expected"));
    CHECK_THROWS_WITH(acl::rule_set::parse("allow publish a/#/b", "x"),
                      Contains("'#' must be the last level"));
    CHECK_THROWS_WITH(acl::rule_set::parse("allow publish device/dev-{id}/x", "x"),
                      Contains("each must be a whole level"));
    CHECK_THROWS_WITH(acl::rule_set::parse("allow publish a/{name}", "x"),
                      Contains("each must be a whole level"));
    CHECK_THROWS_WITH(acl::rule_set::parse("allow subscribe $share/g/a", "x"),
                      Contains("without $share/"));
    CHECK_THROWS_WITH(acl::rule_set::parse("allow publish a role=admin", "x"),
                      Contains("device or controller"));
    CHECK_THROWS_WITH(acl::rule_set::parse("allow publish a owner=me", "x"),
                      Contains("unknown key 'owner'"));
    CHECK_THROWS_WITH(acl::rule_set::parse("allow publish a role=", "x"),
                      Contains("expected role=, vendor= or id="));
}

#include "fleetmq/session/inbound_topic_aliases.hpp"

#include <catch2/catch.hpp>

using fleetmq::protocol::reason_code;
using fleetmq::session::inbound_topic_aliases;

TEST_CASE("inbound topic aliases: a topic sets the alias up, an empty topic uses it") {
    inbound_topic_aliases aliases;
    aliases.reset(4);
    const auto set = aliases.resolve(2, "device/a-0001/responses");
    CHECK_FALSE(set.error);
    CHECK(set.topic == "device/a-0001/responses");
    const auto used = aliases.resolve(2, "");
    CHECK_FALSE(used.error);
    CHECK(used.topic == "device/a-0001/responses");
}

TEST_CASE("inbound topic aliases: a topic replaces what the alias stood for") {
    inbound_topic_aliases aliases;
    aliases.reset(4);
    aliases.resolve(1, "first/topic");
    aliases.resolve(1, "second/topic");
    CHECK(aliases.resolve(1, "").topic == "second/topic");
}

TEST_CASE("inbound topic aliases: over the maximum is Topic Alias invalid") {
    inbound_topic_aliases aliases;
    aliases.reset(4);
    const auto over = aliases.resolve(5, "some/topic");
    REQUIRE(over.error);
    CHECK(*over.error == reason_code::topic_alias_invalid);
    CHECK(aliases.resolve(4, "some/topic").topic == "some/topic");
    aliases.reset(0);
    REQUIRE(aliases.resolve(1, "some/topic").error);
}

TEST_CASE("inbound topic aliases: an alias never set up is a protocol error [MQTT-3.3.2-12]") {
    inbound_topic_aliases aliases;
    aliases.reset(4);
    aliases.resolve(1, "some/topic");
    const auto unknown = aliases.resolve(2, "");
    REQUIRE(unknown.error);
    CHECK(*unknown.error == reason_code::protocol_error);
    CHECK(unknown.reason != nullptr);
}

TEST_CASE("inbound topic aliases: a new connection forgets them [MQTT-3.3.2-7]") {
    inbound_topic_aliases aliases;
    aliases.reset(4);
    aliases.resolve(1, "some/topic");
    aliases.reset(4);
    REQUIRE(aliases.resolve(1, "").error);
}

#include "fleetmq/session/outbound_topic_aliases.hpp"

#include <catch2/catch.hpp>

using fleetmq::session::outbound_topic_aliases;

TEST_CASE("outbound topic aliases: none without a Topic Alias Maximum from the client") {
    outbound_topic_aliases aliases;
    aliases.reset(0);
    CHECK_FALSE(aliases.enabled());
    CHECK(aliases.choose("device/a-0001/commands").alias == 0);
}

TEST_CASE("outbound topic aliases: the first PUBLISH sets the alias up, the next ones use it") {
    outbound_topic_aliases aliases;
    aliases.reset(4);
    const auto first = aliases.choose("device/a-0001/commands");
    CHECK(first.alias == 1);
    CHECK_FALSE(first.known);
    aliases.sent(first, "device/a-0001/commands");
    const auto second = aliases.choose("device/a-0001/commands");
    CHECK(second.alias == 1);
    CHECK(second.known);
    const auto other = aliases.choose("device/a-0001/other");
    CHECK(other.alias == 2);
    CHECK_FALSE(other.known);
}

TEST_CASE("outbound topic aliases: a PUBLISH that was not sent sets nothing up") {
    outbound_topic_aliases aliases;
    aliases.reset(4);
    const auto first = aliases.choose("device/a-0001/commands");
    // not sent (too large for the client, say): the next PUBLISH must carry the topic again
    const auto again = aliases.choose("device/a-0001/commands");
    CHECK(again.alias == first.alias);
    CHECK_FALSE(again.known);
    CHECK(aliases.size() == 0);
}

TEST_CASE("outbound topic aliases: bounded, and full means the topic goes as it is") {
    outbound_topic_aliases aliases;
    aliases.reset(2);
    for (const auto* topic : {"topic/one", "topic/two"}) {
        aliases.sent(aliases.choose(topic), topic);
    }
    CHECK(aliases.size() == 2);
    CHECK(aliases.choose("topic/three").alias == 0);
    CHECK(aliases.choose("topic/two").alias == 2);
    CHECK(aliases.choose("topic/two").known);
}

TEST_CASE("outbound topic aliases: a topic no longer than an alias costs gets none") {
    outbound_topic_aliases aliases;
    aliases.reset(8);
    CHECK(aliases.choose("a/b").alias == 0);
    CHECK(aliases.choose("a/bc").alias == 1);
}

TEST_CASE("outbound topic aliases: a new connection starts empty [MQTT-3.3.2-7]") {
    outbound_topic_aliases aliases;
    aliases.reset(8);
    aliases.sent(aliases.choose("device/a-0001/commands"), "device/a-0001/commands");
    aliases.reset(8);
    CHECK(aliases.size() == 0);
    CHECK_FALSE(aliases.choose("device/a-0001/commands").known);
}

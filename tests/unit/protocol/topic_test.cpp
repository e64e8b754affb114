#include "fleetmq/protocol/reason_code.hpp"
#include "fleetmq/protocol/topic.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace fleetmq::protocol;
using namespace std::string_literals;

TEST_CASE("topic names") {
    CHECK_FALSE(validate_topic_name("device/42/responses"));
    CHECK_FALSE(validate_topic_name("/"));
    CHECK_FALSE(validate_topic_name("$SYS/broker/uptime"));
    CHECK_FALSE(validate_topic_name("a b/\xc3\xa9"));
    CHECK(validate_topic_name("") == reason_code::topic_name_invalid);
    CHECK(validate_topic_name("device/+/responses") == reason_code::topic_name_invalid);
    CHECK(validate_topic_name("device/#") == reason_code::topic_name_invalid);
    CHECK(validate_topic_name("a+b") == reason_code::topic_name_invalid);
    CHECK(validate_topic_name("a\0b"s) == reason_code::malformed_packet);
    CHECK(validate_topic_name("a\x01") == reason_code::malformed_packet);
    CHECK(validate_topic_name("\xed\xa0\x80") == reason_code::malformed_packet);
    CHECK(validate_topic_name(std::string(65535, 'a')) == std::error_code{});
    CHECK(validate_topic_name(std::string(65536, 'a')) == reason_code::topic_name_invalid);
    CHECK(validate_topic_name("abcd", 3) == reason_code::topic_name_invalid);
}

TEST_CASE("topic filters [MQTT-4.7.1]") {
    for (const char* valid : {"#", "+", "/", "+/+", "a/#", "a/+/b", "+/tennis/#", "/+", "a//b",
                              "$share/group/device/+/responses", "$share/g/#", "$SYS/#"}) {
        INFO(valid);
        CHECK_FALSE(validate_topic_filter(valid));
    }
    for (const char* invalid :
         {"", "a#", "a/#/b", "#/a", "a+", "+a", "a/b+/c", "##", "++", "$share/", "$share/group",
          "$share/group/", "$share//a", "$share/g+/a", "$share/g#/a", "$share/g/a#"}) {
        INFO(invalid);
        CHECK(validate_topic_filter(invalid) == reason_code::topic_filter_invalid);
    }
    CHECK(validate_topic_filter("a/\x7f") == reason_code::malformed_packet);
    CHECK(validate_topic_filter("a\0"s) == reason_code::malformed_packet);
}

TEST_CASE("shared subscription filters split into group and filter") {
    auto shared = split_shared_filter("$share/controllers/device/+/responses");
    REQUIRE(shared);
    CHECK(shared->group == "controllers");
    CHECK(shared->filter == "device/+/responses");
    CHECK_FALSE(split_shared_filter("device/+/responses"));
    CHECK_FALSE(split_shared_filter("$SHARE/g/a"));
    CHECK(has_wildcard("a/+"));
    CHECK_FALSE(has_wildcard("a/b"));
}

TEST_CASE("topic matching [MQTT-4.7]") {
    struct case_t {
        const char* filter;
        const char* name;
        bool matches;
    };
    const case_t cases[] = {
        {"device/42/commands", "device/42/commands", true},
        {"device/42/commands", "device/43/commands", false},
        {"device/42/commands", "device/42/commands/x", false},
        {"device/42/commands", "device/42", false},
        {"device/+/responses", "device/42/responses", true},
        {"device/+/responses", "device//responses", true},
        {"device/+/responses", "device/42/x/responses", false},
        {"device/+", "device/42", true},
        {"device/+", "device/", true},
        {"device/+", "device", false},
        {"sport/tennis/player1/#", "sport/tennis/player1", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
        {"sport/#", "sport", true},
        {"#", "anything/at/all", true},
        {"#", "/", true},
        {"+", "a", true},
        {"+", "/a", false},
        {"+/+", "/finance", true},
        {"/+", "/finance", true},
        {"+", "/finance", false},
        {"+/#", "a", true},
        {"a/", "a/", true},
        {"a/", "a", false},
        {"a", "a/", false},
        {"a/+/c", "a/b/c", true},
        {"a/+/c", "a/b/d", false},
        {"ab", "a", false},
        {"a", "ab", false},
        // [MQTT-4.7.2-1]: a leading wildcard does not match a $ topic.
        {"#", "$SYS/uptime", false},
        {"+/uptime", "$SYS/uptime", false},
        {"$SYS/#", "$SYS/uptime", true},
        {"$SYS/+", "$SYS/uptime", true},
        {"a/#", "a/$b", true},
    };
    for (const auto& c : cases) {
        INFO(c.filter << " vs " << c.name);
        CHECK(topic_matches(c.filter, c.name) == c.matches);
    }
}

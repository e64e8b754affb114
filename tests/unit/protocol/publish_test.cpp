#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

TEST_CASE("PUBLISH QoS 0 and QoS 1, byte for byte") {
    publish p;
    p.topic = "a/b";
    p.payload = "hi";
    CHECK(encode_ok(p, protocol_version::v3_1_1) ==
          cat({hex("30 07 00 03"), str("a/b"), str("hi")}));
    CHECK(encode_ok(p, protocol_version::v5) ==
          cat({hex("30 08 00 03"), str("a/b"), hex("00"), str("hi")}));
    p.qos = qos::at_least_once;
    p.packet_id = 10;
    p.retain = true;
    p.dup = true;
    const auto v3 = cat({hex("3b 09 00 03"), str("a/b"), hex("00 0a"), str("hi")});
    CHECK(encode_ok(p, protocol_version::v3_1_1) == v3);
    const auto decoded = decode_one(v3, protocol_version::v3_1_1);
    REQUIRE_FALSE(decoded.error);
    CHECK(std::get<publish>(decoded.value) == p);
}

TEST_CASE("PUBLISH with an empty payload and with a Topic Alias instead of a topic") {
    const auto empty = decode_one(cat({hex("30 03 00 01"), str("t")}), protocol_version::v3_1_1);
    REQUIRE_FALSE(empty.error);
    CHECK(std::get<publish>(empty.value).payload.empty());

    const auto aliased = decode_one(hex("30 07 00 00 03 23 00 05 78"), protocol_version::v5);
    REQUIRE_FALSE(aliased.error);
    const auto& p = std::get<publish>(aliased.value);
    CHECK(p.topic.empty());
    CHECK(p.properties.topic_alias == 5);
    CHECK(p.payload == "x");
}

TEST_CASE("PUBLISH topic errors") {
    // Empty without a Topic Alias: a Protocol Error in 5.0, an invalid name in 3.1.1.
    CHECK(decode_one(hex("30 04 00 00 00 78"), protocol_version::v5).error ==
          reason_code::protocol_error);
    CHECK(decode_one(hex("30 03 00 00 78"), protocol_version::v3_1_1).error ==
          reason_code::topic_name_invalid);
    // Wildcards [MQTT-3.3.2-2].
    CHECK(decode_one(cat({hex("30 04 00 01"), str("#"), hex("00")}), protocol_version::v5).error ==
          reason_code::topic_name_invalid);
    CHECK(decode_one(cat({hex("30 05 00 03"), str("a/+")}), protocol_version::v3_1_1).error ==
          reason_code::topic_name_invalid);
    // Not UTF-8, or U+0000 [MQTT-1.5.4].
    CHECK(decode_one(hex("30 04 00 02 c0 80"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    CHECK(decode_one(hex("30 03 00 01 00"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    // The topic runs past the packet.
    CHECK(decode_one(hex("30 03 00 05 61"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
}

TEST_CASE("PUBLISH packet identifier rules") {
    // QoS 1 with packet identifier 0 [MQTT-2.2.1-3].
    CHECK(decode_one(cat({hex("32 05 00 01"), str("t"), hex("00 00")}), protocol_version::v3_1_1)
              .error == reason_code::protocol_error);
    // QoS 2 without room for the packet identifier.
    CHECK(decode_one(cat({hex("34 04 00 01"), str("t"), hex("00")}), protocol_version::v3_1_1)
              .error == reason_code::malformed_packet);
    publish p;
    p.topic = "t";
    p.qos = qos::exactly_once;
    std::vector<std::uint8_t> out;
    CHECK(encode(p, protocol_version::v5, out).error == reason_code::protocol_error);
}

TEST_CASE("the gather form writes the same bytes as the whole packet") {
    publish p;
    p.topic = "device/42/commands";
    p.payload = std::string_view{"{\"cmd\":\"reboot\"}"};
    p.qos = qos::at_least_once;
    p.packet_id = 7;
    p.properties.correlation_data = "abc";
    p.properties.response_topic = "device/42/responses";
    for (auto version : {protocol_version::v3_1_1, protocol_version::v5}) {
        std::array<std::uint8_t, 128> head{};
        REQUIRE(max_publish_head_size(p) <= head.size());
        const auto result = encode_publish_head(p, version, head);
        REQUIRE_FALSE(result.error);
        bytes gathered{head.begin(), head.begin() + static_cast<std::ptrdiff_t>(result.size)};
        gathered.insert(gathered.end(), p.payload.begin(), p.payload.end());
        CHECK(gathered == encode_ok(p, version));
        CHECK(result.size <= max_publish_head_size(p));

        const auto whole = gathered.size();
        CHECK(encode_publish_head(p, version, head, static_cast<std::uint32_t>(whole - 1)).error ==
              reason_code::packet_too_large);
        CHECK_FALSE(encode_publish_head(p, version, head, static_cast<std::uint32_t>(whole)).error);
        CHECK(encode_publish_head(p, version, std::span{head}.first(result.size - 1)).error ==
              std::errc::no_buffer_space);
    }
}

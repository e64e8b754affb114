#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

TEST_CASE("SUBSCRIBE in 3.1.1 (section 3.8.3's example)") {
    subscribe s;
    s.packet_id = 10;
    s.subscriptions = {{"a/b", qos::at_least_once}, {"c/d", qos::exactly_once}};
    const auto wire =
        cat({hex("82 0e 00 0a 00 03"), str("a/b"), hex("01 00 03"), str("c/d"), hex("02")});
    CHECK(encode_ok(s, protocol_version::v3_1_1) == wire);
    const auto decoded = decode_one(wire, protocol_version::v3_1_1);
    REQUIRE_FALSE(decoded.error);
    CHECK(std::get<subscribe>(decoded.value) == s);
}

TEST_CASE("SUBSCRIBE options in 5.0") {
    subscribe s;
    s.packet_id = 1;
    s.subscriptions = {
        {"device/42/commands", qos::at_least_once, true, true, retain_handling::do_not_send}};
    s.properties.subscription_identifiers = {300};
    const auto wire =
        cat({hex("82 1b 00 01 03 0b ac 02 00 12"), str("device/42/commands"), hex("2d")});
    CHECK(encode_ok(s, protocol_version::v5) == wire);
    const auto decoded = decode_one(wire, protocol_version::v5);
    REQUIRE_FALSE(decoded.error);
    CHECK(std::get<subscribe>(decoded.value) == s);
}

TEST_CASE("SUBSCRIBE errors") {
    const auto sub = [](std::uint8_t options, std::string_view filter = "a") {
        return cat({{0x82, static_cast<std::uint8_t>(6 + filter.size()), 0x00, 0x01, 0x00, 0x00,
                     static_cast<std::uint8_t>(filter.size())},
                    str(filter),
                    {options}});
    };
    CHECK_FALSE(decode_one(sub(0x02), protocol_version::v5).error);
    CHECK(decode_one(sub(0x03), protocol_version::v5).error == reason_code::malformed_packet);
    CHECK(decode_one(sub(0x40), protocol_version::v5).error == reason_code::malformed_packet);
    CHECK(decode_one(sub(0x30), protocol_version::v5).error == reason_code::protocol_error);
    CHECK(decode_one(sub(0x04, "$share/g/a"), protocol_version::v5).error ==
          reason_code::protocol_error);
    CHECK_FALSE(decode_one(sub(0x04, "a"), protocol_version::v5).error);
    // No filter at all [MQTT-3.8.3-2].
    CHECK(decode_one(hex("82 03 00 01 00"), protocol_version::v5).error ==
          reason_code::protocol_error);
    CHECK(decode_one(hex("82 02 00 01"), protocol_version::v3_1_1).error ==
          reason_code::protocol_error);
    // 3.1.1 reserves the upper six bits of the options [MQTT-3.8.3-4].
    CHECK(decode_one(hex("82 06 00 01 00 01 61 04"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    // A filter without its options byte.
    CHECK(decode_one(hex("82 05 00 01 00 01 61"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    // A filter is checked for UTF-8 here; its shape is answered per filter in SUBACK.
    CHECK(decode_one(hex("82 06 00 01 00 01 ff 00"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    CHECK_FALSE(
        decode_one(cat({hex("82 07 00 01 00 02"), str("a#"), hex("00")}), protocol_version::v3_1_1)
            .error);
}

TEST_CASE("SUBACK codes in both versions") {
    suback s{3, {reason_code::granted_qos_1, reason_code::not_authorized}, {}};
    CHECK(encode_ok(s, protocol_version::v3_1_1) == hex("90 04 00 03 01 80"));
    CHECK(encode_ok(s, protocol_version::v5) == hex("90 05 00 03 00 01 87"));
    const auto v3 = decode_one(hex("90 04 00 03 02 80"), protocol_version::v3_1_1);
    REQUIRE_FALSE(v3.error);
    CHECK(std::get<suback>(v3.value).codes ==
          std::vector{reason_code::granted_qos_2, reason_code::unspecified_error});
    CHECK(decode_one(hex("90 03 00 03 87"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    CHECK(decode_one(hex("90 04 00 03 00 03"), protocol_version::v5).error ==
          reason_code::malformed_packet);
    CHECK(decode_one(hex("90 03 00 03 00"), protocol_version::v5).error ==
          reason_code::protocol_error);
}

TEST_CASE("UNSUBSCRIBE and UNSUBACK") {
    unsubscribe u{4, {"a/b", "c/#"}, {}};
    const auto v3 = cat({hex("a2 0c 00 04 00 03"), str("a/b"), hex("00 03"), str("c/#")});
    CHECK(encode_ok(u, protocol_version::v3_1_1) == v3);
    const auto decoded = decode_one(v3, protocol_version::v3_1_1);
    REQUIRE_FALSE(decoded.error);
    CHECK(std::get<unsubscribe>(decoded.value) == u);
    CHECK(decode_one(hex("a2 02 00 04"), protocol_version::v3_1_1).error ==
          reason_code::protocol_error);
    CHECK(decode_one(hex("a2 03 00 04 00"), protocol_version::v5).error ==
          reason_code::protocol_error);

    unsuback ack{4, {reason_code::success, reason_code::no_subscription_existed}, {}};
    CHECK(encode_ok(ack, protocol_version::v3_1_1) == hex("b0 02 00 04"));
    CHECK(encode_ok(ack, protocol_version::v5) == hex("b0 05 00 04 00 00 11"));
    CHECK(decode_one(hex("b0 03 00 04 00"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    CHECK(decode_one(hex("b0 04 00 04 00 02"), protocol_version::v5).error ==
          reason_code::malformed_packet);
}

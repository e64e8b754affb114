#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

namespace {

std::uint8_t byte_size(const bytes& b) {
    return static_cast<std::uint8_t>(b.size());
}

/// A v5 QoS 0 PUBLISH to "a/b" with payload "hi" and the given property bytes.
bytes publish_with(const bytes& props) {
    const bytes body = cat({hex("00 03"), str("a/b"), {byte_size(props)}, props, str("hi")});
    return cat({{0x30, byte_size(body)}, body});
}

/// A v5 CONNECT of client "c1" with the given property bytes.
bytes connect_with(const bytes& props) {
    const bytes body = cat({hex("00 04"),
                            str("MQTT"),
                            hex("05 02 00 3c"),
                            {byte_size(props)},
                            props,
                            hex("00 02"),
                            str("c1")});
    return cat({{0x10, byte_size(body)}, body});
}

std::error_code publish_error(const bytes& props) {
    return decode_one(publish_with(props), protocol_version::v5).error;
}

} // namespace

TEST_CASE("properties decode with their wire types") {
    const auto result = decode_one(
        publish_with(cat({hex("01 01"), hex("02 00 00 0e 10"), hex("03 00 04"), str("text"),
                          hex("08 00 03"), str("r/t"), hex("09 00 02 00 ff"), hex("0b 81 01"),
                          hex("0b 05"), hex("23 00 07"), hex("26 00 01"), str("k"), hex("00 01"),
                          str("v"), hex("26 00 01"), str("k"), hex("00 01"), str("w")})),
        protocol_version::v5);
    REQUIRE_FALSE(result.error);
    const auto& p = std::get<publish>(result.value).properties;
    CHECK(p.payload_format_indicator == 1);
    CHECK(p.message_expiry_interval == 3600u);
    CHECK(p.content_type == "text");
    CHECK(p.response_topic == "r/t");
    CHECK(p.correlation_data == std::string_view("\0\xff", 2));
    CHECK(p.subscription_identifiers == std::vector<std::uint32_t>{129, 5});
    CHECK(p.topic_alias == 7);
    REQUIRE(p.user_properties.size() == 2);
    CHECK(p.user_properties[0] == user_property{"k", "v"});
    CHECK(p.user_properties[1] == user_property{"k", "w"});
}

TEST_CASE("a property given twice is a Protocol Error, except those that may repeat") {
    CHECK(publish_error(hex("01 01 01 01")) == reason_code::protocol_error);
    CHECK(publish_error(cat({hex("03 00 01"), str("a"), hex("03 00 01"), str("b")})) ==
          reason_code::protocol_error);
    CHECK_FALSE(publish_error(hex("0b 01 0b 02")));
    const auto sub = cat({hex("82 0b 00 01 04 0b 01 0b 02 00 01"), str("a"), hex("00")});
    CHECK(decode_one(sub, protocol_version::v5).error == reason_code::protocol_error);
}

TEST_CASE("a property not allowed in the packet, or unknown, is a Malformed Packet") {
    CHECK(publish_error(hex("11 00 00 00 01")) == reason_code::malformed_packet); // session expiry
    CHECK(publish_error(hex("18 00 00 00 01")) == reason_code::malformed_packet); // will delay
    CHECK(publish_error(hex("04 00")) == reason_code::malformed_packet);          // undefined id
    CHECK(publish_error(hex("7f 00")) == reason_code::malformed_packet);
    CHECK(decode_one(connect_with(hex("23 00 01")), protocol_version::v5).error ==
          reason_code::malformed_packet); // topic alias in CONNECT
}

TEST_CASE("property values the specification rules out") {
    CHECK(publish_error(hex("01 02")) == reason_code::protocol_error);
    CHECK(publish_error(hex("0b 00")) == reason_code::protocol_error);
    CHECK(publish_error(hex("23 00 00")) == reason_code::topic_alias_invalid);
    CHECK(publish_error(cat({hex("08 00 03"), str("a/+")})) == reason_code::protocol_error);
    CHECK(publish_error(cat({hex("03 00 01"), hex("ff")})) == reason_code::malformed_packet);
    CHECK(publish_error(cat({hex("26 00 01 00 00 00")})) == reason_code::malformed_packet);
    CHECK(decode_one(connect_with(hex("21 00 00")), protocol_version::v5).error ==
          reason_code::protocol_error); // Receive Maximum 0
    CHECK(decode_one(connect_with(hex("27 00 00 00 00")), protocol_version::v5).error ==
          reason_code::protocol_error); // Maximum Packet Size 0
    CHECK(decode_one(connect_with(hex("17 02")), protocol_version::v5).error ==
          reason_code::protocol_error); // Request Problem Information 2
    CHECK(decode_one(connect_with(hex("19 05")), protocol_version::v5).error ==
          reason_code::protocol_error); // Request Response Information 5
}

TEST_CASE("a property list that runs past its length or the packet is a Malformed Packet") {
    CHECK(publish_error(hex("02 00 00")) == reason_code::malformed_packet); // 4-byte value cut
    CHECK(publish_error(hex("0b 80")) == reason_code::malformed_packet);    // varint cut
    const bytes too_long = cat({hex("30 08 00 03"), str("a/b"), hex("40 01 01")});
    CHECK(decode_one(too_long, protocol_version::v5).error == reason_code::malformed_packet);
}

TEST_CASE("the property table follows MQTT 5.0 table 2-4") {
    using enum property_id;
    using enum property_context;
    CHECK(is_allowed_in(user_property, connect));
    CHECK(is_allowed_in(user_property, auth));
    CHECK(is_allowed_in(will_delay_interval, will));
    CHECK_FALSE(is_allowed_in(will_delay_interval, connect));
    CHECK(is_allowed_in(subscription_identifier, subscribe));
    CHECK_FALSE(is_allowed_in(subscription_identifier, suback));
    CHECK(is_allowed_in(reason_string, pubcomp));
    CHECK_FALSE(is_allowed_in(reason_string, publish));
    CHECK(is_allowed_in(server_reference, disconnect));
    CHECK(is_allowed_in(session_expiry_interval, disconnect));
    CHECK_FALSE(is_allowed_in(maximum_qos, connect));
}

TEST_CASE("property contexts of the will and of SUBSCRIBE") {
    // A will carries message properties only: Session Expiry Interval there is malformed.
    const bytes will_with_session_expiry =
        cat({hex("10 19 00 04"), str("MQTT"), hex("05 06 00 3c 00 00 01"), str("c"),
             hex("05 11 00 00 00 01 00 01"), str("t"), hex("00 00")});
    CHECK(decode_one(will_with_session_expiry, protocol_version::v5).error ==
          reason_code::malformed_packet);
    // A Reason String belongs to acknowledgements, not to SUBSCRIBE.
    const bytes subscribe_with_reason =
        cat({hex("82 0b 00 01 04 1f 00 01"), str("r"), hex("00 01"), str("a"), hex("00")});
    CHECK(decode_one(subscribe_with_reason, protocol_version::v5).error ==
          reason_code::malformed_packet);
}

TEST_CASE("a property length not in its shortest form is a Malformed Packet [MQTT-1.5.5-1]") {
    const bytes wire = cat({hex("30 08 00 03"), str("a/b"), hex("80 00 78")});
    CHECK(decode_one(wire, protocol_version::v5).error == reason_code::malformed_packet);
}

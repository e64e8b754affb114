#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

TEST_CASE("PUBACK, PUBREC, PUBREL, PUBCOMP in 3.1.1 are two bytes of packet identifier") {
    CHECK(encode_ok(puback{7}, protocol_version::v3_1_1) == hex("40 02 00 07"));
    CHECK(encode_ok(pubrec{7}, protocol_version::v3_1_1) == hex("50 02 00 07"));
    CHECK(encode_ok(pubrel{7}, protocol_version::v3_1_1) == hex("62 02 00 07"));
    CHECK(encode_ok(pubcomp{7}, protocol_version::v3_1_1) == hex("70 02 00 07"));
    // A 5.0 reason code is not sent in 3.1.1.
    CHECK(encode_ok(puback{7, reason_code::not_authorized}, protocol_version::v3_1_1) ==
          hex("40 02 00 07"));
    const auto decoded = decode_one(hex("62 02 01 00"), protocol_version::v3_1_1);
    REQUIRE_FALSE(decoded.error);
    CHECK(std::get<pubrel>(decoded.value).packet_id == 256);
    CHECK(decode_one(hex("40 03 00 07 00"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    CHECK(decode_one(hex("40 01 00"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    CHECK(decode_one(hex("40 02 00 00"), protocol_version::v3_1_1).error ==
          reason_code::protocol_error);
}

TEST_CASE("acknowledgements in 5.0 take their short forms [MQTT-3.4.2.1]") {
    CHECK(encode_ok(puback{7}, protocol_version::v5) == hex("40 02 00 07"));
    CHECK(encode_ok(puback{7, reason_code::no_matching_subscribers}, protocol_version::v5) ==
          hex("40 03 00 07 10"));
    pubrec with_reason{7, reason_code::quota_exceeded};
    with_reason.properties.reason_string = "full";
    CHECK(encode_ok(with_reason, protocol_version::v5) ==
          cat({hex("50 0b 00 07 97 07 1f 00 04"), str("full")}));

    // All three forms decode.
    auto result = decode_one(hex("70 02 00 07"), protocol_version::v5);
    REQUIRE_FALSE(result.error);
    CHECK(std::get<pubcomp>(result.value).code == reason_code::success);
    result = decode_one(hex("70 03 00 07 92"), protocol_version::v5);
    REQUIRE_FALSE(result.error);
    CHECK(std::get<pubcomp>(result.value).code == reason_code::packet_identifier_not_found);
    result = decode_one(hex("70 04 00 07 00 00"), protocol_version::v5);
    REQUIRE_FALSE(result.error);
}

TEST_CASE("acknowledgement errors in 5.0") {
    // A reason code the packet does not have.
    CHECK(decode_one(hex("40 03 00 07 92"), protocol_version::v5).error ==
          reason_code::malformed_packet);
    CHECK(decode_one(hex("62 03 00 07 10"), protocol_version::v5).error ==
          reason_code::malformed_packet);
    // A property the packet does not have (Topic Alias in PUBACK).
    CHECK(decode_one(hex("40 07 00 07 00 03 23 00 01"), protocol_version::v5).error ==
          reason_code::malformed_packet);
    // Bytes after the properties.
    CHECK(decode_one(hex("40 05 00 07 00 00 00"), protocol_version::v5).error ==
          reason_code::malformed_packet);
}

#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

TEST_CASE("PINGREQ and PINGRESP are two bytes") {
    for (auto version : {protocol_version::v3_1_1, protocol_version::v5}) {
        CHECK(encode_ok(pingreq{}, version) == hex("c0 00"));
        CHECK(encode_ok(pingresp{}, version) == hex("d0 00"));
        CHECK(std::holds_alternative<pingreq>(decode_one(hex("c0 00"), version).value));
        CHECK(decode_one(hex("c0 01 00"), version).error == reason_code::malformed_packet);
        CHECK(decode_one(hex("d0 01 00"), version).error == reason_code::malformed_packet);
    }
}

TEST_CASE("DISCONNECT in both versions") {
    CHECK(encode_ok(disconnect{}, protocol_version::v3_1_1) == hex("e0 00"));
    CHECK(encode_ok(disconnect{}, protocol_version::v5) == hex("e0 00"));
    CHECK(encode_ok(disconnect{reason_code::session_taken_over}, protocol_version::v5) ==
          hex("e0 01 8e"));
    disconnect moved{reason_code::server_moved};
    moved.properties.server_reference = "b2";
    moved.properties.session_expiry_interval = 0;
    CHECK(encode_ok(moved, protocol_version::v5) ==
          cat({hex("e0 0c 9d 0a 11 00 00 00 00 1c 00 02"), str("b2")}));
    const auto decoded = decode_one(encode_ok(moved, protocol_version::v5), protocol_version::v5);
    REQUIRE_FALSE(decoded.error);
    CHECK(std::get<disconnect>(decoded.value) == moved);
    CHECK(decode_one(hex("e0 01 00"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    CHECK(decode_one(hex("e0 01 01"), protocol_version::v5).error == reason_code::malformed_packet);
    CHECK(decode_one(hex("e0 03 00 01 00"), protocol_version::v5).error ==
          reason_code::malformed_packet);
}

TEST_CASE("AUTH exists in 5.0 only") {
    auth a{reason_code::continue_authentication};
    a.properties.authentication_method = "SCRAM";
    a.properties.authentication_data = "x";
    const auto wire = encode_ok(a, protocol_version::v5);
    CHECK(wire == cat({hex("f0 0e 18 0c 15 00 05"), str("SCRAM"), hex("16 00 01"), str("x")}));
    const auto decoded = decode_one(wire, protocol_version::v5);
    REQUIRE_FALSE(decoded.error);
    CHECK(std::get<auth>(decoded.value) == a);
    CHECK_FALSE(decode_one(hex("f0 00"), protocol_version::v5).error);
    CHECK(decode_one(hex("f0 00"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    std::vector<std::uint8_t> out;
    CHECK(encode(a, protocol_version::v3_1_1, out).error == reason_code::protocol_error);
    // A reason code without an Authentication Method.
    CHECK(decode_one(hex("f0 02 18 00"), protocol_version::v5).error ==
          reason_code::protocol_error);
    CHECK(decode_one(hex("f0 02 87 00"), protocol_version::v5).error ==
          reason_code::malformed_packet);
}

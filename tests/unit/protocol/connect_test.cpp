#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

namespace {

bytes frame_of(std::uint8_t first, const bytes& body) {
    return cat({{first, static_cast<std::uint8_t>(body.size())}, body});
}

// MQTT 3.1.1 section 3.1.2.10's example variable header (flags 0xCE, keep alive 10), with a
// payload written from section 3.1.3: client id, will topic, will message, user name, password.
const bytes v311_connect =
    frame_of(0x10, cat({hex("00 04"), str("MQTT"), hex("04 ce 00 0a"), hex("00 03"), str("dev"),
                        hex("00 03"), str("w/t"), hex("00 04"), str("gone"), hex("00 02"),
                        str("us"), hex("00 02"), str("pw")}));

// MQTT 5.0 section 3.1.2.12's example: flags 0xCE, keep alive 10, Session Expiry Interval 10.
const bytes v5_connect = frame_of(
    0x10, cat({hex("00 04"), str("MQTT"), hex("05 ce 00 0a"), hex("05 11 00 00 00 0a"),
               hex("00 03"), str("dev"), hex("05 18 00 00 00 1e"), hex("00 03"), str("w/t"),
               hex("00 04"), str("gone"), hex("00 02"), str("us"), hex("00 02"), str("pw")}));

connect expected_connect(protocol_version version) {
    connect c;
    c.version = version;
    c.clean_start = true;
    c.keep_alive = 10;
    c.client_id = "dev";
    c.will = will_message{"w/t", "gone", qos::at_least_once, false, {}};
    c.username = "us";
    c.password = "pw";
    if (version == protocol_version::v5) {
        c.properties.session_expiry_interval = 10;
        c.will->properties.will_delay_interval = 30;
    }
    return c;
}

std::error_code connect_error(const bytes& body) {
    return decode_one(frame_of(0x10, body), protocol_version::v5).error;
}

} // namespace

TEST_CASE("CONNECT decodes and encodes byte for byte in both versions") {
    for (auto version : {protocol_version::v3_1_1, protocol_version::v5}) {
        INFO(to_string(version));
        const auto& wire = version == protocol_version::v5 ? v5_connect : v311_connect;
        // The version argument does not matter for CONNECT: the packet names its own.
        const auto result = decode_one(wire, protocol_version::v3_1_1);
        REQUIRE_FALSE(result.error);
        CHECK(std::get<connect>(result.value) == expected_connect(version));
        CHECK(encode_ok(expected_connect(version), version) == wire);
    }
}

TEST_CASE("a minimal CONNECT: empty client id, no will, no credentials") {
    const bytes wire = frame_of(0x10, cat({hex("00 04"), str("MQTT"), hex("04 00 00 00 00 00")}));
    const auto result = decode_one(wire, protocol_version::v5);
    REQUIRE_FALSE(result.error);
    const auto& c = std::get<connect>(result.value);
    CHECK(c.version == protocol_version::v3_1_1);
    CHECK_FALSE(c.clean_start);
    CHECK(c.client_id.empty());
    CHECK_FALSE(c.will);
    CHECK_FALSE(c.username);
    CHECK_FALSE(c.password);
}

TEST_CASE("CONNECT protocol name and level") {
    const auto v3 =
        frame_of(0x10, cat({hex("00 06"), str("MQIsdp"), hex("03 02 00 3c 00 01"), str("a")}));
    CHECK(decode_one(v3, protocol_version::v5).error == reason_code::unsupported_protocol_version);
    CHECK(connect_error(cat({hex("00 04"), str("MQTT"), hex("06 02 00 3c 00 00")})) ==
          reason_code::unsupported_protocol_version);
    CHECK(connect_error(cat({hex("00 04"), str("MQTT"), hex("03 02 00 3c 00 00")})) ==
          reason_code::unsupported_protocol_version);
    // A wrong name [MQTT-3.1.2-1]: at level 5 answered as an unsupported version (in 5.0),
    // otherwise malformed and, being 3.1.1 at best, closed without an answer.
    const auto wrong_name = [](std::uint8_t level) {
        const auto wire =
            frame_of(0x10, cat({hex("00 04"), str("MQTS"), {level}, hex("02 00 3c 00 00 00")}));
        const auto result = decode_one(wire, protocol_version::v5);
        return std::pair{result.error, std::get<connect>(result.value).version};
    };
    CHECK(wrong_name(4) ==
          std::pair{std::error_code{reason_code::malformed_packet}, protocol_version::v3_1_1});
    CHECK(wrong_name(5) == std::pair{std::error_code{reason_code::unsupported_protocol_version},
                                     protocol_version::v5});
}

TEST_CASE("a failed CONNECT still tells its version, so the answer can be in it") {
    const bytes wire =
        frame_of(0x10, cat({hex("00 04"), str("MQTT"), hex("05 03 00 3c 00 00 00")}));
    const auto result = decode_one(wire, protocol_version::v3_1_1);
    CHECK(result.error == reason_code::malformed_packet);
    CHECK(std::get<connect>(result.value).version == protocol_version::v5);
}

TEST_CASE("CONNECT flag rules [MQTT-3.1.2-3] [MQTT-3.1.2-11..15] [MQTT-3.1.2-22]") {
    const auto with_flags = [](std::uint8_t flags, const bytes& rest, std::uint8_t level = 5) {
        return cat({hex("00 04"),
                    str("MQTT"),
                    {level, flags},
                    hex("00 3c"),
                    level == 5 ? hex("00") : bytes{},
                    hex("00 01"),
                    str("c"),
                    rest});
    };
    CHECK(connect_error(with_flags(0x03, {})) == reason_code::malformed_packet); // reserved bit
    CHECK(connect_error(with_flags(0x08, {})) ==
          reason_code::malformed_packet); // will QoS, no will
    CHECK(connect_error(with_flags(0x20, {})) == reason_code::malformed_packet); // retain, no will
    const auto will = cat({hex("00"), hex("00 01"), str("t"), hex("00 00")});
    CHECK(connect_error(with_flags(0x1c, will)) == reason_code::malformed_packet); // will QoS 3
    CHECK_FALSE(connect_error(with_flags(0x34, will)));                            // QoS 2, retain
    // In 3.1.1 a password needs a user name; 5.0 allows a password alone.
    CHECK(decode_one(frame_of(0x10, with_flags(0x42, hex("00 01 70"), 4)), protocol_version::v5)
              .error == reason_code::malformed_packet);
    CHECK_FALSE(connect_error(with_flags(0x42, hex("00 01 70"))));
}

TEST_CASE("CONNECT payload errors") {
    const auto head = cat({hex("00 04"), str("MQTT"), hex("05")});
    // A will topic with a wildcard.
    CHECK(connect_error(cat({head, hex("06 00 3c 00 00 01"), str("c"), hex("00 00 01"), str("#"),
                             hex("00 00")})) == reason_code::topic_name_invalid);
    // A client id that is not UTF-8.
    CHECK(connect_error(cat({head, hex("02 00 3c 00 00 01 ff")})) == reason_code::malformed_packet);
    // Bytes after the last field.
    CHECK(connect_error(cat({head, hex("02 00 3c 00 00 01"), str("c"), hex("00")})) ==
          reason_code::malformed_packet);
    // A user name flag without the user name.
    CHECK(connect_error(cat({head, hex("82 00 3c 00 00 01"), str("c")})) ==
          reason_code::malformed_packet);
    // Authentication Data without Authentication Method.
    CHECK(connect_error(cat({head, hex("02 00 3c 04 16 00 01 aa 00 01"), str("c")})) ==
          reason_code::protocol_error);
}

TEST_CASE("CONNACK in both versions") {
    connack accepted;
    accepted.session_present = true;
    CHECK(encode_ok(accepted, protocol_version::v3_1_1) == hex("20 02 01 00"));
    CHECK(encode_ok(accepted, protocol_version::v5) == hex("20 03 01 00 00"));

    connack refused;
    refused.code = reason_code::not_authorized;
    refused.properties.reason_string = "no";
    CHECK(encode_ok(refused, protocol_version::v3_1_1) == hex("20 02 00 05"));
    CHECK(encode_ok(refused, protocol_version::v5) ==
          cat({hex("20 08 00 87 05 1f 00 02"), str("no")}));

    // Every 3.1.1 return code maps to a reason code and back.
    for (std::uint8_t rc = 0; rc <= 5; ++rc) {
        const auto result = decode_one(bytes{0x20, 0x02, 0x00, rc}, protocol_version::v3_1_1);
        REQUIRE_FALSE(result.error);
        CHECK(to_v3_return_code(std::get<connack>(result.value).code) == rc);
    }
    CHECK(decode_one(hex("20 02 00 06"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet);
    CHECK(to_v3_return_code(reason_code::banned) == 5);
    CHECK(to_v3_return_code(reason_code::server_busy) == 3);
}

TEST_CASE("CONNACK errors") {
    CHECK(decode_one(hex("20 03 02 00 00"), protocol_version::v5).error ==
          reason_code::malformed_packet); // reserved acknowledge flag [MQTT-3.2.2-1]
    CHECK(decode_one(hex("20 03 01 87 00"), protocol_version::v5).error ==
          reason_code::protocol_error); // session present with a failure [MQTT-3.2.2-6]
    CHECK(decode_one(hex("20 03 00 8e 00"), protocol_version::v5).error ==
          reason_code::malformed_packet); // Session taken over is not a CONNACK code
    CHECK(decode_one(hex("20 02 00 00"), protocol_version::v5).error ==
          reason_code::malformed_packet); // 5.0 needs the property length
    CHECK(decode_one(hex("20 03 00 00 00"), protocol_version::v3_1_1).error ==
          reason_code::malformed_packet); // 3.1.1 has exactly two bytes
    const auto props = decode_one(hex("20 0a 00 00 07 21 00 0a 24 01 2a 00"), protocol_version::v5);
    REQUIRE_FALSE(props.error);
    const auto& p = std::get<connack>(props.value).properties;
    CHECK(p.receive_maximum == 10);
    CHECK(p.maximum_qos == 1);
    CHECK(p.shared_subscription_available == 0);
}

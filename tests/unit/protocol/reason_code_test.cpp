#include "fleetmq/protocol/reason_code.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::protocol;

TEST_CASE("reason codes are std::error_code values of the mqtt category") {
    const std::error_code error = reason_code::malformed_packet;
    CHECK(error.category().name() == std::string{"mqtt"});
    CHECK(error.value() == 0x81);
    CHECK(error.message() == "Malformed Packet");
    CHECK(error == reason_code::malformed_packet);
    CHECK(error != reason_code::protocol_error);
    CHECK(to_reason_code(error) == reason_code::malformed_packet);
    CHECK(to_reason_code(std::error_code{}) == reason_code::success);
    CHECK(to_reason_code(std::make_error_code(std::errc::io_error)) ==
          reason_code::unspecified_error);
}

TEST_CASE("every reason code of MQTT 5.0 is defined and named") {
    int defined = 0;
    for (int v = 0; v < 256; ++v) {
        if (is_defined_reason_code(static_cast<std::uint8_t>(v))) {
            ++defined;
            CHECK(to_string(static_cast<reason_code>(v)) != "Unknown reason code");
        }
    }
    CHECK(defined == 43); // table 2-6 of MQTT 5.0, one entry per value
    CHECK(to_string(static_cast<reason_code>(0x03)) == "Unknown reason code");
    CHECK(to_string(reason_code::topic_name_invalid) == "Topic Name invalid");
    CHECK(to_string(reason_code::packet_too_large) == "Packet too large");
    CHECK(is_failure(reason_code::unspecified_error));
    CHECK_FALSE(is_failure(reason_code::granted_qos_2));
}

TEST_CASE("reason codes are allowed per packet as MQTT 5.0 lists them") {
    CHECK(is_allowed_in(reason_code::not_authorized, packet_type::connack));
    CHECK_FALSE(is_allowed_in(reason_code::session_taken_over, packet_type::connack));
    CHECK(is_allowed_in(reason_code::session_taken_over, packet_type::disconnect));
    CHECK(is_allowed_in(reason_code::no_matching_subscribers, packet_type::puback));
    CHECK_FALSE(is_allowed_in(reason_code::no_matching_subscribers, packet_type::pubrel));
    CHECK(is_allowed_in(reason_code::packet_identifier_not_found, packet_type::pubcomp));
    CHECK(is_allowed_in(reason_code::granted_qos_2, packet_type::suback));
    CHECK_FALSE(is_allowed_in(reason_code::granted_qos_2, packet_type::unsuback));
    CHECK(is_allowed_in(reason_code::no_subscription_existed, packet_type::unsuback));
    CHECK(is_allowed_in(reason_code::re_authenticate, packet_type::auth));
    CHECK_FALSE(is_allowed_in(reason_code::not_authorized, packet_type::auth));
    CHECK_FALSE(is_allowed_in(reason_code::success, packet_type::publish));
}

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

TEST_CASE("an acknowledgement sheds its Reason String, then its User Properties, to fit") {
    puback ack{9, reason_code::not_authorized, {}};
    ack.properties.reason_string = "topic device/43/commands is not yours";
    ack.properties.user_properties = {{"rule", "device-own-topics"}};
    const auto full = encoded_size(ack, protocol_version::v5);
    REQUIRE_FALSE(full.error);

    // Just enough for everything: nothing shed.
    const auto limit = static_cast<std::uint32_t>(full.size);
    auto decoded = decode_one(
        [&] {
            bytes out;
            REQUIRE_FALSE(encode(ack, protocol_version::v5, out, limit).error);
            return out;
        }(),
        protocol_version::v5);
    CHECK(std::get<puback>(decoded.value) == ack);

    // One byte less: the Reason String goes, the User Property stays [MQTT-3.4.2-2].
    bytes shed;
    REQUIRE_FALSE(encode(ack, protocol_version::v5, shed, limit - 1).error);
    CHECK(shed.size() < full.size);
    decoded = decode_one(shed, protocol_version::v5);
    REQUIRE_FALSE(decoded.error);
    const auto& got = std::get<puback>(decoded.value);
    CHECK(got.code == reason_code::not_authorized);
    CHECK_FALSE(got.properties.reason_string);
    CHECK(got.properties.user_properties == ack.properties.user_properties);

    // Smaller still: both go [MQTT-3.4.2-3].
    bytes bare;
    REQUIRE_FALSE(encode(ack, protocol_version::v5, bare, 5).error);
    CHECK(bare == hex("40 03 00 09 87"));

    // Nothing left to shed: too large.
    CHECK(encoded_size(ack, protocol_version::v5, 4).error == reason_code::packet_too_large);
}

TEST_CASE("a PUBLISH over the peer's Maximum Packet Size is refused, never sent") {
    const std::string payload(1000, 'x');
    publish p;
    p.topic = "device/1/commands";
    p.payload = payload;
    p.properties.reason_string = std::nullopt;
    const auto size = encoded_size(p, protocol_version::v5);
    REQUIRE_FALSE(size.error);
    bytes out;
    CHECK(encode(p, protocol_version::v5, out, static_cast<std::uint32_t>(size.size - 1)).error ==
          reason_code::packet_too_large);
    CHECK(out.empty());
    CHECK_FALSE(encode(p, protocol_version::v5, out, static_cast<std::uint32_t>(size.size)).error);
    CHECK(out.size() == size.size);
}

TEST_CASE("values the wire cannot carry are refused") {
    const std::string long_topic(65536, 'a');
    publish p;
    p.topic = long_topic;
    bytes out;
    CHECK(encode(p, protocol_version::v3_1_1, out).error == reason_code::malformed_packet);

    subscribe s;
    s.packet_id = 1;
    s.subscriptions = {{"a"}};
    s.properties.subscription_identifiers = {268'435'456};
    CHECK(encode(s, protocol_version::v5, out).error == reason_code::malformed_packet);
    s.subscriptions.clear();
    s.properties.subscription_identifiers.clear();
    CHECK(encode(s, protocol_version::v5, out).error == reason_code::protocol_error);

    connect c;
    c.version = protocol_version::v3_1_1;
    c.password = "secret";
    CHECK(encode(c, protocol_version::v3_1_1, out).error == reason_code::malformed_packet);
    CHECK(out.empty());
}

TEST_CASE("encode into memory that is too small writes nothing") {
    publish p;
    p.topic = "a";
    p.payload = "payload";
    bytes memory(5, 0xEE);
    CHECK(encode(p, protocol_version::v3_1_1, std::span{memory}).error ==
          std::errc::no_buffer_space);
    CHECK(memory == bytes(5, 0xEE));
    bytes exact(12);
    const auto result = encode(p, protocol_version::v3_1_1, std::span{exact});
    REQUIRE_FALSE(result.error);
    CHECK(result.size == 12);
}

TEST_CASE("Remaining Length takes 1 to 4 bytes at its boundaries") {
    for (std::size_t body : {127u, 128u, 16383u, 16384u, 2097151u, 2097152u}) {
        INFO(body);
        const std::string payload(body - 3, 'p'); // topic "t" takes 3 bytes
        publish p;
        p.topic = "t";
        p.payload = payload;
        const auto wire = encode_ok(p, protocol_version::v3_1_1);
        const std::size_t length_bytes = body < 128 ? 1 : body < 16384 ? 2 : body < 2097152 ? 3 : 4;
        CHECK(wire.size() == 1 + length_bytes + body);
        const auto decoded = decode_one(wire, protocol_version::v3_1_1);
        REQUIRE_FALSE(decoded.error);
        CHECK(std::get<publish>(decoded.value).payload.size() == payload.size());
    }
}

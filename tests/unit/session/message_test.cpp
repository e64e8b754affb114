#include "fleetmq/session/message.hpp"

#include "fleetmq/protocol/decode.hpp"
#include "fleetmq/protocol/frame_decoder.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace fleetmq;
using namespace fleetmq::session;

namespace {

message_ptr sample(std::optional<std::uint32_t> expiry = std::nullopt) {
    protocol::publish p;
    p.topic = "device/a-0001/responses";
    p.payload = "pong";
    p.qos = protocol::qos::exactly_once;
    p.packet_id = 77;
    p.properties.correlation_data = "req-1";
    p.properties.message_expiry_interval = expiry;
    return message::from(p, p.topic, std::chrono::steady_clock::now());
}

protocol::publish decode(const std::vector<std::uint8_t>& bytes, protocol::protocol_version v) {
    protocol::frame_decoder decoder{1024};
    const auto step = decoder.feed(bytes);
    REQUIRE(step.status == protocol::frame_status::complete);
    protocol::packet packet;
    REQUIRE_FALSE(protocol::decode_packet(step.frame, v, packet));
    return std::get<protocol::publish>(packet);
}

} // namespace

TEST_CASE("a message is encoded once per variant and shared by every receiver") {
    const auto msg = sample();
    const auto v5 = protocol::protocol_version::v5;
    const auto first = msg->encoded(v5, protocol::qos::at_most_once, false);
    REQUIRE(first);
    CHECK(first == msg->encoded(v5, protocol::qos::at_most_once, false)); // the same bytes
    CHECK(first != msg->encoded(v5, protocol::qos::at_most_once, true));
    CHECK(first !=
          msg->encoded(protocol::protocol_version::v3_1_1, protocol::qos::at_most_once, false));

    const auto decoded = decode(*first, v5);
    CHECK(decoded.topic == "device/a-0001/responses");
    CHECK(decoded.payload == "pong");
    CHECK(decoded.qos == protocol::qos::at_most_once);
    CHECK_FALSE(decoded.retain);
    CHECK(decoded.properties.correlation_data == "req-1");
}

TEST_CASE("a QoS 1/2 receiver writes its packet id where the encoding says") {
    const auto msg = sample();
    for (const auto v : {protocol::protocol_version::v3_1_1, protocol::protocol_version::v5}) {
        std::vector<std::uint8_t> own{*msg->encoded(v, protocol::qos::at_least_once, true)};
        const auto at = message::packet_id_offset(own, msg->topic.size());
        own[at] = 0x12;
        own[at + 1] = 0x34;
        const auto decoded = decode(own, v);
        CHECK(decoded.packet_id == 0x1234);
        CHECK(decoded.qos == protocol::qos::at_least_once);
        CHECK(decoded.retain);
        CHECK(decoded.payload == "pong");
    }
}

TEST_CASE("a long message's packet id offset counts its whole Remaining Length") {
    const std::string payload(20000, 'x'); // three-byte Remaining Length
    protocol::publish p;
    p.topic = "t";
    p.payload = payload;
    p.qos = protocol::qos::at_least_once;
    p.packet_id = 1;
    const auto msg = message::from(p, p.topic, std::chrono::steady_clock::now());
    std::vector<std::uint8_t> own{
        *msg->encoded(protocol::protocol_version::v5, protocol::qos::at_least_once, false)};
    const auto at = message::packet_id_offset(own, 1);
    own[at] = 0xAB;
    own[at + 1] = 0xCD;
    protocol::frame_decoder decoder{64 * 1024};
    const auto step = decoder.feed(own);
    REQUIRE(step.status == protocol::frame_status::complete);
    protocol::packet packet;
    REQUIRE_FALSE(protocol::decode_packet(step.frame, protocol::protocol_version::v5, packet));
    CHECK(std::get<protocol::publish>(packet).packet_id == 0xABCD);
}

TEST_CASE("a message with an expiry is encoded per receiver (each is told what is left)") {
    CHECK_FALSE(
        sample(60)->encoded(protocol::protocol_version::v5, protocol::qos::at_most_once, false));
}

TEST_CASE("receivers on several threads get the same encoding") {
    const auto msg = sample();
    std::vector<shared_bytes> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        threads.emplace_back([&, i] {
            seen[i] =
                msg->encoded(protocol::protocol_version::v5, protocol::qos::at_most_once, false);
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (const auto& s : seen) {
        CHECK(s == seen.front());
    }
}

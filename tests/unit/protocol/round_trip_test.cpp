#include "protocol_samples.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <set>

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

namespace {

/// Decodes a whole stream fed in random pieces and compares each packet with the expected one
/// as it comes: a frame split across pieces lives in the decoder only until the next feed.
void check_stream(const bytes& wire, protocol_version version, const std::vector<packet>& expected,
                  std::mt19937& random) {
    frame_decoder decoder;
    std::size_t count = 0;
    std::size_t at = 0;
    while (at < wire.size()) {
        const auto size =
            std::min(std::uniform_int_distribution<std::size_t>{1, 64}(random), wire.size() - at);
        std::span<const std::uint8_t> input{wire.data() + at, size};
        at += size;
        while (!input.empty()) {
            const auto step = decoder.feed(input);
            REQUIRE(step.status != frame_status::failed);
            input = input.subspan(step.consumed);
            if (step.status == frame_status::complete) {
                packet p;
                REQUIRE_FALSE(decode_packet(step.frame, version, p));
                REQUIRE(count < expected.size());
                REQUIRE(p == expected[count]);
                ++count;
            }
        }
    }
    CHECK(count == expected.size());
}

} // namespace

TEST_CASE("every packet type round-trips in both versions") {
    for (auto version : {protocol_version::v3_1_1, protocol_version::v5}) {
        INFO(to_string(version));
        const auto packets = samples::all_packets(version);
        std::set<packet_type> types;
        for (const auto& p : packets) {
            INFO(to_string(type_of(p)));
            types.insert(type_of(p));
            const auto wire = encode_ok(p, version);
            CHECK(encoded_size(p, version).size == wire.size());
            const auto decoded = decode_one(wire, version);
            REQUIRE_FALSE(decoded.error);
            CHECK(decoded.value == p);
        }
        CHECK(types.size() == (version == protocol_version::v5 ? 15u : 14u));
    }
}

TEST_CASE("a stream of every packet, fed in random splits, gives the same packets") {
    std::mt19937 random{42};
    for (auto version : {protocol_version::v3_1_1, protocol_version::v5}) {
        const auto packets = samples::all_packets(version);
        bytes wire;
        for (const auto& p : packets) {
            REQUIRE_FALSE(encode(p, version, wire).error);
        }
        for (int round = 0; round < 200; ++round) {
            check_stream(wire, version, packets, random);
        }
    }
}

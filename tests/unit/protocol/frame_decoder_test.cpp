#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace fleetmq::protocol;
using namespace fleetmq::protocol::test;

namespace {

/// Feeds `wire` in pieces of the given sizes (the last piece takes the rest) and collects the
/// frames as packet-type/body pairs.
std::vector<bytes> frames_of(const bytes& wire, const std::vector<std::size_t>& pieces) {
    frame_decoder decoder;
    std::vector<bytes> frames;
    std::size_t at = 0;
    std::size_t piece = 0;
    while (at < wire.size()) {
        const std::size_t size =
            piece < pieces.size() ? std::min(pieces[piece++], wire.size() - at) : wire.size() - at;
        std::span<const std::uint8_t> input{wire.data() + at, size};
        at += size;
        while (!input.empty()) {
            const auto step = decoder.feed(input);
            REQUIRE(step.status != frame_status::failed);
            input = input.subspan(step.consumed);
            if (step.status == frame_status::complete) {
                bytes f{step.frame.first_byte};
                f.insert(f.end(), step.frame.body.begin(), step.frame.body.end());
                frames.push_back(f);
            }
        }
    }
    CHECK(decoder.idle());
    return frames;
}

const bytes stream = cat({hex("c0 00"), hex("30 05 00 01 61 68 69"), hex("d0 00"),
                          hex("62 02 00 07"), cat({hex("30 82 01 00 01 62"), bytes(127, 0x55)})});

} // namespace

TEST_CASE("frames come out whole however the stream is split") {
    const auto expected = frames_of(stream, {});
    REQUIRE(expected.size() == 5);
    CHECK(expected[0] == hex("c0"));
    CHECK(expected[1] == hex("30 00 01 61 68 69"));
    CHECK(expected[4].size() == 1 + 130);
    CHECK(frames_of(stream, std::vector<std::size_t>(stream.size(), 1)) == expected);
    std::mt19937 random{20261126};
    for (int round = 0; round < 500; ++round) {
        std::vector<std::size_t> pieces;
        for (std::size_t total = 0; total < stream.size();) {
            pieces.push_back(std::uniform_int_distribution<std::size_t>{1, 40}(random));
            total += pieces.back();
        }
        REQUIRE(frames_of(stream, pieces) == expected);
    }
}

TEST_CASE("a frame that arrives whole is a view into the input") {
    frame_decoder decoder;
    const bytes wire = hex("30 05 00 01 61 68 69");
    const auto step = decoder.feed(wire);
    REQUIRE(step.status == frame_status::complete);
    CHECK(step.frame.body.data() == wire.data() + 2);
    CHECK(step.frame.wire_size() == wire.size());
    CHECK(decoder.buffered_bytes() == 0);
}

TEST_CASE("several frames in one input come one per step") {
    frame_decoder decoder;
    const bytes wire = hex("c0 00 d0 00");
    auto step = decoder.feed(wire);
    REQUIRE(step.status == frame_status::complete);
    CHECK(step.consumed == 2);
    CHECK(step.frame.type() == packet_type::pingreq);
    step = decoder.feed(std::span{wire}.subspan(2));
    REQUIRE(step.status == frame_status::complete);
    CHECK(step.frame.type() == packet_type::pingresp);
    CHECK(decoder.feed({}).status == frame_status::need_more);
}

TEST_CASE("the Remaining Length is at most four bytes, in its shortest form [MQTT-1.5.5]") {
    frame_decoder decoder;
    auto step = decoder.feed(hex("30 ff ff ff ff 7f"));
    CHECK(step.status == frame_status::failed);
    CHECK(step.error == reason_code::malformed_packet);
    CHECK(step.consumed == 5); // refused at the fourth length byte, before any body byte
    CHECK(decoder.feed(hex("c0 00")).status == frame_status::failed); // stays failed

    frame_decoder non_minimal;
    step = non_minimal.feed(hex("c0 80 00"));
    CHECK(step.error == reason_code::malformed_packet);

    frame_decoder largest;
    step = largest.feed(hex("30 ff ff ff 7f"));
    CHECK(step.status == frame_status::need_more); // 268,435,455 is legal under the default limit
    CHECK(step.consumed == 5);
}

TEST_CASE("reserved fixed header flags are a Malformed Packet [MQTT-2.1.3-1]") {
    for (int first : {0x00, 0x11, 0x21, 0x36, 0x3e, 0x38, 0x41, 0x52, 0x60, 0x63, 0x71,
                      0x80, 0x83, 0x92, 0xa0, 0xa3, 0xb1, 0xc1, 0xd8, 0xe1, 0xf2}) {
        INFO(first);
        frame_decoder decoder;
        const auto step = decoder.feed(bytes{static_cast<std::uint8_t>(first), 0x00});
        CHECK(step.status == frame_status::failed);
        CHECK(step.error == reason_code::malformed_packet);
        CHECK(step.consumed == 1);
    }
    for (int first : {0x10, 0x20, 0x30, 0x31, 0x32, 0x34, 0x3b, 0x3d, 0x40, 0x50,
                      0x62, 0x70, 0x82, 0x90, 0xa2, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0}) {
        INFO(first);
        frame_decoder decoder;
        CHECK(decoder.feed(bytes{static_cast<std::uint8_t>(first), 0x00}).status ==
              frame_status::complete);
    }
}

TEST_CASE("a packet over the current maximum is refused from its header") {
    frame_decoder decoder{100};
    auto step = decoder.feed(hex("30 62"));
    CHECK(step.status == frame_status::need_more); // 2 + 98 = 100 bytes: at the limit
    decoder.reset();
    step = decoder.feed(hex("30 63 00")); // 2 + 99 = 101 bytes
    CHECK(step.status == frame_status::failed);
    CHECK(step.error == reason_code::packet_too_large);
    CHECK(step.consumed == 2);
    CHECK(decoder.buffered_bytes() == 0);

    decoder.reset();
    decoder.set_maximum_packet_size(1000);
    CHECK(decoder.maximum_packet_size() == 1000);
    CHECK(decoder.feed(hex("30 63")).status == frame_status::need_more);
}

TEST_CASE("a split frame is buffered as it arrives and released after it is used") {
    frame_decoder decoder;
    const bytes wire = cat({hex("30 82 01 00 01 62"), bytes(127, 0x55)});
    auto step = decoder.feed(std::span{wire}.first(10));
    CHECK(step.status == frame_status::need_more);
    CHECK_FALSE(decoder.idle());
    CHECK(decoder.buffered_bytes() < wire.size());
    step = decoder.feed(std::span{wire}.subspan(10));
    REQUIRE(step.status == frame_status::complete);
    CHECK(step.frame.body.size() == 130);
    CHECK(decoder.idle());
    CHECK(decoder.feed({}).status == frame_status::need_more);
    CHECK(decoder.buffered_bytes() == 0);
}

// Fuzzes the frame decoder and the packet decoder together, and checks a property the decoder
// must keep: every packet it accepts encodes again, and decodes from that encoding to the same
// packet. A crash, a sanitizer report or a broken round trip is a finding.
#include "fleetmq/protocol/decode.hpp"
#include "fleetmq/protocol/encode.hpp"
#include "fuzz_input.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

using namespace fleetmq::protocol;

[[noreturn]] void finding(const char* what) {
    std::fprintf(stderr, "fuzz finding: %s\n", what);
    std::abort();
}

void check_round_trip(const packet& p, protocol_version version) {
    if (const auto* c = std::get_if<connect>(&p)) {
        version = c->version; // a CONNECT names its own version
    }
    std::vector<std::uint8_t> wire;
    if (encode(p, version, wire).error) {
        finding("a decoded packet does not encode");
    }
    frame_decoder decoder;
    const auto step = decoder.feed(wire);
    if (step.status != frame_status::complete || step.consumed != wire.size()) {
        finding("an encoded packet is not one frame");
    }
    packet again;
    if (decode_packet(step.frame, version, again)) {
        finding("an encoded packet does not decode");
    }
    if (!(again == p)) {
        finding("a packet changed in a round trip");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fleetmq::protocol::fuzz::input::parse({data, size});
    frame_decoder decoder{in.maximum_packet_size};
    auto stream = in.stream;
    packet p;
    while (!stream.empty()) {
        const auto piece_size =
            in.piece_size == 0 ? stream.size() : std::min(in.piece_size, stream.size());
        auto piece = stream.first(piece_size);
        stream = stream.subspan(piece_size);
        while (!piece.empty()) {
            const auto step = decoder.feed(piece);
            if (step.consumed == 0 && step.status == frame_status::need_more) {
                finding("the decoder made no progress");
            }
            piece = piece.subspan(step.consumed);
            if (step.status == frame_status::failed) {
                return 0;
            }
            if (step.status == frame_status::complete &&
                !decode_packet(step.frame, in.version, p)) {
                check_round_trip(p, in.version);
            }
        }
    }
    return 0;
}

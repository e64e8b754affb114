// Micro-benchmarks of the protocol library: decode and encode of PUBLISH and CONNECT, and topic
// matching. items_per_second is packets (or matches) per second on one core.
#include "fleetmq/protocol/decode.hpp"
#include "fleetmq/protocol/encode.hpp"
#include "fleetmq/protocol/topic.hpp"
#include "protocol_samples.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace {

using namespace fleetmq::protocol;

constexpr int packets_per_batch = 1024;

publish make_publish(const std::string& payload, qos q) {
    publish p;
    p.topic = "device/dev-0001234/responses";
    p.payload = payload;
    p.qos = q;
    p.packet_id = q == qos::at_most_once ? 0 : 42;
    return p;
}

/// A stream of back-to-back copies of one packet, as a socket read would deliver them.
std::vector<std::uint8_t> stream_of(const packet& p, protocol_version version) {
    std::vector<std::uint8_t> wire;
    for (int i = 0; i < packets_per_batch; ++i) {
        encode(p, version, wire);
    }
    return wire;
}

void decode_stream(benchmark::State& state, const packet& p) {
    const auto version = protocol_version::v5;
    const auto wire = stream_of(p, version);
    frame_decoder decoder;
    packet out;
    for (auto _ : state) {
        std::span<const std::uint8_t> input{wire};
        while (!input.empty()) {
            const auto step = decoder.feed(input);
            input = input.subspan(step.consumed);
            auto error = decode_packet(step.frame, version, out);
            benchmark::DoNotOptimize(error);
        }
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations() * packets_per_batch);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
}

void BM_decode_publish(benchmark::State& state) {
    const std::string payload(static_cast<std::size_t>(state.range(0)), 'x');
    decode_stream(state, make_publish(payload, static_cast<qos>(state.range(1))));
}
BENCHMARK(BM_decode_publish)
    ->ArgNames({"payload", "qos"})
    ->Args({64, 0})
    ->Args({64, 1})
    ->Args({1024, 0})
    ->Args({1024, 1});

void BM_decode_connect(benchmark::State& state) {
    decode_stream(state, samples::all_packets(protocol_version::v5).front());
}
BENCHMARK(BM_decode_connect);

void BM_encode_publish(benchmark::State& state) {
    const std::string payload(static_cast<std::size_t>(state.range(0)), 'x');
    const packet p = make_publish(payload, static_cast<qos>(state.range(1)));
    std::vector<std::uint8_t> buffer(2048);
    for (auto _ : state) {
        auto result = encode(p, protocol_version::v5, std::span{buffer});
        benchmark::DoNotOptimize(result);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_encode_publish)
    ->ArgNames({"payload", "qos"})
    ->Args({64, 0})
    ->Args({64, 1})
    ->Args({1024, 0})
    ->Args({1024, 1});

void BM_encode_publish_head(benchmark::State& state) {
    const std::string payload(static_cast<std::size_t>(state.range(0)), 'x');
    const auto p = make_publish(payload, qos::at_least_once);
    std::array<std::uint8_t, 128> head{};
    for (auto _ : state) {
        auto result = encode_publish_head(p, protocol_version::v5, head);
        benchmark::DoNotOptimize(result);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_encode_publish_head)->ArgName("payload")->Arg(64)->Arg(1024);

void BM_encode_connect(benchmark::State& state) {
    const auto p = samples::all_packets(protocol_version::v5).front();
    std::vector<std::uint8_t> buffer(1024);
    for (auto _ : state) {
        auto result = encode(p, protocol_version::v5, std::span{buffer});
        benchmark::DoNotOptimize(result);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_encode_connect);

void BM_topic_matches(benchmark::State& state) {
    const std::string name = "device/dev-0001234/responses";
    const std::vector<std::string> filters = {"device/dev-0001234/responses", "device/+/responses",
                                              "device/#", "device/dev-0001235/responses",
                                              "$share/ctl/device/+/responses"};
    const auto& filter = filters[static_cast<std::size_t>(state.range(0))];
    const auto shared = split_shared_filter(filter);
    const std::string_view f = shared ? shared->filter : std::string_view{filter};
    state.SetLabel(filter);
    for (auto _ : state) {
        benchmark::DoNotOptimize(topic_matches(f, name));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_topic_matches)->DenseRange(0, 4);

void BM_validate_topic_name(benchmark::State& state) {
    const std::string name = "device/dev-0001234/responses";
    for (auto _ : state) {
        benchmark::DoNotOptimize(validate_topic_name(name));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_validate_topic_name);

} // namespace

BENCHMARK_MAIN();

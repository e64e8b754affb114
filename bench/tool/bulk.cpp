#include "bulk.hpp"

#include "bulk_pattern.hpp"
#include "process_sample.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

namespace fleetmq::bench {

using clock = std::chrono::steady_clock;

namespace {

constexpr std::uint8_t to_device = 1;
constexpr std::uint8_t from_device = 2;

/// One direction: the sender's progress and the receiver's checks. The counters are written
/// by the client's worker thread and read by the main thread for progress and the result.
struct direction_state {
    std::uint8_t tag = 0;
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> verified{0};
    std::atomic<std::uint64_t> corrupt{0};
    std::atomic<std::uint64_t> out_of_order{0};
    std::uint64_t next_expected = 0; // receiver's thread only
    std::vector<std::uint8_t> expected;
    std::vector<std::uint8_t> outgoing;

    bulk_direction snapshot() const {
        return {sent.load(), received.load(), verified.load(), corrupt.load(), out_of_order.load()};
    }
};

struct plan {
    std::uint64_t bytes;
    std::size_t payload;
    std::uint64_t messages() const { return (bytes + payload - 1) / payload; }
    std::size_t size_of(std::uint64_t index) const {
        return static_cast<std::size_t>(std::min<std::uint64_t>(payload, bytes - index * payload));
    }
};

void check(direction_state& d, const plan& p, std::span<const std::uint8_t> payload) {
    const auto index = bulk_pattern::index_of(payload);
    if (index != d.next_expected) {
        ++d.out_of_order;
    }
    d.next_expected = index + 1;
    ++d.received;
    if (index >= p.messages() || payload.size() != p.size_of(index)) {
        ++d.corrupt;
        return;
    }
    d.expected.resize(payload.size());
    bulk_pattern::fill(d.tag, index, d.expected);
    if (std::memcmp(d.expected.data(), payload.data(), payload.size()) != 0) {
        ++d.corrupt;
        return;
    }
    d.verified += payload.size();
}

/// Publishes as many of the direction's messages as may go now: at most `ahead_bytes` beyond
/// what the receiver has (MQTT has no flow control from a subscriber back to a publisher: a
/// publisher that outruns its subscriber fills the subscriber's queue in the broker, which then
/// drops QoS 0 or disconnects the subscriber), within the broker's Receive Maximum.
void publish_some(bench_client& client, direction_state& d, const plan& p, protocol::qos qos,
                  const std::string& topic) {
    constexpr std::size_t ahead_bytes = 512 * 1024; // half the broker's default queue bound
    const auto ahead = std::max<std::uint64_t>(2, ahead_bytes / p.payload);
    const auto total = p.messages();
    while (client.established() && d.sent.load() < total) {
        if (d.sent.load() - d.received.load() >= ahead) {
            return;
        }
        const auto index = d.sent.load();
        d.outgoing.resize(p.size_of(index));
        bulk_pattern::fill(d.tag, index, d.outgoing);
        protocol::publish message;
        message.topic = topic;
        message.payload = {reinterpret_cast<const char*>(d.outgoing.data()), d.outgoing.size()};
        message.qos = qos;
        if (!client.publish(message)) {
            return;
        }
        ++d.sent;
    }
}

} // namespace

bulk_result run_bulk(const bulk_options& o, const device_identities& devices,
                     const device_identities& controller) {
    bulk_result result;
    const plan p{o.bytes, o.payload_bytes};
    const auto& device = devices.at(0);
    const auto commands = "device/" + device.id + "/commands";
    const auto responses = "device/" + device.id + "/responses";
    auto to = o.to;
    to.threads = 2; // the device and the controller each on their own thread
    client_pool pool{to, false};
    pool.add(device, devices.client_id(0), {{commands, o.qos}});
    pool.add(controller.at(0), "bench-bulk-" + std::to_string(::getpid()), {{responses, o.qos}});

    direction_state down; // commands: controller -> device
    down.tag = to_device;
    direction_state up; // responses: device -> controller
    up.tag = from_device;
    std::atomic<std::uint64_t> lost{0};
    std::atomic<std::int64_t> last_arrival{0};
    const auto epoch = clock::now();

    result.connect_failures = pool.connect_all(
        [&](std::size_t index) {
            auto& incoming = index == 0 ? down : up;
            bench_client::handlers h;
            h.lost = [&](bench_client&) { ++lost; };
            h.message = [&](bench_client&, const protocol::publish& m) {
                check(incoming, p,
                      {reinterpret_cast<const std::uint8_t*>(m.payload.data()), m.payload.size()});
                last_arrival = (clock::now() - epoch).count();
            };
            return h;
        },
        o.progress);
    if (!result.connect_failures.empty()) {
        pool.stop();
        return result;
    }

    const cpu_meter cpu{o.broker_pid};
    const auto begin = clock::now();
    pool.tick_every_millisecond([&](unsigned w) {
        // Client 0 (the device) is on worker 0, client 1 (the controller) on worker 1.
        if (w == 0) {
            publish_some(pool.client(0), up, p, o.qos, responses);
        } else {
            publish_some(pool.client(1), down, p, o.qos, commands);
        }
    });

    const auto total = p.messages();
    const auto stall =
        std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o.stall_seconds));
    std::uint64_t seen = 0;
    auto last_change = clock::now();
    auto last_progress = begin;
    while (down.received.load() < total || up.received.load() < total) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
        const auto now = clock::now();
        const auto arrived = down.received.load() + up.received.load();
        if (arrived != seen) {
            seen = arrived;
            last_change = now;
        } else if (now - last_change > stall || lost.load() > 0) {
            break;
        }
        if (o.progress && now - last_progress >= std::chrono::seconds{1}) {
            last_progress = now;
            std::fprintf(stderr, "\r  to the device %llu MiB  from the device %llu MiB   ",
                         static_cast<unsigned long long>(down.verified.load() >> 20),
                         static_cast<unsigned long long>(up.verified.load() >> 20));
        }
    }
    if (o.progress) {
        std::fprintf(stderr, "\n");
    }
    pool.stop_ticking();
    result.seconds =
        std::chrono::duration<double>(epoch + clock::duration{last_arrival.load()} - begin).count();
    result.broker_cpu_seconds = cpu.broker();
    pool.stop();
    result.bench_cpu_seconds = cpu.own();
    result.to_device = down.snapshot();
    result.from_device = up.snapshot();
    result.connections_lost = lost.load();
    const auto whole = [&](const bulk_direction& d) {
        return d.messages_received == total && d.bytes_verified == o.bytes && d.corrupt == 0 &&
               d.out_of_order == 0;
    };
    result.complete =
        whole(result.to_device) && whole(result.from_device) && result.connections_lost == 0;
    return result;
}

} // namespace fleetmq::bench

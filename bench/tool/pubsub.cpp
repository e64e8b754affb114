#include "pubsub.hpp"

#include "message_stamp.hpp"
#include "pacing.hpp"
#include "process_sample.hpp"

#include <atomic>
#include <cstdio>
#include <thread>
#include <unistd.h>

namespace fleetmq::bench {

using clock = std::chrono::steady_clock;

namespace {

/// A publisher that has this much waiting for the socket is ahead of the broker: it skips
/// its turn instead of buffering without bound.
constexpr std::size_t behind_bytes = 1 << 20;
/// At most this many publishes per publisher per tick (1 ms).
constexpr std::uint64_t burst = 1000;

std::string controller_client_id(const char* role, std::size_t n) {
    return "bench-" + std::string{role} + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(n);
}

} // namespace

pubsub_result run_pubsub(const pubsub_options& o, const device_identities& devices,
                         const device_identities& controller) {
    pubsub_result result;
    const bool fan_in = o.mode == pubsub_mode::fan_in;
    client_pool pool{o.to, false};
    // Publishers first (indexes 0..P-1), then subscribers.
    for (std::size_t i = 0; i < o.publishers; ++i) {
        if (fan_in) {
            pool.add(devices.at(i), devices.client_id(i), {});
        } else {
            pool.add(controller.at(0), controller_client_id("pub", i), {});
        }
    }
    for (std::size_t j = 0; j < o.subscribers; ++j) {
        if (fan_in) {
            pool.add(controller.at(0), controller_client_id("sub", j),
                     {{"$share/bench/device/+/responses", o.qos}});
        } else {
            const auto& device = devices.at(j);
            pool.add(device, devices.client_id(j), {{"device/" + device.id + "/commands", o.qos}});
        }
    }

    const auto publishers = o.publishers;
    std::vector<std::atomic<std::uint64_t>> sent(publishers);
    std::vector<std::atomic<std::uint64_t>> received(publishers);
    std::vector<latency_histogram> latency(pool.workers()); // one per worker thread
    std::atomic<std::uint64_t> received_total{0};
    std::atomic<std::int64_t> last_receipt{0};
    std::atomic<std::uint64_t> lost{0};
    const auto epoch = clock::now();

    result.connect_failures = pool.connect_all(
        [&](std::size_t n) {
            bench_client::handlers h;
            h.lost = [&](bench_client&) { ++lost; };
            if (n >= publishers) {
                const auto w = pool.worker_of(n);
                h.message = [&, w](bench_client&, const protocol::publish& p) {
                    const auto stamp = read_stamp(p.payload);
                    if (!stamp || stamp->publisher >= publishers) {
                        return;
                    }
                    const auto now = clock::now();
                    latency[w].record(static_cast<std::uint64_t>(
                        std::max<std::int64_t>(0, micros_since(stamp->sent, now))));
                    ++received[stamp->publisher];
                    ++received_total;
                    last_receipt = (now - epoch).count();
                };
            }
            return h;
        },
        o.progress);
    if (!result.connect_failures.empty()) {
        pool.stop();
        return result;
    }

    const cpu_meter cpu{o.broker_pid};
    const auto begin = clock::now();
    const double per_publisher_rate = o.rate / static_cast<double>(publishers);
    // Each worker drives its own publishers: a payload buffer each, reused.
    std::vector<std::string> payloads(
        pool.workers(), std::string(std::max<std::size_t>(o.payload_bytes, stamp_size), 'x'));
    std::vector<std::uint64_t> rotation(publishers, 0);
    pool.tick_every_millisecond([&](unsigned w) {
        const double elapsed = std::chrono::duration<double>(clock::now() - begin).count();
        for (std::size_t i = w; i < publishers; i += pool.workers()) {
            auto& client = pool.client(i);
            if (!client.established() || client.unsent_bytes() > behind_bytes) {
                continue;
            }
            const auto done = sent[i].load();
            const auto allowed =
                allowance(per_publisher_rate, elapsed, done, received[i].load(), o.window, burst);
            for (std::uint64_t k = 0; k < allowed; ++k) {
                protocol::publish p;
                std::string topic;
                if (fan_in) {
                    topic = "device/" + client.device().id + "/responses";
                } else {
                    const auto to = (i + rotation[i]++ * publishers) % o.subscribers;
                    topic = "device/" + devices.at(to).id + "/commands";
                }
                write_stamp(payloads[w], {i, clock::now()});
                p.topic = topic;
                p.payload = payloads[w];
                p.qos = o.qos;
                if (!client.publish(p)) {
                    break;
                }
                ++sent[i];
            }
        }
    });

    const auto stop_at = begin + std::chrono::duration_cast<clock::duration>(
                                     std::chrono::duration<double>(o.seconds));
    auto last_progress = begin;
    const auto total_sent = [&] {
        std::uint64_t n = 0;
        for (auto& s : sent) {
            n += s.load();
        }
        return n;
    };
    while (clock::now() < stop_at) {
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
        if (o.progress && clock::now() - last_progress >= std::chrono::seconds{1}) {
            last_progress = clock::now();
            const auto seconds = std::chrono::duration<double>(last_progress - begin).count();
            std::fprintf(stderr, "\r%8.1f s  sent %llu  received %llu  %.0f msg/s   ", seconds,
                         static_cast<unsigned long long>(total_sent()),
                         static_cast<unsigned long long>(received_total.load()),
                         static_cast<double>(received_total.load()) / seconds);
        }
    }
    pool.stop_ticking();
    std::this_thread::sleep_for(std::chrono::milliseconds{5}); // a tick in progress ends
    result.sent = total_sent();
    const auto drain_until = clock::now() + std::chrono::duration_cast<clock::duration>(
                                                std::chrono::duration<double>(o.drain_seconds));
    while (received_total.load() < result.sent && clock::now() < drain_until) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    if (o.progress) {
        std::fprintf(stderr, "\n");
    }
    result.received = received_total.load();
    result.connections_lost = lost.load();
    result.publish_seconds =
        std::chrono::duration<double>(epoch + clock::duration{last_receipt.load()} - begin).count();
    result.broker_cpu_seconds = cpu.broker();
    result.broker_rss_after = o.broker_pid != 0 ? resident_bytes(o.broker_pid) : 0;
    pool.stop();
    result.bench_cpu_seconds = cpu.own();
    for (const auto& h : latency) {
        result.latency_micros.merge(h);
    }
    return result;
}

} // namespace fleetmq::bench

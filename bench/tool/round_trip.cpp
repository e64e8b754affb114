#include "round_trip.hpp"

#include "message_stamp.hpp"
#include "pacing.hpp"
#include "process_sample.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

namespace fleetmq::bench {

using clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t burst = 1000; // commands per controller per tick (1 ms), at most

std::string commands_of(const device_identity& d) {
    return "device/" + d.id + "/commands";
}

std::string responses_of(const device_identity& d) {
    return "device/" + d.id + "/responses";
}

} // namespace

round_trip_result run_round_trip(const round_trip_options& o, const device_identities& devices,
                                 const device_identities& controller) {
    round_trip_result result;
    client_pool pool{o.to, false};
    const auto n = o.devices;
    const auto controllers = std::max<std::size_t>(1, o.controllers);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& d = devices.at(i);
        pool.add(d, devices.client_id(i), {{commands_of(d), o.qos}});
    }
    for (std::size_t k = 0; k < controllers; ++k) {
        pool.add(controller.at(0),
                 "bench-ctl-" + std::to_string(::getpid()) + "-" + std::to_string(k),
                 {{"$share/bench/device/+/responses", o.qos}});
    }

    std::vector<std::atomic<bool>> answered_flags(n);
    std::vector<std::atomic<std::uint64_t>> sent_by(controllers);
    std::vector<std::atomic<std::uint64_t>> answered_by(controllers);
    std::vector<latency_histogram> round_trips(pool.workers());
    std::atomic<std::uint64_t> answered{0};
    std::atomic<std::uint64_t> lost{0};
    std::atomic<std::int64_t> last_answer{0};
    const auto epoch = clock::now();

    const auto connect_begin = clock::now();
    result.connect_failures = pool.connect_all(
        [&](std::size_t index) {
            bench_client::handlers h;
            h.lost = [&](bench_client&) { ++lost; };
            if (index < n) {
                // A device: answers each command where it asks, with its correlation data.
                h.message = [&o](bench_client& device, const protocol::publish& command) {
                    protocol::publish answer;
                    const auto topic = command.properties.response_topic
                                           ? std::string{*command.properties.response_topic}
                                           : responses_of(device.device());
                    answer.topic = topic;
                    answer.payload = command.payload;
                    answer.qos = o.qos;
                    answer.properties.correlation_data = command.properties.correlation_data;
                    device.publish(answer);
                };
            } else {
                const auto w = pool.worker_of(index);
                h.message = [&, w](bench_client&, const protocol::publish& answer) {
                    const auto stamp =
                        read_stamp(answer.properties.correlation_data.value_or(std::string_view{}));
                    if (!stamp || stamp->publisher >= n ||
                        answered_flags[stamp->publisher].exchange(true)) {
                        return; // not ours, or a duplicate
                    }
                    const auto now = clock::now();
                    round_trips[w].record(static_cast<std::uint64_t>(
                        std::max<std::int64_t>(0, micros_since(stamp->sent, now))));
                    ++answered_by[stamp->publisher % controllers];
                    ++answered;
                    last_answer = (now - epoch).count();
                };
            }
            return h;
        },
        o.progress);
    result.connect_seconds = std::chrono::duration<double>(clock::now() - connect_begin).count();
    if (!result.connect_failures.empty()) {
        pool.stop();
        return result;
    }

    const cpu_meter cpu{o.broker_pid};
    const auto begin = clock::now();
    const double per_controller_rate = o.rate / static_cast<double>(controllers);
    const auto per_controller_inflight = std::max<std::uint64_t>(1, o.inflight / controllers);
    std::vector<std::string> payloads(pool.workers(), std::string(o.payload_bytes, 'c'));
    std::vector<std::string> stamps(pool.workers(), std::string(stamp_size, '\0'));
    // Controller k sends to devices k, k + C, k + 2C, ...
    const auto share_of = [&](std::size_t k) { return (n + controllers - 1 - k) / controllers; };
    pool.tick_every_millisecond([&](unsigned w) {
        const double elapsed = std::chrono::duration<double>(clock::now() - begin).count();
        for (std::size_t k = 0; k < controllers; ++k) {
            const auto index = n + k;
            if (pool.worker_of(index) != w) {
                continue;
            }
            auto& client = pool.client(index);
            const auto done = sent_by[k].load();
            if (!client.established() || done >= share_of(k)) {
                continue;
            }
            const auto allowed =
                std::min(allowance(per_controller_rate, elapsed, done, answered_by[k].load(),
                                   per_controller_inflight, burst),
                         share_of(k) - done);
            for (std::uint64_t j = 0; j < allowed; ++j) {
                const auto device_index = k + (done + j) * controllers;
                const auto& d = devices.at(device_index);
                const auto topic = commands_of(d);
                const auto reply_to = responses_of(d);
                write_stamp(stamps[w], {device_index, clock::now()});
                protocol::publish p;
                p.topic = topic;
                p.payload = payloads[w];
                p.qos = o.qos;
                p.properties.response_topic = reply_to;
                p.properties.correlation_data = stamps[w];
                if (!client.publish(p)) {
                    break;
                }
                ++sent_by[k];
            }
        }
    });

    const auto total_sent = [&] {
        std::uint64_t s = 0;
        for (auto& v : sent_by) {
            s += v.load();
        }
        return s;
    };
    auto last_progress = begin;
    auto answer_deadline = clock::time_point::max();
    const auto answer_timeout = std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double>(o.answer_timeout_seconds));
    while (answered.load() < n && clock::now() < answer_deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
        if (answer_deadline == clock::time_point::max() && total_sent() >= n) {
            answer_deadline = clock::now() + answer_timeout; // every command is out
        }
        if (o.progress && clock::now() - last_progress >= std::chrono::seconds{1}) {
            last_progress = clock::now();
            std::fprintf(stderr, "\r  sent %llu  answered %llu   ",
                         static_cast<unsigned long long>(total_sent()),
                         static_cast<unsigned long long>(answered.load()));
        }
        if (lost.load() > 0 && total_sent() < n &&
            clock::now() - begin > answer_timeout + std::chrono::seconds{5}) {
            break; // a controller was lost: the rest will never be sent
        }
    }
    if (o.progress) {
        std::fprintf(stderr, "\n");
    }
    pool.stop_ticking();
    result.sent = total_sent();
    result.answered = answered.load();
    result.connections_lost = lost.load();
    result.seconds =
        std::chrono::duration<double>(epoch + clock::duration{last_answer.load()} - begin).count();
    result.broker_cpu_seconds = cpu.broker();
    pool.stop();
    result.bench_cpu_seconds = cpu.own();
    for (const auto& h : round_trips) {
        result.round_trip_micros.merge(h);
    }
    return result;
}

} // namespace fleetmq::bench

#include "storm.hpp"

#include "process_sample.hpp"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <future>
#include <mutex>
#include <random>
#include <thread>

namespace fleetmq::bench {

using clock = std::chrono::steady_clock;
namespace asio = boost::asio;

namespace {

clock::duration seconds(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

/// One device's way back: its timer and how many times it failed.
struct comeback {
    std::unique_ptr<asio::steady_timer> timer;
    int failures = 0;
    bool back = false;
};

} // namespace

storm_result run_storm(const storm_options& o, const device_identities& devices) {
    storm_result result;
    client_pool pool{o.to, o.resume};
    for (std::size_t i = 0; i < o.devices; ++i) {
        const auto& d = devices.at(i);
        pool.add(d, devices.client_id(i), {{"device/" + d.id + "/commands"}});
    }
    result.connect_failures =
        pool.connect_all([](std::size_t) { return bench_client::handlers{}; }, o.progress);
    for (std::size_t i = 0; i < o.devices; ++i) {
        result.connected += pool.client(i).established() ? 1u : 0u;
    }
    if (result.connected == 0) {
        pool.stop();
        return result;
    }

    std::vector<comeback> ways(o.devices);
    for (std::size_t i = 0; i < o.devices; ++i) {
        ways[i].timer = std::make_unique<asio::steady_timer>(pool.io(pool.worker_of(i)));
    }
    std::mutex lock; // the histograms and reasons, touched by every worker
    std::atomic<std::size_t> back{0};
    std::atomic<std::size_t> resumed{0};
    std::atomic<std::uint64_t> retries{0};
    std::atomic<std::int64_t> last_back{0};
    clock::time_point dropped_at;

    // Each worker drops its clients and schedules their returns; its own random numbers.
    std::function<void(std::size_t, clock::duration)> reconnect_after;
    std::vector<std::mt19937_64> randomness;
    for (unsigned w = 0; w < pool.workers(); ++w) {
        randomness.emplace_back(std::random_device{}());
    }
    const auto jittered = [&](std::size_t i, double ceiling_seconds) {
        std::uniform_real_distribution<double> pick{0, ceiling_seconds};
        return seconds(pick(randomness[pool.worker_of(i)]));
    };
    reconnect_after = [&](std::size_t i, clock::duration wait) {
        ways[i].timer->expires_after(wait);
        ways[i].timer->async_wait([&, i](const boost::system::error_code& e) {
            if (e) {
                return;
            }
            bench_client::handlers h;
            h.settled = [&, i](bench_client& c, const std::string& failure) {
                if (failure.empty()) {
                    ways[i].back = true;
                    const auto now = clock::now();
                    const std::lock_guard guard{lock};
                    result.back_after_micros.record(static_cast<std::uint64_t>(
                        std::chrono::duration_cast<std::chrono::microseconds>(now - dropped_at)
                            .count()));
                    result.handshake_micros.record(
                        static_cast<std::uint64_t>(c.tls_time().count()));
                    resumed += c.resumed() ? 1u : 0u;
                    last_back =
                        std::max<std::int64_t>(last_back.load(), (now - dropped_at).count());
                    ++back;
                    return;
                }
                ++retries;
                {
                    const std::lock_guard guard{lock};
                    ++result.retry_reasons[failure];
                }
                const double ceiling = std::min(
                    o.max_retry_seconds, o.retry_seconds * std::pow(2.0, ways[i].failures++));
                reconnect_after(i, jittered(i, ceiling));
            };
            pool.client(i).resume_next(o.resume);
            pool.client(i).start(std::move(h));
        });
    };

    const cpu_meter cpu{o.broker_pid};
    dropped_at = clock::now();
    for (unsigned w = 0; w < pool.workers(); ++w) {
        std::promise<void> done;
        auto dropped = done.get_future();
        pool.post(w, [&, w] {
            for (std::size_t i = w; i < o.devices; i += pool.workers()) {
                if (pool.client(i).established()) {
                    pool.client(i).drop();
                    reconnect_after(i, jittered(i, o.jitter_seconds));
                }
            }
            done.set_value();
        });
        dropped.wait();
    }
    const auto deadline = dropped_at + seconds(o.storm_timeout_seconds);
    auto last_progress = dropped_at;
    while (back.load() < result.connected && clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
        if (o.progress && clock::now() - last_progress >= std::chrono::seconds{1}) {
            last_progress = clock::now();
            std::fprintf(stderr, "\r  %6.1f s after the drop: %zu of %zu back, %llu retries   ",
                         std::chrono::duration<double>(last_progress - dropped_at).count(),
                         back.load(), result.connected,
                         static_cast<unsigned long long>(retries.load()));
        }
    }
    if (o.progress) {
        std::fprintf(stderr, "\n");
    }
    result.broker_cpu_seconds = cpu.broker();
    // Timers and handlers refer to this frame: cancel them where they run, then stop.
    for (unsigned w = 0; w < pool.workers(); ++w) {
        std::promise<void> done;
        auto cancelled = done.get_future();
        pool.post(w, [&, w] {
            for (std::size_t i = w; i < o.devices; i += pool.workers()) {
                ways[i].timer->cancel();
            }
            done.set_value();
        });
        cancelled.wait();
    }
    pool.stop();
    const std::lock_guard guard{lock};
    result.back = back.load();
    result.resumed = resumed.load();
    result.retries = retries.load();
    result.seconds_until_all_back =
        std::chrono::duration<double>(clock::duration{last_back.load()}).count();
    return result;
}

} // namespace fleetmq::bench

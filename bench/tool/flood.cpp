#include "flood.hpp"

#include "bench_client.hpp"
#include "process_sample.hpp"

#include <boost/asio/post.hpp>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace fleetmq::bench {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

namespace {

/// Everything the workers share, all of it counted with atomics or under `lock`.
struct shared_run {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> in_flight{0};
    std::atomic<std::size_t> established{0};
    std::atomic<std::size_t> failed{0};
    std::atomic<std::size_t> lost{0};
    std::mutex lock;
    std::map<std::string, std::size_t> failures;
    latency_histogram tls_micros;
    latency_histogram connack_micros;
};

/// One thread, its io_context and the clients it drives.
class worker {
public:
    worker(const flood_options& o, const device_identities& devices, SSL_CTX* ctx, shared_run& run,
           unsigned index, unsigned workers)
        : options_{o}, devices_{devices}, run_{run}, index_{index}, workers_{workers}, pacer_{io_} {
        settings_.broker = {asio::ip::make_address(o.to.host), o.to.port};
        settings_.context = ctx;
        settings_.mqtt = o.to.mqtt;
        settings_.keep_alive = o.to.keep_alive;
    }

    void start(clock::time_point begin) {
        begin_ = begin;
        pace();
        thread_ = std::thread{[this] { io_.run(); }};
    }

    void stop() {
        asio::post(io_, [this] {
            pacer_.cancel();
            for (auto& c : clients_) {
                c->stop();
            }
            io_.stop();
        });
        thread_.join();
        clients_.clear();
    }

private:
    /// Every millisecond: starts what the rate and the window allow, this worker's share.
    void pace() {
        const auto elapsed = std::chrono::duration<double>(clock::now() - begin_).count();
        for (;;) {
            if (run_.in_flight.load() >= options_.to.window) {
                break;
            }
            const auto started = run_.next.load();
            if (started >= options_.connections) {
                return; // all started: no more pacing
            }
            if (options_.rate > 0 && static_cast<double>(started) >= options_.rate * elapsed) {
                break;
            }
            const auto n = run_.next.fetch_add(1);
            if (n >= options_.connections) {
                return;
            }
            launch(n);
        }
        pacer_.expires_after(std::chrono::milliseconds{1});
        pacer_.async_wait([this](const boost::system::error_code& e) {
            if (!e) {
                pace();
            }
        });
    }

    void launch(std::size_t n) {
        ++run_.in_flight;
        auto s = settings_;
        if (options_.to.sources != 0) {
            s.source_address =
                "127.0.0." + std::to_string(2 + options_.source_offset + n % options_.to.sources);
        }
        settings_per_client_.push_back(std::make_unique<bench_client::settings>(s));
        const auto& device = devices_.at(options_.first_device + n);
        clients_.push_back(std::make_unique<bench_client>(
            io_, *settings_per_client_.back(), device,
            devices_.client_id(options_.first_device + n),
            std::vector<bench_client::subscription>{{"device/" + device.id + "/commands"}}));
        bench_client::handlers h;
        h.settled = [this](bench_client& c, const std::string& failure) {
            --run_.in_flight;
            const std::lock_guard lock{run_.lock};
            if (failure.empty()) {
                run_.tls_micros.record(static_cast<std::uint64_t>(c.tls_time().count()));
                run_.connack_micros.record(static_cast<std::uint64_t>(c.connack_time().count()));
                ++run_.established;
            } else {
                ++run_.failures[failure];
                ++run_.failed;
            }
        };
        h.lost = [this](bench_client&) { ++run_.lost; };
        clients_.back()->start(std::move(h));
    }

    const flood_options& options_;
    const device_identities& devices_;
    shared_run& run_;
    unsigned index_;
    unsigned workers_;
    asio::io_context io_{1};
    asio::steady_timer pacer_;
    bench_client::settings settings_;
    std::vector<std::unique_ptr<bench_client::settings>> settings_per_client_;
    std::vector<std::unique_ptr<bench_client>> clients_;
    clock::time_point begin_;
    std::thread thread_;
};

} // namespace

flood_result run_flood(const flood_options& options, const device_identities& devices) {
    const auto ctx =
        make_client_context(options.to.ca, options.to.host, options.to.tls_version, false);
    shared_run run;
    flood_result result;
    result.attempted = options.connections;
    result.broker_rss_before = options.broker_pid != 0 ? resident_bytes(options.broker_pid) : 0;
    const cpu_meter cpu{options.broker_pid};

    std::vector<std::unique_ptr<worker>> workers;
    for (unsigned i = 0; i < options.to.threads; ++i) {
        workers.push_back(
            std::make_unique<worker>(options, devices, ctx.get(), run, i, options.to.threads));
    }
    const auto begin = clock::now();
    for (auto& w : workers) {
        w->start(begin);
    }
    const auto deadline = begin + std::chrono::duration_cast<clock::duration>(
                                      std::chrono::duration<double>(options.to.timeout_seconds));
    auto last_progress = begin;
    const auto settled = [&] { return run.established.load() + run.failed.load(); };
    while (settled() < options.connections && clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
        if (options.progress && clock::now() - last_progress >= std::chrono::seconds{1}) {
            last_progress = clock::now();
            const auto seconds = std::chrono::duration<double>(last_progress - begin).count();
            std::fprintf(stderr, "\r%8.1f s  established %zu  failed %zu  %.0f/s   ", seconds,
                         run.established.load(), run.failed.load(),
                         static_cast<double>(settled()) / seconds);
        }
    }
    result.connect_seconds = std::chrono::duration<double>(clock::now() - begin).count();
    if (options.progress) {
        std::fprintf(stderr, "\n");
    }
    if (options.on_all_settled) {
        options.on_all_settled();
    }
    // Hold: the broker keeps every connection while nothing happens but keep-alive.
    const auto hold_until = clock::now() + std::chrono::duration_cast<clock::duration>(
                                               std::chrono::duration<double>(options.hold_seconds));
    while (clock::now() < hold_until && clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    if (options.before_release) {
        options.before_release();
    }
    result.broker_rss_after = options.broker_pid != 0 ? resident_bytes(options.broker_pid) : 0;
    result.broker_cpu_seconds = cpu.broker();
    for (auto& w : workers) {
        w->stop();
    }
    result.bench_cpu_seconds = cpu.own();
    result.established = run.established.load();
    result.lost_while_held = run.lost.load();
    result.failures = run.failures;
    if (settled() < options.connections) {
        result.failures["not_settled_in_time"] += options.connections - settled();
    }
    result.tls_micros = run.tls_micros;
    result.connack_micros = run.connack_micros;
    return result;
}

} // namespace fleetmq::bench

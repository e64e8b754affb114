#include "client_pool.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <future>
#include <mutex>

namespace fleetmq::bench {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

struct client_pool::worker {
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    asio::steady_timer ticker{io};
    std::thread thread;
    std::function<void(unsigned)> tick;
};

client_pool::client_pool(const target& t, bool resumption)
    : target_{t}, context_{make_client_context(t.ca, t.host, t.tls_version, resumption)} {
    settings_.broker = {asio::ip::make_address(t.host), t.port};
    settings_.context = context_.get();
    settings_.mqtt = t.mqtt;
    settings_.keep_alive = t.keep_alive;
    for (unsigned i = 0; i < std::max(1u, t.threads); ++i) {
        workers_.push_back(std::make_unique<worker>());
        auto* w = workers_.back().get();
        w->thread = std::thread{[w] { w->io.run(); }};
    }
}

client_pool::~client_pool() {
    stop();
}

bench_client& client_pool::add(const device_identity& device, std::string client_id,
                               std::vector<bench_client::subscription> subscriptions) {
    const auto index = clients_.size();
    auto s = settings_;
    if (target_.sources != 0) {
        s.source_address = "127.0.0." + std::to_string(2 + index % target_.sources);
    }
    per_client_settings_.push_back(std::make_unique<bench_client::settings>(s));
    clients_.push_back(
        std::make_unique<bench_client>(workers_[worker_of(index)]->io, *per_client_settings_.back(),
                                       device, std::move(client_id), std::move(subscriptions)));
    return *clients_.back();
}

std::map<std::string, std::size_t>
client_pool::connect_all(const std::function<bench_client::handlers(std::size_t)>& handlers_for,
                         bool progress) {
    std::mutex lock;
    std::map<std::string, std::size_t> failures;
    std::atomic<std::size_t> settled{0};
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> in_flight{0};
    const auto total = clients_.size();
    // Each worker starts the next client whenever one of the window's settles.
    std::function<void()> launch_more;
    launch_more = [&] {
        while (in_flight.load() < target_.window) {
            const auto n = next.fetch_add(1);
            if (n >= total) {
                return;
            }
            ++in_flight;
            auto h = handlers_for(n);
            auto user_settled = std::move(h.settled);
            h.settled = [&, user_settled](bench_client& c, const std::string& failure) {
                if (user_settled) {
                    user_settled(c, failure);
                }
                if (!failure.empty()) {
                    const std::lock_guard guard{lock};
                    ++failures[failure];
                }
                --in_flight;
                ++settled;
                launch_more();
            };
            post(worker_of(n),
                 [this, n, h = std::move(h)]() mutable { clients_[n]->start(std::move(h)); });
        }
    };
    launch_more();
    const auto begin = clock::now();
    const auto deadline = begin + std::chrono::duration_cast<clock::duration>(
                                      std::chrono::duration<double>(target_.timeout_seconds));
    auto last = begin;
    while (settled.load() < total && clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
        if (progress && clock::now() - last >= std::chrono::seconds{1}) {
            last = clock::now();
            std::fprintf(stderr, "\r  connecting: %zu of %zu settled   ", settled.load(), total);
        }
    }
    if (progress) {
        std::fprintf(stderr, "\r%60s\r", "");
    }
    // launch_more is referenced by handlers still queued: none may start a client from now on.
    next = total;
    const auto unsettled = total - std::min(total, settled.load());
    if (unsettled > 0) {
        // The stragglers must not reach this frame's state: stop them where they run.
        for (std::size_t i = 0; i < total; ++i) {
            post(worker_of(i), [this, i] {
                if (!clients_[i]->established()) {
                    clients_[i]->drop();
                }
            });
        }
    }
    // Wait for every worker to pass the handlers that may still refer to this frame.
    for (unsigned w = 0; w < workers(); ++w) {
        std::promise<void> passed;
        auto done = passed.get_future();
        post(w, [&passed] { passed.set_value(); });
        done.wait();
    }
    const std::lock_guard guard{lock};
    if (settled.load() < total) {
        failures["not_settled_in_time"] += total - settled.load();
    }
    return failures;
}

void client_pool::tick_every_millisecond(std::function<void(unsigned)> tick) {
    ticking_ = true;
    for (unsigned i = 0; i < workers(); ++i) {
        workers_[i]->tick = tick;
        post(i, [this, i] { arm_ticker(i); });
    }
}

void client_pool::arm_ticker(unsigned i) {
    auto& w = *workers_[i];
    w.ticker.expires_after(std::chrono::milliseconds{1});
    w.ticker.async_wait([this, i](const boost::system::error_code& e) {
        if (e || !ticking_) {
            return;
        }
        workers_[i]->tick(i);
        arm_ticker(i);
    });
}

void client_pool::stop_ticking() {
    ticking_ = false;
}

void client_pool::post(unsigned w, std::function<void()> f) {
    asio::post(workers_[w]->io, std::move(f));
}

asio::io_context& client_pool::io(unsigned w) {
    return workers_[w]->io;
}

void client_pool::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    ticking_ = false;
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        post(worker_of(i), [this, i] { clients_[i]->stop(); });
    }
    for (auto& w : workers_) {
        asio::post(w->io, [wk = w.get()] {
            wk->ticker.cancel();
            wk->guard.reset();
            wk->io.stop();
        });
    }
    for (auto& w : workers_) {
        w->thread.join();
    }
    clients_.clear();
}

} // namespace fleetmq::bench

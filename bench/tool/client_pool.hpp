#pragma once

#include "bench_client.hpp"
#include "target.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace fleetmq::bench {

/// The clients of one run, spread over one io_context thread per worker. Each client lives on
/// its worker's thread: its handlers run there, and calls on it must be made there (post).
class client_pool {
public:
    client_pool(const target& t, bool resumption);
    ~client_pool();
    client_pool(const client_pool&) = delete;
    client_pool& operator=(const client_pool&) = delete;

    /// Adds client number `index` (on worker index % threads), not started yet.
    bench_client& add(const device_identity& device, std::string client_id,
                      std::vector<bench_client::subscription> subscriptions);
    std::size_t size() const noexcept { return clients_.size(); }
    bench_client& client(std::size_t index) { return *clients_[index]; }
    unsigned worker_of(std::size_t index) const noexcept {
        return static_cast<unsigned>(index % workers_.size());
    }
    unsigned workers() const noexcept { return static_cast<unsigned>(workers_.size()); }

    /// Starts every client with the handlers `handlers_for(index)` gives, at most `window` in
    /// set-up at once, and waits until each is established or failed (or the timeout): the
    /// failures by reason. The handlers' `settled` is wrapped: it may be empty.
    std::map<std::string, std::size_t>
    connect_all(const std::function<bench_client::handlers(std::size_t)>& handlers_for,
                bool progress);

    /// Runs `tick(worker)` on every worker's thread every millisecond until stop_ticking().
    void tick_every_millisecond(std::function<void(unsigned)> tick);
    void stop_ticking();
    /// Runs `f` on worker `w`'s thread.
    void post(unsigned w, std::function<void()> f);
    /// Worker `w`'s io_context, for timers of the clients that live there.
    boost::asio::io_context& io(unsigned w);
    /// Stops every client (DISCONNECT) and the threads.
    void stop();

private:
    struct worker;
    void arm_ticker(unsigned worker);
    target target_;
    client_context_ptr context_;
    bench_client::settings settings_;
    std::vector<std::unique_ptr<bench_client::settings>> per_client_settings_;
    std::vector<std::unique_ptr<worker>> workers_;
    std::vector<std::unique_ptr<bench_client>> clients_;
    std::atomic<bool> ticking_{false};
    bool stopped_ = false;
};

} // namespace fleetmq::bench

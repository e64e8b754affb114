#pragma once

#include "metrics_render.hpp"

#include "fleetmq/broker/config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace fleetmq::broker::detail {

struct shared_state;

/// The operators' HTTP endpoint (Boost.Beast) on its own thread and io_context, away from the
/// shards: GET /metrics (Prometheus text format 0.0.4), /healthz, /readyz. Requests are
/// bounded in size (8 KiB of headers, 64 KiB of body) and time (10 s), connections in number;
/// anything else is 404. With a token configured, every path but /healthz needs
/// "Authorization: Bearer <token>".
class admin_server {
public:
    admin_server(shared_state& state, metrics_names names);
    ~admin_server();

    /// Binds (port 0: any free one) and starts the thread; returns the bound port.
    std::uint16_t start();
    void stop();

    /// Asks every shard for its snapshot on its own thread and calls `done(page)` on the admin
    /// thread once all have answered.
    void scrape(std::function<void(std::string)> done);

    /// Answers on the admin thread with an HTTP status and a JSON body.
    using responder = std::function<void(unsigned status, std::string body)>;
    /// GET /api/v1/clients/{id}, or with `disconnect` POST .../disconnect: asks the client
    /// id's home shard.
    void client(std::string client_id, bool disconnect, responder reply);
    /// POST /api/v1/reload.
    void reload(responder reply);

    shared_state& state() noexcept { return state_; }
    boost::asio::io_context& io() noexcept { return io_; }
    const std::string& token() const noexcept;

    /// Open HTTP connections; past `max_connections` new ones are closed at once.
    std::size_t connections = 0;
    static constexpr std::size_t max_connections = 64;

private:
    void accept();

    shared_state& state_;
    metrics_names names_;
    boost::asio::io_context io_{1};
    boost::asio::ip::tcp::acceptor acceptor_{io_};
    std::thread thread_;
};

} // namespace fleetmq::broker::detail

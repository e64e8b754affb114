#include "fleetmq/broker/server.hpp"

#include "admin_server.hpp"
#include "reload.hpp"
#include "shard.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace fleetmq::broker {

server::server(config c, std::shared_ptr<const acl::rule_set> rules)
    : state_{std::make_unique<detail::shared_state>()} {
    auto& state = *state_;
    state.acl = std::move(rules);
    for (const auto& listener : c.listeners) {
        state.tls.push_back(tls::server_context::create(c.tls_for(listener)));
    }
    const unsigned shards =
        c.shards != 0 ? c.shards : std::max(1u, std::thread::hardware_concurrency());
    state.config = std::move(c);
    state.set_live_config(std::make_shared<const config>(state.config));
    state.last_reload_success =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    state.mail = std::make_unique<detail::mailboxes>(shards);
    for (unsigned i = 0; i < shards; ++i) {
        state.shards.push_back(std::make_unique<detail::shard>(state, i));
    }
}

server::~server() {
    stop();
    wait();
}

void server::reload(std::function<void(reload_result)> done) {
    detail::reload(*state_, std::move(done));
}

unsigned server::shard_count() const noexcept {
    return static_cast<unsigned>(state_->shards.size());
}

namespace {

/// SO_REUSEPORT would let a second broker share the port silently and take half the
/// connections. A bind without it fails if anything already listens there.
void require_free(const listener_config& listener) {
    if (listener.port == 0) {
        return;
    }
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::acceptor probe{io};
    const asio::ip::tcp::endpoint endpoint{asio::ip::make_address(listener.address), listener.port};
    boost::system::error_code error;
    probe.open(endpoint.protocol(), error);
    if (!error) {
        probe.set_option(asio::ip::tcp::acceptor::reuse_address(true), error);
        probe.bind(endpoint, error);
    }
    if (error) {
        throw std::runtime_error{"listener " + listener.address + ":" +
                                 std::to_string(listener.port) + ": " + error.message() +
                                 " (is another broker running?)"};
    }
}

} // namespace

std::vector<server::endpoint> server::start() {
    std::vector<endpoint> endpoints;
    auto& state = *state_;
    for (const auto& listener : state.config.listeners) {
        require_free(listener);
    }
    for (std::size_t i = 0; i < state.config.listeners.size(); ++i) {
        std::uint16_t port = state.config.listeners[i].port;
        for (auto& shard : state.shards) {
            port = shard->listen(i, port); // the first shard's port, for all of them
        }
        endpoints.push_back({state.config.listeners[i].address, port});
    }
    for (auto& shard : state.shards) {
        shard->start();
    }
    if (state.config.admin.enabled) {
        detail::metrics_names names;
        for (const auto& e : endpoints) {
            names.listeners.push_back(e.address + ":" + std::to_string(e.port));
        }
        for (const auto& t : state.config.trust) {
            names.trusts.push_back(t.entry.policy.name);
        }
        names.version = FLEETMQ_VERSION;
        names.max_connections = state.config.limits.max_connections;
        admin_ = std::make_unique<detail::admin_server>(state, std::move(names));
        admin_endpoint_ = {state.config.admin.address, admin_->start()};
    }
    state.listening = true;
    return endpoints;
}

void server::stop() {
    if (state_->stopping.exchange(true)) {
        return;
    }
    state_->listening = false;
    for (auto& shard : state_->shards) {
        shard->shut_down();
    }
}

void server::wait() {
    for (auto& shard : state_->shards) {
        shard->join();
    }
    if (admin_) {
        admin_->stop(); // after the shards: a scrape in progress waits for none of them now
    }
    // Mail still in flight may hold a connection moving between shards, whose socket belongs
    // to its old shard: dropped while every shard still exists.
    for (auto& shard : state_->shards) {
        shard->discard_mail();
    }
}

} // namespace fleetmq::broker

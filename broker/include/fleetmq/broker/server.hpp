#pragma once

#include "fleetmq/acl/rule_set.hpp"
#include "fleetmq/broker/config.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fleetmq::broker {

/// What a reload did.
struct reload_result {
    bool ok = false;
    /// Why not, naming the file.
    std::string error;
    /// Connections closed because their certificate is now revoked.
    std::size_t disconnected = 0;
    /// Changes in the configuration file that wait for a restart (listeners, shards ...).
    std::vector<std::string> restart_needed;
};

namespace detail {
struct shared_state;
class admin_server;
} // namespace detail

/// The broker: shards (one thread and io_context each, one per core by default), each with an
/// SO_REUSEPORT acceptor per listener, routing between them through mailboxes.
class server {
public:
    /// Builds the TLS context of every listener; throws tls::config_error on a bad file.
    server(config c, std::shared_ptr<const acl::rule_set> rules);
    ~server();

    struct endpoint {
        std::string address;
        std::uint16_t port = 0;
    };

    /// Binds every listener (a port of 0 gets a free one, the same for every shard), starts
    /// the shard threads and returns where it listens.
    std::vector<endpoint> start();

    /// Closes every connection (5.0 clients get DISCONNECT Server shutting down) and stops the
    /// shards. Callable from any thread; returns at once.
    void stop();

    /// Waits until every shard has stopped.
    void wait();

    unsigned shard_count() const noexcept;

    /// Re-reads certificates, keys, CAs, CRLs and the ACL file and swaps them in (SIGHUP and
    /// POST /api/v1/reload); `done` is called on another thread when every shard has them.
    void reload(std::function<void(reload_result)> done);

    /// Where the admin HTTP endpoint listens (after start); port 0 when it is disabled.
    endpoint admin_endpoint() const { return admin_endpoint_; }

private:
    std::unique_ptr<detail::shared_state> state_;
    std::unique_ptr<detail::admin_server> admin_;
    endpoint admin_endpoint_;
};

} // namespace fleetmq::broker

// What the admin API and a reload ask of a shard, answered on its own thread.
#include "connection.hpp"
#include "json.hpp"
#include "shard.hpp"

#include "fleetmq/auth/identity.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace fleetmq::broker::detail {

namespace {

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

} // namespace

std::string connection::describe() const {
    return fmt::format(
        R"("peer":{},"shard":{},"protocol_version":{},"tls_version":{},"tls_resumed":{},)"
        R"("certificate":{{"serial":{},"not_after":{}}},"connected_since":{})",
        json_string(peer_), shard_->index(), json_string(protocol::to_string(version_)),
        json_string(stream_.version()), stream_.resumed() ? "true" : "false", json_string(serial_),
        unix_seconds(not_after_), unix_seconds(connected_at_));
}

std::optional<std::string> shard::describe_client(const std::string& client_id) const {
    assert_owner();
    const auto* found = sessions_.find(client_id);
    if (found == nullptr) {
        return std::nullopt;
    }
    const auto& s = *found;
    std::string json = fmt::format(
        R"({{"client_id":{},"connected":{},"identity":{{"id":{},"role":{},"trust":{}}},)"
        R"("session":{{"expiry_interval":{},"subscriptions":{},"queued":{},"inflight":{}}})",
        json_string(s.client_id()), s.online != nullptr ? "true" : "false",
        json_string(s.identity().id), json_string(auth::to_string(s.identity().role)),
        json_string(s.identity().trust), s.expiry_interval(), s.subscriptions().size(),
        s.waiting_count(), s.inflight_count());
    if (s.online != nullptr) {
        json += ",";
        json += s.online->describe();
    }
    return json + "}";
}

bool shard::disconnect_client(const std::string& client_id) {
    assert_owner();
    auto* found = sessions_.find(client_id);
    if (found == nullptr) {
        return false;
    }
    auto* online = found->online;
    if (online == nullptr) {
        return false;
    }
    online->shared_from_this()->disconnect_by_admin();
    return true;
}

std::size_t shard::adopt(std::vector<std::shared_ptr<const tls::server_context>> tls,
                         std::shared_ptr<const acl::rule_set> rules,
                         std::shared_ptr<const broker::config> config) {
    assert_owner();
    tls_ = std::move(tls);
    acl_ = std::move(rules);
    config_ = std::move(config);
    // Trust entries are only ever added at the end (reload_plan): existing indices stay.
    metrics_.connections_by_trust.resize(config_->trust.size(), 0);
    metrics_.not_after_by_trust.resize(config_->trust.size());
    ++trust_generation_;
    // A copy: dropping a connection removes it from the map.
    std::vector<std::shared_ptr<connection>> all;
    all.reserve(connections_.size());
    for (const auto& [id, c] : connections_) {
        all.push_back(c);
    }
    std::size_t dropped = 0;
    for (const auto& c : all) {
        dropped += c->recheck_trust() ? 1u : 0u;
    }
    return dropped;
}

} // namespace fleetmq::broker::detail

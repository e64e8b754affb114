#include "reload_plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace fleetmq::broker::detail {

namespace {

std::vector<std::string> trust_names(const config& c) {
    std::vector<std::string> names;
    for (const auto& t : c.trust) {
        names.push_back(t.entry.policy.name);
    }
    return names;
}

std::string joined(const std::vector<std::string>& names) {
    return fmt::format("[{}]", fmt::join(names, ", "));
}

} // namespace

reload_plan plan_reload(const config& running, config next) {
    reload_plan plan;
    auto& out = plan.restart_needed;
    if (next.listeners.size() != running.listeners.size()) {
        out.push_back(fmt::format("listeners: {} configured, {} listening", next.listeners.size(),
                                  running.listeners.size()));
        next.listeners = running.listeners;
    } else {
        for (std::size_t i = 0; i < next.listeners.size(); ++i) {
            auto& l = next.listeners[i];
            const auto& r = running.listeners[i];
            if (l.address != r.address || l.port != r.port) {
                out.push_back(fmt::format("listener {}: {}:{} configured, {}:{} listening", i + 1,
                                          l.address, l.port, r.address, r.port));
                l.address = r.address;
                l.port = r.port;
            }
        }
    }
    if (next.shards != running.shards) {
        out.push_back(
            fmt::format("shards: {} configured, {} running", next.shards, running.shards));
        next.shards = running.shards;
    }
    const auto& a = next.admin;
    const auto& ra = running.admin;
    if (a.enabled != ra.enabled || a.address != ra.address || a.port != ra.port ||
        a.token != ra.token) {
        out.push_back("admin: the endpoint's address, port or token");
        next.admin = running.admin;
    }
    if (next.limits.max_connections != running.limits.max_connections) {
        out.push_back(fmt::format("limits.max_connections: {} configured, {} in force",
                                  next.limits.max_connections, running.limits.max_connections));
        next.limits.max_connections = running.limits.max_connections;
    }
    // Trust entries are indexed by position (connected devices, per-vendor metrics): changed in
    // place or added at the end is live; anything else keeps the running list whole.
    const auto now = trust_names(running);
    const auto wanted = trust_names(next);
    const bool appended =
        wanted.size() >= now.size() && std::equal(now.begin(), now.end(), wanted.begin());
    if (!appended) {
        out.push_back(fmt::format("trust entries removed, renamed or reordered: {} configured, "
                                  "{} in force (none of the trust changes applied)",
                                  joined(wanted), joined(now)));
        next.trust = running.trust;
    }
    plan.apply = std::move(next);
    return plan;
}

} // namespace fleetmq::broker::detail

#include "reload.hpp"

#include "fleetmq/broker/acl_file.hpp"
#include "reload_plan.hpp"
#include "shard.hpp"

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

namespace fleetmq::broker::detail {

void reload(shared_state& state, std::function<void(reload_result)> done) {
    std::vector<std::shared_ptr<const tls::server_context>> contexts;
    std::shared_ptr<const acl::rule_set> rules;
    std::shared_ptr<const broker::config> applied;
    std::vector<std::string> restart_needed;
    {
        const std::lock_guard lock{state.reload_mutex};
        try {
            // The file again, checked as --check-config checks it: any error refuses the
            // whole reload and keeps everything as it is.
            auto plan = plan_reload(*state.live_config(), load_config(state.config.source));
            const auto& next = plan.apply;
            for (std::size_t i = 0; i < next.listeners.size(); ++i) {
                // The ticket keys stay: devices resume across a reload (unless the CAs or
                // CRLs changed, which changes the session id context).
                contexts.push_back(tls::server_context::create(next.tls_for(next.listeners[i]),
                                                               state.tls[i]->tickets()));
            }
            rules = load_acl(next);
            restart_needed = std::move(plan.restart_needed);
            applied = std::make_shared<const broker::config>(std::move(plan.apply));
        } catch (const std::exception& e) {
            spdlog::error("reload failed, nothing changed: {}", e.what());
            state.reloads_failed.fetch_add(1);
            done({false, e.what(), 0, {}});
            return;
        }
        state.tls = contexts;
        state.acl = rules;
        state.set_live_config(applied);
    }
    spdlog::set_level(spdlog::level::from_str(applied->log_level));
    for (const auto& change : restart_needed) {
        spdlog::warn("reload: not applied until a restart: {}", change);
    }
    struct gathering {
        std::atomic<std::size_t> remaining{0};
        std::atomic<std::size_t> disconnected{0};
        std::function<void(reload_result)> done;
        std::vector<std::string> restart_needed;
    };
    auto g = std::make_shared<gathering>();
    g->remaining = state.shards.size();
    g->done = std::move(done);
    g->restart_needed = std::move(restart_needed);
    for (auto& s : state.shards) {
        boost::asio::post(s->io(), [g, &state, &target = *s, contexts, rules, applied] {
            g->disconnected += target.adopt(contexts, rules, applied);
            if (g->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                const auto n = g->disconnected.load();
                state.reloads_succeeded.fetch_add(1);
                state.last_reload_success.store(
                    std::chrono::duration<double>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count());
                spdlog::info("reloaded the configuration, certificates, CAs, CRLs and ACL; {} "
                             "connection(s) with a revoked certificate closed",
                             n);
                g->done({true, {}, n, g->restart_needed});
            }
        });
    }
}

} // namespace fleetmq::broker::detail

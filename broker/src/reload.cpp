#include "reload.hpp"

#include "fleetmq/broker/acl_file.hpp"
#include "shard.hpp"

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

namespace fleetmq::broker::detail {

void reload(shared_state& state, std::function<void(reload_result)> done) {
    std::vector<std::shared_ptr<const tls::server_context>> contexts;
    std::shared_ptr<const acl::rule_set> rules;
    {
        const std::lock_guard lock{state.reload_mutex};
        try {
            for (std::size_t i = 0; i < state.config.listeners.size(); ++i) {
                // The ticket keys stay: devices resume across a reload (unless the CAs or
                // CRLs changed, which changes the session id context).
                contexts.push_back(tls::server_context::create(
                    state.config.tls_for(state.config.listeners[i]), state.tls[i]->tickets()));
            }
            rules = load_acl(state.config);
        } catch (const std::exception& e) {
            spdlog::error("reload failed, nothing changed: {}", e.what());
            state.reloads_failed.fetch_add(1);
            done({false, e.what(), 0});
            return;
        }
        state.tls = contexts;
        state.acl = rules;
    }
    struct gathering {
        std::atomic<std::size_t> remaining{0};
        std::atomic<std::size_t> disconnected{0};
        std::function<void(reload_result)> done;
    };
    auto g = std::make_shared<gathering>();
    g->remaining = state.shards.size();
    g->done = std::move(done);
    for (auto& s : state.shards) {
        boost::asio::post(s->io(), [g, &state, &target = *s, contexts, rules] {
            g->disconnected += target.adopt(contexts, rules);
            if (g->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                const auto n = g->disconnected.load();
                state.reloads_succeeded.fetch_add(1);
                state.last_reload_success.store(
                    std::chrono::duration<double>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count());
                spdlog::info("reloaded certificates, CAs, CRLs and ACL; {} connection(s) with a "
                             "revoked certificate closed",
                             n);
                g->done({true, {}, n});
            }
        });
    }
}

} // namespace fleetmq::broker::detail

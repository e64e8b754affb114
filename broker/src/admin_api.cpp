// The admin API's JSON operations: a client's state, disconnecting it, reloading.
#include "admin_server.hpp"
#include "json.hpp"
#include "reload.hpp"
#include "shard.hpp"

#include <boost/asio/post.hpp>

namespace fleetmq::broker::detail {

namespace asio = boost::asio;

void admin_server::client(std::string client_id, bool disconnect, responder reply) {
    auto& home = *state_.shards[state_.shards.front()->placement().of_client(client_id)];
    asio::post(home.io(), [this, &home, client_id = std::move(client_id), disconnect,
                           reply = std::move(reply)]() mutable {
        unsigned status = 200;
        std::string body;
        if (disconnect) {
            if (home.disconnect_client(client_id)) {
                body = R"({"client_id":)" + json_string(client_id) + R"(,"disconnected":true})";
            } else {
                status = 404;
                body = R"({"error":"not connected: )" + json_string(client_id).substr(1) + "}";
            }
        } else if (auto described = home.describe_client(client_id)) {
            body = std::move(*described);
        } else {
            status = 404;
            body =
                R"({"error":"no session for client id )" + json_string(client_id).substr(1) + "}";
        }
        asio::post(io_, [reply = std::move(reply), status, body = std::move(body)] {
            reply(status, body + "\n");
        });
    });
}

void admin_server::reload(responder reply) {
    // Files are read here, on the admin thread: the shards go on serving meanwhile.
    detail::reload(state_, [this, reply = std::move(reply)](reload_result result) mutable {
        std::string body;
        if (result.ok) {
            std::string pending;
            for (const auto& change : result.restart_needed) {
                pending += (pending.empty() ? "" : ",") + json_string(change);
            }
            body = R"({"reloaded":true,"disconnected":)" + std::to_string(result.disconnected) +
                   R"(,"restart_needed":[)" + pending + "]}\n";
        } else {
            body = R"({"reloaded":false,"error":)" + json_string(result.error) + "}\n";
        }
        const unsigned status = result.ok ? 200 : 422;
        asio::post(io_, [reply = std::move(reply), status, body = std::move(body)] {
            reply(status, body);
        });
    });
}

} // namespace fleetmq::broker::detail

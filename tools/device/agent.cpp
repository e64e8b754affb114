#include "agent.hpp"

#include "backoff.hpp"
#include "command_handler.hpp"
#include "preflight.hpp"

#include <fleetmq/client/certificate_summary.hpp>
#include <fleetmq/client/connection_error.hpp>
#include <fleetmq/client/mqtt_client.hpp>
#include <fleetmq/client/tls_connection.hpp>

#include <spdlog/spdlog.h>

#include <thread>

namespace fleetmq::tools {
namespace {

using client::clock;
using client::connection_error;
using client::failure_stage;

constexpr auto network_timeout = std::chrono::seconds{10};
constexpr auto stop_check = std::chrono::milliseconds{200};

std::string with_hint(const std::string& message) {
    const auto hint = client::hint_for(message);
    return hint.empty() ? message : message + " (fix: " + hint + ")";
}

bool names_the_wrong_broker(const std::string& message) {
    return message.find("hostname mismatch") != std::string::npos ||
           message.find("IP address mismatch") != std::string::npos;
}

std::string first_word(const std::string& payload) {
    auto word = payload.substr(0, payload.find(' '));
    if (word.size() > 64) {
        word = word.substr(0, 64) + "...";
    }
    return word;
}

/// Sleeps for `wait` unless `stop` is set first.
void pause(std::chrono::milliseconds wait, const std::atomic<bool>& stop) {
    const auto until = clock::now() + wait;
    while (!stop && clock::now() < until) {
        std::this_thread::sleep_for(std::min<clock::duration>(stop_check, until - clock::now()));
    }
}

struct topics {
    std::string command;
    std::string response;
};

/// Answers commands and keeps the connection alive until `stop`; throws connection_error when
/// the connection is lost.
void serve(client::mqtt_client& mqtt, std::chrono::seconds keep_alive, const topics& t,
           const device_facts& facts, const client::device_config& config,
           const std::atomic<bool>& stop) {
    while (!stop) {
        const auto now = clock::now();
        const auto ping_due =
            keep_alive.count() > 0 ? mqtt.last_sent() + keep_alive : now + std::chrono::hours{1};
        if (auto command = mqtt.receive(std::min(ping_due, now + stop_check))) {
            const auto name = first_word(command->payload);
            spdlog::info("command '{}' received on {}", name, command->topic);
            auto result = run_command(command->payload, facts, config.command_handler,
                                      config.command_timeout);
            client::message reply;
            // A 5.0 command names where the answer goes; 3.1.1 has only the configured topic.
            reply.topic = command->response_topic.value_or(t.response);
            reply.payload = std::move(result.response);
            reply.qos = protocol::qos::at_least_once;
            reply.correlation_data = command->correlation_data;
            const auto code = mqtt.publish(reply, clock::now() + network_timeout);
            if (protocol::is_failure(code)) {
                spdlog::warn("the answer to '{}' on {} was refused: {}", name, reply.topic,
                             protocol::to_string(code));
            } else {
                spdlog::info("answered '{}' on {}: {}", name, reply.topic,
                             result.ok ? "ok" : "error");
            }
            continue;
        }
        if (keep_alive.count() > 0 && clock::now() >= mqtt.last_sent() + keep_alive) {
            if (mqtt.unanswered_pings() > 0) {
                throw connection_error{failure_stage::mqtt,
                                       "no PINGRESP within the keep alive: the connection is dead"};
            }
            mqtt.ping(clock::now() + network_timeout);
        }
    }
}

} // namespace

agent_exit device_agent::run(const std::atomic<bool>& stop) {
    std::string id;
    if (const auto problems = preflight(config_, id); !problems.empty()) {
        spdlog::error("cannot start: {}", problems);
        return agent_exit::config_error;
    }
    const auto certificate = client::read_certificate_summary(config_.client_cert);
    const device_facts facts{id, std::chrono::steady_clock::now(), certificate.not_after};
    const topics t{client::expand_topic(config_.command_topic, id),
                   client::expand_topic(config_.response_topic, id)};
    const auto left = certificate.not_after - std::chrono::system_clock::now();
    const auto days_left = std::chrono::duration_cast<std::chrono::hours>(left).count() / 24;
    if (left.count() <= 0) {
        spdlog::error("the certificate has expired ({} days ago): the broker will refuse it; "
                      "issue a new one",
                      -days_left);
    } else if (days_left < 30) {
        spdlog::warn("the certificate expires in {} days: renew it", days_left);
    }
    std::optional<client::tls_client_context> context;
    try {
        context.emplace(client::tls_settings{
            config_.ca_cert, config_.client_cert, config_.client_key, config_.tls_min_version, {}});
    } catch (const connection_error& e) {
        spdlog::error("cannot start: {}", with_hint(e.what()));
        return agent_exit::config_error;
    }
    spdlog::info("device '{}': commands on {}, answers on {}", id, t.command, t.response);

    reconnect_backoff backoff{config_.connect_retry_time, config_.connect_retry_max_interval};
    bool ever_connected = false;
    while (!stop) {
        spdlog::info("connecting to {}:{}", config_.broker_address, config_.broker_port);
        try {
            auto connection = client::tls_connection::open(*context, config_.broker_address,
                                                           config_.broker_port, network_timeout);
            spdlog::info("TLS established ({}{})", connection.version(),
                         connection.resumed() ? ", session resumed" : ", full handshake");
            client::mqtt_client mqtt{std::move(connection)};
            client::connect_options options;
            options.client_id = id;
            options.keep_alive = config_.keep_alive;
            options.version = config_.protocol_version == 5 ? protocol::protocol_version::v5
                                                            : protocol::protocol_version::v3_1_1;
            const auto deadline = clock::now() + network_timeout;
            const auto accepted = mqtt.connect(options, deadline);
            if (accepted.code != protocol::reason_code::success) {
                throw connection_error{
                    failure_stage::mqtt,
                    "CONNACK refused: " + std::string{protocol::to_string(accepted.code)} +
                        (accepted.reason_string.empty() ? ""
                                                        : " (" + accepted.reason_string + ")")};
            }
            spdlog::info("connected as '{}' (MQTT {}, keep alive {} s)", id,
                         config_.protocol_version == 5 ? "5.0" : "3.1.1", accepted.keep_alive);
            const auto granted = mqtt.subscribe(t.command, protocol::qos::at_least_once, deadline);
            if (protocol::is_failure(granted)) {
                throw connection_error{failure_stage::mqtt,
                                       "SUBSCRIBE to " + t.command + " refused: " +
                                           std::string{protocol::to_string(granted)}};
            }
            spdlog::info("subscribed to {}", t.command);
            backoff.reset();
            ever_connected = true;
            serve(mqtt, std::chrono::seconds{accepted.keep_alive}, t, facts, config_, stop);
            mqtt.disconnect();
            spdlog::info("disconnected: stopping");
            break;
        } catch (const connection_error& e) {
            const std::string message = e.what();
            if (!ever_connected && names_the_wrong_broker(message)) {
                spdlog::error("cannot start: {}", with_hint(message));
                return agent_exit::config_error;
            }
            spdlog::warn("connection {}: {}",
                         e.stage() == failure_stage::resolve || e.stage() == failure_stage::connect
                             ? "failed"
                             : "lost",
                         with_hint(message));
        }
        if (stop) {
            break;
        }
        const auto wait = backoff.next();
        spdlog::info("reconnecting in {:.1f} s (attempt {}, backoff up to {:.1f} s)",
                     static_cast<double>(wait.count()) / 1000.0, backoff.attempts(),
                     static_cast<double>(backoff.ceiling().count()) / 1000.0);
        pause(wait, stop);
    }
    return agent_exit::stopped;
}

} // namespace fleetmq::tools

// The live checks: the broker's name resolves, its port answers, and a real mTLS handshake,
// CONNECT and SUBSCRIBE to the device's command topic succeed.
#include "check_steps.hpp"

#include <fleetmq/client/mqtt_client.hpp>
#include <fleetmq/client/tls_connection.hpp>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <memory>

namespace fleetmq::tools::detail {

check_result check_resolves(findings& f) {
    const auto& host = f.config->broker_address;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
        return fail("broker resolves", "cannot resolve " + host + ": " + ::gai_strerror(rc), "");
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses{found, &::freeaddrinfo};
    char text[NI_MAXHOST] = "?";
    ::getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST);
    return pass("broker resolves", fmt::format("{} is {}", host, text));
}

check_result check_reachable(findings& f) {
    const auto& c = *f.config;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const auto port = std::to_string(c.broker_port);
    if (::getaddrinfo(c.broker_address.c_str(), port.c_str(), &hints, &found) != 0) {
        return fail("port reachable", "cannot resolve " + c.broker_address, "");
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses{found, &::freeaddrinfo};
    std::string error = "no address";
    for (auto* a = found; a != nullptr; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            continue;
        }
        int result = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
        if (result == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, static_cast<int>(f.options.timeout.count())) == 1) {
                socklen_t length = sizeof result;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &result, &length);
            } else {
                result = ETIMEDOUT;
            }
        }
        ::close(fd);
        if (result == 0) {
            return pass("port reachable",
                        fmt::format("{}:{} accepts TCP connections", c.broker_address, port));
        }
        error = result == ETIMEDOUT ? "timed out" : std::strerror(result);
    }
    return fail("port reachable",
                fmt::format("cannot connect to {}:{}: {}", c.broker_address, port, error), "");
}

namespace {

/// A client id of the device's own that the broker's prefixed_by_id and any rules accept, so
/// that the doctor does not take over the session of the device's running agent.
std::string derived_client_id(const std::string& device_id) {
    return fmt::format("{}/doctor-{}", device_id, ::getpid());
}

bool refused_for_client_id(protocol::reason_code code) {
    return code == protocol::reason_code::client_identifier_not_valid;
}

} // namespace

std::vector<check_result> check_live_session(findings& f) {
    const auto& c = *f.config;
    std::vector<check_result> out;
    const auto deadline = client::clock::now() + f.options.timeout;
    auto skip_rest = [&](std::size_t from) {
        static constexpr const char* names[] = {"TLS handshake", "MQTT CONNECT",
                                                "SUBSCRIBE command topic"};
        for (auto i = from; i < 3; ++i) {
            out.push_back({names[i], verdict::skip, "needs the step before", {}});
        }
    };
    std::optional<client::tls_client_context> context;
    std::optional<client::mqtt_client> mqtt;
    const auto open = [&] {
        auto connection = client::tls_connection::open(*context, c.broker_address, c.broker_port,
                                                       f.options.timeout);
        const auto version = connection.version();
        mqtt.emplace(std::move(connection));
        return version;
    };
    try {
        context.emplace(
            client::tls_settings{c.ca_cert, c.client_cert, c.client_key, c.tls_min_version, {}});
        const auto version = open();
        out.push_back(
            pass("TLS handshake", fmt::format("{} with {}; the broker's certificate names {}",
                                              version, c.broker_address, c.broker_address)));
    } catch (const client::connection_error& e) {
        out.push_back(fail("TLS handshake", e.what(), ""));
        skip_rest(1);
        return out;
    }
    // In TLS 1.3 the broker judges the client certificate after the client's handshake ended:
    // a refusal arrives as an alert on the first read, here while waiting for CONNACK.
    const auto topic = client::expand_topic(c.command_topic, f.device_id);
    const auto mqtt_version = c.protocol_version == 5 ? "5.0" : "3.1.1";
    const auto connect_as = [&](const std::string& client_id) {
        client::connect_options options;
        options.client_id = client_id;
        options.keep_alive = c.keep_alive;
        options.version = c.protocol_version == 5 ? protocol::protocol_version::v5
                                                  : protocol::protocol_version::v3_1_1;
        return mqtt->connect(options, deadline);
    };
    std::string accepted_as;
    try {
        // First as "<id>/doctor-<pid>": the device's running agent keeps its session.
        auto client_id = derived_client_id(f.device_id);
        auto result = connect_as(client_id);
        std::string note = " (a derived id: the device's own session is left alone)";
        if (refused_for_client_id(result.code)) {
            // This broker takes only the device id itself, and a CONNECT with it would take
            // over (disconnect) the device's agent if it is running.
            const auto question = fmt::format(
                "The broker accepts only the client id '{}' for this device: connecting with it "
                "disconnects the device's running agent (it reconnects by itself). Connect as "
                "'{}'?",
                f.device_id, f.device_id);
            const bool allowed =
                f.options.take_over || (f.options.confirm && f.options.confirm(question));
            if (!allowed) {
                out.push_back({"MQTT CONNECT",
                               verdict::skip,
                               fmt::format("not run: the broker accepts only the client id '{}', "
                                           "and using it would take over the device's live "
                                           "session; confirm when asked (a terminal) or pass "
                                           "--take-over",
                                           f.device_id),
                               {}});
                out.push_back(
                    {"SUBSCRIBE command topic", verdict::skip, "needs the step before", {}});
                return out;
            }
            open();
            client_id = f.device_id;
            result = connect_as(client_id);
            note = " (the device's own id: its running agent was taken over)";
        }
        if (result.code != protocol::reason_code::success) {
            out.push_back(fail(
                "MQTT CONNECT",
                fmt::format("CONNACK refused: {}{}", protocol::to_string(result.code),
                            result.reason_string.empty() ? "" : " (" + result.reason_string + ")"),
                ""));
            skip_rest(2);
            return out;
        }
        accepted_as = client_id;
        out.push_back(pass("MQTT CONNECT", fmt::format("accepted as client id '{}' (MQTT {}){}",
                                                       client_id, mqtt_version, note)));
    } catch (const client::connection_error& e) {
        out.push_back(fail("MQTT CONNECT", e.what(), ""));
        skip_rest(2);
        return out;
    }
    try {
        const auto code = mqtt->subscribe(topic, protocol::qos::at_least_once, deadline);
        if (protocol::is_failure(code)) {
            out.push_back(fail("SUBSCRIBE command topic",
                               fmt::format("'{}' refused: {}", topic, protocol::to_string(code)),
                               "the broker's ACL does not allow this topic for this device: "
                               "command_topic must be device/{id}/commands (the id is the CN)"));
        } else {
            out.push_back(pass("SUBSCRIBE command topic", fmt::format("'{}' granted", topic)));
        }
    } catch (const client::connection_error& e) {
        out.push_back(fail("SUBSCRIBE command topic", e.what(), ""));
    }
    mqtt->disconnect();
    return out;
}

} // namespace fleetmq::tools::detail

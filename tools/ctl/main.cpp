// fleetmq-ctl: the controller side of the seed system.
//
//   fleetmq-ctl CONNECTION send DEVICE-ID COMMAND... [--timeout 10]
//   fleetmq-ctl CONNECTION watch [--group fleetmq-ctl] [--count N] [--timeout S]
//   CONNECTION: --config FILE (the seed's format, with the controller's certificate)
//               or --host H --port P --ca FILE --cert FILE --key FILE
//
// `send` publishes the command on device/<id>/commands with an MQTT 5.0 response topic and
// correlation data, and prints the device's answer. Exit codes: 0 answered, 1 the device
// answered with an error, 2 no answer in time (offline?), 3 refused by the broker, 4 cannot
// connect, 64 usage. `watch` follows device/+/responses through a shared subscription (several
// watchers in one group share the stream) and prints "<device-id> <answer>" per line.
#include <fleetmq/client/connection_error.hpp>
#include <fleetmq/client/device_config.hpp>
#include <fleetmq/client/mqtt_client.hpp>
#include <fleetmq/client/tls_connection.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using fleetmq::client::clock;
namespace client = fleetmq::client;
namespace protocol = fleetmq::protocol;

enum exit_code : int {
    answered = 0,
    device_error = 1,
    no_answer = 2,
    refused = 3,
    cannot_connect = 4,
    usage_error = 64,
};

constexpr const char* usage =
    "usage: fleetmq-ctl CONNECTION send DEVICE-ID COMMAND... [--timeout 10]\n"
    "       fleetmq-ctl CONNECTION watch [--group fleetmq-ctl] [--count N] [--timeout S]\n"
    "CONNECTION: --config FILE, or --host H --port P --ca FILE --cert FILE --key FILE\n";

std::atomic<bool> interrupted{false};

struct failure {
    int code;
    std::string message;
};

std::string random_hex(std::size_t bytes) {
    std::random_device random;
    std::string out;
    for (std::size_t i = 0; i < bytes; ++i) {
        out += fmt::format("{:02x}", random() & 0xFF);
    }
    return out;
}

struct session {
    std::optional<client::tls_client_context> context;
    std::optional<client::mqtt_client> mqtt;
};

/// Connects as a controller (MQTT 5.0: response topics and correlation data need it).
void open_session(session& s, const client::device_config& c) {
    if (c.protocol_version != 5) {
        throw failure{usage_error, "fleetmq-ctl speaks MQTT 5.0 only (response topic and "
                                   "correlation data): set protocol_version: 5.0"};
    }
    try {
        s.context.emplace(
            client::tls_settings{c.ca_cert, c.client_cert, c.client_key, c.tls_min_version, {}});
        s.mqtt.emplace(client::tls_connection::open(*s.context, c.broker_address, c.broker_port,
                                                    std::chrono::seconds{10}));
        client::connect_options options;
        options.client_id = "fleetmq-ctl-" + random_hex(6);
        options.keep_alive = 60;
        const auto result = s.mqtt->connect(options, clock::now() + std::chrono::seconds{10});
        if (result.code != protocol::reason_code::success) {
            throw failure{
                refused,
                fmt::format("the broker refused the connection: {}{}",
                            protocol::to_string(result.code),
                            result.reason_string.empty() ? "" : " (" + result.reason_string + ")")};
        }
    } catch (const client::connection_error& e) {
        const auto hint = client::hint_for(e.what());
        throw failure{cannot_connect,
                      std::string{e.what()} + (hint.empty() ? "" : "\n  fix: " + hint)};
    }
}

void subscribe(session& s, const std::string& filter) {
    const auto code = s.mqtt->subscribe(filter, protocol::qos::at_least_once,
                                        clock::now() + std::chrono::seconds{10});
    if (protocol::is_failure(code)) {
        throw failure{refused, fmt::format("SUBSCRIBE {} refused: {} (is this a controller's "
                                           "certificate?)",
                                           filter, protocol::to_string(code))};
    }
}

int send(const client::device_config& c, const std::string& device, const std::string& command,
         std::chrono::seconds timeout) {
    session s;
    open_session(s, c);
    const auto responses = fmt::format("device/{}/responses", device);
    subscribe(s, responses);
    client::message m;
    m.topic = fmt::format("device/{}/commands", device);
    m.payload = command;
    m.qos = protocol::qos::at_least_once;
    m.response_topic = responses;
    m.correlation_data = random_hex(16);
    const auto deadline = clock::now() + timeout;
    const auto code = s.mqtt->publish(m, deadline);
    if (code == protocol::reason_code::no_matching_subscribers) {
        s.mqtt->disconnect();
        throw failure{no_answer, fmt::format("{} is not connected (nobody subscribes to {})",
                                             device, m.topic)};
    }
    if (protocol::is_failure(code)) {
        throw failure{refused,
                      fmt::format("PUBLISH to {} refused: {}", m.topic, protocol::to_string(code))};
    }
    while (!interrupted) {
        auto answer =
            s.mqtt->receive(std::min(deadline, clock::now() + std::chrono::milliseconds{200}));
        if (answer && answer->correlation_data == m.correlation_data) {
            s.mqtt->disconnect();
            std::fwrite(answer->payload.data(), 1, answer->payload.size(), stdout);
            std::fputc('\n', stdout);
            return answer->payload.starts_with("error:") ? device_error : answered;
        }
        if (clock::now() >= deadline) {
            break;
        }
    }
    s.mqtt->disconnect();
    throw failure{no_answer, fmt::format("no answer from {} within {} s", device, timeout.count())};
}

int watch(const client::device_config& c, const std::string& group, long count,
          std::chrono::seconds timeout) {
    session s;
    open_session(s, c);
    subscribe(s, fmt::format("$share/{}/device/+/responses", group));
    std::fprintf(stderr, "fleetmq-ctl: watching device/+/responses (group %s)\n", group.c_str());
    const auto until = timeout.count() > 0 ? clock::now() + timeout : clock::time_point::max();
    long seen = 0;
    while (!interrupted && (count <= 0 || seen < count) && clock::now() < until) {
        auto answer =
            s.mqtt->receive(std::min(until, clock::now() + std::chrono::milliseconds{200}));
        if (!answer) {
            // Keep alive 60 s: a ping after 30 s of silence.
            if (clock::now() - s.mqtt->last_sent() > std::chrono::seconds{30}) {
                s.mqtt->ping(clock::now() + std::chrono::seconds{10});
            }
            continue;
        }
        // device/<id>/responses
        const auto& topic = answer->topic;
        const auto id = topic.substr(7, topic.size() - 7 - 10);
        std::printf("%s %s\n", id.c_str(), answer->payload.c_str());
        std::fflush(stdout);
        ++seen;
    }
    s.mqtt->disconnect();
    return answered;
}

long number(const std::string& option, const std::string& value, long most) {
    std::size_t used = 0;
    long n = -1;
    try {
        n = std::stol(value, &used);
    } catch (const std::exception&) {
    }
    if (used != value.size() || n < 0 || n > most) {
        throw failure{usage_error, fmt::format("{} expects a number from 0 to {}", option, most)};
    }
    return n;
}

client::device_config connection_from(const std::vector<std::string>& args, std::size_t& at) {
    std::optional<client::device_config> config;
    std::string host, port = "8883", ca, cert, key;
    for (; at < args.size(); ++at) {
        const auto& option = args[at];
        if (option == "send" || option == "watch") {
            break;
        }
        if (at + 1 >= args.size()) {
            throw failure{usage_error, option + " needs a value"};
        }
        const auto& value = args[++at];
        if (option == "--config") {
            try {
                config = client::read_device_config(value);
            } catch (const client::config_error& e) {
                throw failure{usage_error, e.what()};
            }
        } else if (option == "--host") {
            host = value;
        } else if (option == "--port") {
            port = value;
        } else if (option == "--ca") {
            ca = value;
        } else if (option == "--cert") {
            cert = value;
        } else if (option == "--key") {
            key = value;
        } else {
            throw failure{usage_error, "unknown option " + option};
        }
    }
    if (config) {
        return *config;
    }
    if (host.empty() || ca.empty() || cert.empty() || key.empty()) {
        throw failure{usage_error, "give --config FILE, or --host, --ca, --cert and --key"};
    }
    try {
        return client::parse_device_config(
            fmt::format("broker_address: {}\nbroker_port: {}\nca_cert: {}\nclient_cert: "
                        "{}\nclient_key: {}\n",
                        host, port, ca, cert, key),
            "command line");
    } catch (const client::config_error& e) {
        throw failure{usage_error, e.what()};
    }
}

int run(const std::vector<std::string>& args) {
    std::size_t at = 0;
    const auto config = connection_from(args, at);
    if (at >= args.size()) {
        throw failure{usage_error, "send or watch?"};
    }
    const auto command = args[at++];
    std::chrono::seconds timeout{command == "send" ? 10 : 0};
    std::string group = "fleetmq-ctl";
    long count = 0;
    std::vector<std::string> words;
    for (; at < args.size(); ++at) {
        const auto& a = args[at];
        if ((a == "--timeout" || a == "--group" || a == "--count") && at + 1 < args.size()) {
            const auto& value = args[++at];
            if (a == "--timeout") {
                timeout = std::chrono::seconds{number(a, value, 86400)};
            } else if (a == "--group") {
                group = value;
            } else {
                count = number(a, value, 1'000'000'000);
            }
        } else {
            words.push_back(a);
        }
    }
    if (command == "send") {
        if (words.size() < 2) {
            throw failure{usage_error, "send DEVICE-ID COMMAND..."};
        }
        std::string text;
        for (std::size_t i = 1; i < words.size(); ++i) {
            text += (i > 1 ? " " : "") + words[i];
        }
        return send(config, words[0], text,
                    timeout.count() > 0 ? timeout : std::chrono::seconds{10});
    }
    if (!words.empty()) {
        throw failure{usage_error, "watch takes no arguments but options"};
    }
    return watch(config, group, count, timeout);
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction on_interrupt {};
    on_interrupt.sa_handler = [](int) { interrupted = true; };
    sigaction(SIGINT, &on_interrupt, nullptr);
    sigaction(SIGTERM, &on_interrupt, nullptr);
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::fputs(usage, args.empty() ? stderr : stdout);
        return args.empty() ? usage_error : answered;
    }
    try {
        return run(args);
    } catch (const failure& f) {
        std::fprintf(stderr, "fleetmq-ctl: %s\n", f.message.c_str());
        if (f.code == usage_error) {
            std::fputs(usage, stderr);
        }
        return f.code;
    } catch (const client::connection_error& e) {
        const auto hint = client::hint_for(e.what());
        std::fprintf(stderr, "fleetmq-ctl: %s%s%s\n", e.what(),
                     hint.empty() ? "" : "\n  fix: ", hint.c_str());
        return cannot_connect;
    }
}

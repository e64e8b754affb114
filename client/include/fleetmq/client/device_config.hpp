#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace fleetmq::client {

/// A device's client configuration, in the seed system's format: one `key: value` per line,
/// `#` comments, values optionally quoted. Relative paths are relative to the file's directory.
/// `{id}` in the topics stands for the device id (its certificate's CN), filled in once the
/// certificate is read.
struct device_config {
    std::filesystem::path file; // where it was read from
    std::string broker_address;
    std::uint16_t broker_port = 8883;
    int protocol_version = 5; // 5 (MQTT 5.0) or 4 (MQTT 3.1.1)
    std::string transport = "TLS";
    std::filesystem::path ca_cert;
    std::filesystem::path client_cert;
    std::filesystem::path client_key;
    std::uint16_t keep_alive = 60; // seconds
    std::chrono::milliseconds connect_retry_time{1000};
    std::chrono::milliseconds connect_retry_max_interval{60000};
    std::string command_topic = "device/{id}/commands";
    std::string response_topic = "device/{id}/responses";
    std::string tls_min_version = "1.2"; // "1.2" or "1.3"
    /// An executable run for each command that is not built in (ping, echo, info): the command
    /// payload on stdin, its stdout is the response. Empty: built-in commands only.
    std::filesystem::path command_handler;
    std::chrono::milliseconds command_timeout{10000};
};

/// A configuration that cannot be used: the message names the file, the line and the key.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Reads and checks a configuration file; throws config_error.
device_config read_device_config(const std::filesystem::path& file);

/// Parses configuration text (`origin` names it in messages and resolves relative paths).
device_config parse_device_config(const std::string& text, const std::filesystem::path& origin);

/// `pattern` with every `{id}` replaced by `id`.
std::string expand_topic(const std::string& pattern, const std::string& id);

} // namespace fleetmq::client

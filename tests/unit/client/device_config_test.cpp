#include <fleetmq/client/device_config.hpp>

#include <catch2/catch.hpp>

using fleetmq::client::config_error;
using fleetmq::client::parse_device_config;

namespace {

const std::string minimal = "broker_address: broker.example.com\n"
                            "ca_cert: /etc/certs/ca.crt\n"
                            "client_cert: client.crt\n"
                            "client_key: 'client.key'\n";

std::string error_of(const std::string& text) {
    try {
        parse_device_config(text, "/etc/certs/device.conf");
    } catch (const config_error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("the seed's configuration is read with defaults and relative paths") {
    const auto c = parse_device_config("# a device\n" + minimal +
                                           "broker_port: 8884   # not the default\n"
                                           "protocol_version: 3.1.1\n"
                                           "transport: TLS\n"
                                           "keep_alive: 30\n"
                                           "connect_retry_time: 500ms\n"
                                           "connect_retry_max_interval: 2m\n"
                                           "command_topic: \"device/{id}/commands\"\n",
                                       "/etc/certs/device.conf");
    CHECK(c.broker_address == "broker.example.com");
    CHECK(c.broker_port == 8884);
    CHECK(c.protocol_version == 4);
    CHECK(c.ca_cert == "/etc/certs/ca.crt");
    CHECK(c.client_cert == "/etc/certs/client.crt");
    CHECK(c.client_key == "/etc/certs/client.key");
    CHECK(c.keep_alive == 30);
    CHECK(c.connect_retry_time == std::chrono::milliseconds{500});
    CHECK(c.connect_retry_max_interval == std::chrono::minutes{2});
    CHECK(c.response_topic == "device/{id}/responses");
    CHECK(fleetmq::client::expand_topic(c.command_topic, "a-1") == "device/a-1/commands");
}

TEST_CASE("configuration errors name the file, the line and the key") {
    CHECK(error_of(minimal + "brokr_port: 1\n") ==
          "/etc/certs/device.conf:5: unknown key 'brokr_port'");
    CHECK(error_of(minimal + "broker_port: 70000\n") ==
          "/etc/certs/device.conf:5: broker_port: expected a whole number from 1 to 65535, got "
          "'70000'");
    CHECK(error_of(minimal + "transport: TCP\n").find("only TLS is supported") !=
          std::string::npos);
    CHECK(error_of(minimal + "protocol_version: 6\n").find("expected 5.0 or 3.1.1") !=
          std::string::npos);
    CHECK(error_of(minimal + "keep_alive\n") ==
          "/etc/certs/device.conf:5: expected 'key: value', got 'keep_alive'");
    CHECK(error_of(minimal + "keep_alive: 5\nkeep_alive: 6\n") ==
          "/etc/certs/device.conf:6: 'keep_alive' is set twice");
    CHECK(error_of(minimal + "command_topic: device/+/commands\n")
              .find("a topic without wildcards") != std::string::npos);
    CHECK(error_of(minimal + "connect_retry_time: soon\n").find("expected a duration") !=
          std::string::npos);
    CHECK(error_of(minimal + "connect_retry_time: 2m\nconnect_retry_max_interval: 1s\n")
              .find("at most connect_retry_max_interval") != std::string::npos);
    CHECK(error_of(minimal + "command_handler: \"open\n").find("the quote is not closed") !=
          std::string::npos);
    CHECK(error_of("ca_cert: x\nclient_cert: y\nclient_key: z\n") ==
          "/etc/certs/device.conf: 'broker_address' is missing");
}

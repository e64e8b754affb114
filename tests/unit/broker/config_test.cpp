#include "cert_factory.hpp"
#include "fleetmq/acl/rule_set.hpp"
#include "fleetmq/broker/config.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace fleetmq;
using Catch::Matchers::Contains;

namespace {

struct config_file {
    test::temp_dir dir;
    std::filesystem::path path = dir / "fleetmq.toml";

    broker::config load(const std::string& text) {
        std::ofstream{path} << text;
        return broker::load_config(path);
    }
};

const std::string minimal = R"(
[[listener]]
certificate = "server.pem"
key = "/etc/fleetmq/server.key"

[[trust]]
name = "vendor-a"
ca = "vendor-a.pem"
id_prefix = "a-"
)";

} // namespace

TEST_CASE_METHOD(config_file, "a minimal configuration gets the defaults") {
    const auto c = load(minimal);
    REQUIRE(c.listeners.size() == 1);
    CHECK(c.listeners[0].address == "0.0.0.0");
    CHECK(c.listeners[0].port == 8883);
    CHECK(c.listeners[0].tls.certificate_file == dir.path() / "server.pem"); // relative to the file
    CHECK(c.listeners[0].tls.key_file == "/etc/fleetmq/server.key");
    CHECK(c.listeners[0].tls.min_version == tls::tls_version::tls1_2);
    REQUIRE(c.trust.size() == 1);
    CHECK(c.trust[0].entry.policy.name == "vendor-a");
    CHECK(c.trust[0].entry.policy.role == auth::role::device);
    CHECK(c.trust[0].entry.policy.id_prefix == "a-");
    CHECK(c.trust[0].client_id == auth::client_id_rule::equal_to_id);
    CHECK(c.shards == 0);
    CHECK(c.limits.max_inflight == 32);
    CHECK(c.acl_file.empty());
    const auto tls = c.tls_for(c.listeners[0]);
    REQUIRE(tls.trust.size() == 1);
    CHECK(tls.trust[0].ca_file == dir.path() / "vendor-a.pem");
}

TEST_CASE_METHOD(config_file, "every setting is read") {
    const auto c = load(R"(
[broker]
shards = 4
log_level = "debug"

[[listener]]
address = "127.0.0.1"
port = 18883
certificate = "s.pem"
key = "s.key"
min_tls_version = "1.3"
resumption = false
handshake_timeout_ms = 2500

[[trust]]
name = "controllers"
ca = "c.pem"
crl = "c.crl"
role = "controller"
client_id = "any"

[[trust]]
name = "vendor-d"
ca = "d.pem"
id_from = "san_uri"
uri_prefix = "urn:fleet:"

[limits]
max_inflight = 10
max_packet_size = 1048576
max_keep_alive = 300
max_retained_messages = 5000
max_session_expiry = 3600
max_outbound_topic_aliases = 4

[admin]
address = "0.0.0.0"
port = 19883
token = "0123456789abcdef0123"

[acl]
file = "acl.conf"
)");
    CHECK(c.shards == 4);
    CHECK(c.log_level == "debug");
    CHECK(c.listeners[0].port == 18883);
    CHECK(c.listeners[0].tls.min_version == tls::tls_version::tls1_3);
    CHECK_FALSE(c.listeners[0].tls.resumption);
    CHECK(c.listeners[0].tls.handshake_timeout == std::chrono::milliseconds{2500});
    CHECK(c.trust[0].entry.crl_file == dir.path() / "c.crl");
    CHECK(c.trust[0].entry.policy.role == auth::role::controller);
    CHECK(c.trust[0].client_id == auth::client_id_rule::any);
    CHECK(c.trust[1].entry.policy.source == auth::id_source::san_uri);
    CHECK(c.limits.max_inflight == 10);
    CHECK(c.limits.max_packet_size == 1048576);
    CHECK(c.limits.max_retained_messages == 5000);
    CHECK(c.limits.max_session_expiry == 3600);
    CHECK(c.limits.max_outbound_topic_aliases == 4);
    CHECK(c.admin.enabled);
    CHECK(c.admin.address == "0.0.0.0");
    CHECK(c.admin.port == 19883);
    CHECK(c.admin.token == "0123456789abcdef0123");
    CHECK(c.acl_file == dir.path() / "acl.conf");
}

TEST_CASE_METHOD(config_file, "errors name the file, the line and the key") {
    const auto file = path.string();
    CHECK_THROWS_WITH(load(minimal + "\n[limits]\nmax_inflght = 3\n"),
                      Contains(file + ":12:") && Contains("limits.max_inflght: unknown key"));
    CHECK_THROWS_WITH(load(minimal + "\n[limits]\nmax_inflight = 0\n"),
                      Contains(file + ":12:") &&
                          Contains("limits.max_inflight: must be between 1 and 65535"));
    CHECK_THROWS_WITH(load(minimal + "\n[limits]\nmax_inflight = \"ten\"\n"),
                      Contains("limits.max_inflight: must be an integer"));
    CHECK_THROWS_WITH(load(minimal + "\n[limits]\nmax_outbound_topic_aliases = 1000\n"),
                      Contains("limits.max_outbound_topic_aliases: must be between 0 and 256"));
    CHECK_THROWS_WITH(load(minimal + "\n[broker]\nlog_level = \"loud\"\n"),
                      Contains("broker.log_level: 'loud' is not one of trace, debug"));
    CHECK_THROWS_WITH(load("bogus = 1\n" + minimal), Contains(":1: bogus: unknown key"));
    // After a table header a key belongs to that table.
    CHECK_THROWS_WITH(load(minimal + "bogus = 1\n"), Contains(":10: trust[0].bogus: unknown key"));
    CHECK_THROWS_WITH(load("[[trust]]\nname = \"a\"\nca = \"a.pem\"\n"),
                      Contains("listener: at least one [[listener]] is required"));
    CHECK_THROWS_WITH(load("[[listener]]\ncertificate = \"s.pem\"\nkey = \"s.key\"\n"),
                      Contains("trust: at least one [[trust]]"));
    CHECK_THROWS_WITH(load("[[listener]]\nkey = \"s.key\"\n"),
                      Contains(file + ":1:") && Contains("listener[0].certificate: is required"));
    CHECK_THROWS_WITH(load(minimal + "\n[[trust]]\nname = \"vendor-a\"\nca = \"x.pem\"\n"),
                      Contains("trust[1].name: 'vendor-a' names two trust entries"));
    CHECK_THROWS_WITH(load(minimal + "\n[[trust]]\nname = \"d\"\nca = \"d.pem\"\n"
                                     "id_from = \"san_uri\"\n"),
                      Contains("trust[1].uri_prefix: is required"));
    CHECK_THROWS_WITH(load("[[listener]\n"), Contains(file + ":1:"));
    CHECK_THROWS_WITH(load(minimal + "\n[admin]\ntoken = \"short\"\n"),
                      Contains("admin.token: a bearer token needs at least 16 characters"));
    CHECK_THROWS_WITH(load(minimal + "\n[admin]\naddress = \"localhost\"\n"),
                      Contains("admin.address: 'localhost' is not an IP address"));
    CHECK_THROWS_WITH(load(minimal + "\n[admin]\ntoken_file = \"nope.txt\"\n"),
                      Contains("admin.token_file: cannot read"));
    CHECK_THROWS_WITH(broker::load_config(dir / "missing.toml"), Contains("missing.toml"));
}

TEST_CASE("the shipped example configuration and ACL file are valid") {
    const auto c = broker::load_config(FLEETMQ_SOURCE_DIR "/deploy/config/fleetmq.toml");
    CHECK(c.listeners.size() == 1);
    CHECK(c.trust.size() == 3);
    CHECK(c.acl_file == "/etc/fleetmq/acl.conf");
    std::ifstream file{FLEETMQ_SOURCE_DIR "/deploy/config/acl.conf"};
    const std::string text{std::istreambuf_iterator<char>{file}, {}};
    CHECK(text == acl::rule_set::default_text()); // the file ships the built-in default
}

TEST_CASE_METHOD(config_file, "trust entries of one CA select certificates; one that never can "
                              "is an error") {
    const auto controllers = R"(
[[trust]]
name = "vendor-a-controllers"
ca = "vendor-a.pem"
role = "controller"
match_subject = "O=Acme, OU=Controller"
match_san_uri_prefix = "urn:acme:ctl:"
)";
    const auto head = std::string{minimal}.substr(0, minimal.find("[[trust]]"));
    const auto tail = minimal.substr(minimal.find("[[trust]]"));
    const auto c = load(head + controllers + "\n" + tail);
    REQUIRE(c.trust.size() == 2);
    const auto& select = c.trust[0].entry.policy.select;
    CHECK(select.subject ==
          std::vector<std::pair<std::string, std::string>>{{"O", "Acme"}, {"OU", "Controller"}});
    CHECK(select.san_uri_prefix == "urn:acme:ctl:");
    CHECK(c.trust[1].entry.policy.select.selects_all());

    // Behind the entry that takes every certificate of the same CA, it could never apply.
    const auto file = path.string();
    CHECK_THROWS_WITH(load(minimal + controllers),
                      Contains(file + ":") &&
                          Contains("trust[1].ca: 'vendor-a-controllers' can never match: "
                                   "'vendor-a' comes first with the same CA and takes every "
                                   "certificate"));
    CHECK_THROWS_WITH(load(minimal + "\n[[trust]]\nname = \"x\"\nca = \"vendor-a.pem\"\n"
                                     "match_subject = \"CN\"\n"),
                      Contains("trust[1].match_subject: 'CN' is not TYPE=VALUE"));
    CHECK_THROWS_WITH(load(minimal + "\n[[trust]]\nname = \"x\"\nca = \"vendor-a.pem\"\n"
                                     "match_subject = \"CN=a-1\"\n"),
                      Contains("trust[1].match_subject: 'CN=a-1' is not TYPE=VALUE"));
}

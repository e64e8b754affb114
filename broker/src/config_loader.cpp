#include "fleetmq/broker/config.hpp"

#include <boost/asio/ip/address.hpp>
#include <toml++/toml.h>

#include <fstream>
#include <limits>
#include <set>
#include <string_view>

namespace fleetmq::broker {
namespace {

/// Reads one TOML table, remembering which keys were read so that any other key is reported
/// as unknown, and naming file, line and key in every error.
class table_reader {
public:
    table_reader(const toml::table& table, std::string prefix, const std::filesystem::path& file)
        : table_{table}, prefix_{std::move(prefix)}, file_{file} {}

    [[noreturn]] void fail(std::string_view key, const std::string& what) const {
        const toml::node* node = table_.get(key);
        const auto line = node != nullptr ? node->source().begin.line : table_.source().begin.line;
        throw config_error{file_.string() + ":" + std::to_string(line) + ": " + prefix_ +
                           std::string{key} + ": " + what};
    }

    const toml::node* find(std::string_view key) {
        used_.insert(std::string{key});
        return table_.get(key);
    }

    template <class T>
    std::optional<T> integer(std::string_view key, T min, T max) {
        const auto* node = find(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        const auto value = node->value<std::int64_t>();
        if (!value || !node->is_integer()) {
            fail(key, "must be an integer");
        }
        if (*value < static_cast<std::int64_t>(min) ||
            static_cast<std::uint64_t>(*value) > static_cast<std::uint64_t>(max)) {
            fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
        }
        return static_cast<T>(*value);
    }

    std::optional<std::string> string(std::string_view key) {
        const auto* node = find(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        if (!node->is_string()) {
            fail(key, "must be a string");
        }
        return node->value<std::string>();
    }

    std::string required_string(std::string_view key) {
        auto value = string(key);
        if (!value || value->empty()) {
            fail(key, "is required");
        }
        return *value;
    }

    std::optional<bool> boolean(std::string_view key) {
        const auto* node = find(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        if (!node->is_boolean()) {
            fail(key, "must be true or false");
        }
        return node->value<bool>();
    }

    /// A path, relative to the configuration file's directory unless absolute.
    std::optional<std::filesystem::path> path(std::string_view key) {
        auto value = string(key);
        if (!value) {
            return std::nullopt;
        }
        if (value->empty()) {
            fail(key, "must not be empty");
        }
        const std::filesystem::path p{*value};
        return p.is_absolute() ? p : file_.parent_path() / p;
    }

    template <class E>
    std::optional<E> choice(std::string_view key,
                            std::initializer_list<std::pair<std::string_view, E>> choices) {
        auto value = string(key);
        if (!value) {
            return std::nullopt;
        }
        std::string names;
        for (const auto& [name, e] : choices) {
            if (*value == name) {
                return e;
            }
            if (!names.empty()) {
                names += ", ";
            }
            names += name;
        }
        fail(key, "'" + *value + "' is not one of " + names);
    }

    /// Fails on any key that was not read.
    void finish() const {
        for (const auto& [key, node] : table_) {
            if (!used_.contains(key.str())) {
                fail(key.str(), "unknown key");
            }
        }
    }

private:
    const toml::table& table_;
    std::string prefix_;
    const std::filesystem::path& file_;
    std::set<std::string, std::less<>> used_;
};

/// The tables of an array of tables (`[[listener]]`), or of a single table.
std::vector<const toml::table*> tables_of(table_reader& top, std::string_view key) {
    std::vector<const toml::table*> tables;
    const auto* node = top.find(key);
    if (node == nullptr) {
        return tables;
    }
    if (const auto* array = node->as_array()) {
        for (const auto& element : *array) {
            if (const auto* table = element.as_table()) {
                tables.push_back(table);
            } else {
                top.fail(key, "must be tables ([[" + std::string{key} + "]])");
            }
        }
    } else if (const auto* table = node->as_table()) {
        tables.push_back(table);
    } else {
        top.fail(key, "must be a table");
    }
    return tables;
}

std::string indexed(std::string_view name, std::size_t index) {
    return std::string{name} + "[" + std::to_string(index) + "].";
}

listener_config read_listener(const toml::table& table, const std::filesystem::path& file,
                              std::size_t index) {
    table_reader r{table, indexed("listener", index), file};
    listener_config l;
    l.address = r.string("address").value_or(l.address);
    l.port = r.integer<std::uint16_t>("port", 0, 65535).value_or(l.port);
    auto& tls = l.tls;
    tls.certificate_file = r.path("certificate").value_or("");
    tls.key_file = r.path("key").value_or("");
    if (tls.certificate_file.empty()) {
        r.fail("certificate", "is required (the broker's PEM certificate chain)");
    }
    if (tls.key_file.empty()) {
        r.fail("key", "is required (the broker's PEM private key)");
    }
    tls.min_version =
        r.choice<tls::tls_version>("min_tls_version", {{"1.2", tls::tls_version::tls1_2},
                                                       {"1.3", tls::tls_version::tls1_3}})
            .value_or(tls.min_version);
    tls.verify_depth = r.integer<int>("verify_depth", 1, 10).value_or(tls.verify_depth);
    tls.ciphersuites = r.string("ciphersuites").value_or(tls.ciphersuites);
    tls.cipher_list = r.string("cipher_list").value_or(tls.cipher_list);
    tls.groups = r.string("groups").value_or(tls.groups);
    tls.resumption = r.boolean("resumption").value_or(tls.resumption);
    tls.lean_records = r.boolean("lean_records").value_or(tls.lean_records);
    tls.lean_records_per_key =
        r.integer<std::uint64_t>("lean_records_per_key", 16, std::uint64_t{1} << 24)
            .value_or(tls.lean_records_per_key);
    if (auto hours = r.integer<int>("ticket_lifetime_hours", 1, 24 * 7)) {
        tls.ticket_lifetime = std::chrono::hours{*hours};
    }
    if (auto ms = r.integer<int>("handshake_timeout_ms", 100, 120'000)) {
        tls.handshake_timeout = std::chrono::milliseconds{*ms};
    }
    r.finish();
    return l;
}

/// "OU=Controller" or "O=Acme, OU=Controller": attributes a certificate's subject must have.
std::vector<std::pair<std::string, std::string>> parse_subject_match(table_reader& r,
                                                                     const std::string& text) {
    static const std::set<std::string> types{"C", "ST", "L", "O", "OU", "DC", "title"};
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t at = 0;
    while (at <= text.size()) {
        const auto end = std::min(text.find(',', at), text.size());
        auto part = text.substr(at, end - at);
        const auto trim = [](std::string v) {
            const auto first = v.find_first_not_of(' ');
            const auto last = v.find_last_not_of(' ');
            return first == std::string::npos ? std::string{} : v.substr(first, last - first + 1);
        };
        const auto equals = part.find('=');
        const auto type = trim(part.substr(0, equals));
        const auto value =
            equals == std::string::npos ? std::string{} : trim(part.substr(equals + 1));
        if (equals == std::string::npos || value.empty() || !types.contains(type)) {
            r.fail("match_subject", "'" + part +
                                        "' is not TYPE=VALUE with TYPE one of C, ST, L, O, OU, "
                                        "DC, title (e.g. \"OU=Controller\")");
        }
        out.emplace_back(type, value);
        at = end + 1;
    }
    return out;
}

trust_config read_trust(const toml::table& table, const std::filesystem::path& file,
                        std::size_t index) {
    table_reader r{table, indexed("trust", index), file};
    trust_config t;
    auto& policy = t.entry.policy;
    policy.name = r.required_string("name");
    t.entry.ca_file = r.path("ca").value_or("");
    if (t.entry.ca_file.empty()) {
        r.fail("ca", "is required (the PEM file of this trust entry's CA)");
    }
    t.entry.crl_file = r.path("crl");
    policy.role = r.choice<auth::role>("role", {{"device", auth::role::device},
                                                {"controller", auth::role::controller}})
                      .value_or(policy.role);
    policy.source = r.choice<auth::id_source>(
                         "id_from", {{"cn", auth::id_source::common_name},
                                     {"serial_number", auth::id_source::serial_number_attribute},
                                     {"san_uri", auth::id_source::san_uri}})
                        .value_or(policy.source);
    policy.uri_prefix = r.string("uri_prefix").value_or("");
    if (policy.source == auth::id_source::san_uri && policy.uri_prefix.empty()) {
        r.fail("uri_prefix", "is required when id_from = \"san_uri\"");
    }
    policy.id_prefix = r.string("id_prefix").value_or("");
    if (const auto subject = r.string("match_subject")) {
        policy.select.subject = parse_subject_match(r, *subject);
    }
    policy.select.san_uri_prefix = r.string("match_san_uri_prefix").value_or("");
    t.client_id = r.choice<auth::client_id_rule>(
                       "client_id", {{"equal_to_id", auth::client_id_rule::equal_to_id},
                                     {"prefixed_by_id", auth::client_id_rule::prefixed_by_id},
                                     {"any", auth::client_id_rule::any}})
                      .value_or(t.client_id);
    r.finish();
    return t;
}

void read_limits(table_reader& r, limits_config& l) {
    constexpr auto max_size = std::numeric_limits<std::size_t>::max();
    l.max_connections =
        r.integer<std::size_t>("max_connections", 1, 10'000'000).value_or(l.max_connections);
    l.max_handshakes_in_flight = r.integer<std::size_t>("max_handshakes_in_flight", 1, 100'000)
                                     .value_or(l.max_handshakes_in_flight);
    l.max_connect_packet_size = r.integer<std::uint32_t>("max_connect_packet_size", 64, 1 << 20)
                                    .value_or(l.max_connect_packet_size);
    l.max_packet_size =
        r.integer<std::uint32_t>("max_packet_size", 64, 268'435'460).value_or(l.max_packet_size);
    l.max_inflight = r.integer<std::uint16_t>("max_inflight", 1, 65535).value_or(l.max_inflight);
    l.max_queued_messages =
        r.integer<std::size_t>("max_queued_messages", 1, max_size).value_or(l.max_queued_messages);
    l.max_queued_bytes =
        r.integer<std::size_t>("max_queued_bytes", 1024, max_size).value_or(l.max_queued_bytes);
    l.max_subscriptions =
        r.integer<std::size_t>("max_subscriptions", 1, 100'000).value_or(l.max_subscriptions);
    l.max_keep_alive =
        r.integer<std::uint16_t>("max_keep_alive", 1, 65535).value_or(l.max_keep_alive);
    l.max_session_expiry = r.integer<std::uint32_t>("max_session_expiry", 0, 0xFFFFFFFF)
                               .value_or(l.max_session_expiry);
    l.max_retained_messages = r.integer<std::size_t>("max_retained_messages", 0, max_size)
                                  .value_or(l.max_retained_messages);
    // Looked up by a scan on every PUBLISH to the client: a few dozen topics, not thousands.
    l.max_outbound_topic_aliases = r.integer<std::uint16_t>("max_outbound_topic_aliases", 0, 256)
                                       .value_or(l.max_outbound_topic_aliases);
    r.finish();
}

void read_admin(table_reader& r, admin_config& a) {
    a.enabled = r.boolean("enabled").value_or(a.enabled);
    a.address = r.string("address").value_or(a.address);
    boost::system::error_code error;
    boost::asio::ip::make_address(a.address, error);
    if (error) {
        r.fail("address", "'" + a.address + "' is not an IP address");
    }
    a.port = r.integer<std::uint16_t>("port", 0, 65535).value_or(a.port);
    const auto token = r.string("token");
    const auto token_file = r.path("token_file");
    if (token && token_file) {
        r.fail("token_file", "give token or token_file, not both");
    }
    if (token) {
        a.token = *token;
    } else if (token_file) {
        std::ifstream in{*token_file};
        if (!in) {
            r.fail("token_file", "cannot read " + token_file->string());
        }
        std::getline(in, a.token);
    }
    if ((token || token_file) && a.token.size() < 16) {
        r.fail(token ? "token" : "token_file", "a bearer token needs at least 16 characters");
    }
    r.finish();
}

const toml::table& subtable(table_reader& top, std::string_view key, const toml::node* node) {
    if (!node->is_table()) {
        top.fail(key, "must be a table");
    }
    return *node->as_table();
}

} // namespace

tls::server_config config::tls_for(const listener_config& listener) const {
    auto tls = listener.tls;
    tls.trust.clear();
    for (const auto& t : trust) {
        tls.trust.push_back(t.entry);
    }
    return tls;
}

config load_config(const std::filesystem::path& path) {
    toml::table root;
    try {
        root = toml::parse_file(path.string());
    } catch (const toml::parse_error& error) {
        const auto line = error.source().begin.line;
        throw config_error{path.string() + ":" + std::to_string(line) + ": " +
                           std::string{error.description()}};
    }
    config c;
    c.source = path;
    table_reader top{root, "", path};

    if (const auto* node = top.find("broker")) {
        table_reader r{subtable(top, "broker", node), "broker.", path};
        c.shards = r.integer<unsigned>("shards", 0, 256).value_or(0);
        c.log_level = r.choice<std::string>("log_level", {{"trace", "trace"},
                                                          {"debug", "debug"},
                                                          {"info", "info"},
                                                          {"warn", "warn"},
                                                          {"error", "error"}})
                          .value_or(c.log_level);
        r.finish();
    }
    std::size_t index = 0;
    for (const auto* table : tables_of(top, "listener")) {
        c.listeners.push_back(read_listener(*table, path, index++));
    }
    if (c.listeners.empty()) {
        top.fail("listener", "at least one [[listener]] is required");
    }
    index = 0;
    std::set<std::string> names;
    for (const auto* table : tables_of(top, "trust")) {
        auto t = read_trust(*table, path, index);
        if (!names.insert(t.entry.policy.name).second) {
            table_reader{*table, indexed("trust", index), path}.fail(
                "name", "'" + t.entry.policy.name + "' names two trust entries");
        }
        // With one CA in several entries the first that selects a certificate takes it: an
        // entry whose certificates an earlier entry of the same CA all takes never applies.
        const auto ca = t.entry.ca_file.lexically_normal();
        for (const auto& earlier : c.trust) {
            if (earlier.entry.ca_file.lexically_normal() == ca &&
                t.entry.policy.select.within(earlier.entry.policy.select)) {
                table_reader{*table, indexed("trust", index), path}.fail(
                    "ca", "'" + t.entry.policy.name + "' can never match: '" +
                              earlier.entry.policy.name +
                              "' comes first with the same CA and takes " +
                              earlier.entry.policy.select.describe() +
                              " (give the first a match_subject or match_san_uri_prefix, or put "
                              "the narrower entry first)");
            }
        }
        c.trust.push_back(std::move(t));
        ++index;
    }
    if (c.trust.empty()) {
        top.fail("trust",
                 "at least one [[trust]] entry (a CA whose devices may connect) is required");
    }
    if (const auto* node = top.find("limits")) {
        table_reader r{subtable(top, "limits", node), "limits.", path};
        read_limits(r, c.limits);
    }
    if (const auto* node = top.find("admin")) {
        table_reader r{subtable(top, "admin", node), "admin.", path};
        read_admin(r, c.admin);
    }
    if (const auto* node = top.find("acl")) {
        table_reader r{subtable(top, "acl", node), "acl.", path};
        c.acl_file = r.path("file").value_or("");
        r.finish();
    }
    top.finish();
    return c;
}

} // namespace fleetmq::broker

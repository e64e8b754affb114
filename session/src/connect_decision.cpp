#include "fleetmq/session/connect_decision.hpp"

#include <algorithm>

namespace fleetmq::session {

using protocol::protocol_version;
using protocol::reason_code;

namespace {

message_ptr will_of(const protocol::will_message& w, std::chrono::steady_clock::time_point now) {
    protocol::publish will;
    will.topic = w.topic;
    will.payload = w.payload;
    will.qos = w.qos;
    will.retain = w.retain;
    will.properties = w.properties;
    will.properties.will_delay_interval.reset(); // for the broker, not for subscribers
    return message::from(will, will.topic, now);
}

} // namespace

connect_decision decide_connect(const protocol::connect& c, const connect_context& context,
                                const connect_limits& limits) {
    if (context.identity == nullptr) {
        const std::string failure{context.identity_failure};
        return connect_refused{
            reason_code::not_authorized, "certificate refused: " + failure, failure, {}};
    }
    if (c.properties.authentication_method) {
        // The certificate is the only credential; no enhanced authentication [MQTT-4.12.0-1].
        return connect_refused{reason_code::bad_authentication_method,
                               "authentication method '" +
                                   std::string{*c.properties.authentication_method} +
                                   "' is not supported",
                               "authentication_method",
                               {}};
    }
    if (c.version == protocol_version::v3_1_1 && c.client_id.empty() && !c.clean_start) {
        return connect_refused{reason_code::client_identifier_not_valid,
                               "empty client id without clean session", // [MQTT-3.1.3-8]
                               {},
                               {}};
    }
    auto id = auth::decide_client_id(context.client_id_rule, *context.identity, c.client_id,
                                     context.unique_suffix);
    if (!id.accepted) {
        return connect_refused{reason_code::client_identifier_not_valid,
                               "client id is not the certificate's id", "client_id_mismatch",
                               std::string{c.client_id}};
    }
    connect_accepted a;
    a.client_id = std::move(id.client_id);
    a.client_id_assigned = id.assigned;
    if (c.will) {
        if (!context.will_allowed || !context.will_allowed(c.will->topic)) {
            return connect_refused{reason_code::not_authorized, "will topic not allowed", {}, {}};
        }
        a.will = will_of(*c.will, context.now);
        a.will_delay = c.will->properties.will_delay_interval.value_or(0);
    }
    a.keep_alive = c.keep_alive == 0 || c.keep_alive > limits.max_keep_alive ? limits.max_keep_alive
                                                                             : c.keep_alive;
    a.keep_alive_changed = c.keep_alive != a.keep_alive; // told in CONNACK (5.0)
    a.clean_start = c.clean_start;
    // 3.1.1 has no expiry: Clean Session 0 keeps the session as long as the broker allows.
    a.session_expiry_requested = c.version == protocol_version::v5
                                     ? c.properties.session_expiry_interval.value_or(0)
                                 : c.clean_start ? 0
                                                 : limits.max_session_expiry;
    a.peer_receive_maximum = c.properties.receive_maximum.value_or(65535);
    a.peer_maximum_packet_size =
        c.properties.maximum_packet_size.value_or(protocol::max_packet_size_limit);
    a.peer_topic_alias_maximum = c.properties.topic_alias_maximum.value_or(0); // 5.0 only
    return a;
}

connack_terms accept_connect(const connect_accepted& a, protocol_version version,
                             bool session_present, const connect_limits& limits) {
    connack_terms terms;
    terms.session_expiry = std::min(a.session_expiry_requested, limits.max_session_expiry);
    terms.ack.session_present = session_present;
    if (version == protocol_version::v5) {
        auto& p = terms.ack.properties;
        p.receive_maximum = limits.max_inflight;
        p.maximum_packet_size = limits.max_packet_size;
        p.topic_alias_maximum = limits.topic_alias_maximum;
        p.retain_available = 1;
        p.wildcard_subscription_available = 1;
        p.subscription_identifier_available = 1;
        p.shared_subscription_available = 1;
        if (a.client_id_assigned) {
            p.assigned_client_identifier = a.client_id;
        }
        if (a.keep_alive_changed) {
            p.server_keep_alive = a.keep_alive;
        }
        if (terms.session_expiry != a.session_expiry_requested) {
            // The client uses the server's value (5.0 section 3.2.2.3.2).
            p.session_expiry_interval = terms.session_expiry;
        }
    }
    return terms;
}

} // namespace fleetmq::session

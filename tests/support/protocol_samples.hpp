#pragma once

#include "fleetmq/protocol/packets.hpp"

#include <vector>

namespace fleetmq::protocol::samples {

/// One packet of every type `version` has, with every field and, for 5.0, properties set, so
/// that round trips and the fuzzer's seed corpus cover the whole codec. Strings are literals.
inline std::vector<packet> all_packets(protocol_version version) {
    const bool v5 = version == protocol_version::v5;
    std::vector<packet> out;

    connect c;
    c.version = version;
    c.clean_start = false;
    c.keep_alive = 60;
    c.client_id = "device-0042";
    c.will = will_message{"device/0042/status", "offline", qos::at_least_once, true, {}};
    c.username = "ignored-user";
    c.password = std::string_view{"p\0w", 3};
    if (v5) {
        c.properties.session_expiry_interval = 3600;
        c.properties.receive_maximum = 20;
        c.properties.maximum_packet_size = 65536;
        c.properties.topic_alias_maximum = 10;
        c.properties.request_response_information = 1;
        c.properties.request_problem_information = 0;
        c.properties.user_properties = {{"fw", "1.2.3"}};
        c.properties.authentication_method = "none";
        c.properties.authentication_data = "d";
        c.will->properties.will_delay_interval = 5;
        c.will->properties.payload_format_indicator = 1;
        c.will->properties.message_expiry_interval = 100;
        c.will->properties.content_type = "text/plain";
        c.will->properties.response_topic = "device/0042/will-response";
        c.will->properties.correlation_data = "cd";
        c.will->properties.user_properties = {{"a", "b"}};
    }
    out.emplace_back(c);

    connack ca;
    ca.session_present = true;
    if (v5) {
        ca.properties.session_expiry_interval = 60;
        ca.properties.receive_maximum = 100;
        ca.properties.maximum_qos = 1;
        ca.properties.retain_available = 1;
        ca.properties.maximum_packet_size = 1 << 20;
        ca.properties.assigned_client_identifier = "auto-1";
        ca.properties.topic_alias_maximum = 0;
        ca.properties.reason_string = "welcome";
        ca.properties.wildcard_subscription_available = 1;
        ca.properties.subscription_identifier_available = 1;
        ca.properties.shared_subscription_available = 1;
        ca.properties.server_keep_alive = 30;
        ca.properties.response_information = "device/";
        ca.properties.server_reference = "other";
        ca.properties.authentication_method = "none";
        ca.properties.authentication_data = "e";
        ca.properties.user_properties = {{"k", "v"}, {"k", "v2"}};
    }
    out.emplace_back(ca);
    connack refused;
    refused.code = reason_code::not_authorized;
    out.emplace_back(refused);

    publish p;
    p.topic = "device/0042/responses";
    p.payload = "{\"ok\":true}";
    p.qos = qos::exactly_once;
    p.retain = true;
    p.dup = true;
    p.packet_id = 65535;
    if (v5) {
        p.properties.payload_format_indicator = 1;
        p.properties.message_expiry_interval = 30;
        p.properties.topic_alias = 3;
        p.properties.response_topic = "controller/replies";
        p.properties.correlation_data = std::string_view{"\x01\x00\x02", 3};
        p.properties.content_type = "application/json";
        p.properties.subscription_identifiers = {1, 268'435'455};
        p.properties.user_properties = {{"trace", "abc"}};
    }
    out.emplace_back(p);
    publish small;
    small.topic = "t";
    out.emplace_back(small);

    const auto ack_properties = [&](properties& props) {
        if (v5) {
            props.reason_string = "why";
            props.user_properties = {{"x", "y"}};
        }
    };
    puback pa{1, v5 ? reason_code::no_matching_subscribers : reason_code::success, {}};
    ack_properties(pa.properties);
    out.emplace_back(pa);
    pubrec prec{2, v5 ? reason_code::quota_exceeded : reason_code::success, {}};
    ack_properties(prec.properties);
    out.emplace_back(prec);
    pubrel prel{3, v5 ? reason_code::packet_identifier_not_found : reason_code::success, {}};
    ack_properties(prel.properties);
    out.emplace_back(prel);
    pubcomp pcomp{4, reason_code::success, {}};
    out.emplace_back(pcomp);

    subscribe s;
    s.packet_id = 5;
    s.subscriptions = {{"device/0042/commands", qos::at_least_once},
                       {"$share/controllers/device/+/responses", qos::exactly_once}};
    if (v5) {
        s.subscriptions[0].no_local = true;
        s.subscriptions[0].retain_as_published = true;
        s.subscriptions[0].retain_handling = retain_handling::send_if_new_subscription;
        s.subscriptions[1].retain_handling = retain_handling::do_not_send;
        s.properties.subscription_identifiers = {42};
        s.properties.user_properties = {{"s", "t"}};
    }
    out.emplace_back(s);

    suback sa{5, {reason_code::granted_qos_1, reason_code::unspecified_error}, {}};
    if (v5) {
        sa.codes.push_back(reason_code::granted_qos_2);
        sa.codes.push_back(reason_code::not_authorized);
        ack_properties(sa.properties);
    }
    out.emplace_back(sa);

    unsubscribe u{6, {"device/0042/commands", "a/#"}, {}};
    if (v5) {
        u.properties.user_properties = {{"u", "v"}};
    }
    out.emplace_back(u);

    unsuback ua{6, {}, {}};
    if (v5) {
        ua.codes = {reason_code::success, reason_code::no_subscription_existed};
        ack_properties(ua.properties);
    }
    out.emplace_back(ua);

    out.emplace_back(pingreq{});
    out.emplace_back(pingresp{});

    disconnect d;
    if (v5) {
        d.code = reason_code::disconnect_with_will_message;
        d.properties.session_expiry_interval = 0;
        d.properties.reason_string = "bye";
        d.properties.server_reference = "elsewhere";
        d.properties.user_properties = {{"d", "e"}};
    }
    out.emplace_back(d);

    if (v5) {
        auth a{reason_code::re_authenticate, {}};
        a.properties.authentication_method = "SCRAM-SHA-256";
        a.properties.authentication_data = "client-first";
        ack_properties(a.properties);
        out.emplace_back(a);
        out.emplace_back(auth{});
    }
    return out;
}

} // namespace fleetmq::protocol::samples

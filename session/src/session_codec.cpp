// The session's binary format, version 1 (big-endian; str16/str32: a 16/32-bit length, then
// the bytes):
//
//   "FMQS" version:u8
//   client_id:str16 identity.id:str16 identity.role:u8 identity.trust:str16
//   expiry_interval:u32 will_delay:u32 last_packet_id:u16
//   expires_at:i64 will_at:i64            wall-clock ms, 0: none
//   has_will:u8 [message]
//   subscriptions: count:u32 { filter:str16 }                   sorted, unique
//   inflight:      count:u32 { packet_id:u16 released:u8 outgoing } by packet id
//   waiting:       count:u32 { outgoing }                        oldest first
//   awaiting PUBREL: count:u32 { packet_id:u16 }                 sorted
//
//   outgoing: message qos:u8 retain:u8 ids: count:u32 { id:u32 }
//   message:  topic:str16 payload:str32 qos:u8 retain:u8 received:i64 (wall-clock ms)
//             present:u8 (bit per optional property, in this order:) payload_format:u8
//             message_expiry:u32 content_type:str16 response_topic:str16 correlation:str16
//             user properties: count:u32 { name:str16 value:str16 }
#include "fleetmq/session/session_codec.hpp"

#include "fleetmq/protocol/topic.hpp"
#include "fleetmq/protocol/utf8.hpp"
#include "wire.hpp"

#include <array>

namespace fleetmq::session {

namespace {

constexpr std::array<std::uint8_t, 4> magic{'F', 'M', 'Q', 'S'};
/// Wall-clock times further from now than this (about 69 years) are damage, not deadlines; it
/// also keeps every time read back far inside the steady clock's range (nanoseconds, ±292 years).
constexpr std::int64_t max_time_distance_ms = std::int64_t{1} << 41;
constexpr std::uint32_t max_subscription_id = 268435455; // a Variable Byte Integer's largest

enum present : std::uint8_t {
    has_payload_format = 1,
    has_message_expiry = 2,
    has_content_type = 4,
    has_response_topic = 8,
    has_correlation_data = 16,
    all_present = 31,
};

std::int64_t to_wall(std::int64_t monotonic_ms, const clock_reading& now) {
    return now.wall_ms + (monotonic_ms - static_cast<std::int64_t>(now.monotonic_ms));
}

/// The monotonic time of `wall_ms`, or nothing if it is too far from now to be real.
std::optional<std::int64_t> to_monotonic(std::int64_t wall_ms, const clock_reading& now) {
    if (wall_ms < 0 || now.wall_ms < 0) {
        return std::nullopt;
    }
    const auto distance = wall_ms - now.wall_ms; // both not negative: no overflow
    if (distance > max_time_distance_ms || distance < -max_time_distance_ms) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(now.monotonic_ms) + distance;
}

void write_deadline(wire::writer& w, std::uint64_t deadline, const clock_reading& now) {
    w.i64(deadline == 0 ? 0 : to_wall(static_cast<std::int64_t>(deadline), now));
}

/// A deadline read back: 0 stays "none"; one already passed is due at once (1), not "none".
std::uint64_t read_deadline(wire::reader& r, const clock_reading& now) {
    const auto wall = r.i64();
    if (wall == 0 || !r.ok()) {
        return 0;
    }
    const auto monotonic = to_monotonic(wall, now);
    if (!monotonic) {
        r.fail("implausible deadline");
        return 0;
    }
    return *monotonic < 1 ? 1 : static_cast<std::uint64_t>(*monotonic);
}

std::string_view valid_utf8(wire::reader& r, std::string_view s, const char* what) {
    if (protocol::check_utf8(s) == protocol::utf8_verdict::malformed) {
        r.fail(std::string{"malformed UTF-8 in "} + what);
    }
    return s;
}

void write_message(wire::writer& w, const message& m, const clock_reading& now) {
    w.str16(m.topic);
    w.str32(m.payload);
    w.u8(static_cast<std::uint8_t>(m.qos));
    w.u8(m.retain ? 1 : 0);
    const auto received =
        std::chrono::duration_cast<std::chrono::milliseconds>(m.received.time_since_epoch());
    w.i64(to_wall(received.count(), now));
    const auto& p = m.properties;
    w.u8(static_cast<std::uint8_t>((p.payload_format_indicator ? has_payload_format : 0) |
                                   (p.message_expiry_interval ? has_message_expiry : 0) |
                                   (p.content_type ? has_content_type : 0) |
                                   (p.response_topic ? has_response_topic : 0) |
                                   (p.correlation_data ? has_correlation_data : 0)));
    if (p.payload_format_indicator) {
        w.u8(*p.payload_format_indicator);
    }
    if (p.message_expiry_interval) {
        w.u32(*p.message_expiry_interval);
    }
    for (const auto& text : {p.content_type, p.response_topic, p.correlation_data}) {
        if (text) {
            w.str16(*text);
        }
    }
    w.u32(static_cast<std::uint32_t>(p.user_properties.size()));
    for (const auto& up : p.user_properties) {
        w.str16(up.name);
        w.str16(up.value);
    }
}

protocol::qos read_qos(wire::reader& r) {
    const auto q = r.u8();
    if (q > 2) {
        r.fail("QoS above 2");
    }
    return static_cast<protocol::qos>(q > 2 ? 0 : q);
}

bool read_flag(wire::reader& r) {
    const auto v = r.u8();
    if (v > 1) {
        r.fail("a flag neither 0 nor 1");
    }
    return v == 1;
}

message_ptr read_message(wire::reader& r, const clock_reading& now, const decode_limits& limits) {
    protocol::publish p;
    const auto topic = r.str16();
    p.payload = r.str32();
    if (p.payload.size() > limits.max_payload) {
        r.fail("payload over the limit");
    }
    p.qos = read_qos(r);
    p.retain = read_flag(r);
    const auto received = to_monotonic(r.i64(), now);
    if (r.ok() && !received) {
        r.fail("implausible receive time");
    }
    const auto present = r.u8();
    if ((present & ~all_present) != 0) {
        r.fail("unknown message properties");
    }
    auto& props = p.properties;
    if ((present & has_payload_format) != 0) {
        props.payload_format_indicator = r.u8();
    }
    if ((present & has_message_expiry) != 0) {
        props.message_expiry_interval = r.u32();
    }
    if ((present & has_content_type) != 0) {
        props.content_type = valid_utf8(r, r.str16(), "a content type");
    }
    if ((present & has_response_topic) != 0) {
        props.response_topic = r.str16();
        if (protocol::validate_topic_name(*props.response_topic)) {
            r.fail("invalid response topic");
        }
    }
    if ((present & has_correlation_data) != 0) {
        props.correlation_data = r.str16(); // binary
    }
    const auto users = r.count(4, limits.max_user_properties, "user properties");
    for (std::uint32_t i = 0; i < users && r.ok(); ++i) {
        const auto name = valid_utf8(r, r.str16(), "a user property");
        props.user_properties.push_back({name, valid_utf8(r, r.str16(), "a user property")});
    }
    if (r.ok() && protocol::validate_topic_name(topic)) {
        r.fail("invalid topic");
    }
    if (!r.ok()) {
        return nullptr;
    }
    return message::from(
        p, topic, std::chrono::steady_clock::time_point{std::chrono::milliseconds{*received}});
}

void write_outgoing(wire::writer& w, const outgoing& o, const clock_reading& now) {
    write_message(w, *o.msg, now);
    w.u8(static_cast<std::uint8_t>(o.qos));
    w.u8(o.retain ? 1 : 0);
    const auto ids = o.ids.to_vector();
    w.u32(static_cast<std::uint32_t>(ids.size()));
    for (const auto id : ids) {
        w.u32(id);
    }
}

/// The least bytes an outgoing message takes: what a count of them is checked against.
constexpr std::size_t min_outgoing_size = 2 + 4 + 1 + 1 + 8 + 1 + 4 + 1 + 1 + 4;

outgoing read_outgoing(wire::reader& r, const clock_reading& now, const decode_limits& limits) {
    outgoing o;
    o.msg = read_message(r, now, limits);
    o.qos = read_qos(r);
    o.retain = read_flag(r);
    const auto ids = r.count(4, 64, "subscription identifiers");
    for (std::uint32_t i = 0; i < ids && r.ok(); ++i) {
        const auto id = r.u32();
        if (id == 0 || id > max_subscription_id) {
            r.fail("a subscription identifier out of range");
        }
        o.ids.add(id);
    }
    return o;
}

/// Reads packet ids into `ids` (sorted, unique, never 0), `n` of them, calling `each` after
/// every one.
template <class Each>
void read_packet_ids(wire::reader& r, std::uint32_t n, Each&& each) {
    std::uint16_t last = 0;
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
        const auto id = r.u16();
        if (id <= last) {
            r.fail("packet ids not ascending (or 0)");
            return;
        }
        last = id;
        each(id);
    }
}

} // namespace

/// Reads and writes a session's private state (a friend of `session`).
struct session_codec {
    static void write(const session& s, const clock_reading& now, wire::writer& w) {
        for (const auto b : magic) {
            w.u8(b);
        }
        w.u8(session_format_version);
        w.str16(s.client_id_);
        w.str16(s.identity_.id);
        w.u8(static_cast<std::uint8_t>(s.identity_.role));
        w.str16(s.identity_.trust);
        w.u32(s.expiry_interval_);
        w.u32(s.will_delay_);
        w.u16(s.last_packet_id_);
        write_deadline(w, s.expires_at_, now);
        write_deadline(w, s.will_at_, now);
        w.u8(s.will_ ? 1 : 0);
        if (s.will_) {
            write_message(w, *s.will_, now);
        }
        w.u32(static_cast<std::uint32_t>(s.subscriptions_.size()));
        for (const auto& filter : s.subscriptions_) {
            w.str16(filter);
        }
        w.u32(static_cast<std::uint32_t>(s.inflight_count()));
        s.for_each_inflight([&](std::uint16_t id, const inflight_message& m) {
            w.u16(id);
            w.u8(m.released ? 1 : 0);
            write_outgoing(w, m.sent, now);
        });
        w.u32(static_cast<std::uint32_t>(s.waiting_count()));
        if (s.traffic_) {
            for (const auto& o : s.traffic_->waiting) {
                write_outgoing(w, o, now);
            }
        }
        w.u32(static_cast<std::uint32_t>(s.awaiting_release_count()));
        if (s.traffic_) {
            for (const auto id : s.traffic_->awaiting_pubrel) {
                w.u16(id);
            }
        }
    }

    static std::optional<session> read(wire::reader& r, const clock_reading& now,
                                       const decode_limits& limits) {
        for (const auto b : magic) {
            if (r.u8() != b) {
                r.fail("not a session (no FMQS mark)");
                return std::nullopt;
            }
        }
        if (const auto version = r.u8(); r.ok() && version != session_format_version) {
            r.fail("session format version " + std::to_string(version) + ", this build reads " +
                   std::to_string(session_format_version));
            return std::nullopt;
        }
        std::string client_id{r.str16()};
        auth::identity identity;
        identity.id = r.str16();
        const auto role = r.u8();
        if (role > static_cast<std::uint8_t>(auth::role::controller)) {
            r.fail("unknown role");
        }
        identity.role = static_cast<auth::role>(role);
        identity.trust = r.str16();
        if (!r.ok()) {
            return std::nullopt;
        }
        valid_utf8(r, client_id, "the client id");
        valid_utf8(r, identity.id, "the identity");
        session s{std::move(client_id), std::move(identity)};
        s.expiry_interval_ = r.u32();
        s.will_delay_ = r.u32();
        s.last_packet_id_ = r.u16();
        s.expires_at_ = read_deadline(r, now);
        s.will_at_ = read_deadline(r, now);
        if (read_flag(r)) {
            s.will_ = read_message(r, now, limits);
        } else if (s.will_at_ != 0) {
            r.fail("a will deadline without a will");
        }
        read_subscriptions(r, s, limits);
        read_traffic(r, s, now, limits);
        if (r.ok() && r.remaining() != 0) {
            r.fail("trailing bytes");
        }
        if (!r.ok()) {
            return std::nullopt;
        }
        s.compact();
        return s;
    }

private:
    static void read_subscriptions(wire::reader& r, session& s, const decode_limits& limits) {
        const auto n = r.count(2, limits.max_subscriptions, "subscriptions");
        s.subscriptions_.reserve(n);
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
            const auto filter = r.str16();
            if (r.ok() && protocol::validate_topic_filter(filter)) {
                r.fail("invalid topic filter");
            } else if (!s.subscriptions_.empty() && filter <= s.subscriptions_.back()) {
                r.fail("subscriptions not sorted or not unique");
            }
            s.subscriptions_.emplace_back(filter);
        }
    }

    static void read_traffic(wire::reader& r, session& s, const clock_reading& now,
                             const decode_limits& limits) {
        auto& t = s.flowing();
        const auto inflight = r.count(3 + min_outgoing_size, limits.max_inflight, "in flight");
        read_packet_ids(r, inflight, [&](std::uint16_t id) {
            const bool released = read_flag(r);
            auto sent = read_outgoing(r, now, limits);
            if (sent.qos == protocol::qos::at_most_once) {
                r.fail("a QoS 0 message in flight");
            } else if (released && sent.qos != protocol::qos::exactly_once) {
                r.fail("a released message that is not QoS 2");
            }
            t.inflight.emplace(id, inflight_message{std::move(sent), released});
        });
        const auto waiting = r.count(min_outgoing_size, limits.max_waiting, "waiting");
        for (std::uint32_t i = 0; i < waiting && r.ok(); ++i) {
            auto o = read_outgoing(r, now, limits);
            if (!r.ok()) {
                return;
            }
            t.waiting_bytes += session::size_of(o);
            if (t.waiting_bytes > limits.max_waiting_bytes) {
                r.fail("waiting messages over the byte limit");
                return;
            }
            t.waiting.push_back(std::move(o));
        }
        const auto awaiting = r.count(2, limits.max_awaiting_release, "awaiting PUBREL");
        read_packet_ids(r, awaiting, [&](std::uint16_t id) { t.awaiting_pubrel.insert(id); });
    }
};

void encode_session(const session& s, const clock_reading& now, std::vector<std::uint8_t>& out) {
    wire::writer w{out};
    session_codec::write(s, now, w);
}

decoded_session decode_session(std::span<const std::uint8_t> in, const clock_reading& now,
                               const decode_limits& limits) {
    wire::reader r{in};
    auto s = session_codec::read(r, now, limits);
    if (!s) {
        return {std::nullopt, r.error().empty() ? "damaged session" : r.error()};
    }
    return {std::move(s), {}};
}

} // namespace fleetmq::session

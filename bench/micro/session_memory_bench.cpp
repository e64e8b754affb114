// Memory and speed of idle persistent sessions, as a fleet's offline devices leave them: each
// with its client id, identity and one subscription (device/<id>/commands), nothing queued.
// Reports the heap bytes per session (glibc's allocator counts, before and after) of the
// session class, and for reference of the layout it replaced (a struct of std::set, std::map and
// std::deque members, rebuilt here with the same members), and the size and speed of the
// session's serialization (what the store writes and a restart reads back).
//
// Usage: fleetmq_session_memory_bench [SESSIONS]   (default 1,000,000)
#include "fleetmq/session/session_codec.hpp"

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace fleetmq;

/// The session's members before it became a class (broker/src/session.hpp at e27df04).
struct previous_layout {
    std::uint32_t shard = 0;
    std::uint64_t id = 0;
    std::string client_id;
    auth::identity identity;
    std::uint32_t expiry_interval = 0;
    void* online = nullptr;
    std::uint64_t expires_at = 0;
    std::uint64_t will_at = 0;
    std::optional<std::multimap<std::uint64_t, std::uint64_t>::iterator> timer;
    std::optional<session::message_ptr> will;
    std::uint32_t will_delay = 0;
    std::set<std::string> subscriptions;
    std::map<std::uint16_t, session::inflight_message> inflight;
    std::deque<session::outgoing> waiting;
    std::size_t waiting_bytes = 0;
    std::set<std::uint16_t> awaiting_pubrel;
    std::uint16_t last_packet_id = 0;
    std::uint32_t next_token = 1;
};

std::size_t heap_in_use() {
    return mallinfo2().uordblks;
}

std::string device_id(std::size_t i) {
    char id[32];
    std::snprintf(id, sizeof id, "dev-%07zu", i);
    return id;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
    if (n == 0 || n > 50'000'000) {
        std::fprintf(stderr, "usage: %s [SESSIONS (1..50000000)]\n", argv[0]);
        return 2;
    }
    std::printf("idle persistent sessions with one subscription: %zu\n", n);

    std::vector<session::session> sessions;
    sessions.reserve(n);
    auto before = heap_in_use();
    for (std::size_t i = 0; i < n; ++i) {
        auto id = device_id(i);
        auto& s = sessions.emplace_back(id, auth::identity{id, auth::role::device, "vendor-a"});
        s.set_expiry_interval(86400);
        s.subscribe("device/" + id + "/commands", 16);
        s.went_offline(1'000);
        s.compact();
    }
    const auto now_bytes = heap_in_use() - before + n * sizeof(session::session);
    std::printf("session class:   %6.0f bytes per session (sizeof %zu, heap %.0f)\n",
                static_cast<double>(now_bytes) / static_cast<double>(n), sizeof(session::session),
                static_cast<double>(now_bytes - n * sizeof(session::session)) /
                    static_cast<double>(n));

    const session::clock_reading clock{1'000, 1'800'000'000'000};
    std::vector<std::uint8_t> stored;
    std::vector<std::size_t> offsets;
    offsets.reserve(n + 1);
    auto start = std::chrono::steady_clock::now();
    for (const auto& s : sessions) {
        offsets.push_back(stored.size());
        session::encode_session(s, clock, stored);
    }
    offsets.push_back(stored.size());
    const auto encode_s = seconds_since(start);
    sessions.clear();
    sessions.shrink_to_fit();
    sessions.reserve(n);
    start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        auto back = session::decode_session(
            std::span{stored}.subspan(offsets[i], offsets[i + 1] - offsets[i]), clock);
        if (!back.value) {
            std::fprintf(stderr, "session %zu does not read back: %s\n", i, back.error.c_str());
            return 1;
        }
        sessions.push_back(std::move(*back.value));
    }
    const auto decode_s = seconds_since(start);
    std::printf("serialized:      %6.0f bytes per session; %.2f M sessions/s written, %.2f M/s "
                "read back\n",
                static_cast<double>(stored.size()) / static_cast<double>(n),
                static_cast<double>(n) / encode_s / 1e6, static_cast<double>(n) / decode_s / 1e6);
    sessions.clear();
    sessions.shrink_to_fit();
    stored = {};

    std::vector<previous_layout> previous(n);
    before = heap_in_use();
    for (std::size_t i = 0; i < n; ++i) {
        auto& s = previous[i];
        s.client_id = device_id(i);
        s.identity = {s.client_id, auth::role::device, "vendor-a"};
        s.expiry_interval = 86400;
        s.subscriptions.insert("device/" + s.client_id + "/commands");
    }
    const auto previous_bytes = heap_in_use() - before + n * sizeof(previous_layout);
    std::printf("previous layout: %6.0f bytes per session (sizeof %zu)\n",
                static_cast<double>(previous_bytes) / static_cast<double>(n),
                sizeof(previous_layout));
    std::printf("4 M sessions: %.2f GiB (previous layout %.2f GiB)\n",
                4e6 * static_cast<double>(now_bytes) / static_cast<double>(n) / (1 << 30),
                4e6 * static_cast<double>(previous_bytes) / static_cast<double>(n) / (1 << 30));
    return 0;
}

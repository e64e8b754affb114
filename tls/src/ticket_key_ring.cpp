#include "fleetmq/tls/ticket_key_ring.hpp"

#include "fleetmq/tls/config_error.hpp"

#include <openssl/rand.h>

namespace fleetmq::tls {

ticket_key_ring::ticket_key_ring(std::chrono::seconds rotation_interval)
    : interval_{rotation_interval}, rotated_at_{clock::now()}, current_{make_key()} {}

ticket_key_ring::key ticket_key_ring::make_key() {
    key k;
    if (RAND_bytes(k.name.data(), static_cast<int>(k.name.size())) != 1 ||
        RAND_bytes(k.aes_key.data(), static_cast<int>(k.aes_key.size())) != 1 ||
        RAND_bytes(k.hmac_key.data(), static_cast<int>(k.hmac_key.size())) != 1) {
        throw config_error{"session tickets: the random number generator failed"};
    }
    return k;
}

void ticket_key_ring::rotate_if_due(clock::time_point now) {
    if (now - rotated_at_ >= interval_) {
        previous_ = current_;
        current_ = make_key();
        rotated_at_ = now;
    }
}

ticket_key_ring::key ticket_key_ring::current() {
    const std::lock_guard lock{mutex_};
    rotate_if_due(clock::now());
    return current_;
}

std::optional<std::pair<ticket_key_ring::key, bool>>
ticket_key_ring::find(const std::array<std::uint8_t, 16>& name) {
    const std::lock_guard lock{mutex_};
    rotate_if_due(clock::now());
    if (current_.name == name) {
        return std::pair{current_, true};
    }
    if (previous_ && previous_->name == name) {
        return std::pair{*previous_, false};
    }
    return std::nullopt;
}

void ticket_key_ring::rotate() {
    const std::lock_guard lock{mutex_};
    previous_ = current_;
    current_ = make_key();
    rotated_at_ = clock::now();
}

} // namespace fleetmq::tls

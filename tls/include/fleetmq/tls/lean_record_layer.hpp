#pragma once

#include "fleetmq/tls/record_buffer_pool.hpp"
#include "fleetmq/tls/record_layer.hpp"
#include "fleetmq/tls/record_protection.hpp"
#include "fleetmq/tls/traffic_handover.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace fleetmq::tls {

/// TLS 1.3 records on a non-blocking socket after the handshake, without OpenSSL's per
/// connection state: two record_protections (keys, IVs, sequence numbers) and the two traffic
/// secrets for KeyUpdate. It handles what RFC 8446 allows after the handshake: application data,
/// alerts (close_notify closes, others fail; each counted), KeyUpdate from the peer (its keys
/// advance; answered when it asks), and refuses any other handshake message with
/// unexpected_message. A KeyUpdate may arrive split over records (section 5.1), but nothing may
/// follow it in its record. It sends its own KeyUpdate before a key's usage limit, and never
/// reuses a nonce. Buffers come from the thread's pool (record_buffer_pool) and exist only while
/// bytes are in flight: it reads ahead as much as the kernel has (several small records in one
/// recv), and seals a record straight into its send buffer. What it does (key updates, alerts)
/// is counted per thread (lean_counters), not per connection.
///
/// Cipher contexts belong to the thread (one per shard), not to the connection, which may move
/// between shards.
class lean_record_layer final : public record_layer {
public:
    /// Records per key before this side updates it (RFC 8446 section 5.5: well under the
    /// 2^24.5 full-size records AES-GCM allows).
    static constexpr std::uint64_t default_records_per_key = std::uint64_t{1} << 24;

    lean_record_layer(int fd, const traffic_handover& handover,
                      std::uint64_t records_per_key = default_records_per_key);
    ~lean_record_layer() override;
    lean_record_layer(const lean_record_layer&) = delete;
    lean_record_layer& operator=(const lean_record_layer&) = delete;

    io_result read(std::span<std::uint8_t> into) override;
    io_result write(std::span<const std::uint8_t> from) override;
    io_result shutdown() override;
    std::string failure() const override;

    /// Bytes this layer holds right now (buffers lent by the pool), for the memory figures.
    std::size_t held_bytes() const noexcept {
        return (in_ ? record_buffer_size : 0) + (out_ ? record_buffer_size : 0);
    }

private:
    /// Reads until one whole record is at in_[in_begin_]; want_read, truncated or failed
    /// otherwise.
    io_result receive_record();
    /// The record at in_[in_begin_] is done with: the next one (read ahead) comes first; the
    /// buffer goes back to the pool when nothing is left in it.
    void finish_record();
    /// Handles the handshake bytes of one record (KeyUpdate only); the alert to fail with, if
    /// they are not acceptable.
    std::optional<std::uint8_t> on_handshake(std::span<const std::uint8_t> content);
    /// Seals `content` as one record after what `out_` holds, updating our key first when it
    /// is worn.
    bool seal(std::span<const std::uint8_t> content, content_type type);
    /// Seals with the current key, without the usage check.
    bool seal_now(std::span<const std::uint8_t> content, content_type type);
    bool send_key_update(bool request_peer_update);
    /// Writes `out_`; ok when all of it left, want_write, or failed.
    io_status send_pending();
    /// Best effort: a fatal alert, then no more I/O.
    io_result fail_with(std::uint8_t alert);

    int fd_;
    record_cipher cipher_;
    std::vector<std::uint8_t> client_secret_;
    std::vector<std::uint8_t> server_secret_;
    record_protection reading_;
    record_protection writing_;
    record_buffer in_; // received bytes not yet handled: in_[in_begin_, in_end_)
    std::uint32_t in_begin_ = 0;
    std::uint32_t in_end_ = 0;
    std::uint32_t plaintext_at_ = 0; // decrypted content not yet handed out: in_[at, at + left)
    std::uint32_t plaintext_left_ = 0;
    record_buffer out_; // sealed bytes not yet written: out_[out_at_, out_end_)
    std::uint32_t out_at_ = 0;
    std::uint32_t out_end_ = 0;
    std::uint32_t sealed_plaintext_ = 0; // the caller's bytes in `out_`, reported when it leaves
    std::uint64_t records_per_key_;
    /// The start of a KeyUpdate whose rest comes in the next record (its header: 4 bytes).
    std::array<std::uint8_t, 4> handshake_fragment_{};
    std::uint8_t handshake_fragment_size_ = 0;
    bool close_notify_sent_ = false;
    bool close_notify_received_ = false; // whatever follows it is not read
    bool failed_ = false;
    /// Why it failed, for failure(): kept small, the text is made when asked.
    std::uint8_t alert_sent_ = 0;     // a fatal alert's description, 0: none
    std::uint8_t alert_received_ = 0; // likewise
    bool eof_ = false;
    int errno_ = 0;
};

/// This thread's cipher context, for record_protection (made at first use, freed at exit).
evp_cipher_ctx_st* thread_cipher_context();

} // namespace fleetmq::tls

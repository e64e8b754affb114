#include "fleetmq/tls/lean_record_layer.hpp"

#include "fleetmq/tls/lean_counters.hpp"

#include <openssl/evp.h>

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace fleetmq::tls {
namespace {

// Alert descriptions (RFC 8446 section 6).
constexpr std::uint8_t close_notify = 0;
constexpr std::uint8_t unexpected_message = 10;
constexpr std::uint8_t bad_record_mac = 20;
constexpr std::uint8_t record_overflow = 22;
constexpr std::uint8_t illegal_parameter = 47;
constexpr std::uint8_t decode_error = 50;
constexpr std::uint8_t internal_error = 80;
constexpr std::uint8_t key_update = 24; // handshake message type

std::uint8_t alert_for(record_error e) noexcept {
    switch (e) {
    case record_error::bad_record_mac:
        return bad_record_mac;
    case record_error::record_overflow:
        return record_overflow;
    case record_error::unexpected_message:
        return unexpected_message;
    case record_error::decode_error:
        return decode_error;
    case record_error::sequence_exhausted:
        return close_notify; // the end of this connection, not a fault of the peer
    }
    return internal_error;
}

} // namespace

evp_cipher_ctx_st* thread_cipher_context() {
    thread_local const std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{
        EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
    return ctx.get();
}

lean_record_layer::lean_record_layer(int fd, const traffic_handover& handover,
                                     std::uint64_t records_per_key)
    : fd_{fd}, cipher_{handover.cipher}, client_secret_{handover.client_secret},
      server_secret_{handover.server_secret}, reading_{derive_traffic_keys(handover.cipher,
                                                                           handover.client_secret),
                                                       handover.client_sequence},
      writing_{derive_traffic_keys(handover.cipher, handover.server_secret),
               handover.server_sequence},
      records_per_key_{std::max<std::uint64_t>(1, records_per_key)} {}

lean_record_layer::~lean_record_layer() {
    release_record_buffer(in_);
    release_record_buffer(out_);
}

namespace {

std::size_t record_length(const std::uint8_t* header) noexcept {
    return (std::size_t{header[3]} << 8) | header[4];
}

} // namespace

io_result lean_record_layer::read(std::span<std::uint8_t> into) {
    if (close_notify_received_ && plaintext_left_ == 0) {
        return {io_status::closed, 0};
    }
    while (!failed_) {
        if (plaintext_left_ > 0) {
            const auto n =
                static_cast<std::uint32_t>(std::min<std::size_t>(into.size(), plaintext_left_));
            std::memcpy(into.data(), in_.get() + plaintext_at_, n);
            plaintext_at_ += n;
            plaintext_left_ -= n;
            if (plaintext_left_ == 0) {
                finish_record();
            }
            return {io_status::ok, n};
        }
        const auto received = receive_record();
        if (received.status != io_status::ok) {
            return received;
        }
        auto* record_start = in_.get() + in_begin_;
        const std::span<const std::uint8_t, record_header_size> header{record_start,
                                                                       record_header_size};
        const std::span<std::uint8_t> body{record_start + record_header_size,
                                           record_length(record_start)};
        opened_record record;
        if (const auto error = reading_.open(header, body, record, thread_cipher_context())) {
            return fail_with(alert_for(*error));
        }
        if (record.type != content_type::handshake && handshake_fragment_size_ > 0) {
            // A handshake message must not be interleaved with other records (section 5.1).
            return fail_with(unexpected_message);
        }
        switch (record.type) {
        case content_type::application_data:
            plaintext_at_ = static_cast<std::uint32_t>(record.content.data() - in_.get());
            plaintext_left_ = static_cast<std::uint32_t>(record.content.size());
            if (plaintext_left_ == 0) {
                finish_record();
            }
            break;
        case content_type::alert: {
            if (record.content.size() != 2) {
                return fail_with(decode_error);
            }
            const auto description = record.content[1];
            ++this_thread_lean_counters()
                  .alerts_received[static_cast<std::size_t>(lean_alert_of(description))];
            finish_record();
            if (description == close_notify) {
                close_notify_received_ = true;
                in_begin_ = in_end_ = 0;
                release_record_buffer(in_); // whatever follows is not read
                return {io_status::closed, 0};
            }
            failed_ = true; // any other alert is fatal in TLS 1.3
            alert_received_ = description;
            return {io_status::failed, 0};
        }
        case content_type::handshake:
            if (const auto alert = on_handshake(record.content)) {
                return fail_with(*alert);
            }
            finish_record();
            break;
        }
    }
    return {io_status::failed, 0};
}

void lean_record_layer::finish_record() {
    in_begin_ +=
        static_cast<std::uint32_t>(record_header_size + record_length(in_.get() + in_begin_));
    plaintext_at_ = 0;
    if (in_begin_ == in_end_) {
        in_begin_ = in_end_ = 0;
        release_record_buffer(in_); // idle again: the pool has it
    }
}

io_result lean_record_layer::receive_record() {
    if (!in_) {
        in_ = acquire_record_buffer();
        in_begin_ = in_end_ = 0;
    }
    for (;;) {
        const std::size_t have = in_end_ - in_begin_;
        std::size_t need = record_header_size;
        if (have >= record_header_size) {
            const auto length = record_length(in_.get() + in_begin_);
            if (length > max_ciphertext) {
                return fail_with(record_overflow);
            }
            need += length;
            if (have >= need) {
                return {io_status::ok, 0};
            }
        }
        if (in_begin_ + need > record_buffer_size) {
            // The record would not fit where it starts: what we have of it moves to the front.
            std::memmove(in_.get(), in_.get() + in_begin_, have);
            in_begin_ = 0;
            in_end_ = static_cast<std::uint32_t>(have);
        }
        // As much as the kernel has and the buffer takes: often several records at once.
        const auto n = ::recv(fd_, in_.get() + in_end_, record_buffer_size - in_end_, MSG_DONTWAIT);
        if (n > 0) {
            in_end_ += static_cast<std::uint32_t>(n);
            continue;
        }
        if (n == 0) {
            eof_ = true;
            return {io_status::truncated, 0}; // gone without close_notify
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (have == 0) {
                in_begin_ = in_end_ = 0;
                release_record_buffer(in_);
            }
            return {io_status::want_read, 0};
        }
        errno_ = errno;
        failed_ = true;
        return {io_status::failed, 0};
    }
}

std::optional<std::uint8_t> lean_record_layer::on_handshake(std::span<const std::uint8_t> content) {
    if (content.empty()) {
        return unexpected_message; // no zero-length handshake fragments (section 5.1)
    }
    // After the handshake only KeyUpdate may come from a client: a 4-byte header and one byte.
    // It may be split over records; what came of it so far waits in handshake_fragment_.
    std::array<std::uint8_t, 5> message{};
    std::size_t have = handshake_fragment_size_;
    std::copy_n(handshake_fragment_.begin(), have, message.begin());
    const auto take = std::min(message.size() - have, content.size());
    std::copy_n(content.begin(), take, message.begin() + static_cast<std::ptrdiff_t>(have));
    have += take;
    content = content.subspan(take);
    if (message[0] != key_update) {
        return unexpected_message;
    }
    if (have >= 4 && (message[1] != 0 || message[2] != 0 || message[3] != 1)) {
        return decode_error; // a KeyUpdate's body is one byte
    }
    if (have < message.size()) {
        std::copy_n(message.begin(), have, handshake_fragment_.begin());
        handshake_fragment_size_ = static_cast<std::uint8_t>(have);
        return std::nullopt; // the rest comes in the next record
    }
    handshake_fragment_size_ = 0;
    if (message[4] > 1) {
        return illegal_parameter; // update_not_requested (0) or update_requested (1) only
    }
    if (!content.empty()) {
        // What follows a key change in its record would be under the old key (section 5.1).
        return unexpected_message;
    }
    // The peer's next records use the next generation of its secret (section 4.6.3).
    client_secret_ = next_traffic_secret(cipher_, client_secret_);
    reading_.rekey(derive_traffic_keys(cipher_, client_secret_));
    ++this_thread_lean_counters().key_updates_received;
    if (message[4] == 1 && !send_key_update(false)) {
        return internal_error;
    }
    return std::nullopt;
}

bool lean_record_layer::send_key_update(bool request_peer_update) {
    const std::array<std::uint8_t, 5> message{key_update, 0, 0, 1,
                                              static_cast<std::uint8_t>(request_peer_update)};
    if (!seal_now(message, content_type::handshake)) {
        return false;
    }
    server_secret_ = next_traffic_secret(cipher_, server_secret_);
    writing_.rekey(derive_traffic_keys(cipher_, server_secret_));
    ++this_thread_lean_counters().key_updates_sent;
    return true;
}

bool lean_record_layer::seal(std::span<const std::uint8_t> content, content_type type) {
    if (writing_.sequence() >= records_per_key_ && !send_key_update(false)) {
        return false;
    }
    return seal_now(content, type);
}

bool lean_record_layer::seal_now(std::span<const std::uint8_t> content, content_type type) {
    if (!out_) {
        out_ = acquire_record_buffer();
        out_at_ = out_end_ = 0;
    }
    const auto size = record_protection::sealed_size(content.size());
    if (out_end_ + size > record_buffer_size) {
        return false; // two records' room: a KeyUpdate or an alert and one record of data
    }
    if (writing_.seal(content, type, out_.get() + out_end_, thread_cipher_context())) {
        return false;
    }
    out_end_ += static_cast<std::uint32_t>(size);
    return true;
}

io_status lean_record_layer::send_pending() {
    while (out_at_ < out_end_) {
        const auto n =
            ::send(fd_, out_.get() + out_at_, out_end_ - out_at_, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            out_at_ += static_cast<std::uint32_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return io_status::want_write;
        }
        errno_ = n < 0 ? errno : 0;
        failed_ = true;
        return io_status::failed;
    }
    out_at_ = out_end_ = 0;
    release_record_buffer(out_);
    return io_status::ok;
}

io_result lean_record_layer::write(std::span<const std::uint8_t> from) {
    if (failed_) {
        return {io_status::failed, 0};
    }
    if (out_at_ < out_end_) {
        // A retry after want_write: what was sealed then leaves first (the caller offers the
        // same bytes again, as with OpenSSL), and is reported now.
        const auto status = send_pending();
        if (status != io_status::ok) {
            return {status, 0};
        }
        if (sealed_plaintext_ > 0) {
            return {io_status::ok, std::exchange(sealed_plaintext_, 0)};
        }
    }
    if (from.empty()) {
        return {io_status::ok, 0};
    }
    const auto n = std::min(from.size(), max_plaintext);
    if (!seal(from.first(n), content_type::application_data)) {
        return fail_with(internal_error);
    }
    sealed_plaintext_ = static_cast<std::uint32_t>(n);
    const auto status = send_pending();
    if (status == io_status::ok) {
        sealed_plaintext_ = 0;
        return {io_status::ok, n};
    }
    return {status, 0};
}

io_result lean_record_layer::shutdown() {
    if (!close_notify_sent_ && !failed_) {
        close_notify_sent_ = true;
        const std::array<std::uint8_t, 2> alert{1, close_notify}; // warning, close_notify
        if (seal(alert, content_type::alert)) {
            ++this_thread_lean_counters()
                  .alerts_sent[static_cast<std::size_t>(lean_alert::close_notify)];
            send_pending(); // one attempt: the socket closes next
        }
    }
    return {io_status::ok, 0};
}

io_result lean_record_layer::fail_with(std::uint8_t alert) {
    if (!failed_) {
        const std::array<std::uint8_t, 2> message{2, alert}; // fatal
        if (seal(message, content_type::alert)) {
            ++this_thread_lean_counters()
                  .alerts_sent[static_cast<std::size_t>(lean_alert_of(alert))];
            send_pending();
        }
        failed_ = true;
        alert_sent_ = alert;
    }
    return {io_status::failed, 0};
}

std::string lean_record_layer::failure() const {
    const auto name = [](std::uint8_t description) {
        return std::string{to_string(lean_alert_of(description))} + " (" +
               std::to_string(description) + ")";
    };
    if (alert_received_ != 0) {
        return "received alert " + name(alert_received_);
    }
    if (alert_sent_ != 0) {
        return "sent alert " + name(alert_sent_);
    }
    if (errno_ != 0) {
        return std::strerror(errno_);
    }
    return eof_ ? "EOF without close_notify" : "failed";
}

} // namespace fleetmq::tls

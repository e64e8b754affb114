// A connection's way out: packets encoded, counted and queued, then written through the TLS
// stream with small ones gathered into one record, waiting for the socket when it is full, and
// reading resumed once what a slow reader left queued has drained.
#include "connection.hpp"

#include "fleetmq/protocol/encode.hpp"
#include "shard.hpp"

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

namespace fleetmq::broker::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void connection::count_sent(std::span<const std::uint8_t> bytes) {
    auto& metrics = shard_->metrics();
    const auto type = static_cast<std::size_t>(bytes[0] >> 4);
    ++metrics.packets_sent[type];
    if (type == static_cast<std::size_t>(protocol::packet_type::publish)) {
        ++metrics.publish_sent[static_cast<std::size_t>((bytes[0] >> 1) & 3)];
    }
    metrics.bytes_sent += bytes.size();
    metrics.outbound_bytes += static_cast<std::int64_t>(bytes.size());
}

void connection::queue(std::vector<std::uint8_t> bytes) {
    count_sent(bytes);
    out_bytes_ += bytes.size();
    out_.push_back({std::move(bytes), nullptr});
    schedule_flush();
}

void connection::queue(shared_bytes bytes) {
    count_sent(*bytes);
    out_bytes_ += bytes->size();
    out_.push_back({{}, std::move(bytes)});
    schedule_flush();
}

void connection::schedule_flush() {
    if (state_ != state::connected) {
        flush(); // a CONNACK refusal, a DISCONNECT: at once (the connection may move or close)
        return;
    }
    if (flush_posted_ || write_waiting_) {
        return; // a flush is due anyway
    }
    flush_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        self->flush_posted_ = false;
        self->flush();
    });
}

bool connection::send(const protocol::packet& p) {
    std::vector<std::uint8_t> bytes;
    const auto result = protocol::encode(p, version_, bytes, peer_maximum_packet_size_);
    if (result.error) {
        spdlog::debug("not sent to {}: {}: {}", who(), protocol::to_string(protocol::type_of(p)),
                      result.error.message());
        return false;
    }
    queue(std::move(bytes));
    return true;
}

void connection::flush() {
    if (!write_out()) {
        peer_gone_ = true;
        close("write failed");
    }
}

bool connection::write_out() {
    constexpr std::size_t record = 16 * 1024; // TLS's largest record: one write, one syscall
    while (!out_.empty() && state_ != state::closed) {
        auto data = out_.front().bytes().subspan(out_offset_);
        if (out_.size() > 1 && data.size() < record) {
            // Several small packets (deliveries to one subscriber) leave in one record. After
            // a WANT_WRITE the same bytes come first again, and no fewer: OpenSSL requires it.
            auto& gather = shard_->gather_buffer();
            gather.assign(data.begin(), data.end());
            for (std::size_t i = 1; i < out_.size() && gather.size() < record; ++i) {
                const auto next = out_[i].bytes();
                const auto take = std::min(next.size(), record - gather.size());
                gather.insert(gather.end(), next.begin(),
                              next.begin() + static_cast<std::ptrdiff_t>(take));
            }
            data = gather;
        }
        const auto result = stream_.write(data);
        if (result.status == tls::io_status::ok) {
            consume_written(result.bytes);
            continue;
        }
        if (result.status == tls::io_status::want_write ||
            result.status == tls::io_status::want_read) {
            if (!write_waiting_) {
                write_waiting_ = true;
                socket_.async_wait(result.status == tls::io_status::want_write
                                       ? tcp::socket::wait_write
                                       : tcp::socket::wait_read,
                                   [self = shared_from_this()](const boost::system::error_code& e) {
                                       self->write_waiting_ = false;
                                       if (!e) {
                                           self->flush();
                                       }
                                   });
            }
            return true;
        }
        return false;
    }
    return true;
}

void connection::consume_written(std::size_t written) {
    while (written > 0 && !out_.empty()) {
        const auto size = out_.front().bytes().size();
        const auto left = size - out_offset_;
        if (written < left) {
            out_offset_ += written;
            return;
        }
        written -= left;
        out_bytes_ -= size;
        shard_->metrics().outbound_bytes -= static_cast<std::int64_t>(size);
        out_.pop_front();
        out_offset_ = 0;
    }
    const auto half = shard_->config().limits.max_queued_bytes / 2;
    if (out_bytes_ < half && session_ != nullptr && session_->next_waiting() != nullptr &&
        state_ == state::connected) {
        send_pending(); // what waited for the socket
    }
    if (read_paused_ && out_bytes_ <= half) {
        read_paused_ = false;
        asio::post(socket_.get_executor(), [self = shared_from_this()] { self->read(); });
    }
}

} // namespace fleetmq::broker::detail

#include "shard.hpp"

#include "connection.hpp"

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <cassert>

#include <sys/socket.h>

#include <algorithm>

namespace fleetmq::broker::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
} // namespace

shard::shard(shared_state& state, std::uint32_t index)
    : state_{state}, index_{index}, outbox_{*state.mail, index}, tls_{state.tls}, acl_{state.acl},
      config_{state.live_config()} {
    metrics_.handshakes.resize(state.config.listeners.size());
    metrics_.connections_by_trust.assign(state.config.trust.size(), 0);
    metrics_.not_after_by_trust.resize(state.config.trust.size());
}

shard_snapshot shard::snapshot() const {
    assert_owner();
    shard_snapshot s;
    s.counted = metrics_;
    s.lean = tls::this_thread_lean_counters(); // this is the shard's thread (assert_owner)
    s.connections = static_cast<std::int64_t>(connections_.size());
    s.handshakes_in_flight = static_cast<std::int64_t>(handshakes_in_flight_);
    s.sessions = static_cast<std::int64_t>(sessions_.size());
    s.retained = static_cast<std::int64_t>(retained_.size());
    s.mailbox_depth = static_cast<std::int64_t>(state_.mail->depth(index_));
    s.mailbox_overflow = static_cast<std::int64_t>(outbox_.kept_envelopes());
    s.mailbox_overflow_bytes = static_cast<std::int64_t>(outbox_.kept_bytes());
    return s;
}

shard::~shard() = default;

std::uint16_t shard::listen(std::size_t i, std::uint16_t port) {
    const auto& listener = state_.config.listeners[i];
    const tcp::endpoint endpoint{asio::ip::make_address(listener.address), port};
    auto acceptor = std::make_unique<tcp::acceptor>(io_);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(tcp::acceptor::reuse_address(true));
    acceptor->set_option(reuse_port(true)); // each shard accepts its own share
    acceptor->bind(endpoint);
    acceptor->listen(4096);
    const auto bound = acceptor->local_endpoint().port();
    acceptors_.push_back(std::move(acceptor));
    accept_paused_.push_back(false);
    accept_retry_.push_back(std::make_unique<asio::steady_timer>(io_));
    return bound;
}

void shard::start() {
    for (std::size_t i = 0; i < acceptors_.size(); ++i) {
        accept(i);
    }
    wheel_slot_ = keep_alive_wheel::slot_of(now_ms());
    tick();
    thread_ = std::thread{[this] {
        owner_thread_ = std::this_thread::get_id();
        io_.run();
    }};
}

void shard::join() {
    if (thread_.joinable()) {
        thread_.join();
    }
}

void shard::shut_down() {
    asio::post(io_, [this] {
        for (auto& acceptor : acceptors_) {
            boost::system::error_code ignored;
            acceptor->close(ignored);
        }
        for (auto& retry : accept_retry_) {
            retry->cancel();
        }
        auto all = connections_;
        for (auto& [id, c] : all) {
            c->shut_down();
        }
        ticker_.cancel();
        overflow_timer_.cancel();
        io_.stop();
    });
}

void shard::discard_mail() {
    state_.mail->discard(index_);
    outbox_.clear();
    connections_.clear();
    sessions_.clear();
}

std::uint64_t shard::now_second() const {
    return now_ms() / 1000;
}

std::uint64_t shard::now_ms() const {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

void shard::accept(std::size_t listener) {
    acceptors_[listener]->async_accept([this, listener](const boost::system::error_code& error,
                                                        tcp::socket socket) {
        if (error == asio::error::operation_aborted) {
            return;
        }
        if (error) {
            // Out of file descriptors (EMFILE) or the like: accepting again at once would
            // spin on the same error, so wait a little; the kernel keeps the backlog.
            ++metrics_.accept_errors;
            std::size_t suppressed = 0;
            if (refusal_log_.allow(log_kind::accept_failed, now_second(), suppressed)) {
                spdlog::warn("accept failed on shard {}: {}; retrying in 100 ms{}", index_,
                             error.message(), suppressed_note(suppressed));
            }
            auto& retry = *accept_retry_[listener];
            retry.expires_after(std::chrono::milliseconds{100});
            retry.async_wait([this, listener](const boost::system::error_code& e) {
                if (!e) {
                    accept(listener);
                }
            });
            return;
        }
        {
            if (state_.connections.fetch_add(1) >= state_.config.limits.max_connections) {
                state_.connections.fetch_sub(1);
                ++metrics_.refused_max_connections;
                std::size_t suppressed = 0;
                if (refusal_log_.allow(log_kind::max_connections, now_second(), suppressed)) {
                    spdlog::warn("connection refused: max_connections ({}) reached{}",
                                 state_.config.limits.max_connections, suppressed_note(suppressed));
                }
            } else {
                boost::system::error_code ignored;
                socket.non_blocking(true, ignored);
                socket.set_option(tcp::no_delay(true), ignored);
                const auto id = next_connection_++;
                auto c = std::make_shared<connection>(*this, id, listener, std::move(socket),
                                                      tls_[listener]);
                connections_.emplace(id, c);
                ++handshakes_in_flight_;
                c->start();
            }
        }
        if (handshakes_in_flight_ >= config().limits.max_handshakes_in_flight) {
            accept_paused_[listener] = true; // resumed by handshake_ended()
            return;
        }
        accept(listener);
    });
}

void shard::handshake_ended() {
    --handshakes_in_flight_;
    if (handshakes_in_flight_ >= config().limits.max_handshakes_in_flight) {
        return;
    }
    for (std::size_t i = 0; i < accept_paused_.size(); ++i) {
        if (accept_paused_[i] && !state_.stopping) {
            accept_paused_[i] = false;
            accept(i);
        }
    }
}

void shard::forget(std::uint64_t id) {
    if (connections_.erase(id) == 1) {
        state_.connections.fetch_sub(1);
    }
}

void shard::watch_keep_alive(std::uint64_t connection, std::uint64_t deadline_ms) {
    wheel_.file(connection, deadline_ms, now_ms());
}

void shard::tick() {
    const auto now = now_ms();
    for (const auto due = keep_alive_wheel::slot_of(now); wheel_slot_ <= due; ++wheel_slot_) {
        for (const auto id : wheel_.take(wheel_slot_)) {
            const auto it = connections_.find(id);
            if (it == connections_.end()) {
                continue;
            }
            const auto keep = it->second; // close() removes it from the map
            if (const auto deadline = keep->check_keep_alive(now)) {
                wheel_.file(id, *deadline, now);
            }
        }
    }
    sessions_.run_due(now);
    flush_overflow();
    // Lines a storm held back, said once it is over, under their own kind.
    refusal_log_.report_unreported(now / 1000, [](log_kind kind, std::size_t n) {
        spdlog::info("{} similar \"{}\" lines suppressed", n, to_string(kind));
    });
    // One slot: a deadline is met at most a slot (plus scheduling) late, never early.
    ticker_.expires_after(std::chrono::milliseconds{keep_alive_wheel::slot_ms});
    ticker_.async_wait([this](const boost::system::error_code& error) {
        if (!error) {
            tick();
        }
    });
}

void shard::send(std::uint32_t to, envelope e) {
    if (to == index_) {
        // Later, not now: the sender is in the middle of its own work (no reentrancy), and a
        // post from the shard's own thread takes no lock.
        asio::post(io_, [this, e = std::move(e)]() mutable { handle(e); });
        return;
    }
    // A full ring: the envelope is kept here, in order, until the target drains, and while
    // too much is kept this shard's connections stop reading (see congested()); QoS 0 past the
    // bound is dropped.
    switch (outbox_.send(to, std::move(e))) {
    case outbox::outcome::pushed:
        wake(to);
        return;
    case outbox::outcome::kept:
        wake(to);
        retry_overflow_soon();
        return;
    case outbox::outcome::dropped: {
        metrics_.drop(drop_reason::mailbox_full);
        std::size_t suppressed = 0;
        if (refusal_log_.allow(log_kind::mailbox_full, now_second(), suppressed)) {
            spdlog::warn("QoS 0 message dropped: shard {} is {} envelopes ({} bytes) behind "
                         "shard {}{}",
                         to, outbox_.kept(to).size(), outbox_.kept(to).bytes(), index_,
                         suppressed_note(suppressed));
        }
        return;
    }
    }
}

void shard::retry_overflow_soon() {
    if (overflow_timer_armed_) {
        return;
    }
    overflow_timer_armed_ = true;
    overflow_timer_.expires_after(std::chrono::milliseconds{1});
    overflow_timer_.async_wait([this](const boost::system::error_code& error) {
        overflow_timer_armed_ = false;
        if (!error) {
            flush_overflow();
        }
    });
}

void shard::wake(std::uint32_t to) {
    auto& target = *state_.shards[to];
    if (!target.wake_pending_.exchange(true, std::memory_order_acq_rel)) {
        asio::post(target.io_, [&target] { target.drain(); });
    }
}

bool shard::congested() const noexcept {
    return outbox_.congested();
}

void shard::pause_reader(std::weak_ptr<connection> reader) {
    paused_readers_.push_back(std::move(reader));
}

void shard::flush_overflow() {
    outbox_.flush([this](std::uint32_t to) { wake(to); });
    if (outbox_.calm() && !paused_readers_.empty()) {
        auto readers = std::move(paused_readers_);
        paused_readers_.clear();
        for (auto& weak : readers) {
            if (auto reader = weak.lock()) {
                reader->resume_reading();
            }
        }
    }
    if (outbox_.waiting()) {
        retry_overflow_soon();
    }
}

void shard::drain() {
    // Cleared before reading, so that a sender that pushes after this point posts again.
    wake_pending_.store(false, std::memory_order_release);
    const auto batch = state_.mail->drain(index_, [this](envelope& e) { handle(e); });
    if (batch.handled != 0) {
        metrics_.mailbox_batches.observe(static_cast<double>(batch.handled), batch_size_bounds);
    }
    if (batch.more && !wake_pending_.exchange(true, std::memory_order_acq_rel)) {
        asio::post(io_, [this] { drain(); }); // after what this batch posted
    }
}

void shard::handle(envelope& e) {
    assert_owner();
    std::visit(
        [this](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, subscribe_request>) {
                const bool fresh =
                    router_.add(m.filter, {m.who, m.qos, m.no_local, m.retain_as_published,
                                           m.subscription_id, m.acl_filtered});
                send(m.who.shard, subscribe_done{m.who.id, m.token});
                send_retained(m, fresh);
            } else if constexpr (std::is_same_v<T, subscribe_done>) {
                if (auto* s = sessions_.find(m.session); s != nullptr && s->online != nullptr) {
                    s->online->subscribe_confirmed(m.token);
                }
            } else if constexpr (std::is_same_v<T, unsubscribe_request>) {
                router_.remove(m.filter, m.who);
            } else if constexpr (std::is_same_v<T, route_request>) {
                route(m);
            } else if constexpr (std::is_same_v<T, deliver_request>) {
                deliver_to_session(m);
            } else if constexpr (std::is_same_v<T, detail::hand_off>) {
                const auto id = next_connection_++;
                connections_.emplace(id, m.moving);
                m.moving->arrive(*this, id);
            }
        },
        e);
}

} // namespace fleetmq::broker::detail

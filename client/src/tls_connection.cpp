#include "fleetmq/client/tls_connection.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace fleetmq::client {

struct tls_client_context::state {
    SSL_CTX* ctx = nullptr;
    SSL_SESSION* session = nullptr; // the last ticket, for resumption
    std::string session_host;
};

namespace {

int context_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

std::string openssl_errors() {
    std::string out;
    while (const auto code = ERR_get_error()) {
        if (const char* reason = ERR_reason_error_string(code)) {
            out += (out.empty() ? "" : "; ") + std::string{reason};
        }
    }
    return out;
}

int tls_version(const std::string& name) {
    if (name == "1.3") {
        return TLS1_3_VERSION;
    }
    if (name == "1.2" || name.empty()) {
        return TLS1_2_VERSION;
    }
    throw connection_error{failure_stage::files, "unknown TLS version '" + name + "'"};
}

int milliseconds_until(clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1'000'000));
}

/// Waits for `events` on `fd` until `deadline`; false when it passed.
bool wait_for(int fd, short events, clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, milliseconds_until(deadline));
        if (n > 0) {
            return true;
        }
        if (n == 0) {
            return false;
        }
        if (errno != EINTR) {
            return false;
        }
    }
}

/// Why an SSL call failed, in OpenSSL's words (an alert from the broker, a verification error).
std::string describe_failure(SSL* ssl, int result, int error) {
    const long verify = SSL_get_verify_result(ssl);
    auto reasons = openssl_errors();
    if (verify != X509_V_OK) {
        return "certificate verify failed: " + std::string{X509_verify_cert_error_string(verify)} +
               " (the broker's certificate was not accepted)";
    }
    if (!reasons.empty()) {
        return reasons;
    }
    if (error == SSL_ERROR_ZERO_RETURN) {
        return "the broker closed the connection (close_notify)";
    }
    if (error == SSL_ERROR_SYSCALL) {
        return result == 0 || errno == 0 ? "the broker closed the connection"
                                         : "connection lost: " + std::string{std::strerror(errno)};
    }
    return "TLS error " + std::to_string(error);
}

/// After a failed write: the broker may have refused the connection with an alert that is
/// still waiting to be read (TLS 1.3 judges the client's certificate after the client's
/// handshake ended). Its reason explains more than "Broken pipe" does.
std::string alert_waiting(SSL* ssl) {
    ERR_clear_error();
    unsigned char byte = 0;
    if (SSL_read(ssl, &byte, 1) > 0) {
        return {};
    }
    return openssl_errors();
}

int new_session(SSL* ssl, SSL_SESSION* session) {
    auto* s = static_cast<tls_client_context::state*>(
        SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
    if (s == nullptr) {
        return 0;
    }
    if (s->session != nullptr) {
        SSL_SESSION_free(s->session);
    }
    s->session = session; // ownership taken: returning 1
    const char* host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    s->session_host = host ? host : "";
    return 1;
}

int connect_socket(const std::string& host, std::uint16_t port, clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const auto service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        throw connection_error{failure_stage::resolve,
                               "cannot resolve " + host + ": " + ::gai_strerror(rc)};
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses{found, &::freeaddrinfo};
    std::string last_error = "no address";
    for (auto* a = found; a != nullptr; a = a->ai_next) {
        const int fd =
            ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            return fd;
        }
        if (errno == EINPROGRESS && wait_for(fd, POLLOUT, deadline)) {
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error == 0) {
                return fd;
            }
            last_error = std::strerror(error);
        } else {
            last_error = errno == EINPROGRESS ? "timed out" : std::strerror(errno);
        }
        ::close(fd);
    }
    throw connection_error{failure_stage::connect,
                           "cannot connect to " + host + ":" + service + ": " + last_error};
}

bool is_ip_address(const std::string& host) {
    in6_addr any{};
    return ::inet_pton(AF_INET, host.c_str(), &any) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), &any) == 1;
}

} // namespace

tls_client_context::tls_client_context(const tls_settings& settings)
    : state_{std::make_unique<state>()} {
    state_->ctx = SSL_CTX_new(TLS_client_method());
    if (state_->ctx == nullptr) {
        throw connection_error{failure_stage::files, "cannot make a TLS context"};
    }
    SSL_CTX* ctx = state_->ctx;
    SSL_CTX_set_ex_data(ctx, context_index(), state_.get());
    SSL_CTX_set_min_proto_version(ctx, tls_version(settings.min_version));
    if (!settings.max_version.empty()) {
        SSL_CTX_set_max_proto_version(ctx, tls_version(settings.max_version));
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    auto fail = [&](const std::string& what) {
        const auto reasons = openssl_errors();
        throw connection_error{failure_stage::files,
                               what + (reasons.empty() ? "" : ": " + reasons)};
    };
    if (SSL_CTX_load_verify_locations(ctx, settings.ca_file.c_str(), nullptr) != 1) {
        fail("cannot load the CA file " + settings.ca_file.string());
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, settings.certificate_file.c_str()) != 1) {
        fail("cannot load the certificate " + settings.certificate_file.string());
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, settings.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        fail("cannot load the key " + settings.key_file.string());
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        fail("the key " + settings.key_file.string() + " does not belong to the certificate " +
             settings.certificate_file.string());
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, &new_session);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

tls_client_context::~tls_client_context() {
    // A connection may outlive its context (the SSL_CTX is reference counted): its callbacks
    // must not reach this state any more.
    SSL_CTX_set_ex_data(state_->ctx, context_index(), nullptr);
    if (state_->session != nullptr) {
        SSL_SESSION_free(state_->session);
    }
    SSL_CTX_free(state_->ctx);
}

ssl_ctx_st* tls_client_context::native() const noexcept {
    return state_->ctx;
}

tls_connection tls_connection::open(tls_client_context& context, const std::string& host,
                                    std::uint16_t port, std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    const int fd = connect_socket(host, port, deadline);
    SSL* ssl = SSL_new(context.native());
    tls_connection connection{fd, ssl};
    if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
        throw connection_error{failure_stage::tls, "cannot start TLS: " + openssl_errors()};
    }
    if (is_ip_address(host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    } else {
        // SSL_set_tlsext_host_name is a macro with a C cast.
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host.c_str()));
        SSL_set1_host(ssl, host.c_str());
    }
    auto& kept = *context.state_;
    if (kept.session != nullptr && kept.session_host == (is_ip_address(host) ? "" : host)) {
        SSL_set_session(ssl, kept.session);
    }
    for (;;) {
        ERR_clear_error();
        const int result = SSL_connect(ssl);
        if (result == 1) {
            return connection;
        }
        const int error = SSL_get_error(ssl, result);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            if (!wait_for(fd, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
                throw connection_error{failure_stage::tls, "the TLS handshake timed out"};
            }
            continue;
        }
        throw connection_error{failure_stage::tls, describe_failure(ssl, result, error)};
    }
}

tls_connection::~tls_connection() {
    // Closed with close_notify: OpenSSL marks the session of a connection freed without it as
    // not resumable, and the next connection would need a full handshake.
    close();
}

tls_connection::tls_connection(tls_connection&& other) noexcept
    : fd_{std::exchange(other.fd_, -1)}, ssl_{std::exchange(other.ssl_, nullptr)} {}

tls_connection& tls_connection::operator=(tls_connection&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        ssl_ = std::exchange(other.ssl_, nullptr);
    }
    return *this;
}

void tls_connection::write_all(std::span<const std::uint8_t> bytes, clock::time_point deadline) {
    while (!bytes.empty()) {
        ERR_clear_error();
        const int result = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
        if (result > 0) {
            bytes = bytes.subspan(static_cast<std::size_t>(result));
            continue;
        }
        const int error = SSL_get_error(ssl_, result);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            if (!wait_for(fd_, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
                throw connection_error{failure_stage::tls, "writing to the broker timed out"};
            }
            continue;
        }
        auto reason = describe_failure(ssl_, result, error);
        if (auto alert = alert_waiting(ssl_); !alert.empty()) {
            reason = alert;
        }
        throw connection_error{failure_stage::tls, reason};
    }
}

std::size_t tls_connection::read_some(std::span<std::uint8_t> buffer, clock::time_point deadline) {
    for (;;) {
        ERR_clear_error();
        const int result = SSL_read(ssl_, buffer.data(), static_cast<int>(buffer.size()));
        if (result > 0) {
            return static_cast<std::size_t>(result);
        }
        const int error = SSL_get_error(ssl_, result);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            if (!wait_for(fd_, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
                return 0;
            }
            continue;
        }
        throw connection_error{failure_stage::tls, describe_failure(ssl_, result, error)};
    }
}

bool tls_connection::resumed() const noexcept {
    return ssl_ != nullptr && SSL_session_reused(ssl_) == 1;
}

std::string tls_connection::version() const {
    return ssl_ != nullptr ? SSL_get_version(ssl_) : "";
}

void tls_connection::close() noexcept {
    if (ssl_ != nullptr) {
        SSL_shutdown(ssl_); // one attempt: a non-blocking socket does not wait for the reply
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

} // namespace fleetmq::client

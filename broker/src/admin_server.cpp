#include "admin_server.hpp"

#include "json.hpp"
#include "shard.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <spdlog/spdlog.h>

#include <atomic>
#include <optional>

namespace fleetmq::broker::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto request_timeout = std::chrono::seconds{10};
constexpr std::size_t header_limit = 8 * 1024;
constexpr std::size_t body_limit = 64 * 1024;

/// Compares without an early exit, so that the time taken does not tell how much matched.
bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
    }
    return diff == 0;
}

std::string json_error(std::string_view message) {
    return R"({"error":)" + json_string(message) + "}\n";
}

/// "%2F" -> "/" (client ids may hold any character); nothing for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) {
            return std::nullopt;
        }
        const auto hex = [](char c) -> int {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            return -1;
        };
        const int high = hex(text[i + 1]);
        const int low = hex(text[i + 2]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

/// One HTTP/1.1 connection: requests in turn, each bounded in size and time.
class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(admin_server& server, tcp::socket socket)
        : server_{server}, stream_{std::move(socket)} {
        ++server_.connections;
    }
    ~http_session() { --server_.connections; }

    void read() {
        parser_.emplace();
        parser_->header_limit(header_limit);
        parser_->body_limit(body_limit);
        stream_.expires_after(request_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code error, std::size_t) {
                             self->on_read(error);
                         });
    }

private:
    void on_read(beast::error_code error) {
        if (error == http::error::header_limit) {
            reply(http::status::request_header_fields_too_large, json_error("headers too large"),
                  false);
            return;
        }
        if (error == http::error::body_limit) {
            reply(http::status::payload_too_large, json_error("body too large"), false);
            return;
        }
        if (error) {
            close(); // end of stream, timeout, garbage
            return;
        }
        handle(parser_->release());
    }

    void handle(const http::request<http::string_body>& request) {
        keep_alive_ = request.keep_alive();
        version_ = request.version();
        const std::string_view target{request.target().data(), request.target().size()};
        const auto path = target.substr(0, target.find('?'));
        if (path == "/healthz") {
            only_get(request) && (reply(http::status::ok, "ok\n", keep_alive_, "text/plain"), true);
            return;
        }
        if (!authorized(request)) {
            return;
        }
        if (path == "/readyz") {
            if (only_get(request)) {
                const auto& state = server_.state();
                const bool ready = state.listening.load() && !state.stopping.load();
                reply(ready ? http::status::ok : http::status::service_unavailable,
                      ready ? "ready\n" : "not ready\n", keep_alive_, "text/plain");
            }
            return;
        }
        if (path == "/metrics") {
            if (only_get(request)) {
                server_.scrape([self = shared_from_this()](std::string page) {
                    self->reply(http::status::ok, std::move(page), self->keep_alive_,
                                "text/plain; version=0.0.4; charset=utf-8");
                });
            }
            return;
        }
        constexpr std::string_view clients = "/api/v1/clients/";
        if (path.starts_with(clients) && path.size() > clients.size()) {
            api_client(request, path.substr(clients.size()));
            return;
        }
        if (path == "/api/v1/reload") {
            if (request.method() != http::verb::post) {
                reply(http::status::method_not_allowed, json_error("use POST"), keep_alive_);
                return;
            }
            server_.reload(responder());
            return;
        }
        reply(http::status::not_found, json_error("no such path"), keep_alive_);
    }

    /// GET /api/v1/clients/{client_id}; POST /api/v1/clients/{client_id}/disconnect. The id
    /// is percent-decoded ("dispatcher%2Fwatch"); an unescaped "/" in it works too.
    void api_client(const http::request<http::string_body>& request, std::string_view rest) {
        constexpr std::string_view suffix = "/disconnect";
        const bool post = request.method() == http::verb::post;
        if (post && !(rest.size() > suffix.size() && rest.ends_with(suffix))) {
            reply(http::status::not_found, json_error("POST .../disconnect"), keep_alive_);
            return;
        }
        if (!post && !only_get(request)) {
            return;
        }
        const auto client_id =
            percent_decode(post ? rest.substr(0, rest.size() - suffix.size()) : rest);
        if (!client_id) {
            reply(http::status::bad_request, json_error("bad percent-encoding"), keep_alive_);
            return;
        }
        server_.client(*client_id, post, responder());
    }

    admin_server::responder responder() {
        return [self = shared_from_this()](unsigned status, std::string body) {
            self->reply(static_cast<http::status>(status), std::move(body), self->keep_alive_);
        };
    }

    bool only_get(const http::request<http::string_body>& request) {
        if (request.method() == http::verb::get || request.method() == http::verb::head) {
            return true;
        }
        reply(http::status::method_not_allowed, json_error("use GET"), keep_alive_);
        return false;
    }

    bool authorized(const http::request<http::string_body>& request) {
        const auto& token = server_.token();
        if (token.empty()) {
            return true;
        }
        const auto header = request[http::field::authorization];
        constexpr std::string_view scheme = "Bearer ";
        const std::string_view given{header.data(), header.size()};
        if (given.size() > scheme.size() && given.substr(0, scheme.size()) == scheme &&
            same_secret(given.substr(scheme.size()), token)) {
            return true;
        }
        reply(http::status::unauthorized, json_error("a valid bearer token is required"),
              keep_alive_, "application/json", true);
        return false;
    }

    void reply(http::status status, std::string body, bool keep_alive,
               std::string_view content_type = "application/json", bool challenge = false) {
        response_ = {};
        response_.version(version_);
        response_.result(status);
        response_.set(http::field::server, "fleetmq");
        response_.set(http::field::content_type, content_type);
        if (challenge) {
            response_.set(http::field::www_authenticate, "Bearer");
        }
        response_.keep_alive(keep_alive);
        response_.body() = std::move(body);
        response_.prepare_payload();
        stream_.expires_after(request_timeout);
        http::async_write(
            stream_, response_,
            [self = shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
                if (error || !keep_alive) {
                    self->close();
                    return;
                }
                self->read();
            });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
    }

    admin_server& server_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_{header_limit};
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    bool keep_alive_ = false;
    unsigned version_ = 11;
};

} // namespace

admin_server::admin_server(shared_state& state, metrics_names names)
    : state_{state}, names_{std::move(names)} {}

admin_server::~admin_server() {
    stop();
}

const std::string& admin_server::token() const noexcept {
    return state_.config.admin.token; // the start's: a change waits for a restart
}

std::uint16_t admin_server::start() {
    const auto& admin = state_.config.admin;
    const tcp::endpoint endpoint{asio::ip::make_address(admin.address), admin.port};
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(64);
    const auto port = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread{[this] { io_.run(); }};
    return port;
}

void admin_server::stop() {
    if (thread_.joinable()) {
        io_.stop();
        thread_.join();
    }
}

void admin_server::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
        if (error == asio::error::operation_aborted) {
            return;
        }
        if (!error) {
            if (connections >= max_connections) {
                boost::system::error_code ignored;
                socket.close(ignored); // operators' tools do not need more; keep fds for devices
            } else {
                std::make_shared<http_session>(*this, std::move(socket))->read();
            }
        }
        accept();
    });
}

void admin_server::scrape(std::function<void(std::string)> done) {
    struct gathering {
        std::vector<shard_snapshot> snapshots;
        std::atomic<std::size_t> remaining{0};
        std::function<void(std::string)> done;
    };
    auto g = std::make_shared<gathering>();
    g->snapshots.resize(state_.shards.size());
    g->remaining = state_.shards.size();
    g->done = std::move(done);
    for (std::size_t i = 0; i < state_.shards.size(); ++i) {
        auto& target = *state_.shards[i];
        asio::post(target.io(), [this, g, i, &target] {
            g->snapshots[i] = target.snapshot();
            if (g->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                asio::post(io_, [this, g] {
                    const reload_counts reloads{state_.reloads_succeeded.load(),
                                                state_.reloads_failed.load(),
                                                state_.last_reload_success.load()};
                    // Trust entries may have been added by a reload since the start.
                    auto names = names_;
                    names.trusts.clear();
                    // Held here: a range-for over `live_config()->trust` would drop the
                    // temporary pointer before the loop, and a reload may free the config.
                    const auto live = state_.live_config();
                    for (const auto& t : live->trust) {
                        names.trusts.push_back(t.entry.policy.name);
                    }
                    // Taken out of `g`, so that it (and the HTTP session it holds) ends
                    // here, on the admin thread: the last reference to `g` may be dropped
                    // by a shard's thread.
                    const auto respond = std::move(g->done);
                    respond(render_metrics(g->snapshots, names, process_metrics::read(),
                                           std::chrono::system_clock::now(), reloads));
                });
            }
        });
    }
}

} // namespace fleetmq::broker::detail

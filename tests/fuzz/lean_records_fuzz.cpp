// Fuzzes the lean record layer's reader: what a client sends after the handshake. The input is
// a list of records; each either goes raw (attacker-made bytes, mostly failing authentication)
// or is sealed with the client's keys first (so that the content types, alerts, KeyUpdates and
// padding inside are reached). The layer reads them from a real socket. A crash, a sanitizer
// report, or a read that returns more than it was given is a finding; so is a record accepted
// after the layer said the connection failed or closed.
#include "fleetmq/tls/lean_record_layer.hpp"
#include "fleetmq/tls/record_protection.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

using namespace fleetmq::tls;

[[noreturn]] void finding(const char* what) {
    std::fprintf(stderr, "fuzz finding: %s\n", what);
    std::abort();
}

traffic_handover handover() {
    traffic_handover h;
    h.cipher = record_cipher::aes_128_gcm_sha256;
    h.client_secret.assign(32, 0x11);
    h.server_secret.assign(32, 0x22);
    return h;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
        return 0;
    }
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
    const auto h = handover();
    lean_record_layer lean{fds[0], h};
    record_protection client{derive_traffic_keys(h.cipher, h.client_secret)};
    std::vector<std::uint8_t> secret = h.client_secret;

    // Each record: a control byte (bit 0: sealed; bits 1-2: inner type; bits 3-7: padding),
    // a length byte, then that many bytes.
    std::vector<std::uint8_t> wire;
    for (std::size_t at = 0; at + 2 <= size && wire.size() < 60000;) {
        const auto control = data[at];
        const std::size_t length = std::min<std::size_t>(data[at + 1], size - at - 2);
        const auto* content = data + at + 2;
        at += 2 + length;
        if ((control & 1) == 0) {
            wire.insert(wire.end(), content, content + length);
            continue;
        }
        static constexpr std::array<content_type, 4> types{
            content_type::application_data, content_type::alert, content_type::handshake,
            content_type::application_data};
        const auto type = types[(control >> 1) & 3];
        if (client.seal({content, length}, type, wire, thread_cipher_context(), control >> 3)) {
            break;
        }
        // A KeyUpdate the client sends moves its own keys on, as a real client's would.
        if (type == content_type::handshake && length == 5 && content[0] == 24 && content[1] == 0 &&
            content[2] == 0 && content[3] == 1 && content[4] <= 1) {
            secret = next_traffic_secret(h.cipher, secret);
            client.rekey(derive_traffic_keys(h.cipher, secret));
        }
    }
    ::send(fds[1], wire.data(), wire.size(), MSG_NOSIGNAL);
    ::shutdown(fds[1], SHUT_WR);

    std::array<std::uint8_t, 1024> buffer{};
    std::size_t delivered = 0;
    for (int rounds = 0; rounds < 10000; ++rounds) {
        const auto r = lean.read(buffer);
        if (r.status == io_status::ok) {
            if (r.bytes > buffer.size()) {
                finding("a read returned more than its buffer");
            }
            delivered += r.bytes;
            if (delivered > wire.size()) {
                finding("more plaintext than bytes on the wire");
            }
            continue;
        }
        if (r.status == io_status::failed || r.status == io_status::closed ||
            r.status == io_status::truncated) {
            if (lean.read(buffer).status == io_status::ok) {
                finding("data after the end");
            }
        }
        break;
    }
    ::close(fds[0]);
    ::close(fds[1]);
    return 0;
}

// The common-errors table: what a device sees when something is set up wrong, and the fix.
// deploy/pki/README.md shows the same table to people.
#include "fleetmq/client/connection_error.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace fleetmq::client {

namespace {

struct entry {
    std::string_view symptom; // a part of the message
    std::string_view fix;
};

// Most specific first: the first entry whose symptom is in the message answers.
constexpr std::array table{
    entry{"hostname mismatch",
          "broker_address is not a name in the broker's certificate: connect with the DNS name "
          "the server certificate was issued for (fleetmq-pki issue-server --dns NAME), or add "
          "this name to it"},
    entry{"IP address mismatch",
          "broker_address is an IP address the broker's certificate does not list: use its DNS "
          "name, or issue the server certificate with --ip ADDRESS"},
    entry{"unable to get local issuer certificate",
          "the CA or the vendor intermediate is not in the trust store: ca_cert must be the root "
          "CA that issued the broker's certificate (ca.crt from the same PKI)"},
    entry{"self-signed certificate in certificate chain",
          "ca_cert is not the CA that issued the broker's certificate: use ca.crt from the PKI "
          "that issued the broker's server.crt"},
    entry{"self-signed certificate",
          "the broker presents a self-signed certificate that ca_cert does not contain"},
    entry{"certificate has expired",
          "the broker's certificate has expired (or this device's clock is wrong): renew it with "
          "fleetmq-pki issue-server, or fix the clock"},
    entry{"certificate is not yet valid",
          "this device's clock is behind: set the time (NTP) before connecting"},
    entry{"certificate verify failed",
          "the broker's certificate does not verify with ca_cert: wrong or missing CA file"},
    entry{"certificate required",
          "peer did not return a certificate: the device sent no client certificate; set "
          "client_cert and client_key"},
    entry{"unknown ca",
          "the broker does not trust the CA that issued this device's certificate: client_cert "
          "must hold the vendor intermediate after the device certificate, and the broker needs "
          "a [[trust]] entry for that vendor CA"},
    entry{"certificate expired",
          "this device's certificate has expired: issue a new one (generate-certs.sh or "
          "fleetmq-pki sign-csr)"},
    entry{"certificate revoked",
          "this device's certificate was revoked: issue a new one and ask the operator why"},
    entry{"bad certificate",
          "the broker refused this device's certificate (its CN is not a valid device id for "
          "that vendor, or it lacks the clientAuth usage): check the CN and the vendor prefix"},
    entry{"unsupported certificate",
          "the certificate lacks the clientAuth extended key usage: reissue it with "
          "fleetmq-pki (device certificates get clientAuth)"},
    entry{"does not belong to the certificate",
          "client_key is not the key of client_cert (key values mismatch): use the pair made "
          "together, or have the certificate reissued for this key"},
    entry{"key values mismatch",
          "client_key is not the key of client_cert: use the pair made together"},
    entry{"cannot load the CA file", "ca_cert is missing or not a PEM certificate"},
    entry{"cannot load the certificate", "client_cert is missing or not a PEM certificate"},
    entry{"cannot load the key",
          "client_key is missing, not a PEM key, or not readable by this user"},
    entry{"wrong version number",
          "the broker did not answer with TLS: check broker_port (8883 is MQTT over TLS)"},
    entry{"unsupported protocol",
          "no common TLS version: the broker and the device must allow TLS 1.2 or 1.3"},
    entry{"cannot resolve",
          "broker_address does not resolve: check the name, /etc/hosts and the DNS servers"},
    entry{"Connection refused",
          "nothing listens on broker_address:broker_port: is the broker running, is the port "
          "right, does a firewall reject it?"},
    entry{"timed out",
          "no answer in time: a firewall may drop the packets, or the broker is overloaded"},
    entry{"Network is unreachable", "no route to the broker: check the network configuration"},
    entry{"not authorized",
          "the broker refused this client: the client id must be the device id (the CN), and "
          "the ACL must allow the topic"},
    entry{"client identifier not valid",
          "the client id must equal the device id (the certificate's CN), or be empty"},
    entry{"the broker closed the connection",
          "the broker closed the connection: its log names the reason (often a certificate the "
          "broker refused after the handshake, or a client id that is not the device id)"},
};

std::string lowercase(std::string_view text) {
    std::string out{text};
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

} // namespace

std::string hint_for(std::string_view message) {
    const auto text = lowercase(message);
    for (const auto& e : table) {
        if (text.find(lowercase(e.symptom)) != std::string::npos) {
            return std::string{e.fix};
        }
    }
    return {};
}

} // namespace fleetmq::client

// fleetmq-test-pki DIR [--port N] [--devices N]: writes a development/test PKI and a broker
// configuration into DIR: a root CA, a vendor CA ("vendor-a", ids "a-NNNN"), a controller CA, the
// broker's certificate for localhost/127.0.0.1, a controller certificate ("dispatcher"), N device
// certificates, and fleetmq.toml listening on 127.0.0.1:PORT (with the admin HTTP endpoint on
// 127.0.0.1:9883, or on a free port too when PORT is 0). Keys are 0600. For the tests' bad cases
// also: device-expired (a-0999, expired yesterday), device-expiring (a-0998, expires in 10
// days), stranger (a-0001 from a CA the broker does not trust), device-ca-leaf (a-0997, a CA
// certificate from vendor A), device-self-signed (a-0996), device-server-only (a-0995, EKU
// serverAuth), device-wrong-prefix (b-0001 from vendor A), device-under-sub-ca (a-0993,
// pathlen violated), device-forged (a-0994), device-not-yet-valid (a-0992), device-ops-1
// (OU=Controller from vendor A), and vendor-a's CRL
// (empty) with vendor-a-revoking-a-0002.crl beside it. For development and tests
// only: the PKI scripts of deploy/ are for real fleets.
#include "cert_factory.hpp"

#include <cstdio>
#include <fstream>
#include <string>

using namespace fleetmq::test;

namespace {

certificate_spec ca(const std::string& cn, int path_length) {
    return ca_spec(cn, path_length, "fleetmq development");
}

void write_pair(const issued& cert, const std::filesystem::path& dir, const std::string& name) {
    cert.write_certificate(dir / (name + ".pem"));
    cert.write_key(dir / (name + ".key"));
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [--port N] [--devices N]\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    int port = 8883;
    int devices = 3;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--port") {
            port = std::stoi(argv[i + 1]);
        } else if (arg == "--devices") {
            devices = std::stoi(argv[i + 1]);
        } else {
            std::fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    std::filesystem::create_directories(dir);
    const auto root = issue(ca("fleetmq dev root CA", 1), nullptr);
    const auto vendor = issue(ca("fleetmq dev vendor A CA", 0), &root);
    const auto controllers = issue(ca("fleetmq dev controller CA", 0), &root);
    root.write_certificate(dir / "root.pem");
    vendor.write_certificate(dir / "vendor-a.pem");
    controllers.write_certificate(dir / "controllers.pem");

    certificate_spec server;
    server.subject = {{"O", "fleetmq development"}, {"CN", "localhost"}};
    server.server = true;
    server.dns_names = {"localhost"};
    server.ip_addresses = {"127.0.0.1"};
    write_pair(issue(server, &root), dir, "server");

    certificate_spec controller;
    controller.subject = {{"O", "fleetmq development"}, {"CN", "dispatcher"}};
    write_pair(issue(controller, &controllers), dir, "controller");

    const auto device_spec = [](const std::string& id) {
        certificate_spec device;
        device.subject = {{"O", "fleetmq development"}, {"OU", "sensor"}, {"CN", id}};
        return device;
    };
    std::uint64_t second_serial = 0;
    for (int i = 1; i <= devices; ++i) {
        char id[32];
        std::snprintf(id, sizeof id, "a-%04d", i);
        const auto device = issue(device_spec(id), &vendor);
        write_pair(device, dir, std::string{"device-"} + id);
        if (i == 2) {
            second_serial = device.serial();
        }
    }

    auto expired = device_spec("a-0999");
    expired.not_before_offset = std::chrono::hours{-48};
    expired.not_after_offset = std::chrono::hours{-24};
    write_pair(issue(expired, &vendor), dir, "device-expired");
    auto expiring = device_spec("a-0998");
    expiring.not_after_offset = std::chrono::hours{24 * 10};
    write_pair(issue(expiring, &vendor), dir, "device-expiring");
    const auto unknown = issue(ca("an unknown CA", 0), nullptr);
    write_pair(issue(device_spec("a-0001"), &unknown), dir, "stranger");
    unknown.write_certificate(dir / "stranger-ca.pem"); // for a test to trust it at a reload
    // Identity refusals with their own reasons: a CA certificate presented as a device
    // (CA:TRUE, keyCertSign, clientAuth, issued by the trusted vendor) and a self-signed one.
    auto ca_leaf = device_spec("a-0997");
    ca_leaf.is_ca = true;
    ca_leaf.key_usage = "critical,digitalSignature,keyCertSign";
    ca_leaf.extended_key_usage = "clientAuth";
    write_pair(issue(ca_leaf, &vendor), dir, "device-ca-leaf");
    write_pair(issue(device_spec("a-0996"), nullptr), dir, "device-self-signed");
    // A certificate for servers only (EKU serverAuth), and one whose CN lacks vendor A's prefix.
    auto server_only = device_spec("a-0995");
    server_only.server = true;
    write_pair(issue(server_only, &vendor), dir, "device-server-only");
    write_pair(issue(device_spec("b-0001"), &vendor), dir, "device-wrong-prefix");
    // A device under a sub-CA that vendor A's pathlen:0 forbids (sent with its chain), one
    // forged under vendor A's name with another key, and one not valid before tomorrow.
    const auto sub_ca = issue(ca("fleetmq dev vendor A sub CA", -1), &vendor);
    const auto under_sub = issue(device_spec("a-0993"), &sub_ca);
    under_sub.write_certificate(dir / "device-under-sub-ca.pem", {&sub_ca});
    under_sub.write_key(dir / "device-under-sub-ca.key");
    const auto impostor = issue(ca("fleetmq dev vendor A CA", 0), nullptr);
    auto forged = device_spec("a-0994");
    forged.authority_key_id = false; // so the broker finds the real vendor A CA by name
    write_pair(issue(forged, &impostor), dir, "device-forged");
    auto future = device_spec("a-0992");
    future.not_before_offset = std::chrono::hours{24};
    future.not_after_offset = std::chrono::hours{48};
    write_pair(issue(future, &vendor), dir, "device-not-yet-valid");
    // An operator's console certificate from vendor A's CA, told apart by OU=Controller (for a
    // test's trust entry that selects it).
    certificate_spec console;
    console.subject = {{"O", "fleetmq development"}, {"OU", "Controller"}, {"CN", "ops-1"}};
    write_pair(issue(console, &vendor), dir, "device-ops-1");

    // The vendor CA's CRL (empty), and one that revokes device a-0002 for the tests to swap in.
    constexpr std::chrono::hours ten_years{24 * 3650};
    write_crl(dir / "vendor-a.crl", vendor, {}, ten_years);
    if (second_serial != 0) {
        write_crl(dir / "vendor-a-revoking-a-0002.crl", vendor, {second_serial}, ten_years);
    }

    std::ofstream config{dir / "fleetmq.toml"};
    config << "# Development broker: made by fleetmq-test-pki. Not for production.\n"
              "[broker]\nlog_level = \"info\"\n\n"
              "[[listener]]\naddress = \"127.0.0.1\"\nport = "
           << port
           << "\ncertificate = \"server.pem\"\nkey = \"server.key\"\n\n"
              "# prefixed_by_id: a device may also connect as \"<id>/<anything>\", so that the\n"
              "# mosquitto_pub and mosquitto_sub of one device do not take over each other.\n"
              "[[trust]]\nname = \"vendor-a\"\nca = \"vendor-a.pem\"\ncrl = \"vendor-a.crl\"\n"
              "role = \"device\"\n"
              "id_prefix = \"a-\"\nclient_id = \"prefixed_by_id\"\n\n"
              "[[trust]]\nname = \"controllers\"\nca = \"controllers.pem\"\nrole = \"controller\"\n"
              "client_id = \"any\"\n\n"
              "[admin]\naddress = \"127.0.0.1\"\nport = "
           << (port == 0 ? 0 : 9883) << "\n";
    std::printf("wrote a development PKI and fleetmq.toml to %s\n", dir.c_str());
    return 0;
}

// The checks of a device's files: configuration, presence, permissions, key, chain, id,
// validity, key usage and the clock.
#include "check_steps.hpp"

#include <fleetmq/auth/identity_policy.hpp>
#include <fleetmq/client/connection_error.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <fmt/format.h>
#include <memory>

namespace fleetmq::tools::detail {
namespace {

using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

std::vector<x509_ptr> read_certificates(const std::filesystem::path& file) {
    std::vector<x509_ptr> out;
    std::unique_ptr<FILE, decltype(&std::fclose)> in{std::fopen(file.c_str(), "r"), &std::fclose};
    if (!in) {
        return out;
    }
    while (X509* cert = PEM_read_X509(in.get(), nullptr, nullptr, nullptr)) {
        out.emplace_back(cert, &X509_free);
    }
    ERR_clear_error(); // the end of the file reads as an error
    return out;
}

std::string days_text(std::chrono::system_clock::duration d) {
    const auto days = std::chrono::duration_cast<std::chrono::hours>(d).count() / 24;
    return fmt::format("{} day{}", days, days == 1 ? "" : "s");
}

std::string date_text(std::chrono::system_clock::time_point t) {
    const auto seconds = std::chrono::system_clock::to_time_t(t);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &parts);
    return text;
}

} // namespace

check_result pass(std::string name, std::string detail) {
    return {std::move(name), verdict::pass, std::move(detail), {}};
}

check_result fail(std::string name, std::string detail, std::string fix) {
    if (fix.empty()) {
        fix = client::hint_for(detail);
    }
    return {std::move(name), verdict::fail, std::move(detail), std::move(fix)};
}

check_result check_configuration(findings& f) {
    try {
        f.config = client::read_device_config(f.options.config_file);
    } catch (const client::config_error& e) {
        return fail("configuration", e.what(),
                    "fix the line named; the keys are broker_address, broker_port, "
                    "protocol_version, transport, ca_cert, client_cert, client_key, keep_alive, "
                    "connect_retry_time, connect_retry_max_interval, command_topic, "
                    "response_topic");
    }
    const auto& c = *f.config;
    return pass("configuration",
                fmt::format("{}: broker {}:{}, MQTT {}", c.file.string(), c.broker_address,
                            c.broker_port, c.protocol_version == 5 ? "5.0" : "3.1.1"));
}

check_result check_files_present(findings& f) {
    const auto& c = *f.config;
    std::string missing;
    for (const auto& [key, path] :
         {std::pair{"ca_cert", c.ca_cert}, std::pair{"client_cert", c.client_cert},
          std::pair{"client_key", c.client_key}}) {
        if (::access(path.c_str(), R_OK) != 0) {
            missing += fmt::format("{}{} {} ({})", missing.empty() ? "" : "; ", key, path.string(),
                                   std::strerror(errno));
        }
    }
    if (!missing.empty()) {
        const bool no_client_files =
            ::access(c.client_cert.c_str(), R_OK) != 0 || ::access(c.client_key.c_str(), R_OK) != 0;
        return fail("files present", "cannot read " + missing,
                    no_client_files
                        ? "install the device's client.crt and client.key where the "
                          "configuration says (without them: peer did not return a certificate)"
                        : "install ca.crt (the root CA of the broker's PKI) where ca_cert says "
                          "(without it: certificate verify failed)");
    }
    return pass("files present", "ca_cert, client_cert and client_key are readable");
}

check_result check_permissions(findings& f) {
    const auto& c = *f.config;
    std::string problems;
    std::string fixes;
    auto mode_of = [](const std::filesystem::path& p) {
        struct stat st {};
        return ::stat(p.c_str(), &st) == 0 ? st.st_mode & 07777 : 0u;
    };
    const auto key_mode = mode_of(c.client_key);
    if ((key_mode & 077) != 0) {
        problems += fmt::format("client_key {} is mode {:o} (others may read it)",
                                c.client_key.string(), key_mode);
        fixes += fmt::format("chmod 600 {}", c.client_key.string());
    }
    for (const auto& [key, path] :
         {std::pair{"client_cert", c.client_cert}, std::pair{"ca_cert", c.ca_cert}}) {
        const auto mode = mode_of(path);
        if ((mode & 022) != 0 || (mode & 0444) != 0444) {
            problems += fmt::format("{}{} {} is mode {:o} (expected 644)",
                                    problems.empty() ? "" : "; ", key, path.string(), mode);
            fixes += fmt::format("{}chmod 644 {}", fixes.empty() ? "" : "; ", path.string());
        }
    }
    if (!problems.empty()) {
        return fail("permissions", problems, fixes);
    }
    return pass("permissions", fmt::format("client_key {:o}, certificates 644", key_mode));
}

check_result check_key_matches(findings& f) {
    const auto& c = *f.config;
    const auto certs = read_certificates(c.client_cert);
    if (certs.empty()) {
        return fail("key matches certificate",
                    "cannot load the certificate " + c.client_cert.string() +
                        ": no PEM certificate in it",
                    "");
    }
    std::unique_ptr<FILE, decltype(&std::fclose)> in{std::fopen(c.client_key.c_str(), "r"),
                                                     &std::fclose};
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{
        in ? PEM_read_PrivateKey(in.get(), nullptr, nullptr, nullptr) : nullptr, &EVP_PKEY_free};
    ERR_clear_error();
    if (!key) {
        return fail("key matches certificate",
                    "cannot load the key " + c.client_key.string() + ": not a PEM private key", "");
    }
    if (X509_check_private_key(certs.front().get(), key.get()) != 1) {
        ERR_clear_error();
        return fail("key matches certificate",
                    "key values mismatch: " + c.client_key.string() +
                        " does not belong to the certificate " + c.client_cert.string(),
                    "");
    }
    f.certificate = client::read_certificate_summary(c.client_cert);
    return pass("key matches certificate", "the key belongs to " + f.certificate->subject);
}

check_result check_chain(findings& f) {
    const auto& c = *f.config;
    const auto certs = read_certificates(c.client_cert);
    const auto anchors = read_certificates(c.ca_cert);
    if (anchors.empty()) {
        return fail("chain verifies", "cannot load the CA file " + c.ca_cert.string(), "");
    }
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store{X509_STORE_new(),
                                                                  &X509_STORE_free};
    for (const auto& a : anchors) {
        X509_STORE_add_cert(store.get(), a.get());
    }
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted{
        sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_free(s); }};
    for (std::size_t i = 1; i < certs.size(); ++i) {
        sk_X509_push(untrusted.get(), certs[i].get());
    }
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx{X509_STORE_CTX_new(),
                                                                        &X509_STORE_CTX_free};
    X509_STORE_CTX_init(ctx.get(), store.get(), certs.front().get(), untrusted.get());
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    // Expiry has its own check: here only the chain.
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx.get()), X509_V_FLAG_NO_CHECK_TIME);
    if (X509_verify_cert(ctx.get()) != 1) {
        const int error = X509_STORE_CTX_get_error(ctx.get());
        ERR_clear_error();
        std::string detail =
            fmt::format("{} does not verify against {}: {}", c.client_cert.string(),
                        c.ca_cert.string(), X509_verify_cert_error_string(error));
        std::string fix;
        if (error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
            error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) {
            fix = certs.size() == 1
                      ? "client_cert holds only the device certificate: append the vendor "
                        "intermediate CA (cat client.crt vendor-ca.crt), and make ca_cert the "
                        "root CA of the same PKI"
                      : "the CA or the vendor intermediate is not in the trust store: ca_cert "
                        "must be the root CA that issued the vendor CA";
            // The hand check that passes on a correct file: openssl verify takes its target
            // from the first certificate and the intermediates only from -untrusted.
            fix += fmt::format("; to check by hand: openssl verify -CAfile {} -untrusted {} {}",
                               c.ca_cert.string(), c.client_cert.string(), c.client_cert.string());
        }
        return fail("chain verifies", detail, fix);
    }
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    const int length = chain != nullptr ? sk_X509_num(chain) : 0;
    std::unique_ptr<char, void (*)(char*)> anchor{
        X509_NAME_oneline(X509_get_subject_name(sk_X509_value(chain, length - 1)), nullptr, 0),
        [](char* p) { OPENSSL_free(p); }};
    return pass("chain verifies", fmt::format("{} certificates, up to {}", length, anchor.get()));
}

check_result check_device_id(findings& f) {
    const auto& cert = *f.certificate;
    if (cert.common_names.size() != 1) {
        return fail("device id (CN)",
                    fmt::format("the certificate has {} CNs: exactly one is the device id",
                                cert.common_names.size()),
                    "reissue the certificate with one CN, the device id");
    }
    const auto& cn = cert.common_names.front();
    if (const auto failure = auth::check_device_id(cn)) {
        return fail("device id (CN)",
                    fmt::format("the CN '{}' is not a device id the broker accepts: {}", cn,
                                auth::to_string(*failure)),
                    "reissue the certificate with a valid id (no + # /, no control "
                    "characters, at most 128 bytes)");
    }
    auto expected = f.options.expected_id;
    std::string source = "--device-id";
    if (!expected && f.config->command_topic.find("{id}") == std::string::npos) {
        // A literal command topic names the id the device expects to be.
        const auto& topic = f.config->command_topic;
        if (topic.starts_with("device/") && topic.ends_with("/commands")) {
            expected = topic.substr(7, topic.size() - 7 - 9);
            source = "command_topic";
        }
    }
    if (expected && *expected != cn) {
        return fail("device id (CN)",
                    fmt::format("the CN is '{}' but {} says '{}'", cn, source, *expected),
                    "install this device's own certificate, or correct the expected id");
    }
    f.device_id = cn;
    return pass("device id (CN)", expected
                                      ? fmt::format("'{}', as expected", cn)
                                      : fmt::format("'{}' (give --device-id to compare it)", cn));
}

check_result check_validity(findings& f) {
    const auto& cert = *f.certificate;
    const auto now = std::chrono::system_clock::now();
    if (now < cert.not_before) {
        return fail("validity",
                    fmt::format("certificate is not yet valid: from {} (the clock says {})",
                                date_text(cert.not_before), date_text(now)),
                    "");
    }
    if (now >= cert.not_after) {
        return fail("validity", "certificate expired on " + date_text(cert.not_after), "");
    }
    const auto left = cert.not_after - now;
    if (left < std::chrono::hours{24 * f.options.expiry_warning_days}) {
        return fail("validity",
                    fmt::format("the certificate expires in {} (on {}), within {} days",
                                days_text(left), date_text(cert.not_after),
                                f.options.expiry_warning_days),
                    "renew it now: issue a new certificate (generate-certs.sh, or fleetmq-pki "
                    "sign-csr with the device's CSR) and install it");
    }
    return pass("validity", fmt::format("valid until {} ({} left)", date_text(cert.not_after),
                                        days_text(left)));
}

check_result check_usage(findings& f) {
    const auto& cert = *f.certificate;
    if (!cert.client_auth) {
        return fail("client usage",
                    "unsupported certificate purpose: no clientAuth extended key usage", "");
    }
    if (!cert.digital_signature) {
        return fail("client usage", "the key usage lacks digitalSignature",
                    "reissue it with fleetmq-pki (device certificates get digitalSignature)");
    }
    return pass("client usage", "clientAuth, digitalSignature");
}

check_result check_clock(findings& f) {
    const auto now = std::chrono::system_clock::now();
    // The day this doctor was built: a clock before it is certainly wrong.
    std::tm built{};
    strptime(__DATE__, "%b %d %Y", &built);
    const auto build_day = std::chrono::system_clock::from_time_t(timegm(&built));
    if (now < build_day - std::chrono::hours{48}) {
        return fail("clock",
                    "the clock says " + date_text(now) + ", before this program was built (" +
                        date_text(build_day) + ")",
                    "set the time (NTP: systemctl enable --now systemd-timesyncd); TLS checks "
                    "validity dates against it");
    }
    if (f.certificate && now < f.certificate->not_before) {
        return fail("clock",
                    "the clock (" + date_text(now) + ") is before the certificate's start (" +
                        date_text(f.certificate->not_before) + ")",
                    "set the time (NTP) before connecting");
    }
    return pass("clock", date_text(now));
}

} // namespace fleetmq::tools::detail

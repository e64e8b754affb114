#include "check_steps.hpp"

namespace fleetmq::tools {

std::vector<check_result> run_checks(const doctor_options& options) {
    detail::findings f{options, {}, {}, {}};
    std::vector<check_result> out;
    auto skipped = [&](const char* name, const char* because) {
        out.push_back({name, verdict::skip, std::string{"needs "} + because, {}});
    };
    // Each group runs only when what it builds on passed.
    out.push_back(detail::check_configuration(f));
    if (!f.config) {
        for (const auto* name :
             {"files present", "permissions", "key matches certificate", "chain verifies",
              "device id (CN)", "validity", "client usage", "clock", "broker resolves",
              "port reachable", "TLS handshake", "MQTT CONNECT", "SUBSCRIBE command topic"}) {
            skipped(name, "a readable configuration");
        }
        return out;
    }
    const auto files = detail::check_files_present(f);
    out.push_back(files);
    const bool have_files = files.outcome == verdict::pass;
    if (have_files) {
        out.push_back(detail::check_permissions(f));
        out.push_back(detail::check_key_matches(f));
    } else {
        skipped("permissions", "the files");
        skipped("key matches certificate", "the files");
    }
    if (f.certificate) {
        out.push_back(detail::check_chain(f));
        out.push_back(detail::check_device_id(f));
        out.push_back(detail::check_validity(f));
        out.push_back(detail::check_usage(f));
    } else {
        for (const auto* name : {"chain verifies", "device id (CN)", "validity", "client usage"}) {
            skipped(name, "a certificate that matches the key");
        }
    }
    out.push_back(detail::check_clock(f));
    if (!options.live) {
        return out;
    }
    const auto resolves = detail::check_resolves(f);
    out.push_back(resolves);
    const auto reachable =
        resolves.outcome == verdict::pass
            ? detail::check_reachable(f)
            : check_result{"port reachable", verdict::skip, "needs the broker's address", {}};
    out.push_back(reachable);
    if (reachable.outcome == verdict::pass && have_files && !f.device_id.empty()) {
        for (auto& r : detail::check_live_session(f)) {
            out.push_back(std::move(r));
        }
    } else {
        const char* because = reachable.outcome != verdict::pass
                                  ? "a reachable broker"
                                  : "the device's files and a valid device id";
        for (const auto* name : {"TLS handshake", "MQTT CONNECT", "SUBSCRIBE command topic"}) {
            skipped(name, because);
        }
    }
    return out;
}

} // namespace fleetmq::tools

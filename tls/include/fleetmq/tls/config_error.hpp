#pragma once

#include <stdexcept>
#include <string>

namespace fleetmq::tls {

/// A TLS configuration that cannot be used. The message names the file and what is wrong with
/// it ("ca_file /etc/fleetmq/vendor-a.pem: no certificate in it"). Thrown at start-up and
/// reload only, never on the data path.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace fleetmq::tls

#pragma once

#include "fleetmq/auth/certificate_facts.hpp"

#include <openssl/x509.h>

namespace fleetmq::tls::detail {

/// Reads what fleetmq needs from a verified peer certificate into plain data for `auth/`.
/// `trust_entry` is not set here.
auth::certificate_facts extract_facts(X509* certificate);

} // namespace fleetmq::tls::detail

#pragma once

#include "fleetmq/auth/certificate_facts.hpp"
#include "fleetmq/auth/certificate_selector.hpp"
#include "fleetmq/auth/identity.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fleetmq::auth {

/// Where a trust entry's certificates carry the device id.
enum class id_source : std::uint8_t {
    /// The subject's commonName (CN): the default.
    common_name,
    /// The subject's serialNumber attribute (not the certificate's serial number).
    serial_number_attribute,
    /// A Subject Alternative Name URI that starts with `uri_prefix`; the rest is the id.
    san_uri,
};

/// The identity rules of one trust entry (one issuing CA, usually one vendor).
struct trust_policy {
    /// The trust entry's name, reported as `identity::trust`.
    std::string name;
    auth::role role = role::device;
    id_source source = id_source::common_name;
    /// For `id_source::san_uri`: the URI prefix before the id, e.g. "urn:fleet:device:".
    std::string uri_prefix;
    /// If set, every id this entry's CA issues must start with it, so that one vendor's CA cannot
    /// mint ids in another vendor's namespace.
    std::string id_prefix;
    /// Which certificates of the entry's CA it takes (all, unless match_* is configured).
    certificate_selector select;
};

/// The longest device id accepted, in bytes.
inline constexpr std::size_t max_id_length = 128;

/// Why a certificate yields no identity. Each has a stable label for logs and metrics.
enum class identity_failure : std::uint8_t {
    id_missing,   // no CN (serialNumber, matching SAN URI) at all
    id_ambiguous, // more than one
    id_empty,
    id_too_long,            // over max_id_length bytes
    id_not_utf8,            // not well-formed UTF-8, or a control character
    id_has_nul,             // holds U+0000: a classic trick against C-string comparisons
    id_forbidden_character, // holds '+', '#' or '/', which would escape its topic level
    id_prefix_mismatch,     // outside the trust entry's id prefix
    unknown_trust_entry,    // no trust entry takes it (none of its CA's entries selects it)
};

std::string_view to_string(identity_failure failure) noexcept;

/// Checks a device id against the rules every id obeys, whatever its source.
std::optional<identity_failure> check_device_id(std::string_view id) noexcept;

/// Turns verified certificate facts into an identity under the trust entries' policies
/// (`policies[facts.trust_entry]`). Pure: no I/O, thread-safe.
std::variant<identity, identity_failure>
identity_from_certificate(const certificate_facts& facts,
                          const std::vector<trust_policy>& policies);

} // namespace fleetmq::auth

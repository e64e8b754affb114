#pragma once

#include <string_view>

namespace fleetmq::protocol {

/// The verdict on a UTF-8 Encoded String of MQTT (MQTT 5.0 section 1.5.4, 3.1.1 section 1.5.3).
enum class utf8_verdict {
    /// Well-formed UTF-8 with none of the code points the specification discourages.
    valid,
    /// Well-formed, but holds a code point that "SHOULD NOT" be sent: a control character
    /// (U+0001..U+001F, U+007F..U+009F) or a Unicode noncharacter. A receiver MAY treat it as
    /// a Malformed Packet; fleetmq does so for topic names and filters.
    disallowed_code_point,
    /// Not well-formed UTF-8 (bad sequence, overlong form, surrogate U+D800..U+DFFF, beyond
    /// U+10FFFF) or holds U+0000: always a Malformed Packet [MQTT-1.5.4-1] [MQTT-1.5.4-2].
    malformed,
};

/// Checks `text` byte by byte. Pure ASCII takes a fast path.
utf8_verdict check_utf8(std::string_view text) noexcept;

} // namespace fleetmq::protocol

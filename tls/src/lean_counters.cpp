#include "fleetmq/tls/lean_counters.hpp"

namespace fleetmq::tls {

lean_alert lean_alert_of(std::uint8_t description) noexcept {
    switch (description) {
    case 0:
        return lean_alert::close_notify;
    case 10:
        return lean_alert::unexpected_message;
    case 20:
        return lean_alert::bad_record_mac;
    case 22:
        return lean_alert::record_overflow;
    case 50:
        return lean_alert::decode_error;
    case 80:
        return lean_alert::internal_error;
    default:
        return lean_alert::other;
    }
}

std::string_view to_string(lean_alert a) noexcept {
    switch (a) {
    case lean_alert::close_notify:
        return "close_notify";
    case lean_alert::unexpected_message:
        return "unexpected_message";
    case lean_alert::bad_record_mac:
        return "bad_record_mac";
    case lean_alert::record_overflow:
        return "record_overflow";
    case lean_alert::decode_error:
        return "decode_error";
    case lean_alert::internal_error:
        return "internal_error";
    case lean_alert::other:
        break;
    }
    return "other";
}

lean_counters& this_thread_lean_counters() noexcept {
    thread_local lean_counters counters;
    return counters;
}

} // namespace fleetmq::tls

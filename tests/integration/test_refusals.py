"""Every way a device is refused for who it is: what the device sees (a TLS alert, or a CONNACK
reason code in 5.0 and in 3.1.1), and the reason it is counted under in
fleetmq_auth_failures_total. deploy/pki/README.md's table of refusals is this one."""
import shutil
import signal
import socket
import ssl
import struct
import time
import unittest

from broker_fixture import BrokerTestCase, connect_v5, packet, read_packet, utf8

# certificate, client id, what the device sees (alert text as OpenSSL clients print it, or the
# CONNACK reason codes for 5.0 and 3.1.1), reason label
REFUSALS = (
    ("stranger", "a-0001", "alert unknown ca", "unknown_ca"),
    ("device-self-signed", "a-0996", "alert unknown ca", "self_signed"),
    ("device-expired", "a-0999", "alert certificate expired", "expired"),
    ("device-not-yet-valid", "a-0992", "alert bad certificate", "not_yet_valid"),
    ("device-forged", "a-0994", "alert decrypt error", "bad_signature"),
    ("device-under-sub-ca", "a-0993", "alert unknown ca", "path_length_exceeded"),
    ("device-ca-leaf", "a-0997", "alert certificate unknown", "leaf_is_ca"),
    ("device-server-only", "a-0995", "alert unsupported certificate", "wrong_purpose"),
    (None, "a-0001", "alert certificate required", "no_client_certificate"),
    ("device-wrong-prefix", "b-0001", (0x87, 0x05), "id_prefix_mismatch"),
    ("a-0001", "a-0002", (0x85, 0x02), "client_id_mismatch"),
)


def connect_v311(client_id):
    body = utf8("MQTT") + bytes([4, 0x02]) + struct.pack("!H", 60) + utf8(client_id)
    return packet(0x10, body)


class Refusals(BrokerTestCase):
    def open(self, who):
        if who is not None:
            return self.broker.raw_tls(who)
        context = ssl.create_default_context(cafile=self.broker.path("root.pem"))
        sock = socket.create_connection(("127.0.0.1", self.broker.port), timeout=10)
        return context.wrap_socket(sock, server_hostname="localhost")

    def attempt(self, who, connect):
        """('alert', text) or ('connack', reason code)."""
        sock = self.open(who)  # TLS 1.3: the client's side of the handshake succeeds
        try:
            sock.sendall(connect)  # in TLS 1.3 the alert comes after the client's Finished
            first, body = read_packet(sock)
        except ssl.SSLError as error:
            sock.close()
            return "alert", str(error)
        sock.close()
        self.assertEqual(first, 0x20)
        return "connack", body[1]

    def refused(self, reason):
        return self.broker.metric("fleetmq_auth_failures_total", reason=reason)

    def test_each_refusal_is_seen_by_the_device_and_counted_under_its_reason(self):
        for who, client_id, sees, reason in REFUSALS:
            with self.subTest(who=who, reason=reason):
                before = self.refused(reason)
                for version, connect in ((0, connect_v5(client_id)),
                                         (1, connect_v311(client_id))):
                    kind, what = self.attempt(who, connect)
                    if isinstance(sees, tuple):
                        self.assertEqual((kind, what), ("connack", sees[version]))
                    else:
                        self.assertEqual(kind, "alert")
                        self.assertIn(sees, what)
                self.assertEqual(self.refused(reason), before + 2)

    def test_a_revoked_device_sees_the_revoked_alert(self):
        shutil.copy(self.broker.path("vendor-a-revoking-a-0002.crl"),
                    self.broker.path("vendor-a.crl"))
        self.broker.process.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while self.broker.metric("fleetmq_reloads_total", result="ok") < 1:
            self.assertLess(time.time(), deadline, "the reload did not happen")
            time.sleep(0.05)
        for connect in (connect_v5("a-0002"), connect_v311("a-0002")):
            kind, what = self.attempt("a-0002", connect)
            self.assertEqual(kind, "alert")
            self.assertIn("alert certificate revoked", what)
        self.assertEqual(self.refused("revoked"), 2)

if __name__ == "__main__":
    unittest.main()

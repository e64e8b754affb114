"""Hostile and broken peers: each gets its answer, and other clients are unaffected."""
import os
import re
import socket
import ssl
import time
import unittest

from broker_fixture import (BrokerTestCase, connect_v5, packet, read_packet, read_until_closed,
                            utf8)


class BadInput(BrokerTestCase):
    extra_config = "\n[limits]\nmax_packet_size = 65536\n"

    def setUp(self):
        super().setUp()
        # A healthy subscriber that must keep working throughout.
        self.watcher = self.broker.raw_tls("controller")
        self.watcher.sendall(connect_v5("dispatcher/watch"))
        self.assertEqual(self.watcher.recv(2)[0], 0x20)
        self.watcher.recv(4096)
        sub = b"\x00\x01" + b"\x00" + utf8("device/+/responses") + b"\x01"
        self.watcher.sendall(packet(0x82, sub))
        self.assertEqual(self.watcher.recv(2)[0], 0x90)  # SUBACK
        self.watcher.recv(64)

    def tearDown(self):
        self.watcher.close()
        super().tearDown()

    def assert_others_unaffected(self):
        sent = self.broker.mosquitto_pub("a-0003", "a-0003", "device/a-0003/responses", "alive",
                                         qos=0)
        self.assertEqual(sent.returncode, 0, sent.stderr)
        self.watcher.settimeout(10)
        data = self.watcher.recv(4096)
        self.assertEqual(data[0] & 0xF0, 0x30)
        self.assertTrue(data.endswith(b"alive"))

    def test_garbage_instead_of_tls(self):
        sock = socket.create_connection(("127.0.0.1", self.broker.port), timeout=10)
        sock.sendall(b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00")  # plain MQTT
        self.assertEqual(read_until_closed(sock), b"")
        self.assertIn("reason=not_tls", self.broker.read_log())
        self.assert_others_unaffected()

    def test_a_connect_that_never_comes(self):
        sock = self.broker.raw_tls("a-0001")
        start = time.time()
        read_until_closed(sock, timeout=30)
        self.assertLess(time.time() - start, 15)  # the handshake timeout (10 s) bounds the wait
        self.assertIn("no complete CONNECT within the handshake timeout", self.broker.read_log())
        self.assert_others_unaffected()

    def test_a_connect_trickled_a_byte_at_a_time_meets_the_same_deadline(self):
        sock = self.broker.raw_tls("a-0001")
        start = time.time()
        before = self.broker.metric("fleetmq_connect_timeouts_total")
        closed = False
        for byte in connect_v5("a-0001"):  # ~20 bytes at 0.8 s each: 16 s if allowed
            sock.settimeout(0.8)
            try:
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except socket.timeout:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
        sock.close()
        self.assertTrue(closed, "the trickled CONNECT was let through")
        self.assertLess(time.time() - start, 13)  # the handshake timeout (10 s) from the accept
        self.assertEqual(self.broker.metric("fleetmq_connect_timeouts_total"), before + 1)
        self.assertIn("no complete CONNECT within the handshake timeout", self.broker.read_log())
        self.assert_others_unaffected()

    def test_the_disconnect_reason_arrives_though_the_client_is_still_sending(self):
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(connect_v5("a-0002"))
        self.assertEqual(read_packet(sock)[0], 0x20)
        # A malformed PUBLISH (QoS 3) and, behind it, 32 KB the broker never reads: closed at
        # once, that unread input would turn the close into a reset that loses the DISCONNECT.
        more = packet(0x30, utf8("device/a-0002/responses") + b"x" * 1000) * 32
        sock.sendall(b"\x36\x03\x00\x01a" + more)
        self.assertEqual(read_until_closed(sock)[:3], bytes([0xE0, 0x01, 0x81]))
        self.assert_others_unaffected()

    def test_a_200_mb_declared_length(self):
        sock = self.broker.raw_tls("a-0001")
        sock.sendall(connect_v5("a-0001"))
        self.assertEqual(sock.recv(2)[0], 0x20)
        sock.recv(4096)
        sock.sendall(b"\x30\x80\x84\xaf\x5f")  # PUBLISH of 200,000,000 bytes, header only
        data = read_until_closed(sock)
        self.assertEqual(data[:3], bytes([0xE0, 0x01, 0x95]))  # DISCONNECT Packet too large
        self.assert_others_unaffected()

    def test_malformed_packets(self):
        for bad, code in ((b"\x36\x03\x00\x01a", 0x81),      # QoS 3
                          (b"\x62\x02\x00\x00", 0x82),       # PUBREL id 0 (flags fine)
                          (b"\xc0\x01\x00", 0x81),           # PINGREQ with a body
                          (b"\x30\x04\x00\x01+\x00", 0x90),  # wildcard in a topic name
                          # DISCONNECT asking for a session expiry after CONNECT had none
                          (b"\xe0\x07\x00\x05\x11\x00\x00\x00\x0a", 0x82),
                          (b"\xf0\x00", 0x82),  # AUTH: identity comes from TLS only
                          # a Subscription Identifier (property 0x0B) on a client's PUBLISH
                          (b"\x30\x1c" + utf8("device/a-0002/responses") + b"\x02\x0b\x01",
                           0x82)):
            with self.subTest(bad=bad):
                sock = self.broker.raw_tls("a-0002")
                sock.sendall(connect_v5("a-0002"))
                self.assertEqual(sock.recv(2)[0], 0x20)
                sock.recv(4096)
                sock.sendall(bad)
                data = read_until_closed(sock)
                self.assertEqual(data[:3], bytes([0xE0, 0x01, code]))
        self.assert_others_unaffected()

    def test_an_authentication_method_is_refused(self):
        # Enhanced authentication (5.0 section 4.12) is not offered: the certificate is the
        # only credential. CONNACK 0x8C Bad authentication method, then close.
        method = b"\x15" + utf8("SCRAM-SHA-1")
        body = utf8("MQTT") + bytes([5, 0x02]) + b"\x00\x3c" + bytes([len(method)]) + method
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(packet(0x10, body + utf8("a-0002")))
        data = read_until_closed(sock)
        self.assertEqual(data[0], 0x20)
        self.assertEqual(data[3], 0x8C)
        self.assertIn("authentication method 'SCRAM-SHA-1' is not supported", self.broker.read_log())
        self.assert_others_unaffected()

    def test_mqtt_3_1_1_answers_in_3_1_1(self):
        def connect_311(name, level, client_id):
            body = utf8(name) + bytes([level, 0x02]) + b"\x00\x3c" + utf8(client_id)
            return packet(0x10, body)

        # A malformed 3.1.1 CONNECT (the client id's length runs past the packet) is closed
        # without a CONNACK [MQTT-3.1.4-1]: return code 3 "server unavailable" invites retries.
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(packet(0x10, utf8("MQTT") + bytes([4, 0x02]) + b"\x00\x3c\x00\x09a-0002"))
        self.assertEqual(read_until_closed(sock), b"")
        # A wrong protocol name at level 4 is not MQTT 3.1.1: closed, no 5.0 CONNACK
        # [MQTT-3.1.2-1]; at level 5 it gets 0x84 Unsupported Protocol Version.
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(connect_311("MQTX", 4, "a-0002"))
        self.assertEqual(read_until_closed(sock), b"")
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(packet(0x10, utf8("MQTX") + bytes([5, 0x02]) + b"\x00\x3c\x00" +
                            utf8("a-0002")))
        self.assertEqual(read_until_closed(sock)[:4], bytes([0x20, 0x03, 0x00, 0x84]))
        # An unknown level still gets the 3.1.1 answer every client reads [MQTT-3.1.2-2].
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(connect_311("MQTT", 9, "a-0002"))
        self.assertEqual(read_until_closed(sock), bytes([0x20, 0x02, 0x00, 0x01]))
        # AUTH does not exist in 3.1.1: the connection is closed, with no DISCONNECT.
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(connect_311("MQTT", 4, "a-0002"))
        self.assertEqual(read_packet(sock), (0x20, b"\x00\x00"))
        sock.sendall(b"\xf0\x00")
        self.assertEqual(read_until_closed(sock), b"")
        self.assert_others_unaffected()

    def test_control_characters_from_a_peer_cannot_forge_log_lines(self):
        forged = "2026-01-01T00:00:00.000 info [1] connected: forged-admin"
        # A client id that is not the device's (refused, and logged with the client id) ...
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(connect_v5("a-0002\n" + forged + "\x1b[2J\x1b[31m"))
        self.assertEqual(read_packet(sock)[1][1], 0x85)
        sock.close()
        # ... and an Authentication Method, logged when refused.
        method = b"\x15" + utf8("M\r\n" + forged)
        body = utf8("MQTT") + bytes([5, 0x02]) + b"\x00\x3c" + bytes([len(method)]) + method
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(packet(0x10, body + utf8("a-0002")))
        self.assertEqual(read_until_closed(sock)[3], 0x8C)
        deadline = time.time() + 10
        while "\\r\\n" + forged not in self.broker.read_log() and time.time() < deadline:
            time.sleep(0.05)
        log = self.broker.read_log()
        self.assertIn("a-0002\\n" + forged + "\\x1b[2J\\x1b[31m", log)
        self.assertIn("M\\r\\n" + forged, log)
        self.assertNotIn("\x1b", log)
        self.assertFalse([line for line in log.splitlines() if line.startswith(forged)])
        self.assert_others_unaffected()

    def wait_for_log(self, text, timeout=10):
        deadline = time.time() + timeout
        while text not in self.broker.read_log():
            self.assertLess(time.time(), deadline, f"no {text!r} in the log")
            time.sleep(0.05)

    def test_a_corrupt_record_is_logged_with_the_alert_it_got(self):
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(connect_v5("a-0002"))
        self.assertEqual(read_packet(sock)[0], 0x20)
        raw = socket.socket(fileno=os.dup(sock.fileno()))  # under TLS: bytes no client encrypts
        raw.sendall(b"\x17\x03\x03\x00\x20" + os.urandom(32))
        raw.close()
        read_until_closed(sock)
        self.wait_for_log("connection lost without DISCONNECT: sent alert bad_record_mac (20)")
        self.assert_others_unaffected()

    def test_each_kind_of_refusal_has_its_own_log_limit(self):
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(connect_v5("a-0002"))
        self.assertEqual(read_packet(sock)[0], 0x20)
        denied = packet(0x30, utf8("device/a-0001/responses") + b"\x00" + b"not mine")
        sock.sendall(denied * 200)  # 200 ACL denials at once: 20 logged, 180 held back
        with self.assertRaises(ssl.SSLError):  # then a certificate refusal, of another kind
            stranger = self.broker.raw_tls("stranger")
            stranger.sendall(connect_v5("a-0001"))
            stranger.recv(16)
        self.wait_for_log('similar "acl denied" lines suppressed')
        log = self.broker.read_log()
        handshake = [line for line in log.splitlines() if "tls handshake failed" in line]
        self.assertEqual(len(handshake), 1, log)
        self.assertNotIn("suppressed", handshake[0])
        # 20 a second (the burst may straddle a second), and every held-back line counted once.
        logged = log.count("acl denied: ")
        self.assertLessEqual(logged, 40)
        held = sum(int(n) for n in re.findall(r'(\d+) similar "acl denied" lines suppressed', log))
        held += sum(int(n) for n in re.findall(r'acl denied: .*\((\d+) similar lines', log))
        self.assertEqual(logged + held, 200)
        sock.close()


class Startup(unittest.TestCase):
    def test_a_second_broker_on_a_port_in_use_refuses_to_start(self):
        import subprocess
        from broker_fixture import BINARY, Broker

        first = Broker()
        try:
            with open(first.path("fleetmq.toml")) as f:
                config = f.read().replace("port = 0", f"port = {first.port}")
            second_config = first.path("second.toml")
            with open(second_config, "w") as f:
                f.write(config)
            second = subprocess.run([BINARY, "--config", second_config], capture_output=True,
                                    text=True, timeout=20)
            self.assertEqual(second.returncode, 1)
            self.assertIn(f"listener 127.0.0.1:{first.port}: Address already in use",
                          second.stderr)
        finally:
            first.stop()


if __name__ == "__main__":
    unittest.main()

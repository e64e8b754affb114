"""The lean record layer in the real broker (`lean_records`, on by default): after each TLS 1.3
handshake the broker frees OpenSSL's state and protects records itself. Real clients talk to it
with each TLS 1.3 cipher suite; TLS 1.2 clients keep OpenSSL; the metric counts lean
connections."""
import socket
import ssl
import subprocess
import time
import unittest

import paho.mqtt.client as mqtt

from broker_fixture import Broker, connect_v5, connected, packet, read_packet, subscribed, utf8

SUITES = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")


def relay(test, broker, client_id, payloads):
    """Device a-0001 publishes `payloads` at QoS 1; a controller connection (`client_id`)
    subscribed to the responses must receive exactly them, in order. Returns both clients,
    connected."""
    got = []
    controller = broker.paho("controller", client_id)
    controller.on_message = lambda c, u, m: got.append(m.payload)
    connected(controller, broker.port)
    subscribed(controller, "device/+/responses", qos=1)
    device = broker.paho("a-0001", "a-0001")
    connected(device, broker.port)
    test.assertEqual(broker.metric("fleetmq_tls_lean_connections"), 2)
    for p in payloads:
        device.publish("device/a-0001/responses", p, qos=1).wait_for_publish(10)
    deadline = time.time() + 20
    while len(got) < len(payloads) and time.time() < deadline:
        time.sleep(0.05)
    test.assertEqual(got, payloads)
    return device, controller


class Lean(unittest.TestCase):
    def test_mosquitto_clients_with_each_cipher_suite(self):
        for suite in SUITES:
            with self.subTest(suite=suite):
                broker = Broker(listener_config=f'lean_records = true\nciphersuites = "{suite}"')
                try:
                    sub = broker.mosquitto_sub("controller", "dispatcher/lean",
                                               "device/+/responses", count=3, wait=10)
                    deadline = time.time() + 10
                    while broker.metric("fleetmq_tls_lean_connections") < 1:
                        self.assertLess(time.time(), deadline, "the subscriber is not lean")
                        time.sleep(0.05)
                    for n in range(3):
                        result = broker.mosquitto_pub("a-0001", "a-0001/pub",
                                                      "device/a-0001/responses", f"m{n}" * 2000)
                        self.assertEqual(result.returncode, 0, result.stderr)
                    out, err = sub.communicate(timeout=20)
                    self.assertEqual(out.split(), [f"m{n}" * 2000 for n in range(3)], err)
                finally:
                    broker.stop()

    def test_paho_both_ways_and_the_metric_with_each_cipher_suite(self):
        for suite in SUITES:
            with self.subTest(suite=suite):
                self.paho_both_ways(suite)

    def paho_both_ways(self, suite):
        broker = Broker(listener_config=f'lean_records = true\nciphersuites = "{suite}"')
        try:
            # Payloads of up to 40 kB: the large ones span several records.
            payloads = [bytes([n % 256]) * (n * 997 % 40000 + 1) for n in range(30)]
            device, controller = relay(self, broker, "dispatcher/paho", payloads)
            self.assertEqual(broker.read_log().count(f"cipher={suite} records=lean"), 2)
            for client in (device, controller):
                client.disconnect()
                client.loop_stop()
            deadline = time.time() + 10
            while broker.metric("fleetmq_tls_lean_connections") != 0:
                self.assertLess(time.time(), deadline)
                time.sleep(0.05)
        finally:
            broker.stop()

    def test_the_broker_updates_its_keys_at_their_usage_limit(self):
        # 16 records per key instead of 2^24: 100 messages of 20 kB to the controller take at
        # least 200 records, so the broker sends at least 12 KeyUpdates; Python's OpenSSL
        # follows them and every message arrives intact.
        broker = Broker(listener_config="lean_records = true\nlean_records_per_key = 16")
        try:
            payloads = [bytes([n]) * 20000 for n in range(100)]
            device, controller = relay(self, broker, "dispatcher/keys", payloads)
            sent = broker.metric('fleetmq_tls_lean_key_updates_total{direction="sent"}')
            self.assertGreaterEqual(sent, 12)
            self.assertEqual(
                broker.metric('fleetmq_tls_lean_alerts_total{direction="sent",alert="bad_record_mac"}'),
                0)
            for client in (device, controller):
                client.disconnect()
                client.loop_stop()
        finally:
            broker.stop()

    def test_lean_is_the_default_and_can_be_turned_off(self):
        for listener_config, lean in (("", 1), ("lean_records = false", 0)):
            with self.subTest(listener_config=listener_config):
                broker = Broker(listener_config=listener_config)
                try:
                    client = broker.paho("a-0001", "a-0001")
                    connected(client, broker.port)
                    self.assertEqual(broker.metric("fleetmq_tls_lean_connections"), lean)
                    client.disconnect()
                    client.loop_stop()
                finally:
                    broker.stop()

    def test_tls_1_2_keeps_openssl(self):
        broker = Broker(listener_config="lean_records = true")
        try:
            client = mqtt.Client(client_id="a-0001", protocol=mqtt.MQTTv5)
            context = ssl.create_default_context(cafile=broker.path("root.pem"))
            context.load_cert_chain(broker.path("device-a-0001.pem"),
                                    broker.path("device-a-0001.key"))
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            client.tls_set_context(context)
            connected(client, broker.port)
            self.assertEqual(broker.metric("fleetmq_tls_lean_connections"), 0)
            client.disconnect()
            client.loop_stop()
        finally:
            broker.stop()



class LeanPipelined(unittest.TestCase):
    def test_records_read_ahead_before_the_move_home_are_not_lost(self):
        """CONNECT, SUBSCRIBE and PINGREQ sent back to back as three records before any answer:
        the lean layer reads them ahead together, and after the CONNECT the connection moves to
        its client id's home shard (for most of these ids the other shard) with the rest still
        in its buffer. Every packet is answered."""
        broker = Broker()
        try:
            for n in range(20):
                sock = broker.raw_tls("controller")
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.sendall(connect_v5(f"dispatcher/pipelined-{n}"))
                sock.sendall(packet(0x82, b"\x00\x07\x00" + utf8("device/+/responses") + b"\x01"))
                sock.sendall(b"\xc0\x00")
                types = [read_packet(sock)[0] >> 4 for _ in range(3)]
                self.assertEqual(types[0], 2, types)  # CONNACK first
                self.assertEqual(sorted(types[1:]), [9, 13], types)  # SUBACK and PINGRESP
                sock.close()
            log = broker.read_log()
            self.assertEqual(log.count("records=lean"), 20)
        finally:
            broker.stop()


class LeanKeyUpdate(unittest.TestCase):
    def test_openssl_s_client_key_update_is_answered_with_each_cipher_suite(self):
        """`openssl s_client`'s K command: a KeyUpdate that asks for one back. The broker's lean
        layer updates the client's keys, answers with its own, and the MQTT traffic after it
        (PINGREQ, PINGRESP) flows with the new keys on both sides."""
        for suite in SUITES:
            with self.subTest(suite=suite):
                self.s_client_key_update(suite)

    def s_client_key_update(self, suite):
        broker = Broker(listener_config="lean_records = true")
        try:
            client = subprocess.Popen(
                ["openssl", "s_client", "-connect", f"127.0.0.1:{broker.port}", "-tls1_3",
                 "-ciphersuites", suite,
                 "-CAfile", broker.path("root.pem"), "-cert", broker.path("device-a-0001.pem"),
                 "-key", broker.path("device-a-0001.key")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

            def send(data):
                client.stdin.write(data)
                client.stdin.flush()
                time.sleep(1)  # one read of s_client's stdin per chunk

            time.sleep(1)
            send(connect_v5("a-0001"))
            deadline = time.time() + 10
            while broker.metric("fleetmq_tls_lean_connections") < 1:
                self.assertLess(time.time(), deadline, "the s_client connection is not lean")
                time.sleep(0.05)
            send(b"K\n")  # s_client: KeyUpdate, update_requested
            send(b"\xc0\x00")  # PINGREQ, under the client's next keys
            send(b"\xc0\x00")
            out, err = client.communicate(timeout=20)  # stdin's end: s_client closes
            self.assertIn(b"KEYUPDATE", err)
            self.assertIn(b"\x20", out)  # CONNACK
            self.assertEqual(out.count(b"\xd0\x00"), 2, out[-200:])  # both PINGRESPs
            log = broker.read_log()
            self.assertNotIn("bad_record_mac", log)
            self.assertIn(f"cipher={suite} records=lean", log)
            self.assertEqual(
                broker.metric('fleetmq_tls_lean_key_updates_total{direction="received"}'), 1)
            self.assertEqual(
                broker.metric('fleetmq_tls_lean_key_updates_total{direction="sent"}'), 1)
        finally:
            broker.stop()


if __name__ == "__main__":
    unittest.main()

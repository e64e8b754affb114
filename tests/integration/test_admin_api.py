"""The admin API (clients, disconnect, reload) and the bearer token that guards it."""
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from broker_fixture import (PKI_TOOL, Broker, BrokerTestCase, connect_v5, connected, packet,
                            read_packet, read_until_closed, utf8)


class AdminApi(BrokerTestCase):
    def call(self, method, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.broker.admin_port, timeout=10)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            body = response.read().decode()
            self.assertEqual(response.getheader("Content-Type"), "application/json")
            return response.status, json.loads(body)
        finally:
            connection.close()

    def device(self, who):
        sock = self.broker.raw_tls(who)
        sock.sendall(connect_v5(who))
        self.assertEqual(read_packet(sock)[0], 0x20)
        return sock

    def test_a_connected_client_is_described(self):
        sock = self.device("a-0001")
        status, info = self.call("GET", "/api/v1/clients/a-0001")
        self.assertEqual(status, 200, info)
        self.assertTrue(info["connected"])
        self.assertEqual(info["identity"], {"id": "a-0001", "role": "device", "trust": "vendor-a"})
        self.assertEqual(info["protocol_version"], "5.0")
        self.assertEqual(info["tls_version"], "TLSv1.3")
        self.assertRegex(info["certificate"]["serial"], "^[0-9A-F]+$")
        self.assertGreater(info["certificate"]["not_after"], time.time())
        self.assertLessEqual(abs(info["connected_since"] - time.time()), 60)
        self.assertIn(info["shard"], range(0, 64))
        self.assertEqual(info["session"]["subscriptions"], 0)
        sock.close()

    def test_a_client_id_with_a_slash_is_percent_encoded(self):
        watcher = self.broker.paho("controller", "dispatcher/watch")
        connected(watcher, self.broker.port)
        status, info = self.call("GET", "/api/v1/clients/dispatcher%2Fwatch")
        self.assertEqual(status, 200, info)
        self.assertEqual(info["client_id"], "dispatcher/watch")
        self.assertEqual(info["identity"]["role"], "controller")
        self.assertEqual(self.call("GET", "/api/v1/clients/dispatcher%2Gwatch")[0], 400)
        watcher.loop_stop()

    def test_control_characters_in_a_client_id_are_escaped_in_the_json(self):
        client_id = 'dispatcher/"\x1b[31m\n'
        watcher = self.broker.paho("controller", client_id)
        connected(watcher, self.broker.port)
        path = "/api/v1/clients/" + urllib.parse.quote(client_id, safe="")
        connection = http.client.HTTPConnection("127.0.0.1", self.broker.admin_port, timeout=10)
        connection.request("GET", path)
        raw = connection.getresponse().read().decode()
        connection.close()
        self.assertNotIn("\x1b", raw)
        self.assertNotIn("\n", raw.strip())
        self.assertEqual(json.loads(raw)["client_id"], client_id)
        watcher.loop_stop()

    def test_unknown_clients_are_404(self):
        status, body = self.call("GET", "/api/v1/clients/a-0404")
        self.assertEqual(status, 404)
        self.assertIn("a-0404", body["error"])
        self.assertEqual(self.call("POST", "/api/v1/clients/a-0404/disconnect")[0], 404)

    def test_an_operator_disconnects_a_client(self):
        sock = self.device("a-0003")
        status, body = self.call("POST", "/api/v1/clients/a-0003/disconnect")
        self.assertEqual((status, body), (200, {"client_id": "a-0003", "disconnected": True}))
        self.assertEqual(read_until_closed(sock)[:3], bytes([0xE0, 0x01, 0x98]))
        self.assertEqual(self.call("GET", "/api/v1/clients/a-0003")[0], 404)  # session ended

    def test_reload_after_a_crl_change_disconnects_the_revoked_device(self):
        kept, revoked = self.device("a-0001"), self.device("a-0002")
        status, body = self.call("POST", "/api/v1/reload")
        self.assertEqual((status, body), (200, {"reloaded": True, "disconnected": 0, "restart_needed": []}))
        shutil.copy(self.broker.path("vendor-a-revoking-a-0002.crl"),
                    self.broker.path("vendor-a.crl"))
        status, body = self.call("POST", "/api/v1/reload")
        self.assertEqual((status, body), (200, {"reloaded": True, "disconnected": 1, "restart_needed": []}))
        self.assertEqual(read_until_closed(revoked)[:3], bytes([0xE0, 0x01, 0x87]))
        self.assertTrue(self.call("GET", "/api/v1/clients/a-0001")[1]["connected"])
        # New connections see the new CRL too.
        refused = self.broker.mosquitto_pub("a-0002", "a-0002", "device/a-0002/responses", "x")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("revoked", self.broker.read_log())
        kept.close()

    def test_a_device_revoked_between_its_handshake_and_its_connect_gets_no_session(self):
        sock = self.broker.raw_tls("a-0002")  # verified against the old CRL; no CONNECT yet
        shutil.copy(self.broker.path("vendor-a-revoking-a-0002.crl"),
                    self.broker.path("vendor-a.crl"))
        self.assertEqual(self.call("POST", "/api/v1/reload")[0], 200)
        sock.sendall(connect_v5("a-0002"))
        first, body = read_packet(sock)
        self.assertEqual((first, body[1]), (0x20, 0x87))  # CONNACK Not authorized
        read_until_closed(sock)
        self.assertEqual(self.call("GET", "/api/v1/clients/a-0002")[0], 404)
        self.assertIn("certificate refused: revoked", self.broker.read_log())

    def test_reloads_are_counted_with_the_time_of_the_last_good_one(self):
        started = self.broker.metric("fleetmq_last_reload_success_timestamp_seconds")
        self.assertLessEqual(abs(started - time.time()), 60)  # the start counts as a load
        time.sleep(1.1)
        self.assertEqual(self.call("POST", "/api/v1/reload")[0], 200)
        self.assertEqual(self.broker.metric("fleetmq_reloads_total", result="ok"), 1)
        self.assertGreater(self.broker.metric("fleetmq_last_reload_success_timestamp_seconds"),
                           started)
        with open(self.broker.path("vendor-a.crl"), "w") as f:
            f.write("not a CRL")
        last = self.broker.metric("fleetmq_last_reload_success_timestamp_seconds")
        self.assertEqual(self.call("POST", "/api/v1/reload")[0], 422)
        self.assertEqual(self.broker.metric("fleetmq_reloads_total", result="failed"), 1)
        self.assertEqual(self.broker.metric("fleetmq_reloads_total", result="ok"), 1)
        self.assertEqual(self.broker.metric("fleetmq_last_reload_success_timestamp_seconds"),
                         last)

    def append_config(self, text):
        with open(self.broker.path("fleetmq.toml"), "a") as f:
            f.write(text)

    def test_reload_reads_the_configuration_again_and_applies_a_new_trust_entry(self):
        refused = self.broker.mosquitto_pub("stranger", "a-0001", "device/a-0001/responses", "x")
        self.assertNotEqual(refused.returncode, 0)
        self.append_config('\n[[trust]]\nname = "vendor-x"\nca = "stranger-ca.pem"\n'
                           'role = "device"\nid_prefix = "a-"\n')
        self.assertEqual(self.call("POST", "/api/v1/reload"),
                         (200, {"reloaded": True, "disconnected": 0, "restart_needed": []}))
        sent = self.broker.mosquitto_pub("stranger", "a-0001", "device/a-0001/responses", "x")
        self.assertEqual(sent.returncode, 0, sent.stderr)
        self.assertEqual(self.broker.metric("fleetmq_connections", trust="vendor-x"), 0)
        self.assertIn("reloaded the configuration", self.broker.read_log())

    def test_a_toml_error_refuses_the_whole_reload_with_file_line_and_key(self):
        sock = self.device("a-0001")
        self.append_config('\n[limits]\nmax_inflight = 0\n')
        status, body = self.call("POST", "/api/v1/reload")
        self.assertEqual(status, 422, body)
        self.assertRegex(body["error"], r"fleetmq\.toml:\d+: limits\.max_inflight")
        self.assertTrue(self.call("GET", "/api/v1/clients/a-0001")[1]["connected"])
        self.assertEqual(self.broker.metric("fleetmq_reloads_total", result="failed"), 1)
        sock.close()

    def test_what_needs_a_restart_is_reported_and_the_rest_applied(self):
        self.append_config('\n[limits]\nmax_connections = 5\nmax_subscriptions = 1\n')
        status, body = self.call("POST", "/api/v1/reload")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["restart_needed"]), 1, body)
        self.assertIn("limits.max_connections", body["restart_needed"][0])
        self.assertIn("not applied until a restart: limits.max_connections",
                      self.broker.read_log())
        # max_subscriptions applied live: a second subscription is refused (SUBACK 0x97).
        sock = self.device("controller")
        for i, expected in ((1, 0x00), (2, 0x97)):
            topic = utf8("device/+/responses" if i == 1 else "device/a-0001/responses")
            sock.sendall(packet(0x82, bytes([0, i, 0]) + topic + b"\x00"))
            first, reply = read_packet(sock)
            self.assertEqual((first, reply[-1]), (0x90, expected))
        sock.close()

    def test_a_bad_file_leaves_everything_as_it_was(self):
        sock = self.device("a-0001")
        with open(self.broker.path("vendor-a.crl"), "w") as f:
            f.write("not a CRL")
        status, body = self.call("POST", "/api/v1/reload")
        self.assertEqual(status, 422)
        self.assertFalse(body["reloaded"])
        self.assertIn("vendor-a.crl", body["error"])
        self.assertTrue(self.call("GET", "/api/v1/clients/a-0001")[1]["connected"])
        self.assertEqual(self.call("GET", "/api/v1/reload")[0], 405)
        sock.close()

    def test_sighup_reloads_too(self):
        sock = self.device("a-0002")
        shutil.copy(self.broker.path("vendor-a-revoking-a-0002.crl"),
                    self.broker.path("vendor-a.crl"))
        self.broker.process.send_signal(signal.SIGHUP)
        self.assertEqual(read_until_closed(sock)[:3], bytes([0xE0, 0x01, 0x87]))
        deadline = time.time() + 10
        line = "1 connection(s) with a revoked certificate closed"
        while line not in self.broker.read_log() and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn(line, self.broker.read_log())


class RoleByCertificateAttribute(unittest.TestCase):
    CONSOLES = ('[[trust]]\nname = "vendor-a-consoles"\nca = "vendor-a.pem"\n'
                'crl = "vendor-a.crl"\nrole = "controller"\nmatch_subject = "OU=Controller"\n'
                'client_id = "any"\n\n')

    def test_a_controller_from_the_devices_ca_is_told_apart_by_its_ou(self):
        work = tempfile.mkdtemp(prefix="fleetmq-it-")
        try:
            subprocess.run([PKI_TOOL, work, "--port", "0"], check=True, stdout=subprocess.DEVNULL)
            config = os.path.join(work, "fleetmq.toml")
            with open(config) as f:
                text = f.read()
            marker = '[[trust]]\nname = "vendor-a"'
            self.assertIn(marker, text)
            with open(config, "w") as f:  # first: it must see its certificates before vendor-a
                f.write(text.replace(marker, self.CONSOLES + marker, 1))
            broker = Broker(config_dir=work)
            try:
                console = broker.paho("device-ops-1", "ops-console")
                self.assertEqual(connected(console, broker.port)["reason"].value, 0)
                device = broker.paho("a-0001", "a-0001")
                self.assertEqual(connected(device, broker.port)["reason"].value, 0)
                for client_id, identity in (
                        ("ops-console", {"id": "ops-1", "role": "controller",
                                         "trust": "vendor-a-consoles"}),
                        ("a-0001", {"id": "a-0001", "role": "device", "trust": "vendor-a"})):
                    connection = http.client.HTTPConnection("127.0.0.1", broker.admin_port,
                                                            timeout=10)
                    connection.request("GET", "/api/v1/clients/" + client_id)
                    info = json.loads(connection.getresponse().read().decode())
                    connection.close()
                    self.assertEqual(info["identity"], identity)
                console.loop_stop()
                device.loop_stop()
            finally:
                broker.stop()
        finally:
            shutil.rmtree(work, ignore_errors=True)


class TokenProtected(BrokerTestCase):
    # Appended to the generated configuration, whose last table is [admin].
    extra_config = '\ntoken = "0123456789abcdef-test-token"\n'

    def get(self, path, token=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.broker.admin_port, timeout=10)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders())
        finally:
            connection.close()

    def test_everything_but_healthz_needs_the_token(self):
        self.assertEqual(self.get("/healthz")[0], 200)
        status, headers = self.get("/metrics")
        self.assertEqual(status, 401)
        self.assertEqual(headers["WWW-Authenticate"], "Bearer")
        self.assertEqual(self.get("/readyz", "0123456789abcdef-wrong-token")[0], 401)
        self.assertEqual(self.get("/metrics", "0123456789abcdef-test-token")[0], 200)
        self.assertEqual(self.get("/readyz", "0123456789abcdef-test-token")[0], 200)


if __name__ == "__main__":
    unittest.main()

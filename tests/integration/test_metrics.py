"""The admin HTTP endpoint: /metrics for Prometheus, health, readiness, the bearer token."""
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
import unittest
import urllib.parse
import urllib.request

from broker_fixture import BrokerTestCase, connected

PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")
if PROMTOOL is None or PROMETHEUS is None:
    raise RuntimeError("promtool/prometheus missing: install prometheus (deploy/dev/setup.sh)")
DEPLOY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy",
                      "prometheus")

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, frozenset of (label, value)): value} from the text exposition format."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.groups()
        key = (name, frozenset(LABEL.findall(labels or "")))
        samples[key] = float(value)
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


class AdminClient:
    """HTTP to the broker's admin endpoint, for the test cases below."""

    def request(self, method, path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.broker.admin_port, timeout=10)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode(), dict(response.getheaders())
        finally:
            connection.close()

    def scrape_text(self):
        status, body, headers = self.request("GET", "/metrics")
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        return body

    def scrape(self):
        return parse(self.scrape_text())


class AdminEndpoint(AdminClient, BrokerTestCase):
    def test_the_live_page_passes_promtool(self):
        result = self.broker.mosquitto_pub("a-0001", "a-0001", "device/a-0001/responses", "x")
        self.assertEqual(result.returncode, 0, result.stderr)
        text = self.scrape_text()
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                               text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertEqual(check.stdout + check.stderr, "")  # not even a lint warning
        for family in ("fleetmq_tls_handshakes_total", "fleetmq_connects_total",
                       "fleetmq_auth_failures_total", "fleetmq_acl_denied_total",
                       "fleetmq_connections", "fleetmq_client_cert_expiry_seconds",
                       "fleetmq_shard_connections", "fleetmq_sessions",
                       "fleetmq_dropped_messages_total", "fleetmq_mailbox_depth",
                       "process_resident_memory_bytes", "process_open_fds", "fleetmq_build_info"):
            self.assertIn(f"# TYPE {family} ", text)

    def test_each_event_moves_its_counters_by_exactly_its_amount(self):
        listener = f"127.0.0.1:{self.broker.port}"
        before = self.scrape()
        # A good device (5.0, QoS 1, ends with DISCONNECT).
        good = self.broker.mosquitto_pub("a-0001", "a-0001", "device/a-0001/responses", "ok")
        self.assertEqual(good.returncode, 0, good.stderr)
        # An expired certificate, one from a CA the broker does not know, a CA certificate
        # presented as a device, and a self-signed one: each refused under its own reason.
        for who in ("device-expired", "stranger", "device-ca-leaf", "device-self-signed"):
            bad = self.broker.mosquitto_pub(who, "a-0001", "device/a-0001/responses", "no")
            self.assertNotEqual(bad.returncode, 0)
        # A device publishing where it may not: refused by the ACL (PUBACK 0x87).
        self.broker.mosquitto_pub("a-0002", "a-0002", "device/a-0001/responses", "denied")

        expected = {
            ("fleetmq_tls_handshakes_total",
             (("listener", listener), ("result", "ok"), ("reason", "none"))): 2,
            ("fleetmq_tls_handshakes_total",
             (("listener", listener), ("result", "failed"), ("reason", "expired"))): 1,
            ("fleetmq_tls_handshakes_total",
             (("listener", listener), ("result", "failed"), ("reason", "unknown_ca"))): 1,
            ("fleetmq_tls_handshakes_total",
             (("listener", listener), ("result", "failed"), ("reason", "leaf_is_ca"))): 1,
            ("fleetmq_tls_handshakes_total",
             (("listener", listener), ("result", "failed"), ("reason", "self_signed"))): 1,
            ("fleetmq_auth_failures_total", (("reason", "expired"),)): 1,
            ("fleetmq_auth_failures_total", (("reason", "unknown_ca"),)): 1,
            ("fleetmq_auth_failures_total", (("reason", "leaf_is_ca"),)): 1,
            ("fleetmq_auth_failures_total", (("reason", "self_signed"),)): 1,
            ("fleetmq_auth_failures_total", (("reason", "client_id_mismatch"),)): 0,
            ("fleetmq_connects_total", (("result", "success"),)): 2,
            ("fleetmq_acl_denied_total", (("action", "publish"),)): 1,
            ("fleetmq_acl_denied_total", (("action", "subscribe"),)): 0,
            ("fleetmq_publish_received_total", (("qos", "1"),)): 2,
            ("fleetmq_packets_received_total", (("type", "disconnect"),)): 2,
            ("fleetmq_packets_sent_total", (("type", "puback"),)): 2,
        }

        def deltas():
            after = self.scrape()
            return {key: value(after, key[0], **dict(key[1])) - value(before, key[0],
                                                                      **dict(key[1]))
                    for key in expected}

        deadline = time.time() + 10
        seen = deltas()
        while seen != expected and time.time() < deadline:  # the last DISCONNECT may lag
            time.sleep(0.1)
            seen = deltas()
        self.assertEqual(seen, expected)

    def test_connected_devices_by_vendor_and_certificate_expiry(self):
        device = self.broker.paho("device-expiring", "a-0998")
        self.assertEqual(connected(device, self.broker.port)["reason"].value, 0)
        samples = self.scrape()
        self.assertEqual(value(samples, "fleetmq_connections", trust="vendor-a"), 1)
        self.assertEqual(value(samples, "fleetmq_connections", trust="controllers"), 0)
        bucket = "fleetmq_client_cert_expiry_seconds_bucket"
        self.assertEqual(value(samples, bucket, trust="vendor-a", le="604800"), 0)  # 7 days
        self.assertEqual(value(samples, bucket, trust="vendor-a", le="1209600"), 1)  # 14 days
        self.assertEqual(value(samples, "fleetmq_sessions", state="online"), 1)
        device.disconnect()
        device.loop_stop()
        deadline = time.time() + 10
        while value(self.scrape(), "fleetmq_connections", trust="vendor-a") != 0:
            self.assertLess(time.time(), deadline, "the connection is still counted")
            time.sleep(0.1)
        self.assertEqual(value(self.scrape(), bucket, trust="vendor-a", le="+Inf"), 0)

    def test_health_readiness_and_everything_else(self):
        self.assertEqual(self.request("GET", "/healthz")[:2], (200, "ok\n"))
        self.assertEqual(self.request("GET", "/readyz")[:2], (200, "ready\n"))
        status, body, headers = self.request("GET", "/nowhere")
        self.assertEqual(status, 404)
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertIn('"error"', body)
        self.assertEqual(self.request("POST", "/metrics")[0], 405)

    def test_oversized_requests_are_refused(self):
        status, _, _ = self.request("GET", "/metrics", {"X-Padding": "p" * 20000})
        self.assertEqual(status, 431)


class Dashboard(AdminClient, BrokerTestCase):
    def test_every_dashboard_query_is_valid_promql_over_exported_metrics(self):
        with open(os.path.join(DEPLOY, "..", "grafana", "fleetmq-dashboard.json")) as f:
            dashboard = json.load(f)
        expressions = [target["expr"] for panel in dashboard["panels"]
                       for target in panel["targets"]]
        self.assertGreaterEqual(len(expressions), 10)
        # Grafana's variables as Prometheus would see them after substitution.
        concrete = [e.replace("$__rate_interval", "5m").replace("$instance", ".*")
                    for e in expressions]
        rules = self.broker.path("dashboard-rules.yml")
        with open(rules, "w") as f:
            f.write("groups:\n  - name: dashboard\n    rules:\n")
            for i, expression in enumerate(concrete):
                f.write(f"      - record: dashboard:panel_{i}\n")
                f.write(f"        expr: {json.dumps(expression)}\n")
        check = subprocess.run([PROMTOOL, "check", "rules", rules], capture_output=True,
                               text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        exported = self.scrape_text()
        for expression in concrete:
            for name in re.findall(r"\b((?:fleetmq|process)_[a-z_]+)", expression):
                family = re.sub(r"_(bucket|sum|count)$", "", name)
                self.assertIn(f"# TYPE {family} ", exported, f"{name} in {expression}")


class RealPrometheus(BrokerTestCase):
    def query(self, port, expression):
        url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode(
            {"query": expression})
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)["data"]["result"]

    def test_prometheus_scrapes_the_broker_with_the_shipped_config(self):
        # The shipped files, with this broker as target and a 1 s interval.
        with open(os.path.join(DEPLOY, "prometheus.yml")) as f:
            shipped = f.read()
        config = shipped.replace('"127.0.0.1:9883"', f'"127.0.0.1:{self.broker.admin_port}"')
        config = config.replace("scrape_interval: 15s", "scrape_interval: 1s")
        self.assertNotEqual(config.count(str(self.broker.admin_port)), 0)
        self.assertIn("scrape_interval: 1s", config)
        work = self.broker.path("prometheus")
        os.makedirs(work)
        with open(os.path.join(work, "prometheus.yml"), "w") as f:
            f.write(config)
        shutil.copy(os.path.join(DEPLOY, "fleetmq-alerts.yml"), work)
        with socket.socket() as probe:  # a free port for Prometheus's own web server
            probe.bind(("127.0.0.1", 0))
            web_port = probe.getsockname()[1]

        good = self.broker.mosquitto_pub("a-0001", "a-0001", "device/a-0001/responses", "x")
        self.assertEqual(good.returncode, 0, good.stderr)
        log = open(os.path.join(work, "log"), "w")
        server = subprocess.Popen(
            [PROMETHEUS, "--config.file=" + os.path.join(work, "prometheus.yml"),
             "--storage.tsdb.path=" + os.path.join(work, "data"),
             f"--web.listen-address=127.0.0.1:{web_port}"],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 60
            up, handshakes = [], []
            while time.time() < deadline and server.poll() is None:
                time.sleep(0.5)
                try:
                    up = self.query(web_port, 'up{job="fleetmq"}')
                    handshakes = self.query(
                        web_port, 'sum(fleetmq_tls_handshakes_total{result="ok"})')
                except OSError:
                    continue  # not listening yet
                if up and handshakes:
                    break
            with open(os.path.join(work, "log")) as f:
                self.assertTrue(up and handshakes, "Prometheus read nothing:\n" + f.read())
            self.assertEqual(up[0]["value"][1], "1")
            self.assertEqual(handshakes[0]["value"][1], "1")
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()


if __name__ == "__main__":
    unittest.main()

"""fleetmq-bench against the real broker: short runs whose JSON must be complete and consistent.

No timing is asserted: the figures are the benchmark's business, their consistency is ours.
"""
import json
import os
import subprocess
import time
import unittest

from broker_fixture import Broker

BENCH = os.environ["FLEETMQ_BENCH"]


class Flood(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.broker = Broker(devices=200)

    @classmethod
    def tearDownClass(cls):
        cls.broker.stop()

    def flood(self, *args):
        result = subprocess.run([BENCH, "flood", "--port", str(self.broker.port),
                                 "--ca", self.broker.path("root.pem"), "--json", *args],
                                capture_output=True, text=True, timeout=120)
        return result.returncode, result.stdout, result.stderr

    def assert_consistent(self, report, connections):
        self.assertEqual(report["connections"], connections)
        self.assertEqual(report["established"] + report["failed"], connections)
        self.assertEqual(sum(report["failures"].values()), report["failed"])
        for name in ("tls_handshake_ms", "connack_ms"):
            latencies = report[name]
            self.assertEqual(latencies["count"], report["established"])
            ordered = [latencies[q] for q in ("p50", "p90", "p99", "p99_9", "max")]
            self.assertEqual(ordered, sorted(ordered), name)
        # The CONNACK comes after the handshake on every connection, so at every quantile.
        for q in ("p50", "p90", "p99", "max"):
            self.assertLessEqual(report["tls_handshake_ms"][q], report["connack_ms"][q])

    def test_two_hundred_devices_with_their_own_certificates(self):
        code, out, err = self.flood("--cert-dir", self.broker.dir, "--cert-prefix", "device-a-",
                                    "-n", "200", "--hold", "0.5",
                                    "--broker-pid", str(self.broker.process.pid))
        self.assertEqual(code, 0, err)
        report = json.loads(out)
        self.assert_consistent(report, 200)
        self.assertEqual(report["established"], 200)
        self.assertEqual(report["certificates"], 200)
        self.assertEqual(report["lost_while_held"], 0)
        self.assertGreater(report["broker"]["rss_after"], 0)
        self.assertGreater(report["broker"]["cpu_seconds"], 0)

    def test_a_shared_certificate_over_several_source_addresses_with_3_1_1(self):
        code, out, err = self.flood("--cert", self.broker.path("device-a-0001.pem"),
                                    "--key", self.broker.path("device-a-0001.key"),
                                    "-n", "300", "--sources", "4", "--mqtt", "3.1.1",
                                    "--tls", "1.2", "--rate", "2000")
        self.assertEqual(code, 0, err)
        report = json.loads(out)
        self.assert_consistent(report, 300)
        self.assertEqual((report["established"], report["mqtt"]), (300, "3.1.1"))

    def test_refused_devices_are_counted_by_reason(self):
        code, out, err = self.flood("--cert", self.broker.path("stranger.pem"),
                                    "--key", self.broker.path("stranger.key"), "-n", "20")
        self.assertEqual(code, 1)
        report = json.loads(out)
        self.assert_consistent(report, 20)
        self.assertEqual(report["established"], 0)
        # The server's alert is read, or (TLS 1.3) the CONNECT written before it came fails.
        self.assertLessEqual(set(report["failures"]),
                             {"tls: tlsv1 alert unknown ca", "closed_after_handshake"})
        tls12 = json.loads(self.flood("--cert", self.broker.path("stranger.pem"), "--key",
                                      self.broker.path("stranger.key"), "-n", "5", "--tls",
                                      "1.2")[1])
        self.assertEqual(tls12["failures"], {"tls: tlsv1 alert unknown ca": 5})

    def test_several_processes_share_the_flood(self):
        code, out, err = self.flood("--cert-dir", self.broker.dir, "--cert-prefix", "device-a-",
                                    "-n", "150", "--procs", "3", "--sources", "2", "--hold", "0.2",
                                    "--broker-pid", str(self.broker.process.pid))
        self.assertEqual(code, 0, err)
        report = json.loads(out)
        self.assert_consistent(report, 150)
        self.assertEqual(report["established"], 150)
        self.assertGreater(report["broker"]["cpu_seconds"], 0)

    def test_only_loopback_targets(self):
        result = subprocess.run([BENCH, "flood", "--host", "192.0.2.1", "--ca", "x", "--cert-dir",
                                 "."], capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 2)
        self.assertIn("only loopback addresses", result.stderr)

    def test_more_connections_than_open_files_allowed_is_refused_up_front(self):
        code, _, err = self.flood("--cert-dir", self.broker.dir, "-n", "10000000")
        self.assertEqual(code, 2)
        self.assertIn("hard limit", err)


class Traffic(unittest.TestCase):
    """pubsub, command and storm: every message and answer accounted for."""

    @classmethod
    def setUpClass(cls):
        cls.broker = Broker(devices=100)

    @classmethod
    def tearDownClass(cls):
        cls.broker.stop()

    def run_bench(self, command, *args, expect=0):
        result = subprocess.run(
            [BENCH, command, "--port", str(self.broker.port), "--ca", self.broker.path("root.pem"),
             "--cert-dir", self.broker.dir, "--cert-prefix", "device-a-",
             "--controller-cert", self.broker.path("controller.pem"),
             "--controller-key", self.broker.path("controller.key"), "--json", *args],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, expect, result.stderr + result.stdout)
        return json.loads(result.stdout)

    def assert_ordered(self, latencies, count):
        self.assertEqual(latencies["count"], count)
        ordered = [latencies[q] for q in ("p50", "p90", "p99", "p99_9", "max")]
        self.assertEqual(ordered, sorted(ordered))

    def test_fan_in_at_each_qos_loses_nothing(self):
        for qos in ("0", "1", "2"):
            report = self.run_bench("pubsub", "-p", "5", "-s", "3", "--qos", qos,
                                    "--seconds", "1", "--inflight", "50")
            self.assertEqual(report["connect_failures"], {})
            self.assertEqual(report["connections_lost"], 0)
            self.assertGreater(report["sent"], 100, qos)
            self.assertEqual(report["received"], report["sent"], qos)
            self.assert_ordered(report["latency_ms"], report["received"])
            self.assertGreater(report["per_second"], 0)

    def test_bulk_both_ways_checks_every_byte(self):
        # 10,000-byte messages: records and packets never line up, and the last one is short.
        for qos, size in (("1", 32 << 20), ("2", 4 << 20), ("0", 4 << 20)):
            report = self.run_bench("bulk", "--qos", qos, "--bytes", str(size),
                                    "--payload", "10000")
            self.assert_bulk_complete(report, size, 10000)

    def assert_bulk_complete(self, report, size, payload):
        messages = (size + payload - 1) // payload
        self.assertEqual(report["connect_failures"], {})
        self.assertEqual(report["connections_lost"], 0)
        for way in ("to_device", "from_device"):
            self.assertEqual(report[way]["messages_sent"], messages, way)
            self.assertEqual(report[way]["messages_received"], messages, way)
            self.assertEqual(report[way]["bytes_verified"], size, way)
            self.assertEqual(report[way]["corrupt"], 0, way)
            self.assertEqual(report[way]["out_of_order"], 0, way)
        self.assertTrue(report["complete"])

    def test_fan_out_open_loop_holds_its_rate(self):
        report = self.run_bench("pubsub", "--mode", "fan-out", "-p", "2", "-s", "20", "--qos",
                                "1", "--rate", "500", "--seconds", "2", "--payload", "200")
        self.assertEqual(report["received"], report["sent"])
        # Open loop: what was sent is what the rate asked for (give or take the last tick).
        self.assertAlmostEqual(report["sent"], 1000, delta=100)
        self.assertEqual(report["payload_bytes"], 200)

    def test_every_device_answers_its_command(self):
        report = self.run_bench("command", "-n", "100", "--controllers", "2")
        self.assertEqual((report["sent"], report["answered"]), (100, 100))
        self.assert_ordered(report["round_trip_ms"], 100)

    def test_commands_need_a_certificate_per_device(self):
        result = subprocess.run(
            [BENCH, "command", "--port", str(self.broker.port), "--ca",
             self.broker.path("root.pem"), "--cert", self.broker.path("device-a-0001.pem"),
             "--key", self.broker.path("device-a-0001.key"), "--controller-cert",
             self.broker.path("controller.pem"), "--controller-key",
             self.broker.path("controller.key"), "-n", "10"],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 2)
        self.assertIn("one certificate per device", result.stderr)

    def test_a_storm_brings_everyone_back_with_and_without_resumption(self):
        full = self.run_bench("storm", "-n", "60", "--jitter", "0.5")
        self.assertEqual((full["connected"], full["back"], full["resumed"]), (60, 60, 0))
        self.assert_ordered(full["back_after_ms"], 60)
        self.assertLessEqual(full["back_after_ms"]["max"], full["seconds_until_all_back"] * 1000
                             + 1)
        resumed = self.run_bench("storm", "-n", "60", "--jitter", "0.5", "--resume")
        self.assertEqual((resumed["back"], resumed["resumed"]), (60, 60))


class OpenSslTraffic(Traffic):
    """The same traffic through a broker that leaves records to OpenSSL (lean_records = false;
    Traffic runs with the default, the lean layer)."""

    @classmethod
    def setUpClass(cls):
        cls.broker = Broker(devices=100, listener_config="lean_records = false")


def start_bulk(broker, size, *args):
    """fleetmq-bench bulk between device a-0001 and the controller, running."""
    return subprocess.Popen(
        [BENCH, "bulk", "--port", str(broker.port), "--ca", broker.path("root.pem"),
         "--cert", broker.path("device-a-0001.pem"), "--key", broker.path("device-a-0001.key"),
         "--controller-cert", broker.path("controller.pem"),
         "--controller-key", broker.path("controller.key"),
         "--bytes", str(size), "--json", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class LeanBulk(unittest.TestCase):
    def finish(self, bench, size, payload):
        out, err = bench.communicate(timeout=600)
        self.assertEqual(bench.returncode, 0, err + out)
        Traffic.assert_bulk_complete(self, json.loads(out), size, payload)

    def test_one_gibibyte_each_way(self):
        """1 GiB each way through one device connection of a lean broker (the device's
        connection carries both directions, as does the controller's): every byte checked,
        both connections lean while it runs."""
        broker = Broker(listener_config="lean_records = true")
        try:
            size = 1 << 30
            bench = start_bulk(broker, size)
            lean_seen = 0
            while bench.poll() is None:
                lean_seen = max(lean_seen, broker.metric("fleetmq_tls_lean_connections"))
                time.sleep(0.2)
            self.finish(bench, size, 65536)
            self.assertEqual(lean_seen, 2)
            self.assertNotIn("bad_record_mac", broker.read_log())
        finally:
            broker.stop()

    def test_a_broker_that_goes_away_mid_transfer_fails_the_run(self):
        # The error path: the connections are lost, the run says so and exits 1, incomplete.
        broker = Broker()
        try:
            bench = start_bulk(broker, 1 << 30)
            deadline = time.time() + 20
            while broker.metric("fleetmq_tls_lean_connections") < 2:
                self.assertLess(time.time(), deadline)
                time.sleep(0.05)
            time.sleep(0.5)
        finally:
            broker.stop()
        out, err = bench.communicate(timeout=60)
        self.assertEqual(bench.returncode, 1, err + out)
        report = json.loads(out)
        self.assertFalse(report["complete"])
        self.assertGreaterEqual(report["connections_lost"], 1)
        self.assertLess(report["to_device"]["bytes_verified"], 1 << 30)
        self.assertEqual(report["to_device"]["corrupt"], 0)

    def test_sixteen_mebibytes_each_way_with_each_cipher_suite(self):
        size = 16 << 20
        for suite in ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                      "TLS_CHACHA20_POLY1305_SHA256"):
            with self.subTest(suite=suite):
                broker = Broker(listener_config=f'ciphersuites = "{suite}"')
                try:
                    self.finish(start_bulk(broker, size, "--payload", "30000"), size, 30000)
                    self.assertIn(f"cipher={suite} records=lean", broker.read_log())
                finally:
                    broker.stop()


if __name__ == "__main__":
    unittest.main()

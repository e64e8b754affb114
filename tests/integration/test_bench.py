"""fleetmq-bench against the real broker: short runs whose JSON must be complete and consistent.

No timing is asserted: the figures are the benchmark's business, their consistency is ours.
"""
import json
import os
import subprocess
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

    def test_only_loopback_targets(self):
        result = subprocess.run([BENCH, "flood", "--host", "192.0.2.1", "--ca", "x", "--cert-dir",
                                 "."], capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 2)
        self.assertIn("only loopback addresses", result.stderr)

    def test_more_connections_than_open_files_allowed_is_refused_up_front(self):
        code, _, err = self.flood("--cert-dir", self.broker.dir, "-n", "10000000")
        self.assertEqual(code, 2)
        self.assertIn("hard limit", err)


if __name__ == "__main__":
    unittest.main()

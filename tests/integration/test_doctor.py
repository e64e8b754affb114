"""fleetmq-doctor on a good device and on each broken setup: the right check fails with the
right hint, and the exit code says whether the device is ready."""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import unittest

from broker_fixture import PKI_TOOL, Broker, BrokerTestCase, connected, device_directory

DOCTOR = os.environ["FLEETMQ_DOCTOR"]

def check_lines(output):
    """{check name: (verdict, detail, fix)} from the doctor's report."""
    lines = output.splitlines()
    checks = {}
    for i, line in enumerate(lines):
        words = line.split()
        if words and words[0] in ("PASS", "FAIL", "SKIP"):
            name = line[8:33].strip()
            fix = ""
            if i + 1 < len(lines) and lines[i + 1].strip().startswith("fix:"):
                fix = lines[i + 1].strip()[4:].strip()
            checks[name] = (words[0], line[33:].strip(), fix)
    return checks


class Doctor(BrokerTestCase):
    def setUp(self):
        super().setUp()
        self.work = tempfile.mkdtemp(prefix="fleetmq-doctor-")

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)
        super().tearDown()

    def device(self, who="a-0001", **options):
        return device_directory(self.broker, self.work, who, **options)

    def doctor(self, directory, *args):
        result = subprocess.run([DOCTOR, "--config", os.path.join(directory, "device.conf"),
                                 "--timeout", "5", *args],
                                capture_output=True, text=True, timeout=60)
        return result.returncode, check_lines(result.stdout), result.stdout

    def assert_fails(self, directory, check, detail, fix, *args):
        code, checks, output = self.doctor(directory, *args)
        self.assertEqual(code, 1, output)
        self.assertIn(check, checks, output)
        verdict, found_detail, found_fix = checks[check]
        self.assertEqual(verdict, "FAIL", output)
        self.assertIn(detail, found_detail, output)
        self.assertIn(fix, found_fix, output)
        return checks

    def test_a_good_device_passes_every_check(self):
        for version in ("5.0", "3.1.1"):
            directory = self.device(version=version)
            code, checks, output = self.doctor(directory, "--device-id", "a-0001")
            self.assertEqual(code, 0, output)
            self.assertEqual(len(checks), 14, output)
            self.assertTrue(all(v[0] == "PASS" for v in checks.values()), output)
            self.assertIn("'device/a-0001/commands' granted", checks["SUBSCRIBE command topic"][1])
            self.assertIn("14 of 14 checks passed.", output)

    def test_the_doctor_leaves_the_devices_running_session_alone(self):
        agent = self.broker.paho("a-0001", "a-0001")
        dropped = threading.Event()
        agent.on_disconnect = lambda *args: dropped.set()
        self.assertEqual(connected(agent, self.broker.port)["reason"].value, 0)
        code, checks, output = self.doctor(self.device(), "--device-id", "a-0001")
        self.assertEqual(code, 0, output)
        self.assertRegex(checks["MQTT CONNECT"][1],
                         r"accepted as client id 'a-0001/doctor-\d+' .*derived id")
        self.assertFalse(dropped.wait(1), "the doctor took over the device's session")
        agent.disconnect()
        agent.loop_stop()

    def test_the_wrong_ca(self):
        directory = self.device()
        other = os.path.join(self.work, "other-root.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", other, "-subj",
                        "/CN=another root", "-days", "30", "-out",
                        os.path.join(directory, "ca.crt")], check=True, capture_output=True)
        checks = self.assert_fails(directory, "TLS handshake", "certificate verify failed",
                                   "ca_cert must be the root CA")
        self.assertEqual(checks["chain verifies"][0], "FAIL")

    def test_a_key_that_does_not_match_the_certificate(self):
        directory = self.device()
        shutil.copy(self.broker.path("device-a-0002.key"), os.path.join(directory, "client.key"))
        os.chmod(os.path.join(directory, "client.key"), 0o600)
        self.assert_fails(directory, "key matches certificate", "key values mismatch",
                          "use the pair made together")

    def test_a_key_others_may_read(self):
        directory = self.device()
        os.chmod(os.path.join(directory, "client.key"), 0o644)
        self.assert_fails(directory, "permissions", "mode 644",
                          "chmod 600 " + os.path.join(directory, "client.key"))

    def test_a_missing_key(self):
        directory = self.device()
        os.remove(os.path.join(directory, "client.key"))
        self.assert_fails(directory, "files present", "client_key",
                          "peer did not return a certificate")

    def test_an_expired_and_an_expiring_certificate(self):
        directory = self.device("expired")
        checks = self.assert_fails(directory, "validity", "certificate expired on",
                                   "issue a new one")
        self.assertEqual(checks["MQTT CONNECT"][0], "FAIL")  # and the broker refuses it
        self.assertIn("certificate expired", checks["MQTT CONNECT"][1])
        directory = self.device("device-expiring")
        self.assert_fails(directory, "validity", "within 30 days", "renew it now")
        code, checks, output = self.doctor(directory, "--expiry-days", "5")
        self.assertEqual(code, 0, output)

    def test_the_wrong_cn(self):
        directory = self.device()
        self.assert_fails(directory, "device id (CN)", "the CN is 'a-0001' but --device-id says "
                          "'a-0002'", "this device's own certificate", "--device-id", "a-0002")
        directory = self.device(command_topic="device/a-0003/commands")
        self.assert_fails(directory, "device id (CN)", "command_topic says 'a-0003'", "")

    def test_the_broker_is_down(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        directory = self.device(port=closed_port)
        checks = self.assert_fails(directory, "port reachable", "Connection refused",
                                   "is the broker running")
        self.assertEqual(checks["TLS handshake"][0], "SKIP")

    def test_an_address_the_server_certificate_does_not_name(self):
        directory = self.device(address="127.0.0.1")  # named in the certificate: passes
        self.assertEqual(self.doctor(directory)[0], 0)
        # "127.1" resolves to 127.0.0.1 but is a name, and not one the certificate lists.
        directory = self.device(address="127.1")
        self.assert_fails(directory, "TLS handshake", "hostname mismatch",
                          "not a name in the broker's certificate")

    def test_a_certificate_from_an_unknown_ca(self):
        directory = self.device("stranger")
        self.assert_fails(directory, "chain verifies", "unable to get local issuer", "")

    def test_a_broken_configuration(self):
        directory = self.device()
        with open(os.path.join(directory, "device.conf"), "a") as config:
            config.write("brokr_port: 8883\n")
        checks = self.assert_fails(directory, "configuration", "device.conf:14: unknown key "
                                   "'brokr_port'", "the keys are")
        self.assertEqual(checks["TLS handshake"][0], "SKIP")


class DoctorWhereOnlyTheIdIsAllowed(unittest.TestCase):
    """A trust entry with client_id = "equal_to_id": the doctor's CONNECT can only take over."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fleetmq-it-")
        subprocess.run([PKI_TOOL, self.dir, "--port", "0"], check=True, stdout=subprocess.DEVNULL)
        config = os.path.join(self.dir, "fleetmq.toml")
        with open(config) as f:
            text = f.read()
        assert 'client_id = "prefixed_by_id"' in text, "the generated configuration changed"
        with open(config, "w") as f:
            f.write(text.replace('client_id = "prefixed_by_id"', 'client_id = "equal_to_id"', 1))
        self.broker = Broker(config_dir=self.dir)
        self.work = tempfile.mkdtemp(prefix="fleetmq-doctor-")

    def tearDown(self):
        self.broker.stop()
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_doctor(self, *args):
        directory = device_directory(self.broker, self.work)
        result = subprocess.run([DOCTOR, "--config", os.path.join(directory, "device.conf"),
                                 "--timeout", "5", *args], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=60)
        return result.returncode, check_lines(result.stdout), result.stdout

    def test_without_a_terminal_it_skips_rather_than_take_over(self):
        agent = self.broker.paho("a-0001", "a-0001")
        dropped = threading.Event()
        agent.on_disconnect = lambda *args: dropped.set()
        self.assertEqual(connected(agent, self.broker.port)["reason"].value, 0)
        code, checks, output = self.run_doctor()
        self.assertEqual(code, 3, output)
        self.assertEqual(checks["MQTT CONNECT"][0], "SKIP", output)
        self.assertIn("accepts only the client id 'a-0001'", checks["MQTT CONNECT"][1])
        self.assertIn("--take-over", checks["MQTT CONNECT"][1])
        self.assertIn("the others were skipped", output)
        self.assertFalse(dropped.wait(1), "the doctor took over the device's session")
        # Allowed explicitly, it connects as the device and says what that did.
        code, checks, output = self.run_doctor("--take-over")
        self.assertEqual(code, 0, output)
        self.assertIn("its running agent was taken over", checks["MQTT CONNECT"][1])
        self.assertTrue(dropped.wait(10), "the agent was not taken over")
        agent.loop_stop()


if __name__ == "__main__":
    unittest.main()

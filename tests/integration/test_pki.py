"""The PKI scripts (deploy/pki) against the real broker: a fresh PKI, generate-certs.sh devices,
CSR signing, revocation with reload, vendor namespaces, batches, and what the files look like."""
import http.client
import json
import os
import shutil
import stat
import subprocess
import tempfile
import time
import unittest

from broker_fixture import Broker

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLEETMQ_PKI = os.path.join(ROOT, "deploy", "pki", "fleetmq-pki")
GENERATE_CERTS = os.path.join(ROOT, "deploy", "pki", "generate-certs.sh")
if shutil.which("openssl") is None:
    raise RuntimeError("openssl is missing: install it (deploy/dev/setup.sh)")
os.environ["FLEETMQ_PKI_TOOL"]  # set by ctest: the C++ helper the scripts call

CONFIG = """[broker]
log_level = "info"

[[listener]]
address = "127.0.0.1"
port = 0
certificate = "broker/server.pem"
key = "broker/server.key"

[[trust]]
name = "vendor-a"
ca = "broker/ca/vendor-a.pem"
crl = "broker/ca/vendor-a.crl"
role = "device"
id_prefix = "a-"

[[trust]]
name = "vendor-b"
ca = "broker/ca/vendor-b.pem"
crl = "broker/ca/vendor-b.crl"
role = "device"
id_prefix = "b-"

[[trust]]
name = "controllers"
ca = "broker/ca/controllers.pem"
role = "controller"
client_id = "any"

[admin]
address = "127.0.0.1"
port = 0
"""


def run(*args, cwd=None, check=True):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stderr}")
    return result


class Pki(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fleetmq-pki-it-")
        os.environ["FLEETMQ_PKI_DIR"] = os.path.join(cls.dir, "pki")
        cls.pki("init-ca", "--org", "Acme Fleet", "--country", "DE")
        cls.pki("add-vendor-ca", "vendor-a")
        cls.pki("add-vendor-ca", "vendor-b")
        cls.pki("issue-server", "--dns", "localhost", "--ip", "127.0.0.1")
        cls.pki("issue-controller", "dispatcher")
        cls.pki("broker-files", "--out", os.path.join(cls.dir, "broker"))
        with open(os.path.join(cls.dir, "fleetmq.toml"), "w") as config:
            config.write(CONFIG)
        cls.broker = Broker(config_dir=cls.dir)

    @classmethod
    def tearDownClass(cls):
        cls.broker.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def pki(cls, *args, check=True):
        return run(FLEETMQ_PKI, *args, check=check)

    def files(self, name):
        return os.path.join(self.dir, name)

    def credentials(self, directory, cert="client.crt", key="client.key"):
        return ["-h", "127.0.0.1", "-p", str(self.broker.port),
                "--cafile", os.path.join(directory, "ca.crt"),
                "--cert", os.path.join(directory, cert), "--key", os.path.join(directory, key)]

    def publish(self, directory, topic, cert="client.crt", key="client.key", client_id=None):
        args = ["mosquitto_pub", *self.credentials(directory, cert, key), "-V", "mqttv5",
                "-q", "1", "-t", topic, "-m", "hello"]
        if client_id:
            args += ["-i", client_id]
        return subprocess.run(args, capture_output=True, text=True, timeout=20)

    def controller(self):
        return os.path.join(self.dir, "pki", "controllers", "dispatcher")

    def subscribe(self, directory, topic, client_id, count=1):
        return subprocess.Popen(["mosquitto_sub", *self.credentials(directory), "-V", "mqttv5",
                                 "-i", client_id, "-t", topic, "-C", str(count), "-W", "10"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def admin(self, method, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.broker.admin_port, timeout=10)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, json.loads(response.read().decode())
        finally:
            connection.close()

    def wait_subscribed(self, client_id):
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.admin("GET", f"/api/v1/clients/{client_id}")[1].get("connected"):
                time.sleep(0.2)  # CONNACK seen; the SUBSCRIBE follows at once
                return
            time.sleep(0.05)
        raise AssertionError(f"{client_id} did not connect")

    def test_a_generate_certs_device_connects_and_is_identified_by_its_cn(self):
        out = self.files("device-a-0001")
        run(GENERATE_CERTS, "--device-id", "a-0001", "--org", "Acme", "--device-type", "meter",
            "--vendor", "vendor-a", "--out", out)
        self.assertEqual(sorted(os.listdir(out)), ["ca.crt", "client.crt", "client.key", "server.crt"])
        subject = run("openssl", "x509", "-in", os.path.join(out, "client.crt"), "-noout",
                      "-subject", "-nameopt", "RFC2253").stdout.strip()
        self.assertEqual(subject, "subject=CN=a-0001,OU=meter,O=Acme,C=DE")
        # The checks deploy/pki/README.md documents pass on what the script wrote.
        with open(os.path.join(ROOT, "deploy", "pki", "README.md")) as f:
            checks = [line.strip() for line in f if line.startswith("    openssl ")]
        self.assertEqual(len(checks), 3)
        for check in checks:
            with self.subTest(check=check):
                args = [a.replace("output/", out + "/") for a in check.split()]
                done = subprocess.run(args, capture_output=True, text=True, timeout=20)
                self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
                if args[1] == "verify":
                    self.assertTrue(done.stdout.strip().endswith(": OK"), done.stdout)
                else:
                    self.assertIn("CN = a-0001", done.stdout)
                    self.assertIn("TLS Web Client Authentication", done.stdout)
        # The device subscribes with its own files and receives the controller's command.
        sub = self.subscribe(out, "device/a-0001/commands", "a-0001")
        self.wait_subscribed("a-0001")
        status, info = self.admin("GET", "/api/v1/clients/a-0001")
        self.assertEqual(info["identity"], {"id": "a-0001", "role": "device", "trust": "vendor-a"})
        result = self.publish(self.controller(), "device/a-0001/commands", client_id="ctl-1")
        self.assertEqual(result.returncode, 0, result.stderr)
        output, errors = sub.communicate(timeout=20)
        self.assertEqual(output.strip(), "hello", errors)

    def test_a_device_that_made_its_own_key_gets_its_csr_signed_and_connects(self):
        out = self.files("csr-device")
        os.makedirs(out)
        key, csr = os.path.join(out, "client.key"), os.path.join(out, "client.csr")
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", key)
        os.chmod(key, 0o600)
        run("openssl", "req", "-new", "-key", key, "-subj", "/O=Acme/OU=meter/CN=a-0002",
            "-out", csr)
        # A request for another id than the one expected is refused.
        refused = self.pki("sign-csr", csr, "--vendor", "vendor-a", "--device-id", "a-0003",
                           check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("CN is 'a-0002', expected 'a-0003'", refused.stderr)
        self.pki("sign-csr", csr, "--vendor", "vendor-a", "--device-id", "a-0002",
                 "--out", os.path.join(out, "client.crt"))
        shutil.copy(os.path.join(self.dir, "pki", "ca", "root", "ca.crt"), out)
        sub = self.subscribe(self.controller(), "device/+/responses", "ctl-csr")
        self.wait_subscribed("ctl-csr")
        result = self.publish(out, "device/a-0002/responses", client_id="a-0002")
        self.assertEqual(result.returncode, 0, result.stderr)
        output, errors = sub.communicate(timeout=20)
        self.assertEqual(output.strip(), "hello", errors)

    def test_a_tampered_or_hostile_csr_is_refused(self):
        out = self.files("hostile-csr")
        os.makedirs(out)
        key = os.path.join(out, "k.key")
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", key)
        cases = {"/CN=a-00\\+x": "not usable: id_forbidden_character",
                 "/CN=a-0010/CN=a-0011": "exactly one CN",
                 "/CN=a-0012/emailAddress=x@example.com": "only C, O, OU and CN"}
        for subject, message in cases.items():
            csr = os.path.join(out, "r.csr")
            run("openssl", "req", "-new", "-key", key, "-subj", subject, "-out", csr)
            result = self.pki("sign-csr", csr, "--vendor", "vendor-a", check=False)
            self.assertNotEqual(result.returncode, 0, subject)
            self.assertIn(message, result.stderr, subject)
        # A request whose signature does not match its content.
        run("openssl", "req", "-new", "-key", key, "-subj", "/CN=a-0013", "-out", csr,
            "-outform", "DER")
        with open(csr, "rb") as f:
            der = bytearray(f.read())
        der[-3] ^= 0x01
        with open(csr, "wb") as f:
            f.write(der)
        pem = os.path.join(out, "t.csr")
        run("openssl", "req", "-inform", "DER", "-in", csr, "-out", pem)
        result = self.pki("sign-csr", pem, "--vendor", "vendor-a", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("signature does not verify", result.stderr)

    def test_a_revoked_device_is_cut_off_at_reload_and_refused_after(self):
        out = self.files("device-a-0004")
        self.pki("issue-device", "a-0004", "--vendor", "vendor-a", "--out", out)
        sub = self.subscribe(out, "device/a-0004/commands", "a-0004")
        self.wait_subscribed("a-0004")
        self.pki("revoke", os.path.join(out, "client.crt"), "--reason", "keyCompromise")
        shutil.copy(os.path.join(self.dir, "pki", "ca", "vendor-a", "crl.pem"),
                    os.path.join(self.dir, "broker", "ca", "vendor-a.crl"))
        status, body = self.admin("POST", "/api/v1/reload")
        self.assertEqual(status, 200, body)
        # The live connection is closed (mosquitto_sub exits), and a new one is refused.
        sub.communicate(timeout=20)
        self.assertFalse(self.admin("GET", "/api/v1/clients/a-0004")[1].get("connected"))
        result = self.publish(out, "device/a-0004/responses", client_id="a-0004")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("revoked", self.broker.read_log())

    def test_revocation_by_serial_finds_the_issuing_ca(self):
        out = self.files("device-a-0005")
        self.pki("issue-device", "a-0005", "--vendor", "vendor-a", "--out", out)
        serial = run("openssl", "x509", "-in", os.path.join(out, "client.crt"), "-noout",
                     "-serial").stdout.strip().split("=")[1]
        result = self.pki("revoke", serial.lower())
        self.assertIn(f"revoked serial {serial} of CA 'vendor-a'", result.stderr)
        crl = run("openssl", "crl", "-in",
                  os.path.join(self.dir, "pki", "ca", "vendor-a", "crl.pem"),
                  "-noout", "-text").stdout
        self.assertIn(serial, crl)
        unknown = self.pki("revoke", "0badc0de", check=False)
        self.assertNotEqual(unknown.returncode, 0)
        self.assertIn("no CA of", unknown.stderr)

    def test_vendor_b_cannot_issue_an_id_in_vendor_a_namespace(self):
        out = self.files("forged-a-0006")
        self.pki("issue-device", "a-0006", "--vendor", "vendor-b", "--out", out)
        result = self.publish(out, "device/a-0006/responses", client_id="a-0006")
        self.assertNotEqual(result.returncode, 0)
        deadline = time.time() + 5
        while "id_prefix_mismatch" not in self.broker.read_log() and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn("id_prefix_mismatch", self.broker.read_log())
        # The same vendor's own namespace works.
        own = self.files("device-b-0006")
        self.pki("issue-device", "b-0006", "--vendor", "vendor-b", "--out", own)
        result = self.publish(own, "device/b-0006/responses", client_id="b-0006")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_a_batch_issues_devices_that_connect(self):
        out = self.files("batch")
        result = self.pki("batch", "--vendor", "vendor-a", "--count", "40", "--prefix", "a-b",
                          "--out", out)
        self.assertIn("40 device certificates", result.stderr)
        names = sorted(n for n in os.listdir(out) if n.endswith(".pem"))
        self.assertEqual(len(names), 40)
        self.assertEqual((names[0], names[-1]), ("a-b0001.pem", "a-b0040.pem"))
        for name in ("a-b0001", "a-b0040"):
            result = self.publish(out, f"device/{name}/responses", cert=name + ".pem",
                                  key=name + ".key", client_id=name)
            self.assertEqual(result.returncode, 0, result.stderr)
        # Each is in the CA's database: revocation by serial works for batch certificates too.
        serial = run("openssl", "x509", "-in", os.path.join(out, "a-b0007.pem"), "-noout",
                     "-serial").stdout.strip().split("=")[1]
        self.pki("revoke", serial)
        # Nothing is overwritten without --force, with it the files are replaced.
        again = self.pki("batch", "--vendor", "vendor-a", "--count", "1", "--prefix", "a-b",
                         "--width", "4", "--out", out, check=False)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("exists (use --force", again.stderr)
        self.pki("batch", "--vendor", "vendor-a", "--count", "1", "--prefix", "a-b",
                 "--width", "4", "--out", out, "--force")
        bad = self.pki("batch", "--vendor", "vendor-a", "--count", "1", "--prefix", "a/",
                       "--out", out, check=False)
        self.assertIn("id_forbidden_character", bad.stderr)

    def test_device_ids_follow_the_broker_rules(self):
        for bad in ("a/b", "a+b", "a#", "", "a" * 129, "a\x01b"):
            result = run(GENERATE_CERTS, "--device-id", bad, "--vendor", "vendor-a",
                         "--out", self.files("bad-id"), check=False)
            self.assertNotEqual(result.returncode, 0, repr(bad))
            self.assertFalse(os.path.exists(self.files("bad-id/client.key")), repr(bad))

    def test_files_have_the_right_modes_extensions_and_are_not_overwritten(self):
        pki = os.path.join(self.dir, "pki")
        def mode(path):
            return stat.S_IMODE(os.stat(path).st_mode)
        self.assertEqual(mode(os.path.join(pki, "ca", "root", "ca.key")), 0o600)
        self.assertEqual(mode(os.path.join(pki, "ca", "root", "ca.crt")), 0o644)
        self.assertEqual(mode(os.path.join(pki, "broker", "server.key")), 0o600)
        self.assertEqual(mode(os.path.join(self.controller(), "client.key")), 0o600)
        self.assertEqual(mode(os.path.join(self.controller(), "client.crt")), 0o644)

        def text(path):
            return run("openssl", "x509", "-in", path, "-noout", "-text").stdout
        root = text(os.path.join(pki, "ca", "root", "ca.crt"))
        self.assertIn("CA:TRUE, pathlen:1", root)
        self.assertIn("Certificate Sign, CRL Sign", root)
        self.assertIn("ASN1 OID: prime256v1", root)
        vendor = text(os.path.join(pki, "ca", "vendor-a", "ca.crt"))
        self.assertIn("CA:TRUE, pathlen:0", vendor)
        server = text(os.path.join(pki, "broker", "server.pem"))
        self.assertIn("TLS Web Server Authentication", server)
        self.assertIn("DNS:localhost, IP Address:127.0.0.1", server)
        self.assertIn("CA:FALSE", server)
        controller = text(os.path.join(self.controller(), "client.crt"))
        self.assertIn("TLS Web Client Authentication", controller)
        self.assertIn("Digital Signature", controller)
        for command in (("init-ca",), ("add-vendor-ca", "vendor-a"),
                        ("issue-server", "--dns", "localhost"),
                        ("issue-controller", "dispatcher")):
            result = self.pki(*command, check=False)
            self.assertNotEqual(result.returncode, 0, command)
            self.assertIn("exists (use --force", result.stderr, command)


if __name__ == "__main__":
    unittest.main()

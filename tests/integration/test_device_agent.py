"""fleetmq-device and fleetmq-ctl against the real broker: commands and answers, external
handlers, watching, reconnection after a broker restart, TLS resumption, and the messages of the
common-errors table for a wrong CA, an expired certificate, a missing or exposed key and a
broker name the server certificate does not list."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

from broker_fixture import PKI_TOOL, Broker, BrokerTestCase, connected, device_directory

DEVICE = os.environ["FLEETMQ_DEVICE"]
CTL = os.environ["FLEETMQ_CTL"]

HANDLER = """#!/bin/sh
# A command handler: $1 is the command's name, the whole command is on stdin.
case "$1" in
  reboot) read line; echo "rebooting after: $line" ;;
  slow) sleep 30 ;;
  fail) echo "no such sensor"; exit 3 ;;
esac
"""


class Agent:
    """A running fleetmq-device with its own directory of files."""

    def __init__(self, broker, work, who="a-0001", address="localhost", version="5.0",
                 extra="", start=True):
        self.dir = device_directory(broker, work, who, address=address, version=version,
                                    retry="200ms", retry_max="1s", extra=extra)
        self.config = os.path.join(self.dir, "device.conf")
        self.log_path = os.path.join(self.dir, "agent.log")
        self.process = None
        if start:
            self.start()

    def start(self):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([DEVICE, "--config", self.config], stdout=self.log,
                                        stderr=subprocess.STDOUT)

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_for(self, text, count=1, timeout=20):
        deadline = time.time() + timeout
        while self.read_log().count(text) < count:
            if time.time() > deadline:
                raise AssertionError(f"the agent did not log {text!r} {count}x:\n{self.read_log()}")
            if self.process.poll() is not None:
                raise AssertionError(f"the agent exited ({self.process.returncode}):\n"
                                     + self.read_log())
            time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            code = self.process.wait(timeout=10)
            assert code == 0, f"the agent exited with {code}:\n{self.read_log()}"
        if self.process:
            self.log.close()


class DeviceAgent(BrokerTestCase):
    def setUp(self):
        super().setUp()
        self.work = tempfile.mkdtemp(prefix="fleetmq-agent-")
        self.agents = []

    def tearDown(self):
        for agent in self.agents:
            agent.stop()
        shutil.rmtree(self.work, ignore_errors=True)
        super().tearDown()

    def agent(self, *args, **kwargs):
        agent = Agent(self.broker, self.work, *args, **kwargs)
        self.agents.append(agent)
        return agent

    def ctl(self, *args, timeout=30):
        connection = ["--host", "localhost", "--port", str(self.broker.port),
                      "--ca", self.broker.path("root.pem"),
                      "--cert", self.broker.path("controller.pem"),
                      "--key", self.broker.path("controller.key")]
        return subprocess.run([CTL, *connection, *args], capture_output=True, text=True,
                              timeout=timeout)

    def send_until_answered(self, device, command, within=20):
        deadline = time.time() + within
        while True:
            result = self.ctl("send", device, command, "--timeout", "2")
            if result.returncode == 0 or time.time() > deadline:
                return result

    def test_each_command_gets_its_answer(self):
        agent = self.agent()
        agent.wait_for("subscribed to device/a-0001/commands")
        result = self.ctl("send", "a-0001", "ping")
        self.assertEqual((result.returncode, result.stdout), (0, "pong\n"), result.stderr)
        result = self.ctl("send", "a-0001", "echo", "hello", "fleet")
        self.assertEqual((result.returncode, result.stdout), (0, "hello fleet\n"))
        result = self.ctl("send", "a-0001", "info")
        self.assertEqual(result.returncode, 0)
        self.assertIn('"device_id":"a-0001"', result.stdout)
        self.assertIn('"certificate_expires_in_days":', result.stdout)
        result = self.ctl("send", "a-0001", "reboot")
        self.assertEqual(result.returncode, 1)
        self.assertIn("error: unknown command 'reboot'", result.stdout)
        self.assertIn("answered 'ping' on device/a-0001/responses: ok", agent.read_log())

    def test_a_311_device_answers_on_its_response_topic(self):
        agent = self.agent(version="3.1.1")
        agent.wait_for("subscribed to device/a-0001/commands")
        # 3.1.1 carries no correlation data: watch sees the answer on the response topic.
        watcher = subprocess.Popen([CTL, "--host", "localhost", "--port", str(self.broker.port),
                                    "--ca", self.broker.path("root.pem"),
                                    "--cert", self.broker.path("controller.pem"),
                                    "--key", self.broker.path("controller.key"),
                                    "watch", "--count", "1", "--timeout", "20"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        self.ctl("send", "a-0001", "ping", "--timeout", "1")
        output, errors = watcher.communicate(timeout=30)
        self.assertEqual(output, "a-0001 pong\n", errors)

    def test_an_external_handler_and_its_time_limit(self):
        handler = os.path.join(self.work, "handler.sh")
        with open(handler, "w") as f:
            f.write(HANDLER)
        os.chmod(handler, 0o755)
        agent = self.agent(extra=f"command_handler: {handler}\ncommand_timeout: 1s\n")
        agent.wait_for("subscribed to")
        result = self.ctl("send", "a-0001", "reboot", "now")
        self.assertEqual((result.returncode, result.stdout), (0, "rebooting after: reboot now\n"))
        result = self.ctl("send", "a-0001", "fail")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "error: 'fail' exited with 3: no such sensor\n")
        started = time.time()
        result = self.ctl("send", "a-0001", "slow")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "error: 'slow' timed out after 1000 ms\n")
        self.assertLess(time.time() - started, 10)
        # The agent still answers afterwards.
        self.assertEqual(self.ctl("send", "a-0001", "ping").stdout, "pong\n")

    def test_a_command_flood_ends_the_connection_instead_of_growing_the_agent(self):
        handler = os.path.join(self.work, "slow.sh")
        with open(handler, "w") as f:
            f.write("#!/bin/sh\nsleep 0.5\necho done\n")
        os.chmod(handler, 0o755)
        agent = self.agent(extra=f"command_handler: {handler}\n")
        agent.wait_for("subscribed to")
        controller = self.broker.paho("controller", "ctl-flood")
        connected(controller, self.broker.port)
        # While the agent runs its first (slow) command, 3,000 more arrive: far more than the
        # 1,024 it keeps waiting.
        for n in range(3001):
            controller.publish("device/a-0001/commands", f"slow {n}", qos=0)
        agent.wait_for("messages wait for the application: it does not keep up")
        agent.wait_for("subscribed to", count=2)  # and it comes back
        controller.disconnect()
        controller.loop_stop()

    def test_ctl_says_why_it_cannot_send(self):
        # A device's certificate is no controller: its SUBSCRIBE to the answers is refused.
        result = subprocess.run(
            [CTL, "--host", "localhost", "--port", str(self.broker.port), "--ca",
             self.broker.path("root.pem"), "--cert", self.broker.path("device-a-0002.pem"),
             "--key", self.broker.path("device-a-0002.key"), "send", "a-0001", "ping"],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("refused", result.stderr)
        # The wrong CA: the broker's certificate does not verify, and the hint says what to do.
        result = subprocess.run(
            [CTL, "--host", "localhost", "--port", str(self.broker.port), "--ca",
             self.broker.path("controllers.pem"), "--cert", self.broker.path("controller.pem"),
             "--key", self.broker.path("controller.key"), "send", "a-0001", "ping"],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn("certificate verify failed", result.stderr)
        self.assertIn("fix:", result.stderr)

    def test_an_offline_device_gives_no_answer(self):
        result = self.ctl("send", "a-0002", "ping", "--timeout", "1")
        self.assertEqual(result.returncode, 2)
        self.assertIn("no answer from a-0002 within 1 s", result.stderr)

    def test_the_agent_survives_a_broker_restart_and_resumes_tls(self):
        agent = self.agent()
        agent.wait_for("subscribed to")
        self.assertEqual(self.ctl("send", "a-0001", "ping").returncode, 0)
        # Disconnected by an operator: it comes back at once, resuming its TLS session.
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.broker.admin_port}/api/v1/clients/a-0001/disconnect",
            method="POST")
        urllib.request.urlopen(request, timeout=10).read()
        agent.wait_for("subscribed to", count=2)
        self.assertIn("TLS established (TLSv1.3, session resumed)", agent.read_log())
        # A restart: the broker is gone for a moment, the agent retries within its backoff.
        self.broker.restart()
        agent.wait_for("subscribed to", count=3)
        self.assertIn("connection lost: the broker disconnected: Server shutting down",
                      agent.read_log())
        result = self.send_until_answered("a-0001", "ping")
        self.assertEqual((result.returncode, result.stdout), (0, "pong\n"), result.stderr)

    def test_the_wrong_ca(self):
        agent = self.agent(start=False)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                        os.path.join(self.work, "other.key"), "-subj", "/CN=another root",
                        "-days", "30", "-out", os.path.join(agent.dir, "ca.crt")],
                       check=True, capture_output=True)
        agent.start()
        agent.wait_for("certificate verify failed: unable to get local issuer certificate")
        self.assertIn("ca_cert must be the root CA", agent.read_log())
        agent.wait_for("reconnecting in")  # it keeps trying: the operator may fix the broker

    def test_an_expired_certificate(self):
        agent = self.agent("expired")
        agent.wait_for("certificate expired")
        self.assertIn("issue a new one", agent.read_log())
        self.assertIn("the certificate has expired (", agent.read_log())

    def test_a_missing_key(self):
        agent = self.agent(start=False)
        os.remove(os.path.join(agent.dir, "client.key"))
        agent.start()
        self.assertEqual(agent.process.wait(timeout=10), 2)
        log = agent.read_log()
        self.assertIn("cannot read client_key", log)
        self.assertIn("peer did not return a certificate", log)

    def test_a_key_others_may_read(self):
        agent = self.agent(start=False)
        os.chmod(os.path.join(agent.dir, "client.key"), 0o644)
        agent.start()
        self.assertEqual(agent.process.wait(timeout=10), 2)
        self.assertIn("is readable by others (mode 644): chmod 600", agent.read_log())

    def test_a_broker_name_the_certificate_does_not_list(self):
        agent = self.agent(address="127.1")  # resolves to 127.0.0.1, not a name in it
        self.assertEqual(agent.process.wait(timeout=20), 2)
        self.assertIn("hostname mismatch", agent.read_log())
        self.assertIn("fix: broker_address is not a name in the broker's certificate",
                      agent.read_log())


class UnnamedAddress(unittest.TestCase):
    """A broker on 127.0.0.2, an address its certificate (127.0.0.1, localhost) does not list."""

    def test_an_ip_address_the_certificate_does_not_name(self):
        directory = tempfile.mkdtemp(prefix="fleetmq-agent-ip-")
        work = tempfile.mkdtemp(prefix="fleetmq-agent-")
        try:
            subprocess.run([PKI_TOOL, directory, "--port", "0"], check=True,
                           stdout=subprocess.DEVNULL)
            path = os.path.join(directory, "fleetmq.toml")
            with open(path) as f:
                config = f.read()
            with open(path, "w") as f:
                f.write(config.replace('address = "127.0.0.1"\nport = 0',
                                       'address = "127.0.0.2"\nport = 0', 1))
            broker = Broker(config_dir=directory)
            try:
                agent = Agent(broker, work, address="127.0.0.2")
                self.assertEqual(agent.process.wait(timeout=20), 2)
                log = agent.read_log()
                self.assertIn("IP address mismatch", log)
                self.assertIn("issue the server certificate with --ip ADDRESS", log)
            finally:
                broker.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

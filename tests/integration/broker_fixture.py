"""A real fleetmq broker on 127.0.0.1 with a PKI made for the test, and clients to talk to it.

The broker binary and the PKI tool come from the environment (FLEETMQ_BINARY, FLEETMQ_TEST_PKI),
which ctest sets. Every broker gets a free port (port 0, read back from its ready file) and is
stopped with SIGTERM at the end; a broker that does not exit cleanly fails the test.
"""
import os
import resource
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import paho.mqtt.client as mqtt

BINARY = os.environ["FLEETMQ_BINARY"]
PKI_TOOL = os.environ["FLEETMQ_TEST_PKI"]

for tool in ("mosquitto_pub", "mosquitto_sub"):
    if shutil.which(tool) is None:
        raise RuntimeError(f"{tool} is missing: install mosquitto-clients (deploy/dev/setup.sh)")


class Broker:
    def __init__(self, extra_config="", devices=3, open_files=None, config_dir=None,
                 listener_config=""):
        """`open_files`: a hard limit of open files for the broker process (RLIMIT_NOFILE).
        `config_dir`: a directory with the test's own fleetmq.toml and files (kept at stop);
        otherwise a fresh test PKI and configuration are made (and removed at stop).
        `listener_config`: lines added to the [[listener]] table (e.g. lean_records = true)."""
        self.owns_dir = config_dir is None
        self.dir = config_dir or tempfile.mkdtemp(prefix="fleetmq-it-")
        if self.owns_dir:
            subprocess.run([PKI_TOOL, self.dir, "--port", "0", "--devices", str(devices)],
                           check=True, stdout=subprocess.DEVNULL)
        config_path = os.path.join(self.dir, "fleetmq.toml")
        if listener_config:
            with open(config_path) as config:
                text = config.read()
            marker = 'key = "server.key"\n'
            assert marker in text, "the generated configuration changed"
            with open(config_path, "w") as config:
                config.write(text.replace(marker, marker + listener_config.strip() + "\n", 1))
        with open(config_path, "a") as config:
            config.write(extra_config)
        self.log_path = os.path.join(self.dir, "broker.log")
        self.open_files = open_files
        self.log = open(self.log_path, "w")
        self._start()

    def _start(self):
        ready = os.path.join(self.dir, "ready")
        if os.path.exists(ready):
            os.remove(ready)
        open_files = self.open_files

        def limit_files():
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

        self.process = subprocess.Popen(
            [BINARY, "--config", os.path.join(self.dir, "fleetmq.toml"), "--ready-file", ready],
            stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=limit_files if open_files else None)
        deadline = time.time() + 10
        while not os.path.exists(ready):
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("the broker did not start:\n" + self.read_log())
            time.sleep(0.02)
        with open(ready) as f:
            lines = [line.split() for line in f.read().splitlines()]
        self.port = int(lines[0][1])
        self.admin_port = next((int(l[2]) for l in lines if l[0] == "admin"), None)

    def restart(self):
        """Stops the broker and starts it again on the same device port (clients' configurations
        name it): the listener's `port = 0` becomes the port it got."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)
        config_path = os.path.join(self.dir, "fleetmq.toml")
        with open(config_path) as f:
            config = f.read()
        with open(config_path, "w") as f:
            f.write(config.replace("port = 0\n", f"port = {self.port}\n", 1))
        self._start()

    def read_log(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def path(self, name):
        return os.path.join(self.dir, name)

    def metric(self, name, **labels):
        """The value of a sample on the broker's /metrics page: unlabelled, or with exactly
        `labels` (in the order the broker writes them)."""
        url = f"http://127.0.0.1:{self.admin_port}/metrics"
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        if labels:
            name += "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
        for line in page.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        raise AssertionError(f"{name} not on the page")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("the broker did not stop on SIGTERM")
        self.log.close()
        # A sanitizer's report is in the log, which goes with the directory: kept for the error.
        tail = self.read_log()[-20000:] if code != 0 else ""
        if self.owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        if code != 0:
            raise AssertionError(f"the broker exited with {code}; its log ends:\n{tail}")

    # mosquitto command-line clients
    @staticmethod
    def certificate_name(who):
        """"controller", "stranger", "expired" ... or a device id."""
        if who in ("controller", "stranger") or who.startswith("device-"):
            return who
        return f"device-{who}"

    def credentials(self, who):
        cert = self.certificate_name(who)
        return ["-h", "127.0.0.1", "-p", str(self.port), "--cafile", self.path("root.pem"),
                "--cert", self.path(cert + ".pem"), "--key", self.path(cert + ".key")]

    def mosquitto_pub(self, who, client_id, topic, message, version="mqttv5", qos=1,
                      retain=False):
        return subprocess.run(["mosquitto_pub", *self.credentials(who), "-i", client_id,
                               "-V", version, "-q", str(qos), "-t", topic, "-m", message,
                               *(["-r"] if retain else [])],
                              capture_output=True, text=True, timeout=20)

    def mosquitto_sub(self, who, client_id, topic, count=1, wait=5, version="mqttv5"):
        """Starts a subscriber; returns the process (stdout: one message per line)."""
        return subprocess.Popen(["mosquitto_sub", *self.credentials(who), "-i", client_id,
                                 "-V", version, "-t", topic, "-C", str(count), "-W", str(wait)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    # paho
    def paho(self, who, client_id, version=mqtt.MQTTv5, **connect_args):
        client = mqtt.Client(client_id=client_id, protocol=version)
        cert = self.certificate_name(who)
        client.tls_set(ca_certs=self.path("root.pem"), certfile=self.path(cert + ".pem"),
                       keyfile=self.path(cert + ".key"))
        return client

    # raw TLS, for bytes no client library would send
    def raw_tls(self, who="a-0001", receive_buffer=None):
        context = ssl.create_default_context(cafile=self.path("root.pem"))
        cert = self.certificate_name(who)
        context.load_cert_chain(self.path(cert + ".pem"), self.path(cert + ".key"))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.settimeout(10)
        sock.connect(("127.0.0.1", self.port))
        return context.wrap_socket(sock, server_hostname="localhost")


DEVICE_CONFIG = """# the seed's device configuration
broker_address: {address}
broker_port: {port}
protocol_version: {version}
transport: TLS
ca_cert: ca.crt
client_cert: client.crt
client_key: client.key
keep_alive: 30
connect_retry_time: {retry}
connect_retry_max_interval: {retry_max}
command_topic: {command_topic}
response_topic: device/{{id}}/responses
"""


def device_directory(broker, work, who="a-0001", address="localhost", port=None, version="5.0",
                     command_topic="device/{id}/commands", retry="1", retry_max="30", extra=""):
    """A device's files as the seed lays them out, in a new directory under `work`: ca.crt,
    client.crt (the device's certificate, then its vendor CA), client.key (600), device.conf."""
    directory = os.path.join(work, f"{who}-{len(os.listdir(work))}")
    os.makedirs(directory)
    cert = broker.certificate_name(who)
    shutil.copy(broker.path("root.pem"), os.path.join(directory, "ca.crt"))
    with open(os.path.join(directory, "client.crt"), "w") as out:
        for name in (cert + ".pem", "vendor-a.pem"):
            with open(broker.path(name)) as part:
                out.write(part.read())
    shutil.copy(broker.path(cert + ".key"), os.path.join(directory, "client.key"))
    os.chmod(os.path.join(directory, "client.key"), 0o600)
    os.chmod(os.path.join(directory, "client.crt"), 0o644)
    os.chmod(os.path.join(directory, "ca.crt"), 0o644)
    with open(os.path.join(directory, "device.conf"), "w") as config:
        config.write(DEVICE_CONFIG.format(address=address, port=port or broker.port,
                                          version=version, command_topic=command_topic,
                                          retry=retry, retry_max=retry_max) + extra)
    return directory


def connected(client, port, **kwargs):
    ready = threading.Event()
    result = {}

    def on_connect(c, userdata, flags, reason, properties=None):
        result["reason"] = reason
        result["properties"] = properties
        result["session_present"] = bool(flags.get("session present"))
        ready.set()

    client.on_connect = on_connect
    client.connect("127.0.0.1", port, **kwargs)
    client.loop_start()
    assert ready.wait(10), "no CONNACK"
    return result


def subscribed(client, topic, qos=1):
    done = threading.Event()
    result = {}

    def on_subscribe(c, userdata, mid, reasons, properties=None):
        result["codes"] = [r.value if hasattr(r, "value") else r for r in reasons]
        done.set()

    client.on_subscribe = on_subscribe
    client.subscribe(topic, qos)
    assert done.wait(10), "no SUBACK"
    return result["codes"]


def utf8(text):
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def varint(value):
    out = bytearray()
    while True:
        byte = value % 128
        value //= 128
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def packet(first_byte, body):
    return bytes([first_byte]) + varint(len(body)) + body


def connect_v5(client_id, keep_alive=60, will_topic=None, will_payload=b""):
    flags = 0x02
    payload = utf8(client_id)
    if will_topic is not None:
        flags |= 0x04
        payload += b"\x00" + utf8(will_topic) + struct.pack("!H", len(will_payload)) + will_payload
    body = utf8("MQTT") + bytes([5, flags]) + struct.pack("!H", keep_alive) + b"\x00" + payload
    return packet(0x10, body)


def read_packet(sock):
    """One MQTT packet (first byte, body) from a blocking socket."""
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    first = exactly(1)[0]
    length, shift = 0, 0
    while True:
        byte = exactly(1)[0]
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return first, exactly(length)


def read_until_closed(sock, timeout=10):
    """Reads until the broker closes the connection; returns everything read."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        raise AssertionError(f"the broker did not close the connection within {timeout} s")
    except (ConnectionResetError, ssl.SSLError, OSError):
        pass
    sock.close()
    return data


class BrokerTestCase(unittest.TestCase):
    extra_config = ""

    def setUp(self):
        self.broker = Broker(self.extra_config)

    def tearDown(self):
        self.broker.stop()

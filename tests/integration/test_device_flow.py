"""Devices and the controller through a real broker: commands, responses, ACLs, identity."""
import queue
import subprocess
import threading
import time
import unittest

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from broker_fixture import (Broker, BrokerTestCase, connect_v5, connected, packet,
                            read_until_closed, subscribed, utf8)


class DeviceFlow(BrokerTestCase):
    def test_controller_command_reaches_device_and_response_comes_back(self):
        # The controller watches every response (3.1.1), the device waits for commands (5.0).
        watcher = self.broker.mosquitto_sub("controller", "dispatcher/watch", "device/+/responses",
                                            version="mqttv311", wait=10)
        device = self.broker.paho("a-0001", "a-0001")
        commands = queue.Queue()
        device.on_message = lambda c, u, m: commands.put(m)
        info = connected(device, self.broker.port, keepalive=30)
        self.assertEqual(info["reason"].value, 0)
        self.assertEqual(subscribed(device, "device/a-0001/commands"), [1])
        time.sleep(0.3)  # the 3.1.1 watcher's SUBACK

        sent = self.broker.mosquitto_pub("controller", "dispatcher/send",
                                         "device/a-0001/commands", "reboot")
        self.assertEqual(sent.returncode, 0, sent.stderr)
        command = commands.get(timeout=10)
        self.assertEqual(command.payload, b"reboot")
        self.assertEqual(command.qos, 1)

        # The device answers with a correlation id, which a 5.0 receiver would get untouched.
        properties = Properties(PacketTypes.PUBLISH)
        properties.CorrelationData = b"req-1"
        device.publish("device/a-0001/responses", b"rebooting", qos=1,
                       properties=properties).wait_for_publish(10)
        out, err = watcher.communicate(timeout=15)
        self.assertEqual(out.strip(), "rebooting", err)
        device.loop_stop()
        device.disconnect()

    def test_a_device_cannot_reach_another_devices_topics(self):
        device = self.broker.paho("a-0001", "a-0001")
        connected(device, self.broker.port)
        self.assertEqual(subscribed(device, "device/a-0002/commands"), [0x87])
        self.assertEqual(subscribed(device, "device/+/commands"), [0x87])
        self.assertEqual(subscribed(device, "#"), [0x87])
        self.assertEqual(subscribed(device, "device/a-0001/commands"), [1])
        device.loop_stop()
        device.disconnect()

        # 3.1.1: SUBACK 0x80, which mosquitto_sub reports.
        sub = self.broker.mosquitto_sub("a-0001", "a-0001", "device/a-0002/commands",
                                        version="mqttv311", wait=3)
        _, err = sub.communicate(timeout=10)
        self.assertIn("denied", err)

    def test_publishing_to_another_devices_responses_is_refused(self):
        sock = self.broker.raw_tls("a-0001")
        sock.sendall(connect_v5("a-0001"))
        self.assertEqual(sock.recv(2)[0], 0x20)  # CONNACK
        sock.recv(4096)
        body = utf8("device/a-0002/responses") + b"\x00\x07" + b"\x00" + b"forged"
        sock.sendall(packet(0x32, body))  # QoS 1
        ack = sock.recv(16)
        self.assertEqual(ack[:5], bytes([0x40, 0x03, 0x00, 0x07, 0x87]))  # PUBACK Not authorized
        sock.sendall(b"\xe0\x00")  # DISCONNECT
        read_until_closed(sock)

    def test_client_id_must_be_the_certificate_id(self):
        result = self.broker.mosquitto_pub("a-0001", "a-0002", "device/a-0001/responses", "x",
                                           version="mqttv311")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("identifier rejected", result.stderr)
        self.assertIn("client id is not the certificate's id", self.broker.read_log())
        # The same with 5.0: CONNACK 0x85.
        client = self.broker.paho("a-0001", "a-0002")
        info = connected(client, self.broker.port)
        self.assertEqual(info["reason"].value, 0x85)
        client.loop_stop()

    def test_an_empty_client_id_is_assigned_the_device_id(self):
        client = self.broker.paho("a-0003", "")
        info = connected(client, self.broker.port)
        self.assertEqual(info["reason"].value, 0)
        self.assertEqual(info["properties"].AssignedClientIdentifier, "a-0003")
        client.loop_stop()
        client.disconnect()

    def test_the_same_client_id_takes_the_session_over(self):
        first = self.broker.raw_tls("a-0001")
        first.sendall(connect_v5("a-0001"))
        self.assertEqual(first.recv(2)[0], 0x20)
        first.recv(4096)
        second = self.broker.paho("a-0001", "a-0001")
        self.assertEqual(connected(second, self.broker.port)["reason"].value, 0)
        data = read_until_closed(first)
        self.assertEqual(data[:3], bytes([0xE0, 0x01, 0x8E]))  # DISCONNECT Session taken over
        second.loop_stop()
        second.disconnect()

    def test_retained_status_reaches_later_subscribers_until_cleared(self):
        result = self.broker.mosquitto_pub("a-0001", "a-0001", "device/a-0001/responses",
                                           "online", qos=1)
        self.assertEqual(result.returncode, 0, result.stderr)
        retained = subprocess.run(
            ["mosquitto_pub", *self.broker.credentials("a-0002"), "-i", "a-0002", "-V", "mqttv5",
             "-t", "device/a-0002/responses", "-m", "ready", "-r", "-q", "1"],
            capture_output=True, text=True, timeout=20)
        self.assertEqual(retained.returncode, 0, retained.stderr)

        controller = self.broker.paho("controller", "dispatcher/late")
        received = queue.Queue()
        controller.on_message = lambda c, u, m: received.put(m)
        connected(controller, self.broker.port)
        self.assertEqual(subscribed(controller, "device/+/responses"), [1])
        message = received.get(timeout=10)
        self.assertEqual((message.topic, message.payload, message.retain),
                         ("device/a-0002/responses", b"ready", True))
        self.assertTrue(received.empty())  # the non-retained "online" is not replayed

        # A live message is delivered with RETAIN 0 [MQTT-3.3.1-12], and an empty retained
        # message clears the topic.
        cleared = subprocess.run(
            ["mosquitto_pub", *self.broker.credentials("a-0002"), "-i", "a-0002", "-V", "mqttv5",
             "-t", "device/a-0002/responses", "-n", "-r", "-q", "1"],
            capture_output=True, text=True, timeout=20)
        self.assertEqual(cleared.returncode, 0, cleared.stderr)
        live = received.get(timeout=10)
        self.assertEqual((live.payload, live.retain), (b"", False))
        controller.loop_stop()
        controller.disconnect()
        late = self.broker.mosquitto_sub("controller", "dispatcher/later", "device/+/responses",
                                         wait=2)
        out, _ = late.communicate(timeout=10)
        self.assertEqual(out, "")

    def test_shared_subscription_spreads_responses_over_controllers(self):
        received = {}
        controllers = []
        for name in ("c1", "c2", "c3"):
            client = self.broker.paho("controller", f"dispatcher/{name}")
            received[name] = queue.Queue()
            client.on_message = (lambda q: lambda c, u, m: q.put(m.payload))(received[name])
            connected(client, self.broker.port)
            self.assertEqual(subscribed(client, "$share/ctl/device/+/responses"), [1])
            controllers.append(client)
        device = self.broker.paho("a-0001", "a-0001")
        connected(device, self.broker.port)
        for i in range(30):
            device.publish("device/a-0001/responses", f"r{i}", qos=1).wait_for_publish(10)
        got = {name: [] for name in received}
        deadline = time.time() + 10
        while sum(len(v) for v in got.values()) < 30 and time.time() < deadline:
            for name, q in received.items():
                while not q.empty():
                    got[name].append(q.get())
            time.sleep(0.05)
        everything = sorted(p for v in got.values() for p in v)
        self.assertEqual(everything, sorted(f"r{i}".encode() for i in range(30)))  # each once
        for name, payloads in got.items():
            self.assertGreaterEqual(len(payloads), 5, f"{name} got {len(payloads)} of 30")
        for client in controllers + [device]:
            client.loop_stop()
            client.disconnect()

    def test_qos2_delivery_with_subscription_identifier(self):
        device = self.broker.paho("a-0001", "a-0001")
        commands = queue.Queue()
        device.on_message = lambda c, u, m: commands.put(m)
        connected(device, self.broker.port)
        properties = Properties(PacketTypes.SUBSCRIBE)
        properties.SubscriptionIdentifier = 7
        done = threading.Event()
        device.on_subscribe = lambda c, u, mid, reasons, props=None: done.set()
        device.subscribe("device/a-0001/commands", options=SubscribeOptions(qos=2),
                         properties=properties)
        self.assertTrue(done.wait(10))
        sent = self.broker.mosquitto_pub("controller", "dispatcher/send", "device/a-0001/commands",
                                         "update", qos=2)
        self.assertEqual(sent.returncode, 0, sent.stderr)
        message = commands.get(timeout=10)
        self.assertEqual((message.payload, message.qos), (b"update", 2))
        self.assertEqual(message.properties.SubscriptionIdentifier, [7])
        time.sleep(0.5)
        self.assertTrue(commands.empty())  # exactly once
        device.loop_stop()
        device.disconnect()

    def test_expired_retained_message_is_not_delivered(self):
        publisher = self.broker.paho("a-0001", "a-0001")
        connected(publisher, self.broker.port)
        for topic_payload, expiry in ((b"short", 1), (b"long", 600)):
            properties = Properties(PacketTypes.PUBLISH)
            properties.MessageExpiryInterval = expiry
            topic = "device/a-0001/responses"
            publisher.publish(topic, topic_payload, qos=1, retain=True,
                              properties=properties).wait_for_publish(10)
            if expiry == 1:
                time.sleep(2.2)
                late = self.broker.mosquitto_sub("controller", "dispatcher/late",
                                                 "device/+/responses", wait=2)
                out, _ = late.communicate(timeout=10)
                self.assertEqual(out, "")  # expired: not replayed
        publisher.loop_stop()
        publisher.disconnect()
        controller = self.broker.paho("controller", "dispatcher/watch")
        received = queue.Queue()
        controller.on_message = lambda c, u, m: received.put(m)
        connected(controller, self.broker.port)
        subscribed(controller, "device/+/responses")
        message = received.get(timeout=10)
        self.assertEqual(message.payload, b"long")
        self.assertLessEqual(message.properties.MessageExpiryInterval, 600)
        controller.loop_stop()
        controller.disconnect()

    def test_keep_alive_timeout_publishes_the_will(self):
        watcher = self.broker.mosquitto_sub("controller", "dispatcher/watch", "device/+/responses",
                                            wait=15)
        time.sleep(0.5)
        sock = self.broker.raw_tls("a-0002")
        sock.sendall(connect_v5("a-0002", keep_alive=1, will_topic="device/a-0002/responses",
                                will_payload=b"a-0002 lost"))
        self.assertEqual(sock.recv(2)[0], 0x20)
        # Silent from now on: the broker must drop it after 1.5 s and publish the will.
        out, err = watcher.communicate(timeout=20)
        self.assertEqual(out.strip(), "a-0002 lost", err)
        self.assertIn("keep alive timeout", self.broker.read_log())
        read_until_closed(sock)


class RetainedLimit(BrokerTestCase):
    extra_config = "\n[limits]\nmax_retained_messages = 0\n"

    def test_past_the_retained_bound_a_message_is_delivered_but_not_stored(self):
        watcher = self.broker.paho("controller", "dispatcher/live")
        live = queue.Queue()
        watcher.on_message = lambda c, u, m: live.put(m)
        connected(watcher, self.broker.port)
        self.assertEqual(subscribed(watcher, "device/+/responses"), [1])
        result = self.broker.mosquitto_pub("a-0001", "a-0001", "device/a-0001/responses",
                                           "status", qos=1, retain=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(live.get(timeout=10).payload, b"status")
        self.assertIn("not stored: max_retained_messages (0) reached", self.broker.read_log())

        later = self.broker.paho("controller", "dispatcher/later")
        retained = queue.Queue()
        later.on_message = lambda c, u, m: retained.put(m)
        connected(later, self.broker.port)
        self.assertEqual(subscribed(later, "device/+/responses"), [1])
        time.sleep(1)
        self.assertTrue(retained.empty())
        for client in (watcher, later):
            client.disconnect()
            client.loop_stop()


class Shutdown(unittest.TestCase):
    def test_sigterm_disconnects_clients_with_server_shutting_down(self):
        broker = Broker()
        sock = broker.raw_tls("a-0001")
        sock.sendall(connect_v5("a-0001"))
        self.assertEqual(sock.recv(2)[0], 0x20)
        sock.recv(4096)
        broker.stop()  # SIGTERM; fails the test unless the broker exits 0
        self.assertEqual(read_until_closed(sock)[:3], bytes([0xE0, 0x01, 0x8B]))


if __name__ == "__main__":
    unittest.main()

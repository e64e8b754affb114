"""Sessions that outlive their connection: offline queueing, resume, expiry, takeover, wills."""
import queue
import struct
import subprocess
import time
import unittest

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from broker_fixture import (BrokerTestCase, connected, packet, read_packet,
                            read_until_closed, subscribed, utf8, varint)


def session_properties(expiry):
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = expiry
    return properties


def connect_with_session(client_id, expiry, clean_start, will_topic=None, will_payload=b"",
                         will_delay=0):
    """A 5.0 CONNECT with a Session Expiry Interval and optionally a will with a delay."""
    flags = 0x02 if clean_start else 0x00
    properties = b"\x11" + struct.pack("!I", expiry)
    payload = utf8(client_id)
    if will_topic is not None:
        flags |= 0x04
        will_properties = b"\x18" + struct.pack("!I", will_delay)
        payload += varint(len(will_properties)) + will_properties + utf8(will_topic)
        payload += struct.pack("!H", len(will_payload)) + will_payload
    body = utf8("MQTT") + bytes([5, flags]) + struct.pack("!H", 60)
    body += varint(len(properties)) + properties + payload
    return packet(0x10, body)


class Sessions(BrokerTestCase):
    def controller(self, client_id, expiry=300, clean_start=False):
        client = self.broker.paho("controller", client_id)
        received = queue.Queue()
        client.on_message = lambda c, u, m: received.put(m)
        info = connected(client, self.broker.port, clean_start=clean_start,
                         properties=session_properties(expiry))
        self.assertEqual(info["reason"].value, 0)
        return client, received, info

    def leave(self, client, client_id):
        client.disconnect()
        client.loop_stop()
        self.wait_for_log(f"client_id={client_id} shard=", "disconnected: ")

    def wait_for_log(self, *parts, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(all(p in line for p in parts) for line in self.broker.read_log().splitlines()):
                return
            time.sleep(0.05)
        self.fail(f"no log line with {parts}:\n{self.broker.read_log()}")

    def respond(self, device, payload, qos):
        result = self.broker.mosquitto_pub(device, device, f"device/{device}/responses", payload,
                                           qos=qos)
        self.assertEqual(result.returncode, 0, result.stderr)

    def assert_nothing_more(self, received, wait=1.0):
        time.sleep(wait)
        self.assertTrue(received.empty(), "a message came more than once")

    def test_qos1_and_qos2_wait_for_an_offline_session_and_arrive_once(self):
        client, _, info = self.controller("dispatcher/persist")
        self.assertFalse(info["session_present"])
        self.assertEqual(subscribed(client, "device/+/responses", qos=2), [2])
        self.leave(client, "dispatcher/persist")

        self.respond("a-0001", "one", 1)
        self.respond("a-0002", "two", 2)
        self.respond("a-0001", "zero", 0)  # QoS 0 is not kept for an absent client

        client, received, info = self.controller("dispatcher/persist")
        self.assertTrue(info["session_present"])
        messages = [received.get(timeout=10) for _ in range(2)]
        self.assertEqual([(m.topic, m.payload, m.qos) for m in messages],
                         [("device/a-0001/responses", b"one", 1),
                          ("device/a-0002/responses", b"two", 2)])
        self.assert_nothing_more(received)
        self.leave(client, "dispatcher/persist")

        # Acknowledged means gone: a third connection to the session gets nothing again.
        client, received, info = self.controller("dispatcher/persist")
        self.assertTrue(info["session_present"])
        self.assert_nothing_more(received)
        client.disconnect()
        client.loop_stop()

    def test_a_3_1_1_clean_session_0_subscriber_gets_what_came_while_it_was_away(self):
        base = ["mosquitto_sub", *self.broker.credentials("controller"), "-i", "dispatcher/m311",
                "-c", "-V", "mqttv311", "-q", "1", "-t", "device/+/responses"]
        first = subprocess.run(base + ["-E"], capture_output=True, text=True, timeout=20)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.wait_for_log("client_id=dispatcher/m311 shard=", "disconnected: ")
        self.respond("a-0001", "while-away-1", 1)
        self.respond("a-0002", "while-away-2", 1)
        second = subprocess.run(base + ["-C", "2", "-W", "10"], capture_output=True, text=True,
                                timeout=20)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(second.stdout.split(), ["while-away-1", "while-away-2"])

    def test_clean_start_discards_the_session(self):
        client, _, _ = self.controller("dispatcher/fresh")
        self.assertEqual(subscribed(client, "device/+/responses"), [1])
        self.leave(client, "dispatcher/fresh")
        self.respond("a-0001", "stale", 1)
        client, received, info = self.controller("dispatcher/fresh", clean_start=True)
        self.assertFalse(info["session_present"])
        self.respond("a-0001", "after", 1)  # and the old subscription is gone too
        self.assert_nothing_more(received)
        client.disconnect()
        client.loop_stop()

    def test_a_session_ends_when_its_expiry_passes(self):
        client, _, _ = self.controller("dispatcher/brief", expiry=1)
        self.assertEqual(subscribed(client, "device/+/responses"), [1])
        self.leave(client, "dispatcher/brief")
        self.wait_for_log("session expired: client_id=dispatcher/brief")
        client, received, info = self.controller("dispatcher/brief")
        self.assertFalse(info["session_present"])
        self.respond("a-0001", "unheard", 1)
        self.assert_nothing_more(received)
        client.disconnect()
        client.loop_stop()

    def test_a_session_lasts_its_full_expiry_interval(self):
        client, _, _ = self.controller("dispatcher/two-seconds", expiry=2)
        left_at = time.monotonic()  # before the DISCONNECT: the broker's interval starts later
        self.leave(client, "dispatcher/two-seconds")
        self.wait_for_log("session expired: client_id=dispatcher/two-seconds")
        lasted = time.monotonic() - left_at
        self.assertGreaterEqual(lasted, 2.0)  # [MQTT-3.1.2-23]: never before the interval
        self.assertLess(lasted, 4.0)

    def test_takeover_hands_the_session_to_the_new_connection(self):
        first, first_received, _ = self.controller("dispatcher/handover")
        self.assertEqual(subscribed(first, "device/+/responses"), [1])
        second, received, info = self.controller("dispatcher/handover")
        self.assertTrue(info["session_present"])
        self.wait_for_log("client_id=dispatcher/handover", "session taken over")
        self.respond("a-0003", "to-the-new-one", 1)
        self.assertEqual(received.get(timeout=10).payload, b"to-the-new-one")
        self.assertTrue(first_received.empty())
        first.loop_stop()
        second.disconnect()
        second.loop_stop()

    def test_an_unacknowledged_message_is_sent_again_with_dup_on_resume(self):
        sock = self.broker.raw_tls("controller")
        sock.sendall(connect_with_session("dispatcher/raw", 60, clean_start=True))
        first, body = read_packet(sock)
        self.assertEqual((first, body[:2]), (0x20, b"\x00\x00"))  # new session, accepted
        subscribe = struct.pack("!H", 1) + b"\x00" + utf8("device/a-0001/responses") + b"\x01"
        sock.sendall(packet(0x82, subscribe))
        self.assertEqual(read_packet(sock)[0], 0x90)
        self.respond("a-0001", "unacked", 1)
        first, body = read_packet(sock)
        self.assertEqual(first, 0x32)  # QoS 1, not DUP
        packet_id = body[2 + len("device/a-0001/responses"):][:2]
        sock.close()  # gone without PUBACK
        self.wait_for_log("client_id=dispatcher/raw shard=", "disconnected: ")

        sock = self.broker.raw_tls("controller")
        sock.sendall(connect_with_session("dispatcher/raw", 60, clean_start=False))
        first, body = read_packet(sock)
        self.assertEqual((first, body[:2]), (0x20, b"\x01\x00"))  # session present
        first, body = read_packet(sock)
        self.assertEqual(first, 0x3A)  # QoS 1 with DUP [MQTT-4.4.0-1]
        self.assertEqual(body[2 + len("device/a-0001/responses"):][:2], packet_id)
        self.assertTrue(body.endswith(b"unacked"))
        sock.sendall(packet(0x40, packet_id))  # PUBACK
        sock.sendall(b"\xe0\x00")
        read_until_closed(sock)

    def test_a_delayed_will_is_dropped_when_the_session_resumes_in_time(self):
        watcher, watched, _ = self.controller("dispatcher/wills", clean_start=True, expiry=0)
        self.assertEqual(subscribed(watcher, "device/a-0001/responses"), [1])

        device = self.broker.raw_tls("a-0001")
        device.sendall(connect_with_session("a-0001", 60, True, "device/a-0001/responses",
                                            b"gone", will_delay=3))
        self.assertEqual(read_packet(device)[0], 0x20)
        device.close()  # abnormal: the will is due in 3 s unless the session resumes
        self.wait_for_log("client_id=a-0001 shard=", "disconnected: ")
        device = self.broker.raw_tls("a-0001")
        device.sendall(connect_with_session("a-0001", 60, False))
        first, body = read_packet(device)
        self.assertEqual((first, body[:2]), (0x20, b"\x01\x00"))
        self.assert_nothing_more(watched, wait=4)

        # Without a resume, the will comes after its delay, not before.
        device.sendall(b"\xe0\x00")  # a normal DISCONNECT ends without the (no) will
        read_until_closed(device)
        device = self.broker.raw_tls("a-0001")
        device.sendall(connect_with_session("a-0001", 60, False, "device/a-0001/responses",
                                            b"gone", will_delay=3))
        self.assertEqual(read_packet(device)[0], 0x20)
        closed_at = time.monotonic()
        device.close()
        will = watched.get(timeout=10)
        self.assertEqual(will.payload, b"gone")
        # The full delay, never less [MQTT-3.1.3-9]; late by a timer slot at most.
        self.assertGreaterEqual(time.monotonic() - closed_at, 3.0)
        watcher.disconnect()
        watcher.loop_stop()


class SessionLimits(BrokerTestCase):
    extra_config = "\n[limits]\nmax_session_expiry = 60\n"

    def test_a_longer_expiry_than_allowed_is_answered_with_the_maximum(self):
        client = self.broker.paho("a-0002", "a-0002")
        info = connected(client, self.broker.port, properties=session_properties(3600),
                         clean_start=False)
        self.assertEqual(info["reason"].value, 0)
        self.assertEqual(info["properties"].SessionExpiryInterval, 60)
        client.disconnect()
        client.loop_stop()


if __name__ == "__main__":
    unittest.main()

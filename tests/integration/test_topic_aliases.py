"""Outbound Topic Aliases against a real broker: a 5.0 client that announces a Topic Alias
Maximum gets its repeated topics as aliases (MQTT 5.0 3.3.2.3.4), within its maximum and the
broker's limit, per connection; everyone else gets the topic as it is. Read with raw packets,
since Debian's paho (1.6) does not resolve aliases it receives."""
import queue
import struct
import time
import unittest

from broker_fixture import (Broker, connected, packet, read_packet, read_until_closed,
                            subscribed, utf8, varint)


def read_varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def parse_properties(data):
    """The 5.0 properties a PUBLISH to a subscriber can carry: {id: value}."""
    props, at = {}, 0
    while at < len(data):
        pid = data[at]
        at += 1
        if pid == 0x01:  # payload format
            props[pid], at = data[at], at + 1
        elif pid == 0x02:  # message expiry
            props[pid], at = struct.unpack_from("!I", data, at)[0], at + 4
        elif pid == 0x23:  # topic alias
            props[pid], at = struct.unpack_from("!H", data, at)[0], at + 2
        elif pid == 0x0B:  # subscription identifier
            props.setdefault(pid, [])
            value, at = read_varint(data, at)
            props[pid].append(value)
        elif pid in (0x03, 0x08, 0x09):  # content type, response topic, correlation data
            size = struct.unpack_from("!H", data, at)[0]
            props[pid], at = data[at + 2:at + 2 + size], at + 2 + size
        elif pid == 0x26:  # user property
            for _ in range(2):
                size = struct.unpack_from("!H", data, at)[0]
                at += 2 + size
        else:
            raise AssertionError(f"unexpected property 0x{pid:02x} on PUBLISH")
    return props


def parse_publish(first, body):
    """(topic, topic alias or None, packet id or None, payload) of a 5.0 PUBLISH."""
    assert first >> 4 == 3, f"not a PUBLISH: 0x{first:02x}"
    qos = (first >> 1) & 3
    size = struct.unpack_from("!H", body, 0)[0]
    topic = body[2:2 + size].decode()
    at = 2 + size
    packet_id = None
    if qos:
        packet_id = struct.unpack_from("!H", body, at)[0]
        at += 2
    length, at = read_varint(body, at)
    props = parse_properties(body[at:at + length])
    return topic, props.get(0x23), packet_id, body[at + length:]


class RawClient:
    """A 5.0 client over raw TLS that announces `alias_maximum` (None: no property)."""

    def __init__(self, broker, who, client_id, alias_maximum):
        self.sock = broker.raw_tls(who)
        properties = b""
        if alias_maximum is not None:
            properties = b"\x22" + struct.pack("!H", alias_maximum)
        body = (utf8("MQTT") + bytes([5, 0x02]) + struct.pack("!H", 60) +
                varint(len(properties)) + properties + utf8(client_id))
        self.sock.sendall(packet(0x10, body))
        first, connack = read_packet(self.sock)
        assert first == 0x20 and connack[1] == 0, f"CONNACK {connack!r}"

    def subscribe(self, topic_filter, qos=1):
        body = struct.pack("!H", 1) + b"\x00" + utf8(topic_filter) + bytes([qos])
        self.sock.sendall(packet(0x82, body))
        first, suback = read_packet(self.sock)
        assert first == 0x90 and suback[-1] == qos, f"SUBACK {suback!r}"

    def next_publish(self):
        topic, alias, packet_id, payload = parse_publish(*read_packet(self.sock))
        if packet_id is not None:
            self.sock.sendall(packet(0x40, struct.pack("!H", packet_id)))
        return topic, alias, payload

    def close(self):
        self.sock.sendall(b"\xe0\x00")
        self.sock.close()


class AliasFixture(unittest.TestCase):
    extra_config = ""

    def setUp(self):
        self.broker = Broker(self.extra_config)
        self.controller = self.broker.paho("controller", "ctl-aliases")
        self.assertEqual(connected(self.controller, self.broker.port)["reason"], 0)
        self.raw = []

    def tearDown(self):
        for client in self.raw:
            client.close()
        self.controller.loop_stop()
        self.controller.disconnect()
        self.broker.stop()

    def device(self, alias_maximum, who="a-0001"):
        client = RawClient(self.broker, who, who, alias_maximum)
        client.subscribe(f"device/{who}/commands")
        self.raw.append(client)
        return client

    def command(self, payload, who="a-0001", qos=1):
        self.controller.publish(f"device/{who}/commands", payload, qos=qos).wait_for_publish(10)

    def respond(self, who, payload):
        """`who` connects, publishes one response at QoS 1 and leaves."""
        publisher = self.broker.paho(who, who)
        self.assertEqual(connected(publisher, self.broker.port)["reason"], 0)
        publisher.publish(f"device/{who}/responses", payload, qos=1).wait_for_publish(10)
        publisher.loop_stop()
        publisher.disconnect()


class OutboundTopicAliasTest(AliasFixture):
    def test_repeated_commands_go_by_alias(self):
        device = self.device(alias_maximum=4)
        for i in range(3):
            self.command(f"cmd-{i}".encode())
        topic = "device/a-0001/commands"
        self.assertEqual(device.next_publish(), (topic, 1, b"cmd-0"))
        self.assertEqual(device.next_publish(), ("", 1, b"cmd-1"))
        self.assertEqual(device.next_publish(), ("", 1, b"cmd-2"))
        self.assertEqual(self.broker.metric("fleetmq_outbound_topic_aliases_assigned_total"), 1)
        self.assertEqual(self.broker.metric("fleetmq_outbound_topic_alias_publishes_total"), 2)
        self.assertEqual(self.broker.metric("fleetmq_outbound_topic_alias_saved_bytes_total"),
                         2 * (len(topic) - 3))

    def test_qos0_too(self):
        device = self.device(alias_maximum=1)
        self.command(b"one", qos=0)
        self.command(b"two", qos=0)
        self.assertEqual(device.next_publish(), ("device/a-0001/commands", 1, b"one"))
        self.assertEqual(device.next_publish(), ("", 1, b"two"))

    def test_no_alias_maximum_no_aliases(self):
        device = self.device(alias_maximum=None)
        self.command(b"one")
        self.command(b"two")
        self.assertEqual(device.next_publish(), ("device/a-0001/commands", None, b"one"))
        self.assertEqual(device.next_publish(), ("device/a-0001/commands", None, b"two"))
        self.assertEqual(self.broker.metric("fleetmq_outbound_topic_aliases_assigned_total"), 0)

    def test_a_new_connection_starts_without_aliases(self):
        device = self.device(alias_maximum=4)
        self.command(b"one")
        self.command(b"two")
        self.assertEqual(device.next_publish()[:2], ("device/a-0001/commands", 1))
        self.assertEqual(device.next_publish()[:2], ("", 1))
        device.close()
        self.raw.remove(device)
        time.sleep(0.2)
        device = self.device(alias_maximum=4)
        self.command(b"three")
        self.assertEqual(device.next_publish(), ("device/a-0001/commands", 1, b"three"))

    def test_bounded_by_the_clients_maximum(self):
        watcher = RawClient(self.broker, "controller", "ctl-watch", alias_maximum=2)
        self.raw.append(watcher)
        watcher.subscribe("device/+/responses")
        for who in ("a-0001", "a-0002", "a-0003", "a-0001"):
            self.respond(who, who.encode())
        got = [watcher.next_publish() for _ in range(4)]
        self.assertEqual(got[0], ("device/a-0001/responses", 1, b"a-0001"))
        self.assertEqual(got[1], ("device/a-0002/responses", 2, b"a-0002"))
        # full: the third topic goes as it is, without an alias
        self.assertEqual(got[2], ("device/a-0003/responses", None, b"a-0003"))
        self.assertEqual(got[3], ("", 1, b"a-0001"))


class BrokerLimitTest(AliasFixture):
    """limits.max_outbound_topic_aliases bounds what a client may ask for."""
    extra_config = "\n[limits]\nmax_outbound_topic_aliases = 1\n"

    def test_the_smaller_maximum_applies(self):
        watcher = RawClient(self.broker, "controller", "ctl-watch", alias_maximum=100)
        self.raw.append(watcher)
        watcher.subscribe("device/+/responses")
        for who in ("a-0001", "a-0002", "a-0001"):
            self.respond(who, b"x")
        got = [watcher.next_publish()[:2] for _ in range(3)]
        self.assertEqual(got, [("device/a-0001/responses", 1), ("device/a-0002/responses", None),
                               ("", 1)])


class InboundTopicAliasTest(AliasFixture):
    """Aliases a client sets up on what it publishes: resolved to the topic for subscribers
    and the ACL; one over the broker's maximum (32) or never set up ends the connection."""

    def publish_with_alias(self, device, alias, topic, payload):
        properties = b"\x23" + struct.pack("!H", alias)
        body = utf8(topic) + varint(len(properties)) + properties + payload
        device.sock.sendall(packet(0x30, body))

    def test_an_alias_stands_for_its_topic(self):
        messages = queue.Queue()
        self.controller.on_message = lambda c, u, m: messages.put((m.topic, m.payload))
        subscribed(self.controller, "device/+/responses", qos=0)
        device = RawClient(self.broker, "a-0001", "a-0001", None)
        self.raw.append(device)
        self.publish_with_alias(device, 1, "device/a-0001/responses", b"one")
        self.publish_with_alias(device, 1, "", b"two")
        got = [messages.get(timeout=10) for _ in range(2)]
        self.assertEqual(got, [("device/a-0001/responses", b"one"),
                               ("device/a-0001/responses", b"two")])

    def assert_disconnected(self, alias, topic, reason):
        device = RawClient(self.broker, "a-0002", "a-0002", None)
        self.publish_with_alias(device, alias, topic, b"x")
        data = read_until_closed(device.sock)
        self.assertEqual(data[:1], b"\xe0", data)  # DISCONNECT
        self.assertEqual(data[2], reason, data)

    def test_over_the_maximum_is_refused(self):
        self.assert_disconnected(33, "device/a-0002/responses", 0x94)

    def test_an_alias_never_set_up_is_a_protocol_error(self):
        self.assert_disconnected(2, "", 0x82)


if __name__ == "__main__":
    unittest.main()

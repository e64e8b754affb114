"""Routing against a real broker: ACL "everything except X" (a deny rule before a wider allow
rule withholds messages at delivery) and one copy per client for overlapping subscriptions."""
import os
import queue
import tempfile
import threading
import time
import unittest

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from broker_fixture import Broker, connected

ACL = """
deny  subscribe test/nosubscribe      role=controller
allow subscribe #                     role=controller
allow publish   #                     role=controller
"""


def subscribe(client, topic, qos=0, subscription_id=None):
    """SUBSCRIBE one filter; returns its SUBACK reason code."""
    done = threading.Event()
    codes = []

    def on_subscribe(c, userdata, mid, reasons, properties=None):
        codes.extend(r.value for r in reasons)
        done.set()

    client.on_subscribe = on_subscribe
    properties = None
    if subscription_id is not None:
        properties = Properties(PacketTypes.SUBSCRIBE)
        properties.SubscriptionIdentifier = subscription_id
    client.subscribe(topic, options=SubscribeOptions(qos=qos), properties=properties)
    assert done.wait(10), "no SUBACK"
    return codes[0]


def drain(messages, settle=0.5):
    """Everything received until nothing more arrives for `settle` seconds."""
    got = []
    while True:
        try:
            got.append(messages.get(timeout=settle))
        except queue.Empty:
            return got


class RoutingTest(unittest.TestCase):
    def setUp(self):
        self.acl_dir = tempfile.mkdtemp(prefix="fleetmq-acl-")
        acl_path = os.path.join(self.acl_dir, "acl.conf")
        with open(acl_path, "w") as f:
            f.write(ACL)
        self.broker = Broker(f'\n[acl]\nfile = "{acl_path}"\n')
        self.clients = []

    def tearDown(self):
        for client in self.clients:
            client.loop_stop()
            client.disconnect()
        self.broker.stop()
        os.remove(os.path.join(self.acl_dir, "acl.conf"))
        os.rmdir(self.acl_dir)

    def client(self, client_id):
        client = self.broker.paho("controller", client_id)
        messages = queue.Queue()
        client.on_message = lambda c, u, m: messages.put(m)
        result = connected(client, self.broker.port)
        self.assertEqual(result["reason"], 0)
        self.clients.append(client)
        return client, messages

    def publish(self, client, topic, payload, qos=1, retain=False):
        client.publish(topic, payload, qos=qos, retain=retain).wait_for_publish(10)

    def test_everything_except_a_denied_topic(self):
        watcher, messages = self.client("watcher")
        sender, _ = self.client("sender")
        self.publish(sender, "test/nosubscribe", b"retained secret", retain=True)
        self.publish(sender, "test/open", b"retained open", retain=True)
        time.sleep(0.2)

        self.assertEqual(subscribe(watcher, "test/nosubscribe"), 0x87)  # refused outright
        for wider in ("#", "+/+"):  # granted, filtered; each sends its retained messages
            self.assertEqual(subscribe(watcher, wider), 0)
            retained = drain(messages)
            self.assertEqual([(m.topic, m.payload) for m in retained],
                             [("test/open", b"retained open")], wider)
        withheld_before = self.broker.metric("fleetmq_acl_withheld_total")

        for topic in ("test/nosubscribe", "test/open", "other/thing", "test/nosubscribe/deeper"):
            self.publish(sender, topic, topic.encode())
        got = drain(messages)
        self.assertEqual(sorted(m.topic for m in got),
                         ["other/thing", "test/nosubscribe/deeper", "test/open"])
        self.assertEqual(self.broker.metric("fleetmq_acl_withheld_total"), withheld_before + 1)

    def test_overlapping_subscriptions_deliver_one_copy_with_every_identifier(self):
        watcher, messages = self.client("watcher")
        sender, _ = self.client("sender")
        self.assertEqual(subscribe(watcher, "a/#", qos=0, subscription_id=1), 0)
        self.assertEqual(subscribe(watcher, "a/b", qos=1, subscription_id=2), 1)
        self.assertEqual(subscribe(watcher, "+/b", qos=0), 0)

        self.publish(sender, "a/b", b"both", qos=1)
        got = drain(messages)
        self.assertEqual(len(got), 1, [m.topic for m in got])
        self.assertEqual((got[0].payload, got[0].qos), (b"both", 1))  # the highest granted QoS
        self.assertEqual(sorted(got[0].properties.SubscriptionIdentifier), [1, 2])

        self.publish(sender, "a/c", b"one", qos=1)
        got = drain(messages)
        self.assertEqual(len(got), 1)
        self.assertEqual((got[0].payload, got[0].qos), (b"one", 0))
        self.assertEqual(got[0].properties.SubscriptionIdentifier, [1])


if __name__ == "__main__":
    unittest.main()

"""A subscriber that stops reading while one device floods its subscription with QoS 0
messages: how much the broker's resident memory grows. Shared by test_memory.py (a loose bound)
and bench/slow-subscriber.sh (the figure).

  usage: FLEETMQ_BINARY=... FLEETMQ_TEST_PKI=... /usr/bin/python3 slow_subscriber.py [MB] [SIZE]
"""
import json
import sys
import time
import urllib.request

from broker_fixture import Broker, connect_v5, packet, read_packet, utf8


def memory_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def dropped_queue_full(broker):
    page = urllib.request.urlopen(f"http://127.0.0.1:{broker.admin_port}/metrics",
                                  timeout=10).read().decode()
    for line in page.splitlines():
        if line.startswith('fleetmq_dropped_messages_total{reason="queue_full"} '):
            return int(float(line.split()[1]))
    raise AssertionError("no queue_full drops on the page")


def flood(broker, megabytes=300, size=1024, subscribers=("dispatcher/slow", "dispatcher/slow2")):
    """Floods `megabytes` of QoS 0 PUBLISH (payloads of `size`) from device a-0001 to
    controller subscriptions that never read (one per client id: ids that hash to both shards),
    with 4 KiB socket buffers so that the kernel holds almost nothing for them. Returns the
    broker's RSS before, its peak (VmHWM) and after, in MiB, and the messages dropped."""
    pid = broker.process.pid
    stalled = []
    for client_id in subscribers:
        sub = broker.raw_tls("controller", receive_buffer=4096)
        sub.sendall(connect_v5(client_id))
        read_packet(sub)
        sub.sendall(packet(0x82, b"\x00\x01\x00" + utf8("device/+/responses") + b"\x00"))
        read_packet(sub)
        stalled.append(sub)
    device = broker.raw_tls("a-0001")
    device.sendall(connect_v5("a-0001"))
    read_packet(device)
    with open(f"/proc/{pid}/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM to the current RSS
    before = memory_kib(pid, "VmRSS")
    message = packet(0x30, utf8("device/a-0001/responses") + b"\x00" + b"x" * size)
    batch = message * max(1, 65536 // len(message))
    sent = 0
    started = time.monotonic()
    while sent < megabytes * 1024 * 1024:
        device.sendall(batch)
        sent += len(batch)
    # A PINGREQ answered means every PUBLISH before it was handled.
    device.sendall(b"\xc0\x00")
    device.settimeout(300)  # a sanitizer build is slow
    while read_packet(device)[0] != 0xD0:
        pass
    seconds = time.monotonic() - started
    peak = memory_kib(pid, "VmHWM")
    time.sleep(1)
    after = memory_kib(pid, "VmRSS")
    result = {"sent_mib": round(sent / 1048576), "message_bytes": len(message),
              "seconds": round(seconds, 2), "rss_before_mib": round(before / 1024, 1),
              "rss_peak_mib": round(peak / 1024, 1), "rss_after_mib": round(after / 1024, 1),
              "growth_mib": round((peak - before) / 1024, 1),
              "dropped_queue_full": dropped_queue_full(broker)}
    for sock in stalled + [device]:
        sock.close()
    return result


if __name__ == "__main__":
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    broker = Broker()
    try:
        print(json.dumps(flood(broker, megabytes, size)))
    finally:
        broker.stop()

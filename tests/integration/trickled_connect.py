"""How long after its TCP connect the broker closes a device that finishes its TLS handshake and
then trickles its CONNECT a byte at a time: the absolute CONNECT deadline (handshake_timeout_ms,
from accept), whatever the pace. Used by bench/trickled-connect.sh for the figure;
test_bad_input.py asserts the deadline.

  usage: FLEETMQ_BINARY=... FLEETMQ_TEST_PKI=... /usr/bin/python3 trickled_connect.py [MS] [GAP_S]
"""
import socket
import sys
import time

from broker_fixture import Broker, connect_v5


def trickle(broker, gap):
    """Returns (handshake seconds, seconds from connect to close or None, bytes sent)."""
    start = time.time()
    sock = broker.raw_tls("a-0001")
    handshake = time.time() - start
    sent = 0
    try:
        for byte in connect_v5("a-0001"):
            sock.settimeout(gap)
            try:
                if sock.recv(4096) == b"":
                    return handshake, time.time() - start, sent
            except socket.timeout:
                sock.sendall(bytes([byte]))
                sent += 1
            except OSError:
                return handshake, time.time() - start, sent
        return handshake, None, sent
    finally:
        sock.close()


def main():
    timeout_ms = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    gap = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    broker = Broker(listener_config=f"handshake_timeout_ms = {timeout_ms}")
    try:
        for _ in range(3):
            handshake, closed, sent = trickle(broker, gap)
            if closed is None:
                print(f"NOT CLOSED: the whole CONNECT went through at 1 byte per {gap} s")
                sys.exit(1)
            print(f"handshake_timeout_ms {timeout_ms}, 1 byte per {gap} s: handshake "
                  f"{handshake * 1000:.0f} ms, closed {closed * 1000:.0f} ms after connect "
                  f"({closed * 1000 - timeout_ms:+.0f} ms), after {sent} bytes of CONNECT")
        print(f"fleetmq_connect_timeouts_total {broker.metric('fleetmq_connect_timeouts_total'):.0f}")
    finally:
        broker.stop()


if __name__ == "__main__":
    main()

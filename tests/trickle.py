#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A trickling client (slowloris), bounded in time, for tests/trickle.bats.

trickle.py PORT COUNT SECONDS READY: opens COUNT connections to
127.0.0.1:PORT (for at most 10 s), each sending a request line and a Host
header; writes "opened N" to the file READY; then sends one more header line
on each every second, never finishing, for SECONDS; prints "alive N" (the
connections the server had not closed) and exits."""
import os
import resource
import socket
import sys
import time

port, count, seconds, ready = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, count + 256), hard), hard))
except (ValueError, OSError):
    pass
socks = []
t0 = time.time()
while len(socks) < count and time.time() - t0 < 10:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
        s.setblocking(False)
        s.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        socks.append(s)
    except OSError:
        pass
with open(ready + ".tmp", "w") as f:
    f.write("opened %d\n" % len(socks))
os.rename(ready + ".tmp", ready)
end = time.time() + seconds
k = 0
while time.time() < end:
    time.sleep(1)
    k += 1
    live = []
    for s in socks:
        try:
            s.send(b"X-Trickle-%d: x\r\n" % k)
            live.append(s)
        except BlockingIOError:
            live.append(s)
        except OSError:
            s.close()
    socks = live
print("alive %d" % len(socks), flush=True)

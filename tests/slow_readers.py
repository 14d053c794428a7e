#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Clients that ask for a large answer and do not read it: N connections
each send one signed request (SigV4 by botocore) and read nothing for HOLD
seconds; then devpayd's resident memory is printed ("rss KB"), and only
then each answer's status line is read ("STATUS COUNT" lines).

usage: slow_readers.py URL PID N HOLD Name=Value...   (keys: AWS_ACCESS_KEY/AWS_SECRET_KEY)
"""
import os
import socket
import sys
import time
import urllib.parse
from collections import Counter

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    url, pid, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    body = urllib.parse.urlencode([tuple(p.split("=", 1)) for p in sys.argv[5:]]).encode()
    creds = Credentials(os.environ["AWS_ACCESS_KEY"], os.environ["AWS_SECRET_KEY"])
    u = urllib.parse.urlsplit(url)
    socks = []
    for _ in range(n):
        req = AWSRequest(method="POST", url=url, data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(creds, "ec2", "us-east-1").add_auth(req)
        head = "".join(f"{k}: {v}\r\n" for k, v in req.headers.items())
        s = socket.create_connection((u.hostname, u.port), timeout=30)
        # a small receive buffer: the kernel takes little of the answer
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall((f"POST / HTTP/1.1\r\nHost: {u.netloc}\r\nContent-Length: {len(body)}\r\n{head}\r\n").encode() + body)
        socks.append(s)
    time.sleep(hold)
    print("rss", rss_kb(pid), flush=True)
    counts = Counter()
    for s in socks:
        try:
            line = s.recv(64).split(b"\r\n", 1)[0].decode(errors="replace")
            counts[line.split(" ")[1] if line.startswith("HTTP/") else "closed"] += 1
        except OSError:
            counts["closed"] += 1
        s.close()
    for k, v in sorted(counts.items()):
        print(k, v)


if __name__ == "__main__":
    main()

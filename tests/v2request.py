#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A Signature Version 2 request to a devpayd, with raw parameter bytes.

usage: v2request.py PORT KEY SECRET [--expires WHEN | --expires-in SECONDS]
                    [--conns N --signal PID] NAME=VALUE...

Values may hold any bytes (bash $'...'); they are percent-encoded as sent.
Prints the HTTP status, then the body. Without --expires*, a Timestamp of now.
With --conns N and --signal PID: N connections each send the first half of
the request, devpayd gets SIGTERM, then each sends the rest; prints each
status on its own line (the requests were accepted before the signal).
"""
import base64, datetime, hashlib, hmac, os, signal, socket, sys, urllib.parse

args = [os.fsencode(a) for a in sys.argv[1:]]
port, key, secret = args[0].decode(), args[1], args[2]
rest = args[3:]
params = [(b"SignatureVersion", b"2"), (b"SignatureMethod", b"HmacSHA256"), (b"AWSAccessKeyId", key),
          (b"Version", b"2016-11-15")]
now = datetime.datetime.now(datetime.timezone.utc)
fmt = "%Y-%m-%dT%H:%M:%SZ"
when = None
conns, pid = 0, 0
i = 0
while i < len(rest):
    a = rest[i]
    if a == b"--expires":
        when = (b"Expires", rest[i + 1]); i += 2
    elif a == b"--expires-in":
        t = now + datetime.timedelta(seconds=int(rest[i + 1]))
        when = (b"Expires", t.strftime(fmt).encode()); i += 2
    elif a == b"--conns":
        conns = int(rest[i + 1]); i += 2
    elif a == b"--signal":
        pid = int(rest[i + 1]); i += 2
    else:
        n, _, v = a.partition(b"=")
        params.append((n, v)); i += 1
params.append(when or (b"Timestamp", now.strftime(fmt).encode()))
q = lambda b: urllib.parse.quote_from_bytes(b, safe=b"-_.~")
canon = "&".join(q(n) + "=" + q(v) for n, v in sorted(params))
host = f"127.0.0.1:{port}"
sts = f"POST\n{host}\n/\n{canon}"
sig = base64.b64encode(hmac.new(secret, sts.encode(), hashlib.sha256).digest())
body = (canon + "&Signature=" + q(sig)).encode()
req = (f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
       f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def answer(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    status = head.split(b" ")[1].decode() if head else "reset"
    return status, payload


if conns:
    socks = []
    for _ in range(conns):
        s = socket.create_connection(("127.0.0.1", int(port)))
        s.sendall(req[: len(req) // 2])
        socks.append(s)
    os.kill(pid, signal.SIGTERM)
    for s in socks:
        try:
            s.sendall(req[len(req) // 2:])
            print(answer(s)[0])
        except OSError as e:
            print("error", e)
    sys.exit(0)
s = socket.create_connection(("127.0.0.1", int(port)))
s.sendall(req)
status, payload = answer(s)
print(status)
sys.stdout.flush()
sys.stdout.buffer.write(payload + b"\n")

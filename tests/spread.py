#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""N connections opened together to a devpayd of N workers are served by
all of them: a request on each of the others is answered while the first
one's waits.

usage: spread.py PORT STORE KEY SECRET N
Opens N connections (no request yet), holds the SQLite store's write lock
(BEGIN IMMEDIATE), sends CreateKeyPair on the first (it waits for the lock)
and DescribeKeyPairs on each of the others, which must be answered within
10 s, while the first is still waiting (devpayd waits 30 s for a lock).
Then the lock is let go and the first must be answered 200. Exit 0, or 1
with why."""
import http.client
import select
import sqlite3
import sys
import time
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def send(conn, url, creds, params):
    body = urllib.parse.urlencode(params).encode()
    req = AWSRequest(method="POST", url=url, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(creds, "ec2", "us-east-1").add_auth(req)
    conn.request("POST", "/", body=body, headers=dict(req.headers))


def main():
    port, store, key, secret, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    url = f"http://127.0.0.1:{port}/"
    creds = Credentials(key, secret)
    first = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
    others = [http.client.HTTPConnection("127.0.0.1", int(port), timeout=10) for _ in range(n - 1)]
    for c in [first] + others:
        c.connect()
    time.sleep(0.3)  # all taken in by the server before any request
    lock = sqlite3.connect(store, isolation_level=None, timeout=10)
    lock.execute("BEGIN IMMEDIATE")
    send(first, url, creds, [("Action", "CreateKeyPair"), ("Version", "2016-11-15"),
                             ("KeyName", "spread-first")])
    time.sleep(0.5)  # the first request waits for the lock now
    for i, c in enumerate(others, 2):
        send(c, url, creds, [("Action", "DescribeKeyPairs"), ("Version", "2016-11-15")])
        try:
            r = c.getresponse()
            r.read()
        except OSError as e:
            print(f"connection {i}'s request was not answered while the first waited: {e}")
            return 1
        if r.status != 200:
            print(f"connection {i}'s request answered {r.status}")
            return 1
    ready, _, _ = select.select([first.sock], [], [], 0)
    if ready:
        print("the first request was answered while the store's write lock was held")
        return 1
    lock.execute("ROLLBACK")
    r = first.getresponse()
    r.read()
    if r.status != 200:
        print(f"the first request answered {r.status} after the lock was let go")
        return 1
    print(f"the other {n - 1} connections answered while the first waited")
    return 0


if __name__ == "__main__":
    sys.exit(main())

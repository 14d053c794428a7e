#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""N connections opened together to a devpayd of N workers on PostgreSQL
are served by all of them: a request on each of the others is answered
while the first one's waits for the database.

usage: spread.py PORT DATABASE_URI KEY SECRET N
Opens N connections (no request yet), has psql hold LOCK TABLE key_pairs
IN SHARE MODE (writes to the key pairs wait, reads do not), sends
CreateKeyPair on the first (it waits for the lock) and DescribeKeyPairs on
each of the others, which must be answered within 10 s, while the first
is still waiting.
Then the lock is let go and the first must be answered 200. Exit 0, or 1
with why."""
import http.client
import select
import subprocess
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


class Lock:
    """The lock that stops the first request, held until release()."""

    def __init__(self, uri):
        self.psql = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", uri], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.psql.stdin.write("BEGIN; LOCK TABLE key_pairs IN SHARE MODE; SELECT 'locked';\n")
        self.psql.stdin.flush()
        if self.psql.stdout.readline().strip() != "locked":
            raise SystemExit("psql could not lock key_pairs")

    def release(self):
        self.psql.stdin.write("ROLLBACK;\n")
        self.psql.stdin.close()
        self.psql.wait()


def main():
    port, uri, key, secret, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    url = f"http://127.0.0.1:{port}/"
    creds = Credentials(key, secret)
    first = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
    others = [http.client.HTTPConnection("127.0.0.1", int(port), timeout=10) for _ in range(n - 1)]
    for c in [first] + others:
        c.connect()
    time.sleep(0.3)  # all taken in by the server before any request
    lock = Lock(uri)
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
        print("the first request was answered while the lock was held")
        return 1
    lock.release()
    r = first.getresponse()
    r.read()
    if r.status != 200:
        print(f"the first request answered {r.status} after the lock was let go")
        return 1
    print(f"the other {n - 1} connections answered while the first waited")
    return 0


if __name__ == "__main__":
    sys.exit(main())

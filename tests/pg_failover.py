#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write load through a failover, as a raw API client sends it: THREADS
processes, each on one keep-alive connection to the devpayd at URL, send
signed RunInstances (SigV4 by botocore) of AMI one after another, no retry
of their own, each with a TIMEOUT-second client timeout, until the file
STOP exists. Each answer is one line of OUT: "STATUS TIME IDS", TIME the
moment the answer came (seconds since the epoch), IDS the instances a 200
acknowledged (comma-separated; "-" for none), then an error's code and
message; a request that got no answer
(refused, dropped, timed out) is "error TIME WHY".

usage: pg_failover.py THREADS TIMEOUT AMI URL STOP OUT
       (keys: AWS_ACCESS_KEY/AWS_SECRET_KEY)
"""
import http.client
import multiprocessing
import os
import re
import sys
import time
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    threads, timeout, ami, url, stop, out = (int(sys.argv[1]), float(sys.argv[2]), *sys.argv[3:7])
    creds = Credentials(os.environ["AWS_ACCESS_KEY"], os.environ["AWS_SECRET_KEY"])
    body = urllib.parse.urlencode([("Action", "RunInstances"), ("Version", "2016-11-15"),
                                   ("ImageId", ami), ("InstanceType", "m1.small"),
                                   ("MinCount", "1"), ("MaxCount", "1")]).encode()
    u = urllib.parse.urlsplit(url)

    global writer

    def writer(i):
        lines = []
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        while not os.path.exists(stop):
            req = AWSRequest(method="POST", url=url, data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
            SigV4Auth(creds, "ec2", "us-east-1").add_auth(req)
            try:
                conn.request("POST", u.path or "/", body=body, headers=dict(req.headers))
                r = conn.getresponse()
                text = r.read().decode()
                ids = re.findall(r"<instanceId>([^<]*)</instanceId>", text) if r.status == 200 else []
                why = re.search(r"<Code>([^<]*)</Code>.*?<Message>([^<]*)</Message>", text, re.S)
                lines.append(f"{r.status} {time.time():.3f} {','.join(ids) or '-'}"
                             f"{' ' + why.group(1) + ' ' + why.group(2) if why else ''}")
                if r.status == 503:
                    time.sleep(0.05)  # as a client backs off a 503
            except Exception as e:
                lines.append(f"error {time.time():.3f} {e!r}".replace("\n", " "))
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
                time.sleep(0.05)
        return lines

    with multiprocessing.get_context("fork").Pool(threads) as pool:
        results = pool.map(writer, range(threads))
    with open(out, "w") as f:
        for lines in results:
            for line in lines:
                print(line, file=f)


if __name__ == "__main__":
    main()

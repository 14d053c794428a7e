#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Contended launches with no retry of its own, as a raw API client sends
them: THREADS processes, each on one keep-alive connection, send N signed
RunInstances (SigV4 by botocore) of the same AMI for the same account to
the devpayd URLs given (thread i uses URL i mod their number), and count the
answers by HTTP status. Prints "STATUS COUNT" lines and the instances
acknowledged ("launched COUNT").

usage: pg_contend.py THREADS N AMI URL...   (keys: AWS_ACCESS_KEY/AWS_SECRET_KEY)
"""
import http.client
import os
import re
import sys
import multiprocessing
import urllib.parse
from collections import Counter

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    threads, n, ami, urls = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    creds = Credentials(os.environ["AWS_ACCESS_KEY"], os.environ["AWS_SECRET_KEY"])
    body = urllib.parse.urlencode([("Action", "RunInstances"), ("Version", "2016-11-15"),
                                   ("ImageId", ami), ("InstanceType", "m1.small"),
                                   ("MinCount", "1"), ("MaxCount", "1")]).encode()

    global writer

    def writer(i):
        url = urls[i % len(urls)]
        u = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        mine, got = Counter(), 0
        for _ in range(n):
            req = AWSRequest(method="POST", url=url, data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
            SigV4Auth(creds, "ec2", "us-east-1").add_auth(req)
            try:
                conn.request("POST", u.path or "/", body=body, headers=dict(req.headers))
                r = conn.getresponse()
                text = r.read().decode()
                mine[r.status] += 1
                if r.status == 200:
                    got += len(re.findall(r"<instanceId>", text))
                elif r.status >= 500:
                    mine[f"{r.status} {text[:200]}"] += 0
            except Exception as e:  # a dropped connection counts as an error
                mine[f"error {e!r}"] += 1
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        return mine, got

    # fork: each writer its own process, so that they really run at once
    with multiprocessing.get_context("fork").Pool(threads) as pool:
        results = pool.map(writer, range(threads))
    counts, launched = Counter(), 0
    for mine, got in results:
        counts.update(mine)
        launched += got
    for k, v in sorted(counts.items(), key=str):
        if v:
            print(k, v)
    print("launched", launched)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Signed load for bench/soak.sh: RATE SigV4-signed requests a second for
SECONDS, over keep-alive connections from THREADS threads, reads and writes
mixed (per 10 requests: 4 DescribeImages, 3 DescribeInstances of one
instance, 1 DescribeProducts, 1 RunInstances, 1 TerminateInstances).
Every 10 s it prints: elapsed, requests, errors, achieved rate, and the
server's resident memory (KiB) and open descriptors, read from /proc/PID.

usage: soak_load.py URL KEY SECRET AMI PID SECONDS RATE THREADS
Exit status 1 when any request failed (a non-2xx answer or a broken
connection)."""
import hashlib
import hmac
import http.client
import os
import sys
import threading
import time
import urllib.parse

url, key, secret, ami, pid = sys.argv[1:6]
seconds, rate, nthreads = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
u = urllib.parse.urlsplit(url)
host = u.netloc
lock = threading.Lock()
stats = {"req": 0, "err": 0, "first_err": ""}
stop = time.time() + seconds


def sign(k, msg):
    return hmac.new(k, msg.encode(), hashlib.sha256).digest()


def signed(body):
    t = time.gmtime()
    amz = time.strftime("%Y%m%dT%H%M%SZ", t)
    day = amz[:8]
    ct = "application/x-www-form-urlencoded; charset=utf-8"
    canon = f"content-type:{ct}\nhost:{host}\nx-amz-date:{amz}\n"
    sh = "content-type;host;x-amz-date"
    creq = f"POST\n/\n\n{canon}\n{sh}\n{hashlib.sha256(body.encode()).hexdigest()}"
    scope = f"{day}/us-east-1/ec2/aws4_request"
    sts = f"AWS4-HMAC-SHA256\n{amz}\n{scope}\n{hashlib.sha256(creq.encode()).hexdigest()}"
    k = sign(sign(sign(sign(("AWS4" + secret).encode(), day), "us-east-1"), "ec2"), "aws4_request")
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": ct, "Host": host, "X-Amz-Date": amz,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={sh}, Signature={sig}"}


def worker(n):
    conn = None
    per = rate / nthreads
    k = 0
    last_inst = "i-00000000"
    t0 = time.time()
    while time.time() < stop:
        k += 1
        due = t0 + k / per
        now = time.time()
        if due > now:
            time.sleep(due - now)
        op = k % 10
        if op < 4:
            body = "Action=DescribeImages&Version=2016-11-15"
        elif op < 7:
            body = f"Action=DescribeInstances&Version=2016-11-15&InstanceId.1={last_inst}"
        elif op == 7:
            body = "Action=DescribeProducts&Version=2012-01-01"
        elif op == 8:
            body = (f"Action=RunInstances&Version=2016-11-15&ImageId={ami}&MinCount=1&MaxCount=1"
                    f"&ClientToken=soak-{os.getpid()}-{n}-{k}")
        else:
            body = f"Action=TerminateInstances&Version=2016-11-15&InstanceId.1={last_inst}"
        ok = False
        why = ""
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            conn.request("POST", "/", body=body, headers=signed(body))
            r = conn.getresponse()
            data = r.read()
            ok = 200 <= r.status < 300
            # DescribeInstances of an instance terminated long ago is fine;
            # the first ones, before any launch, ask for i-00000000
            if not ok and b"InvalidInstanceID" in data and last_inst == "i-00000000":
                ok = True
            why = f"{r.status} {data[:200]!r}"
            if op == 8 and ok:
                i = data.find(b"<instanceId>")
                if i >= 0:
                    last_inst = data[i + 12:data.find(b"<", i + 12)].decode()
        except Exception as e:  # a broken connection counts as an error
            why = repr(e)
            conn = None
        with lock:
            stats["req"] += 1
            if not ok:
                stats["err"] += 1
                stats["first_err"] = stats["first_err"] or f"{body}: {why}"


def proc(pid):
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(nthreads)]
start = time.time()
for t in threads:
    t.start()
print("elapsed_s requests errors rate_per_s rss_kib fds", flush=True)
samples = []
while any(t.is_alive() for t in threads):
    time.sleep(10 if time.time() + 10 < stop else max(0.5, stop - time.time()))
    with lock:
        r, e = stats["req"], stats["err"]
    el = time.time() - start
    rss, fds = proc(pid)
    samples.append((rss, fds))
    print(f"{el:.0f} {r} {e} {r / el:.0f} {rss} {fds}", flush=True)
for t in threads:
    t.join()
el = time.time() - start
print(f"total: {stats['req']} requests in {el:.0f} s ({stats['req'] / el:.0f}/s), {stats['err']} errors; "
      f"rss first/last/max {samples[0][0]}/{samples[-1][0]}/{max(s[0] for s in samples)} KiB; "
      f"fds first/last/max {samples[0][1]}/{samples[-1][1]}/{max(s[1] for s in samples)}")
if stats["first_err"]:
    print("first error:", stats["first_err"])
sys.exit(1 if stats["err"] else 0)

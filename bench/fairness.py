#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One account's largest accepted requests against another's latency.

usage: fairness.py PORT HEAVY_KEY HEAVY_SECRET LIGHT_KEY LIGHT_SECRET [SAMPLES]
Prints the light account's DescribeImages latency (median, 95th percentile,
in ms) alone, then while 4 threads of the heavy account send
DescribeReservedInstancesOfferings with 993 ReservedInstancesOfferingId.N
(the largest request accepted: 1000 parameters with the 6 of SigV2 and Action) back to back.
"""
import base64, datetime, hashlib, hmac, http.client, statistics, sys, threading, time, urllib.parse

port = int(sys.argv[1])
heavy, light = (sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[5])
samples = int(sys.argv[6]) if len(sys.argv) > 6 else 200
q = lambda s: urllib.parse.quote(s, safe="-_.~")


def body(cred, params):
    p = dict(params, SignatureVersion="2", SignatureMethod="HmacSHA256", AWSAccessKeyId=cred[0],
             Version="2016-11-15",
             Timestamp=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    canon = "&".join(q(k) + "=" + q(v) for k, v in sorted(p.items()))
    sts = f"POST\n127.0.0.1:{port}\n/\n{canon}"
    sig = base64.b64encode(hmac.new(cred[1].encode(), sts.encode(), hashlib.sha256).digest()).decode()
    return canon + "&Signature=" + q(sig)


def call(cred, params, signed=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    c.request("POST", "/", signed or body(cred, params), {"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def measure(n):
    t = []
    for _ in range(n):
        s = time.perf_counter()
        assert call(light, {"Action": "DescribeImages"}) == 200
        t.append((time.perf_counter() - s) * 1000)
    t.sort()
    return statistics.median(t), t[int(len(t) * 0.95) - 1]


big = {"Action": "DescribeReservedInstancesOfferings"}
for i in range(1, 994):
    big[f"ReservedInstancesOfferingId.{i}"] = f"{i:08x}-0000-0000-0000-000000000000"
s = time.perf_counter()
assert call(heavy, big) == 200, "the largest request is accepted"
one_big = (time.perf_counter() - s) * 1000
over = dict(big, **{"ReservedInstancesOfferingId.994": "x"})
assert call(heavy, over) == 400, "one parameter more is refused"

alone = measure(samples)
stop = False
sent = [0]


big_signed = body(heavy, big)  # signed once (valid 15 minutes): the client's CPU stays out of it


def flood():
    while not stop:
        call(heavy, big, big_signed)
        sent[0] += 1


threads = [threading.Thread(target=flood) for _ in range(4)]
for th in threads:
    th.start()
time.sleep(0.5)
loaded = measure(samples)
stop = True
for th in threads:
    th.join()
print(f"one largest request (993 ids) alone: {one_big:.1f} ms")
print(f"light DescribeImages alone:        median {alone[0]:.2f} ms, p95 {alone[1]:.2f} ms")
print(f"light DescribeImages under flood:  median {loaded[0]:.2f} ms, p95 {loaded[1]:.2f} ms"
      f"  ({sent[0]} heavy requests meanwhile)")
print(f"slowdown factor: median x{loaded[0] / alone[0]:.1f}, p95 x{loaded[1] / alone[1]:.1f}")

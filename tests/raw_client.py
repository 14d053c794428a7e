#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A raw signed Query request, for the tests of devpayd under abuse: signs
with SigV4 (or SigV2) as a client would, then lets the test break one thing
on purpose (the body sent, the Host header, the credential scope, the signing
time). Prints the HTTP status on the first line, then the body.

usage: raw_client.py URL KEY SECRET PARAMS [--get] [--v2] [--region R]
       [--service S] [--host H] [--skew SECONDS] [--send BODY] [--send-host H]
       [--header NAME:VALUE]...
--header adds a header (signed, with SigV4); --host signs for (and sends) another Host; --send-host sends another Host
than the one signed; --send another body than the one signed.
PARAMS is a form-encoded string (Action=DescribeImages&Version=2016-11-15).
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import sys
import time
import urllib.parse


def enc(s):
    return urllib.parse.quote(s, safe="-_.~")


def canonical_query(params):
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params))


def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("key")
    ap.add_argument("secret")
    ap.add_argument("params")
    ap.add_argument("--get", action="store_true")
    ap.add_argument("--v2", action="store_true")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--service", default="ec2")
    ap.add_argument("--host")
    ap.add_argument("--skew", type=int, default=0)
    ap.add_argument("--send")
    ap.add_argument("--send-host")
    ap.add_argument("--header", action="append", default=[])
    a = ap.parse_args()

    u = urllib.parse.urlsplit(a.url)
    host = a.host or u.netloc
    t = time.gmtime(time.time() + a.skew)
    params = urllib.parse.parse_qsl(a.params, keep_blank_values=True)
    method = "GET" if a.get else "POST"
    headers = {"Host": host}
    for h in a.header:
        n, _, v = h.partition(":")
        headers[n] = v.strip()
    if a.v2:
        params += [("AWSAccessKeyId", a.key), ("SignatureMethod", "HmacSHA256"),
                   ("SignatureVersion", "2"), ("Timestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", t))]
        sts = f"{method}\n{host.lower()}\n/\n{canonical_query(params)}"
        sig = base64.b64encode(sign(a.secret.encode(), sts)).decode()
        params.append(("Signature", sig))
        query = canonical_query(params)
        body = "" if a.get else query
        path = "/?" + query if a.get else "/"
        if not a.get:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    else:
        amz = time.strftime("%Y%m%dT%H%M%SZ", t)
        day = amz[:8]
        headers["X-Amz-Date"] = amz
        if a.get:
            query, body, path = canonical_query(params), "", "/?" + canonical_query(params)
        else:
            query, body, path = "", a.params, "/"
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        names = sorted(h.lower() for h in headers)
        canon_headers = "".join(f"{n}:{headers[[h for h in headers if h.lower() == n][0]].strip()}\n"
                                for n in names)
        signed = ";".join(names)
        creq = "\n".join([method, "/", query, canon_headers, signed,
                          hashlib.sha256(body.encode()).hexdigest()])
        scope = f"{day}/{a.region}/{a.service}/aws4_request"
        sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(creq.encode()).hexdigest()])
        k = sign(("AWS4" + a.secret).encode(), day)
        k = sign(sign(sign(k, a.region), a.service), "aws4_request")
        sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={a.key}/{scope}, "
                                    f"SignedHeaders={signed}, Signature={sig}")
    if a.send is not None:
        body = a.send
    if a.send_host is not None:
        headers["Host"] = a.send_host
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.putheader("Content-Length", str(len(body.encode())))
    conn.endheaders(body.encode() if body else None)
    r = conn.getresponse()
    print(r.status)
    print(r.read().decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())

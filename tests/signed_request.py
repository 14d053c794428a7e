#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Sends one EC2 Query request, signed with Signature Version 4 by botocore
(not by the suite), and reports the answer as the suite's clients do: the
XML on stdout and exit 0, or "Client.Code: Message" on stderr and exit 1.

usage: signed_request.py URL REGION Name=Value...
The key and secret come from AWS_ACCESS_KEY / AWS_SECRET_KEY. The
parameters are sent exactly as given, in the order given; DEVPAY_NOW, when
set, goes as the X-Devpay-Now header the suite's clients send."""
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    url, region, params = sys.argv[1], sys.argv[2], sys.argv[3:]
    pairs = [tuple(p.split("=", 1)) for p in params]
    body = urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    # the service's clock, as the suite's clients send it (devpayd trusts it
    # when started with --trust-client-clock, as the tests start it)
    if os.environ.get("DEVPAY_NOW"):
        headers["X-Devpay-Now"] = os.environ["DEVPAY_NOW"]
    req = AWSRequest(method="POST", url=url, data=body, headers=headers)
    creds = Credentials(os.environ["AWS_ACCESS_KEY"], os.environ["AWS_SECRET_KEY"])
    SigV4Auth(creds, "ec2", region).add_auth(req)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=dict(req.headers))) as r:
            sys.stdout.write(r.read().decode())
            return 0
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        try:
            err = ET.fromstring(text).find("Errors/Error")
            kind = "Service" if e.code >= 500 else "Client"
            sys.stderr.write(f"{kind}.{err.findtext('Code')}: {err.findtext('Message')}\n")
            if os.environ.get("SHOW_STATUS"):
                sys.stderr.write(f"HTTP {e.code}\n")
        except ET.ParseError:
            sys.stderr.write(f"HTTP {e.code}: {text}\n")
        return 1


sys.exit(main())

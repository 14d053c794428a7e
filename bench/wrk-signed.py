#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a wrk Lua script that replays one SigV4-signed EC2 Query request.
usage: wrk-signed.py URL KEY SECRET 'Action=DescribeInstances&Version=2016-11-15' [--count] > req.lua
The signature stays valid for the server's 15-minute window: keep runs short.
With --count the script also counts the 200 answers and prints
"acknowledged N" when wrk ends (the write benchmark's tally)."""
import sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

url, key, secret, body = sys.argv[1:5]
count = "--count" in sys.argv[5:]
req = AWSRequest(method="POST", url=url.rstrip("/") + "/", data=body.encode(),
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(Credentials(key, secret), "ec2", "us-east-1").add_auth(req)
print('wrk.method = "POST"')
print(f'wrk.body = "{body}"')
for k, v in req.headers.items():
    print(f'wrk.headers["{k}"] = "{v}"')
if count:
    print('''
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0 end
function response(status, headers, body) if status == 200 then ok = ok + 1 end end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("ok") end
  io.write(string.format("acknowledged %d\\n", n))
end''')

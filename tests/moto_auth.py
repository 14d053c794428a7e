#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Starts moto_server on a free loopback port with request signatures checked,
and prints 'PORT PID KEY SECRET AMI'. The first calls (unauthenticated, as
INITIAL_NO_AUTH_ACTION_COUNT allows) create an IAM user with every right and
an access key for it; every call after that must be signed with that key."""
import json, os, socket, subprocess, time
import boto3

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)],
                        env=dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="4"),
                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL, start_new_session=True)
url = f"http://127.0.0.1:{port}"
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        break
    except OSError:
        time.sleep(0.05)
kw = dict(endpoint_url=url, region_name="us-east-1")
iam = boto3.client("iam", aws_access_key_id="x", aws_secret_access_key="y", **kw)
iam.create_user(UserName="ci")
iam.put_user_policy(UserName="ci", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="ci")["AccessKey"]
ec2 = boto3.client("ec2", aws_access_key_id=key["AccessKeyId"],
                   aws_secret_access_key=key["SecretAccessKey"], **kw)
ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
print(port, proc.pid, key["AccessKeyId"], key["SecretAccessKey"], ami)

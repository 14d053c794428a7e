#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A scripted endpoint for the client's HTTP tests, on a free loopback port.
usage: fake_endpoint.py PORTFILE LOGFILE MODE...
Each MODE answers one request, in turn; the last one answers all the rest:
  ok           200 with an EC2 answer for the request's Action
  html         502 with an HTML page (a proxy's)
  html:STATUS  that status with an HTML page (a web server's 404 ...)
  body:FILE    200 with FILE's content as the answer
  STATUS:CODE  an EC2 error document with that status and code
  tls:CERT:KEY (first argument only) serve HTTPS with that certificate
Every request body is appended to LOGFILE, one line each."""
import http.server, socket, ssl, sys, urllib.parse

portfile, logfile, *modes = sys.argv[1:]
tls = None
if modes and modes[0].startswith("tls:"):
    tls = modes.pop(0).split(":")[1:]
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        with open(logfile, "a") as f:
            f.write(body + "\n")
        mode = modes[min(count, len(modes) - 1)]
        count += 1
        action = urllib.parse.parse_qs(body).get("Action", ["Unknown"])[0]
        if mode == "ok":
            status, ctype = 200, "text/xml"
            text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response '
                    f'xmlns="http://ec2.amazonaws.com/doc/2009-11-30/"><requestId>fake-1</requestId>'
                    f'<imagesSet/><reservationSet/></{action}Response>')
        elif mode.startswith("body:"):
            status, ctype = 200, "text/xml"
            with open(mode[5:]) as f:
                text = f.read()
        elif mode == "html" or mode.startswith("html:"):
            status, ctype = int(mode[5:] or 502), "text/html"
            text = f"<html><body><h1>{status} Not an EC2 endpoint</h1></body></html>"
        else:
            st, code = mode.split(":")
            status, ctype = int(st), "text/xml"
            text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}'
                    f'</Code><Message>scripted {code}</Message></Error></Errors>'
                    f'<RequestID>fake-err</RequestID></Response>')
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tls[0], tls[1])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()

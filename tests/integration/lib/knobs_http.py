#!/usr/bin/python3
"""knobs_http.py ADDR PORT DIR -- an HTTP server for the check-knob tests (311, 312).

GET /NAME answers with the status code in DIR/NAME.code (200 when the file
is missing) and, when DIR/NAME.ready exists, the header "X-Ready: <its
content>". Every request is logged as "unixtime CODE /NAME" on stdout.
"""
import http.server
import os
import sys
import time

ADDR, PORT, DIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def read(name):
    try:
        with open(os.path.join(DIR, name)) as f:
            return f.read().strip()
    except OSError:
        return None


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        name = self.path.strip("/") or "root"
        code = int(read(name + ".code") or 200)
        ready = read(name + ".ready")
        self.send_response(code)
        if ready is not None:
            self.send_header("X-Ready", ready)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")
        print("%.3f %d /%s" % (time.time(), code, name), flush=True)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer.allow_reuse_address = True
http.server.ThreadingHTTPServer((ADDR, PORT), H).serve_forever()

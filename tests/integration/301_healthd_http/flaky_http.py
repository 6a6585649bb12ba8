#!/usr/bin/python3
"""flaky_http.py ADDRESS PORT CODEFILE -- an HTTP server for the health tests.

Every GET answers with the status code written in CODEFILE (200 when the
file is missing), with body "ALIVE" for 2xx and "SICK" otherwise, so a test
flips the server by writing one file. Logs each request's code to stdout.
GET /chunked answers 200 with "ALIVE" split over two HTTP/1.1 chunks; GET
/big answers 200 with 2 MiB of filler before "ALIVE" and no length.
"""
import http.server
import socket
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path in ("/chunked", "/big"):
            return self.special()
        try:
            with open(sys.argv[3]) as f:
                code = int(f.read().strip() or 200)
        except FileNotFoundError:
            code = 200
        body = b"ALIVE\n" if 200 <= code < 300 else b"SICK\n"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        print(code, self.path, self.headers.get("Host"), flush=True)

    def special(self):
        if self.path == "/chunked":
            self.protocol_version = "HTTP/1.1"
        self.send_response(200)
        if self.path == "/chunked":
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            if self.path == "/chunked":
                self.wfile.write(b"3\r\nSTA\r\n4\r\nTEAL\r\n4\r\nIVE\n\r\n0\r\n\r\n")
            else:
                self.wfile.write(b"x" * (2 << 20) + b"ALIVE\n")
        except OSError:
            pass  # the checker stops reading after its first MiB
        self.close_connection = True
        print(200, self.path, self.headers.get("Host"), flush=True)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET


Server((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()

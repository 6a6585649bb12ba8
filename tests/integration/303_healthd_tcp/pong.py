#!/usr/bin/python3
"""pong.py PORT -- a bare TCP listener on 127.0.0.1: answers "+PONG\\r\\n" to
each "PING" line, and "-ERR\\r\\n" to anything else."""
import socketserver
import sys


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(b"+PONG\r\n" if line.strip() == b"PING" else b"-ERR\r\n")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()

#!/usr/bin/python3
"""notify_listen.py SOCKET OUT SECONDS -- play systemd's side of sd_notify(3).

Binds a Unix datagram socket at SOCKET (mode 0777, so a daemon that has
dropped privileges can still send), and appends each datagram it receives to
OUT as one line, the message's own newlines shown as " | ". Stops after
SECONDS (a bound, so a broken test cannot leave it running).
"""
import os
import socket
import sys
import time

path, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s.bind(path)
os.chmod(path, 0o777)
end = time.monotonic() + seconds
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            msg = s.recv(65536)
        except socket.timeout:
            break
        f.write(msg.decode("utf-8", "replace").strip("\n").replace("\n", " | ") + "\n")
os.unlink(path)

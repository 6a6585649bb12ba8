#!/usr/bin/python3
"""hdtool.py -- helpers for the steer-healthd integration tests (3NN_*).

  hdtool.py field TARGET FIELD < status.json        print one field of one target
  hdtool.py subscribe SOCKET OUTFILE                log every message, "unixtime json" a line
  hdtool.py transition FILE TARGET STATE AFTER      first change event of TARGET to STATE
                                                    after unix time AFTER: "ok fail time last"
  hdtool.py raw SOCKET LINE...                      send raw lines on one connection, print replies
  hdtool.py flood SOCKET N                          send N status requests, never read; print
                                                    "closed" once the daemon hangs up (10 s max)
"""
import json
import socket
import sys
import time


def field():
    doc = json.load(sys.stdin)
    for t in doc.get("targets", []):
        if t["name"] == sys.argv[2]:
            print(t.get(sys.argv[3], ""))
            return
    print("NO-SUCH-TARGET")


def subscribe():
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[2])
    s.sendall(b'{"v":1,"cmd":"subscribe"}\n')
    with open(sys.argv[3], "a", buffering=1) as out:
        for line in s.makefile("rb"):
            out.write("%.3f %s" % (time.time(), line.decode()))


def transition():
    target, state, after = sys.argv[3], sys.argv[4], float(sys.argv[5])
    with open(sys.argv[2]) as f:
        for line in f:
            ts, _, msg = line.partition(" ")
            m = json.loads(msg)
            t = m.get("target")
            if m.get("event") == "change" and float(ts) > after and t["name"] == target \
                    and t["state"] == state:
                print(t["ok_count"], t["fail_count"], ts, t["last"])
                return
    print("none")


def raw():
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[2])
    s.settimeout(3)
    f = s.makefile("rb")
    for line in sys.argv[3:]:
        s.sendall(line.encode() + b"\n")
        print(f.readline().decode().strip())


def flood():
    import select
    s = socket.socket(socket.AF_UNIX)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(sys.argv[2])
    s.settimeout(10)
    try:
        s.sendall(b'{"v":1,"cmd":"status"}\n' * int(sys.argv[3]))
    except (BrokenPipeError, ConnectionResetError):
        print("closed")
        return
    # Never read the replies; wait (bounded) for the daemon to hang up.
    p = select.poll()
    p.register(s, select.POLLHUP)
    deadline = time.time() + 10
    while time.time() < deadline:
        for _, ev in p.poll(100):
            if ev & (select.POLLHUP | select.POLLERR):
                print("closed")
                return
    print("still open")


{"flood": flood, "field": field, "subscribe": subscribe, "transition": transition, "raw": raw}[sys.argv[1]]()

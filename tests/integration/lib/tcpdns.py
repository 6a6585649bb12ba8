#!/usr/bin/python3
"""tcpdns.py -- DNS-over-TCP client behaviours that dig/kdig cannot script.

    tcpdns.py pipeline ADDR PORT N NAME TYPE   N framed queries in one write, read N answers
    tcpdns.py split ADDR PORT NAME TYPE        one query written a byte at a time
    tcpdns.py idle ADDR PORT MAXWAIT           seconds until the server closes an idle connection
    tcpdns.py active ADDR PORT INTERVAL COUNT  a query every INTERVAL s on one connection
    tcpdns.py cap ADDR PORT CAP                the connection cap: CAP open connections, one more closes the longest-idle
Prints one line of key=value results; exits 0 (the shell test judges them).
Standard library only. Every wait has a timeout.
"""
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28}


def query(qid, name, qtype="A"):
    msg = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        msg += bytes([len(label)]) + label.encode()
    msg += b"\0" + struct.pack("!HH", TYPES.get(qtype, 1), 1)
    return struct.pack("!H", len(msg)) + msg


def connect(addr, port, timeout=3.0):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((addr, port))
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf


def read_answer(s):
    (ln,) = struct.unpack("!H", recv_exact(s, 2))
    msg = recv_exact(s, ln)
    qid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    return qid, flags & 0xF, an


def pipeline(addr, port, n, name, qtype):
    s = connect(addr, port)
    s.sendall(b"".join(query(i + 1, name, qtype) for i in range(n)))
    ids, rcodes, answered = [], set(), 0
    try:
        for _ in range(n):
            qid, rcode, an = read_answer(s)
            ids.append(qid)
            rcodes.add(rcode)
            answered += 1 if an > 0 else 0
    except (EOFError, socket.timeout) as e:
        print("error=%s" % type(e).__name__, end=" ")
    in_order = int(ids == list(range(1, n + 1)))
    print("answers=%d in_order=%d with_records=%d rcodes=%s" %
          (len(ids), in_order, answered, ",".join(map(str, sorted(rcodes)))))


def split(addr, port, name, qtype):
    s = connect(addr, port)
    for b in query(7, name, qtype):
        s.send(bytes([b]))
        time.sleep(0.005)
    qid, rcode, an = read_answer(s)
    print("id=%d rcode=%d an=%d" % (qid, rcode, an))


def idle(addr, port, maxwait):
    s = connect(addr, port, timeout=maxwait)
    start = time.monotonic()
    try:
        data = s.recv(1)
        what = "closed" if not data else "data"
    except socket.timeout:
        what = "open"
    except ConnectionResetError:
        what = "closed"
    print("state=%s after=%.1f" % (what, time.monotonic() - start))


def active(addr, port, interval, count):
    s = connect(addr, port)
    ok = 0
    try:
        for i in range(count):
            s.sendall(query(i + 1, "example.com", "SOA"))
            qid, rcode, an = read_answer(s)
            ok += qid == i + 1
            time.sleep(interval)
    except (EOFError, socket.timeout, ConnectionResetError):
        pass
    print("answered=%d of=%d" % (ok, count))


def cap(addr, port, limit):
    held = []
    for i in range(limit):
        s = connect(addr, port)
        s.sendall(query(100 + i, "example.com", "SOA"))
        read_answer(s)
        held.append(s)
        time.sleep(0.05)  # so the first is the longest idle
    extra = connect(addr, port, timeout=2.0)
    extra.sendall(query(999, "example.com", "SOA"))
    try:
        qid, rcode, an = read_answer(extra)
        over = "answered" if qid == 999 else "wrong-id"
    except socket.timeout:
        over = "waiting"
    except (EOFError, ConnectionResetError):
        over = "closed"
    # the longest-idle connection was closed to make room
    held[0].settimeout(2.0)
    try:
        oldest = "closed" if not held[0].recv(1) else "data"
    except socket.timeout:
        oldest = "open"
    except ConnectionResetError:
        oldest = "closed"
    # the others keep working
    held[1].sendall(query(5, "example.com", "SOA"))
    still = "answered" if read_answer(held[1])[0] == 5 else "wrong"
    print("over_cap=%s oldest=%s held=%s" % (over, oldest, still))


def main(argv):
    mode, addr, port = argv[1], argv[2], int(argv[3])
    if mode == "pipeline":
        pipeline(addr, port, int(argv[4]), argv[5], argv[6])
    elif mode == "split":
        split(addr, port, argv[4], argv[5])
    elif mode == "idle":
        idle(addr, port, float(argv[4]))
    elif mode == "active":
        active(addr, port, float(argv[4]), int(argv[5]))
    elif mode == "cap":
        cap(addr, port, int(argv[4]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv)

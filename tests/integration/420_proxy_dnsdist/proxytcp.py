#!/usr/bin/python3
"""proxytcp.py -- a PROXY v2 header on a TCP connection, the way a proxy may
send it: written in pieces, with TLVs after the addresses, and followed in
the same write by pipelined queries.

    proxytcp.py ADDR PORT CLIENT TLVBYTES CHUNK N

Connects to ADDR:PORT, sends the header for CLIENT (an IPv4 or IPv6
address) with a TLV of TLVBYTES bytes (PP2_TYPE_NOOP), CHUNK bytes per
write with 50 ms between writes, the last chunk carrying N queries for
app.example.test A; reads N answers. Prints the A addresses in order,
"closed" when the server closed first. Standard library only; every wait has
a timeout.
"""
import socket
import struct
import sys
import time

SIG = b"\r\n\r\n\0\r\nQUIT\n"


def header(client, tlv):
    if ":" in client:
        fam, addrs = 0x21, socket.inet_pton(socket.AF_INET6, client) + socket.inet_pton(socket.AF_INET6, "::1")
    else:
        fam, addrs = 0x11, socket.inet_pton(socket.AF_INET, client) + socket.inet_pton(socket.AF_INET, "127.0.0.1")
    body = addrs + struct.pack("!HH", 40000, 53)
    if tlv:
        body += struct.pack("!BH", 0x04, tlv - 3) + b"\0" * (tlv - 3)
    return SIG + bytes([0x21, fam]) + struct.pack("!H", len(body)) + body


def query(qid):
    msg = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    msg += b"\x03app\x07example\x04test\x00" + struct.pack("!HH", 1, 1)
    return struct.pack("!H", len(msg)) + msg


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        part = s.recv(n - len(buf))
        if not part:
            return None
        buf += part
    return buf


def first_a(msg):
    # skip the question (one name, uncompressed), then the first answer's RDATA
    off = 12
    while msg[off]:
        off += msg[off] + 1
    off += 5
    if struct.unpack("!H", msg[6:8])[0] == 0:
        return "noanswer"
    off += 2 if msg[off] & 0xC0 == 0xC0 else 0
    rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
    return socket.inet_ntoa(msg[off + 10:off + 14]) if rtype == 1 and rdlen == 4 else "other"


def main():
    addr, port, client, tlv, chunk, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), \
        int(sys.argv[5]), int(sys.argv[6])
    s = socket.create_connection((addr, port), timeout=3)
    hdr = header(client, tlv)
    pieces = [hdr[i:i + chunk] for i in range(0, len(hdr), chunk)]
    pieces[-1] += b"".join(query(0x100 + i) for i in range(n))
    out = []
    try:
        for p in pieces:
            s.sendall(p)
            time.sleep(0.05)
        for _ in range(n):
            ln = read_exact(s, 2)
            msg = read_exact(s, struct.unpack("!H", ln)[0]) if ln else None
            if msg is None:
                out.append("closed")
                break
            out.append(first_a(msg))
    except (socket.timeout, ConnectionError):
        out.append("closed")
    print(" ".join(out))


main()

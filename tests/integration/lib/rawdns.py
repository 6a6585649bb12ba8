#!/usr/bin/python3
"""rawdns.py -- send one hand-made DNS message and describe the reply.

    rawdns.py [--tcp] [--timeout S] ADDR PORT (--file F | --hex HEX | --query NAME TYPE [opts])

--query builds a query: options `opcode=N`, `qdcount=N` (header value only),
`class=N`, `qr=1`, `rd=1`, `edns=VERSION`, `bufsize=N`, `id=N`, `cut=N` (send only the
first N bytes). Prints one line:
    id=4660 qr=1 opcode=0 aa=1 tc=0 rd=0 rcode=1 qd=1 an=0 ns=0 ar=0 len=29 edns=none|v0:1232:rcodehi=0 qname=www.Example.com. owner_ptrs=P/N
(owner_ptrs: P of the N non-OPT records have a compression pointer as owner)
or `noreply` when nothing came back within the timeout (default 1 s), and
exits 0 either way. Used by the integration tests to send malformed or unusual
messages that dig will not produce. Standard library only.
"""
import socket
import struct
import sys


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split(".") if name not in (".", "") else []:
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "SRV": 33, "DS": 43, "IXFR": 251, "AXFR": 252, "ANY": 255}


def build(name, qtype, opts):
    o = dict(kv.split("=", 1) for kv in opts)
    opcode = int(o.get("opcode", 0))
    flags = (int(o.get("qr", 0)) << 15) | (opcode << 11) | (int(o.get("rd", 0)) << 8)
    edns = o.get("edns")
    ar = 1 if edns is not None else 0
    msg = struct.pack("!HHHHHH", int(o.get("id", 0x1234)), flags, int(o.get("qdcount", 1)), 0, 0, ar)
    qt = TYPES[qtype] if qtype in TYPES else int(qtype.replace("TYPE", ""))
    msg += encode_name(name) + struct.pack("!HH", qt, int(o.get("class", 1)))
    if edns is not None:
        msg += b"\0" + struct.pack("!HHBBHH", 41, int(o.get("bufsize", 1232)), 0, int(edns), 0, 0)
    if "cut" in o:
        msg = msg[:int(o["cut"])]
    return msg


def describe(resp):
    if len(resp) < 12:
        return "short len=%d" % len(resp)
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", resp[:12])
    edns = "none"
    qname = "-"
    ptrs = rrs = 0
    # walk the sections: the question name as sent (case kept), the OPT RR,
    # and how many RR owner names are compression pointers
    try:
        off = 12
        for i in range(qd):
            if i == 0:
                qname = read_plain_name(resp, off)
            off = skip_name(resp, off) + 4
        for i in range(an + ns + ar):
            ptr = resp[off] & 0xc0 == 0xc0
            off = skip_name(resp, off)
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", resp[off:off + 10])
            if rtype == 41 and i >= an + ns:
                edns = "v%d:%d:rcodehi=%d" % ((ttl >> 16) & 0xff, rclass, ttl >> 24)
            else:
                rrs += 1
                ptrs += 1 if ptr else 0
            off += 10 + rdlen
    except (struct.error, IndexError):
        edns = "unparsable"
    return ("id=%d qr=%d opcode=%d aa=%d tc=%d rd=%d rcode=%d qd=%d an=%d ns=%d ar=%d len=%d edns=%s"
            " qname=%s owner_ptrs=%d/%d"
            % (qid, flags >> 15, (flags >> 11) & 15, (flags >> 10) & 1, (flags >> 9) & 1,
               (flags >> 8) & 1, flags & 15, qd, an, ns, ar, len(resp), edns, qname, ptrs, rrs))


def read_plain_name(m, off):
    labels = []
    while m[off] != 0:
        if m[off] & 0xc0:
            return "(pointer)"
        labels.append(m[off + 1:off + 1 + m[off]].decode("ascii", "replace"))
        off += 1 + m[off]
    return ".".join(labels) + "."


def skip_name(m, off):
    for _ in range(128):
        n = m[off]
        if n == 0:
            return off + 1
        if n & 0xc0 == 0xc0:
            return off + 2
        off += 1 + n
    raise IndexError


def main(argv):
    tcp = False
    timeout = 1.0
    while argv and argv[0].startswith("--") and argv[0] not in ("--file", "--hex", "--query"):
        a = argv.pop(0)
        if a == "--tcp":
            tcp = True
        elif a == "--timeout":
            timeout = float(argv.pop(0))
    addr, port, mode = argv[0], int(argv[1]), argv[2]
    if mode == "--file":
        msg = open(argv[3], "rb").read()
    elif mode == "--hex":
        msg = bytes.fromhex(argv[3])
    else:
        msg = build(argv[3], argv[4], argv[5:])
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    if tcp:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect((addr, port))
        s.sendall(struct.pack("!H", len(msg)) + msg)
        try:
            hdr = s.recv(2)
            if len(hdr) < 2:
                print("noreply")
                return 0
            want = struct.unpack("!H", hdr)[0]
            resp = b""
            while len(resp) < want:
                chunk = s.recv(want - len(resp))
                if not chunk:
                    break
                resp += chunk
        except socket.timeout:
            print("noreply")
            return 0
    else:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        s.sendto(msg, (addr, port))
        try:
            resp = s.recv(65535)
        except socket.timeout:
            print("noreply")
            return 0
    print(describe(resp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

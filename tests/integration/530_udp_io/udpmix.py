#!/usr/bin/python3
"""udpmix.py -- a fixed set of UDP queries for comparing two UDP engines.

    udpmix.py replies ADDR PORT          one line per query: NAME hex-of-reply (or noreply)
    udpmix.py burst ADDR PORT COUNT REF  COUNT queries sent as fast as the socket takes
                                         them while replies are read; each reply is checked
                                         against REF (the output of `replies`, ID aside).
                                         Prints "sent=N expected=E answered=M wrong=W": E of
                                         the N have a reply in REF; M replies matched it

The set: plain A, MX (additional section), a wildcard, NXDOMAIN, a TXT too
big for 1232 bytes (TC=1), EDNS with a 3000-byte padding option (a large
query that must be answered) and one of 5000 bytes (over the 4096-byte
receive buffer: dropped, no reply). Standard library only.
"""
import select
import socket
import struct
import sys
import time


def name_wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"


def query(qid, name, qtype, edns=None, pad=0):
    ar = 1 if edns else 0
    msg = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, ar) + name_wire(name) + struct.pack(">HH", qtype, 1)
    if edns:
        opt = struct.pack(">HH", 12, pad) + b"\0" * pad if pad else b""
        msg += b"\0" + struct.pack(">HHIH", 41, edns, 0, len(opt)) + opt
    return msg


MIX = [
    ("www-A", "www.t.test", 1, None, 0),
    ("mail-MX", "mail.t.test", 15, None, 0),
    ("wild-A", "foo.wild.t.test", 1, 1232, 0),
    ("nx-A", "nothere.t.test", 1, 1232, 0),
    ("big-TXT", "big.t.test", 16, 1232, 0),
    ("apex-SOA-pad3000", "t.test", 6, 1232, 3000),
    ("www-A-pad5000", "www.t.test", 1, 1232, 5000),
    ("www-A-4100", "www.t.test", 1, 1232, 4100 - 43),  # 4100 bytes: just over 4096
    ("www-A-4096", "www.t.test", 1, 1232, 4096 - 43),  # exactly 4096: answered
]


def cmd_replies(addr, port):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.connect((addr, port))  # a reply from another address is not taken
    for i, (label, name, qtype, edns, pad) in enumerate(MIX):
        s.send(query(0x4000 + i, name, qtype, edns, pad))
        try:
            print(label, s.recv(65535).hex())
        except socket.timeout:
            print(label, "noreply")


def load_ref(path):
    ref = {}
    with open(path) as f:
        for line in f:
            label, data = line.split()
            ref[label] = None if data == "noreply" else bytes.fromhex(data)[2:]
    return ref


def cmd_burst(addr, port, count, ref_path):
    ref = load_ref(ref_path)
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.connect((addr, port))
    s.setblocking(False)
    msgs = [query(0, name, qtype, edns, pad)[2:] for (_, name, qtype, edns, pad) in MIX]
    sent = answered = wrong = expected = 0
    deadline = time.monotonic() + 60
    last = time.monotonic()

    def drain():
        nonlocal answered, wrong, last
        while True:
            try:
                r = s.recv(65535)
            except BlockingIOError:
                return
            last = time.monotonic()
            qid = struct.unpack(">H", r[:2])[0]
            label = MIX[qid % len(MIX)][0]
            if ref.get(label) is None or r[2:] != ref[label]:
                wrong += 1
            else:
                answered += 1

    while sent < count and time.monotonic() < deadline:
        qid = sent % 65536
        try:
            s.send(struct.pack(">H", qid) + msgs[qid % len(MIX)])
            sent += 1
            if ref.get(MIX[qid % len(MIX)][0]) is not None:
                expected += 1
        except BlockingIOError:
            select.select([s], [s], [], 0.01)
        drain()
    while time.monotonic() - last < 2 and time.monotonic() < deadline:
        select.select([s], [], [], 0.1)
        drain()
    print("sent=%d expected=%d answered=%d wrong=%d" % (sent, expected, answered, wrong))


if __name__ == "__main__":
    if sys.argv[1] == "replies":
        cmd_replies(sys.argv[2], int(sys.argv[3]))
    else:
        cmd_burst(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])

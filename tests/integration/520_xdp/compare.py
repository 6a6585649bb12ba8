#!/usr/bin/python3
"""compare.py -- the same packets to two ports of one server, the replies
compared byte for byte.

    compare.py ADDR PORT_A PORT_B FILE...

Used by 520_xdp: PORT_A is served by the AF_XDP listener, PORT_B by the
kernel's UDP socket of the same steerdns (same zones, same snapshot), so
every reply must be identical (but for the server cookie's timestamp and
hash, RFC 9018, which may change between the two sends), or both must be
missing (a drop). All
messages go to one port, then all to the other, each with its own ID, and
replies are matched by ID (bounded: 1 s after the last reply, 30 s in
all). Prints one line per
difference, then "compared N files: D differ, R replied on both, X dropped
by both". Exit 1 on any difference. Standard library only.
"""
import socket
import struct
import sys
import time


def skip_name(m, i):
    while i < len(m):
        n = m[i]
        if n == 0:
            return i + 1
        if n >= 0xC0:
            return i + 2
        i += n + 1
    return len(m)


def mask_cookie(m):
    """The reply with the server part of a COOKIE option (RFC 9018: it
    holds a timestamp, so two replies a second apart differ there) zeroed;
    anything unparseable is returned as it is."""
    try:
        qd, an, ns, ar = struct.unpack(">HHHH", m[4:12])
        i = 12
        for _ in range(qd):
            i = skip_name(m, i) + 4
        for k in range(an + ns + ar):
            i = skip_name(m, i)
            rtype, _, _, rdlen = struct.unpack(">HHIH", m[i:i + 10])
            i += 10
            if rtype == 41 and k >= an + ns:
                j, end = i, i + rdlen
                while j + 4 <= end:
                    code, olen = struct.unpack(">HH", m[j:j + 4])
                    if code == 10 and olen > 8:
                        m = m[:j + 12] + bytes(olen - 8) + m[j + 4 + olen:]
                    j += 4 + olen
            i += rdlen
    except struct.error:
        pass
    return m


def replies(addr, port, msgs):
    """Send every message (in order, a few at a time), collect the replies
    by ID until none has come for 1 s; at most 30 s in all."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    got = {}
    deadline = time.monotonic() + 30

    def drain(wait):
        s.settimeout(wait)
        while time.monotonic() < deadline:
            try:
                data, _ = s.recvfrom(65535)
            except (socket.timeout, BlockingIOError):
                return
            if len(data) >= 2:
                got.setdefault(data[0] << 8 | data[1], data)
            s.settimeout(wait)

    for k, (ident, msg) in enumerate(msgs):
        s.sendto(msg, (addr, port))
        if k % 16 == 15:
            drain(0.01)
    drain(1.0)
    s.close()
    return got


def main():
    addr, pa, pb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    files = sys.argv[4:]
    msgs = []
    for i, path in enumerate(files):
        with open(path, "rb") as f:
            msg = f.read()
        if len(msg) < 2 or len(msg) > 4000:
            continue
        # A distinct ID per file, the same to both ports.
        ident = 0x1000 + i
        msgs.append((ident, bytes([ident >> 8, ident & 0xFF]) + msg[2:]))
    a, b = replies(addr, pa, msgs), replies(addr, pb, msgs)
    differ = replied = dropped = 0
    for i, (ident, _) in enumerate(msgs):
        ra, rb = a.get(ident), b.get(ident)
        if ra is not None and rb is not None:
            ra, rb = mask_cookie(ra), mask_cookie(rb)
        if ra is None and rb is None:
            dropped += 1
        elif ra == rb:
            replied += 1
        else:
            differ += 1
            print("differs: %s: xdp %s, kernel %s" % (
                files[i], "no reply" if ra is None else "%d bytes %s" % (len(ra), ra[:24].hex()),
                "no reply" if rb is None else "%d bytes %s" % (len(rb), rb[:24].hex())))
    print("compared %d files: %d differ, %d replied on both, %d dropped by both" %
          (len(msgs), differ, replied, dropped))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""make-seeds.py -- write the hand-made seed queries of fuzz_answer into
tests/fuzz/seeds/ (one query per file, named after what it asks).

They reach every answer path of the zones in tests/fuzz/fuzz.json: steered
names with and without ECS, wildcards, delegations with glue, DS at a cut,
DNAME, CNAME chains and loops, ENTs, big rrsets (TC), ANY, CHAOS, and EDNS
sizes. Run it again after changing the list; the output is deterministic.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
T = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33,
     "DNAME": 39, "DS": 43, "ANY": 255, "CAA": 257, "HTTPS": 65, "T65534": 65534}


def name(n):
    out = b""
    for label in n.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qname, qtype, cls=1, edns=None, do=False, ecs=None, rd=False):
    ar = 1 if edns is not None else 0
    m = struct.pack("!HHHHHH", 0x5eed, 0x0100 if rd else 0, 1, 0, 0, ar) + name(qname)
    m += struct.pack("!HH", T[qtype], cls)
    if edns is not None:
        opts = b""
        if ecs:
            fam, src, addr = ecs
            a = bytes(addr[: (src + 7) // 8])
            opts += struct.pack("!HHHBB", 8, 4 + len(a), fam, src, 0) + a
        m += b"\0" + struct.pack("!HHBBHH", 41, edns, 0, 0, 0x8000 if do else 0, len(opts)) + opts
    return m


cases = {}
for n, t in [("app.example.com", "A"), ("app.example.com", "AAAA"), ("api.example.com", "A"),
             ("example.com", "AAAA"), ("example.com", "ANY"), ("www.example.com", "A"),
             ("nothere.example.com", "A"), ("example.org", "MX"), ("example.org", "NS"),
             ("_sip._udp.example.org", "SRV"), ("foo.w.example.org", "MX"), ("exists.w.example.org", "TXT"),
             ("ent.w.example.org", "A"), ("y.ent.w.example.org", "A"), ("bar.wc.example.org", "AAAA"),
             ("q.wext.example.org", "A"), ("leaf.b.ent.example.org", "A"), ("b.ent.example.org", "A"),
             ("www.child.example.org", "TXT"), ("child.example.org", "DS"), ("x.sub.child.example.org", "A"),
             ("www.away.example.org", "A"), ("away.example.org", "DS"), ("noglue.example.org", "NS"),
             ("c1.example.org", "TXT"), ("loop1.example.org", "A"), ("self.example.org", "A"),
             ("cnx.example.org", "A"), ("cchild.example.org", "A"), ("chain0.example.org", "A"),
             ("a.dname.example.org", "A"), ("x.dname-in.example.org", "A"), ("dname.example.org", "DNAME"),
             ("big.example.org", "TXT"), ("many.example.org", "A"), ("anyname.example.org", "ANY"),
             ("MiXeD.EXAMPLE.org", "A"), ("x.dname.types.example.net", "A"), ("caa.types.example.net", "CAA"),
             ("svc.types.example.net", "HTTPS"), ("unk.types.example.net", "T65534"),
             ("outside.example", "A"), (".", "SOA")]:
    cases["%s-%s" % (n.strip(".") or "root", t)] = query(n, t)
    cases["%s-%s-edns" % (n.strip(".") or "root", t)] = query(n, t, edns=1232, do=True)
cases["big-txt-edns512"] = query("big.example.org", "TXT", edns=512)
cases["big-txt-edns4096"] = query("big.example.org", "TXT", edns=4096)
cases["app-ecs-v4-na"] = query("app.example.com", "A", edns=1232, ecs=(1, 24, [198, 51, 100]))
cases["app-ecs-v4-eu"] = query("app.example.com", "A", edns=1232, ecs=(1, 24, [203, 0, 113]))
cases["app-ecs-v4-internal"] = query("app.example.com", "AAAA", edns=1232, ecs=(1, 16, [10, 1]))
cases["app-ecs-v6"] = query("app.example.com", "AAAA", edns=1232, ecs=(2, 48, [0x20, 1, 0xd, 0xb8, 2, 0]))
cases["app-ecs-v4-0"] = query("app.example.com", "A", edns=1232, ecs=(1, 0, []))
cases["apex-ecs-v4"] = query("example.com", "A", edns=1232, ecs=(1, 32, [192, 0, 2, 1]))
cases["ch-version-bind"] = query("version.bind", "TXT", cls=3)
cases["ch-id-server"] = query("id.server", "TXT", cls=3, edns=1232)
cases["class-hs"] = query("example.org", "A", cls=4)

for k, v in sorted(cases.items()):
    with open(os.path.join(HERE, "seeds", "q-" + k.replace("*", "star") + ".bin"), "wb") as f:
        f.write(v)
print("wrote %d seeds" % len(cases))

#!/usr/bin/python3
"""dnsdiff.py -- ask two DNS servers the same queries and compare the answers.

    dnsdiff.py [--allow FILE] [--names REF,TEST] QUERIES REF_ADDR:PORT [TEST_ADDR:PORT]
    dnsdiff.py --ask ADDR:PORT NAME TYPE [dig options]

QUERIES has one query a line: `NAME TYPE [dig options]` (e.g.
`big.example.org TXT +bufsize=512 +ignore`); '#' starts a comment. Each query
is sent with dig (+norec +nocookie, one try) to both servers, and each answer
is normalized into sections:
    header      opcode, status and flags (sorted)
    edns        the OPT pseudo-section lines (version, flags, udp size, options)
    question / answer / authority / additional   RRs, whitespace-normalized, sorted
The ID, timing and RR order within a section are ignored; TTLs, case and
section membership are compared. (The section counts follow from the lines.)

With one server it prints the normalized answers (to eyeball or to check the
harness NSD-vs-NSD). With two it prints every difference and exits 1 when a
difference is not covered by the allow-list. The allow-list has lines
`GLOB | SECTIONS | REASON`: a difference for a query line matching GLOB
(fnmatch) in only the listed sections (comma-separated, or *) is reported as
allowed, with its reason. SECTIONS may also hold `if-tc`: then the entry
applies only when both answers have TC set (truncated answers, where
servers may keep different parts). Entries that allow nothing are reported
as stale.
Standard library only.
"""
import subprocess
import sys

SECTIONS = ("header", "edns", "question", "answer", "authority", "additional")
DIG_BASE = ["+norec", "+nocookie", "+time=2", "+tries=1", "+noall", "+comments",
            "+question", "+answer", "+authority", "+additional", "+nottlunits",
            "+nomultiline", "+noidnout"]


def read_queries(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                out.append(" ".join(line.split()))
    return out


def read_allow(path):
    out = []
    if not path:
        return out
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|", 2)]
            if len(parts) != 3 or not parts[2]:
                sys.exit("%s:%d: want `GLOB | SECTIONS | REASON`" % (path, n))
            secs = set(s.strip() for s in parts[1].split(","))
            tc = "if-tc" in secs
            secs.discard("if-tc")
            if secs != {"*"} and not secs <= set(SECTIONS):
                sys.exit("%s:%d: unknown section in %s" % (path, n, parts[1]))
            out.append({"glob": parts[0], "secs": secs, "tc": tc, "reason": parts[2], "used": 0, "line": n})
    return out


def normalize(text):
    """dig output -> {section: [lines]}; a failed query gives one header line."""
    res = {s: [] for s in SECTIONS}
    cur = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(";; ->>HEADER<<-"):
            fields = dict(f.strip().split(": ", 1) for f in line[16:].split(",") if ": " in f)
            res["header"].append("opcode=%s status=%s" % (fields.get("opcode"), fields.get("status")))
            continue
        if line.startswith(";; flags:"):
            flags = line[len(";; flags:"):].split(";", 1)[0].split()
            res["header"].append("flags=" + ",".join(sorted(flags)))
            continue
        if line.startswith(";; OPT PSEUDOSECTION"):
            cur = "edns"
            continue
        if line.endswith("SECTION:") and line.startswith(";; "):
            cur = line[3:].split()[0].lower()
            continue
        if cur == "edns" and line.startswith("; "):
            res["edns"].append(line[2:])
            continue
        if line.startswith(";; Got answer"):
            continue
        if line.startswith(";;"):
            # warnings and errors (timeouts, malformed packets) count as header
            res["header"].append(line[3:])
            continue
        if cur == "question" and line.startswith(";"):
            line = line[1:]
        if cur in res:
            res[cur].append(" ".join(line.split()))
    for s in SECTIONS:
        if s != "header":
            res[s].sort()
    if not res["header"]:
        res["header"].append("no answer")
    return res


def ask(server, query):
    addr, port = server.rsplit(":", 1)
    # the query line is handed to dig as is: NAME TYPE [CLASS] [+options]
    args = ["dig", "@" + addr.strip("[]"), "-p", port] + DIG_BASE + query.split()
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=10)
        out = p.stdout
    except subprocess.TimeoutExpired:
        out = ";; dig timed out"
    return normalize(out)


def ask_all(server, queries):
    from concurrent.futures import ThreadPoolExecutor  # here: --ask starts faster
    with ThreadPoolExecutor(max_workers=8) as ex:
        return list(ex.map(lambda q: ask(server, q), queries))


def show(queries, answers):
    for q, a in zip(queries, answers):
        print("== " + q)
        for s in SECTIONS:
            for line in a[s]:
                print("  %-10s %s" % (s, line))


def has_tc(res):
    return any(h.startswith("flags=") and "tc" in h[6:].split(",") for h in res["header"])


def compare(queries, ref, test, allow, ref_name, test_name):
    import fnmatch
    from collections import Counter
    bad = allowed = 0
    for q, a, b in zip(queries, ref, test):
        diff = [s for s in SECTIONS if a[s] != b[s]]
        if not diff:
            continue
        rule = next((r for r in allow if fnmatch.fnmatchcase(q, r["glob"])
                     and ("*" in r["secs"] or set(diff) <= r["secs"])
                     and (not r["tc"] or (has_tc(a) and has_tc(b)))), None)
        if rule:
            rule["used"] += 1
            allowed += 1
            print("ALLOWED %s [%s]: %s" % (q, ",".join(diff), rule["reason"]))
            continue
        bad += 1
        print("DIFF %s [%s]" % (q, ",".join(diff)))
        for s in diff:
            # multiset difference: a record sent twice is a difference too
            ca, cb = Counter(a[s]), Counter(b[s])
            for line in sorted((ca - cb).elements()):
                print("   - %-8s %-10s %s" % (ref_name, s, line))
            for line in sorted((cb - ca).elements()):
                print("   + %-8s %-10s %s" % (test_name, s, line))
    for r in allow:
        if not r["used"]:
            print("stale allow-list entry (line %d): %s" % (r["line"], r["glob"]))
    print("%d queries compared, %d identical, %d allowed differences, %d differences"
          % (len(queries), len(queries) - bad - allowed, allowed, bad))
    return bad


def main(argv):
    allow_path = None
    names = ("ref", "test")
    if argv and argv[0] == "--ask":
        # --ask SERVER QUERY...: one query, "section<TAB>line" per line
        a = ask(argv[1], " ".join(argv[2:]))
        for s in SECTIONS:
            for line in a[s]:
                print("%s\t%s" % (s, line))
        return 0
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--allow":
            allow_path = argv.pop(0)
        elif opt == "--names":
            names = tuple(argv.pop(0).split(",", 1))
        else:
            sys.exit(__doc__)
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    queries = read_queries(argv[0])
    ref = ask_all(argv[1], queries)
    if len(argv) == 2:
        show(queries, ref)
        return 0
    test = ask_all(argv[2], queries)
    return 1 if compare(queries, ref, test, read_allow(allow_path), names[0], names[1]) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/python3
"""gen.py N PORT FASTPORT HDPORT: the 812 config with N bulk targets (pools of
1,000 members on 127.1.0.0 up) checked by tcp to a port nothing listens on,
every BULK_INTERVAL s, plus fast@127.0.0.1 (0.3 s) that the test flips."""
import json
import sys

n, port, fastport = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
deadport, interval = int(sys.argv[4]), float(sys.argv[5])
pools = {
    "fast": {"check": "fast", "members": ["127.0.0.1"]},
    "spare": {"check": "always", "members": ["198.18.0.7"]},
}
for p in range((n + 999) // 1000):
    members = []
    for i in range(p * 1000, min(n, (p + 1) * 1000)):
        members.append("127.%d.%d.%d" % (1 + i // 65536, i // 256 % 256, i % 256))
    pools["bulk%d" % p] = {"check": "bulk", "members": members}
conf = {
    "server": {"listen": ["127.0.0.1:%d" % port], "control_socket": "ctl.sock", "workers": 1},
    "zones": [{"name": "example.test", "file": "example.test.zone"}],
    "healthd": {"socket": "hd.sock", "state_file": "hd.state"},
    "checks": {
        "fast": {"type": "tcp", "port": fastport, "interval": 0.3, "timeout": 0.3, "fall": 1, "rise": 1},
        "always": {"type": "exec", "command": "/bin/true", "interval": 60},
        "bulk": {"type": "tcp", "port": deadport, "interval": interval, "timeout": 2, "fall": 1, "rise": 1},
    },
    "pools": pools,
    "records": {"app.example.test": {"ttl": 60, "failover": ["fast", "spare"]}},
}
json.dump(conf, sys.stdout, indent=1)

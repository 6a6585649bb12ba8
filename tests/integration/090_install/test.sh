#!/bin/bash
# 090_install -- `make install` into a DESTDIR puts exactly the expected files
# in place (programs, man pages, systemd units with PREFIX filled in,
# tmpfiles.d, sysusers.d, the example config and zone), never overwrites an
# operator's config, and what it installs works: systemd-sysusers and
# systemd-tmpfiles create the steerdns user and its directories from it,
# the example config passes `steerdns --check`, and `systemd-analyze verify`
# accepts the units with nothing to say (a broken copy of a unit is caught
# the same way, so the check can fail).
. "$(dirname "$0")/../lib/lib.sh"
command -v make > /dev/null || skip "no make"
# A make of our own: not the jobserver or variables of the `make check` around us.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$STEER_SRC" BUILD="$BUILD" "$@"; }

# 1. DESTDIR install, default PREFIX (/usr/local).
R=$T/root
out=$(mk install DESTDIR="$R" 2>&1); rc=$?
expect_eq "make install DESTDIR: exit 0" "$rc" 0
want="etc/steerdns/steerdns.json 644
etc/steerdns/zones/example.com.zone 644
usr/local/lib/systemd/system/steer-healthd.service 644
usr/local/lib/systemd/system/steerdns.service 644
usr/local/lib/sysusers.d/steerdns.conf 644
usr/local/lib/tmpfiles.d/steerdns.conf 644
usr/local/sbin/steer-healthd 755
usr/local/sbin/steerctl 755
usr/local/sbin/steerdns 755
usr/local/share/doc/steerdns/example.com.zone 644
usr/local/share/doc/steerdns/steerdns.json 644
usr/local/share/man/man5/steerdns.conf.5 644
usr/local/share/man/man8/steer-healthd.8 644
usr/local/share/man/man8/steerctl.8 644
usr/local/share/man/man8/steerdns.8 644"
expect_eq "the installed files and their modes" "$(cd "$R" && find . -type f -printf '%P %m\n' | sort)" "$want"
U=$R/usr/local/lib/systemd/system
expect_eq "steerdns.service: ExecStart from PREFIX" "$(grep '^ExecStart=' "$U/steerdns.service")" \
	"ExecStart=/usr/local/sbin/steerdns -c /etc/steerdns/steerdns.json"
expect_eq "steer-healthd.service: ExecStart from PREFIX" "$(grep '^ExecStart=' "$U/steer-healthd.service")" \
	"ExecStart=/usr/local/sbin/steer-healthd -c /etc/steerdns/steerdns.json"
expect_eq "no @PLACEHOLDER@ left in the units" "$(grep -c '@[A-Z]*@' "$U"/*.service | tr '\n' ' ')" \
	"$U/steer-healthd.service:0 $U/steerdns.service:0 "
expect_eq "installed binary runs" "$("$R/usr/local/sbin/steerdns" -V)" "$("$STEERDNS" -V)"

# 2. The operator's config stays; the example still lands in the doc directory.
echo '{"operator": "mine"}' > "$R/etc/steerdns/steerdns.json"
rm "$R/etc/steerdns/zones/example.com.zone"
out=$(mk install DESTDIR="$R" 2>&1); rc=$?
expect_eq "second install: exit 0" "$rc" 0
expect_eq "an existing config is not overwritten" "$(cat "$R/etc/steerdns/steerdns.json")" '{"operator": "mine"}'
expect_match "... and the install says so" "$out" "kept $R/etc/steerdns/steerdns.json \(it exists"
expect_eq "... nor an example zone added beside it" "$([ -e "$R/etc/steerdns/zones/example.com.zone" ] && echo added || echo no)" no
expect_eq "the example is in the doc directory" "$(cmp "$R/usr/local/share/doc/steerdns/steerdns.json" "$STEER_SRC/dist/steerdns.json" && echo same)" same

# 3. PREFIX=/usr: the units follow.
out=$(mk install DESTDIR="$T/root2" PREFIX=/usr 2>&1)
expect_eq "PREFIX=/usr: ExecStart" "$(grep '^ExecStart=' "$T/root2/usr/lib/systemd/system/steerdns.service")" \
	"ExecStart=/usr/sbin/steerdns -c /etc/steerdns/steerdns.json"

# 4. sysusers.d and tmpfiles.d do what they say, applied to the DESTDIR.
R2=$T/root2
if command -v systemd-sysusers > /dev/null && command -v systemd-tmpfiles > /dev/null; then
	systemd-sysusers --root="$R2" > /dev/null 2>&1
	line=$(grep '^steerdns:' "$R2/etc/passwd")
	expect_match "sysusers: a system user steerdns" "$line" "^steerdns:x:[0-9]+:[0-9]+:steerdns DNS server:/var/lib/steerdns:"
	duid=$(echo "$line" | cut -d: -f3) dgid=$(echo "$line" | cut -d: -f4)
	expect_eq "sysusers: its group steerdns" "$(grep '^steerdns:' "$R2/etc/group" | cut -d: -f3)" "$dgid"
	systemd-tmpfiles --root="$R2" --create > /dev/null 2>&1
	expect_eq "tmpfiles: /run/steerdns" "$(stat -c '%u:%g %a' "$R2/run/steerdns" 2>&1)" "$duid:$dgid 750"
	expect_eq "tmpfiles: /var/lib/steerdns" "$(stat -c '%u:%g %a' "$R2/var/lib/steerdns" 2>&1)" "$duid:$dgid 750"
else
	echo "note: no systemd-sysusers/systemd-tmpfiles: sysusers.d and tmpfiles.d not applied"
fi

# 5. The example config and zone are valid (with this machine's users and
#    the test's directories in place of /run/steerdns and /var/lib/steerdns).
mkdir -p "$T/ex/zones" "$T/ex/run" "$T/ex/lib"
sed -e "s|\"steerdns\"|\"root\"|g" -e "s|/run/steerdns|$T/ex/run|g" -e "s|/var/lib/steerdns|$T/ex/lib|g" \
	"$R2/etc/steerdns/steerdns.json" > "$T/ex/steerdns.json"
cp "$R2/etc/steerdns/zones/example.com.zone" "$T/ex/zones/"
out=$("$STEERDNS" --check -c "$T/ex/steerdns.json" 2>&1)
expect_match "example config: steerdns --check" "$out" "ok: 1 zone, 8 records, 2 listen addresses"
out=$("$HEALTHD" --check -c "$T/ex/steerdns.json" 2>&1)
expect_match "example config: steer-healthd --check" "$out" "ok \(0 checks, 0 pools, 0 targets\)"

# 6. systemd-analyze verify on units installed with a PREFIX whose binaries
#    and man pages exist (DESTDIR units point at paths not there yet).
command -v systemd-analyze > /dev/null || { echo "note: no systemd-analyze"; finish; }
P=$T/p
mk install PREFIX="$P" SYSCONFDIR="$P/etc" > /dev/null 2>&1
verify() { MANPATH=$P/share/man systemd-analyze verify "$@" 2>&1; }
for u in steerdns steer-healthd; do
	out=$(verify "$P/lib/systemd/system/$u.service"); rc=$?
	expect_eq "systemd-analyze verify $u.service: exit 0, nothing to say" "$rc:$out" "0:"
done
# The same check on broken copies must speak up.
B=$T/broken
mkdir -p "$B"
sed 's/^ProtectSystem=/ProtectSytem=/' "$P/lib/systemd/system/steerdns.service" > "$B/typo.service"
out=$(verify "$B/typo.service"); rc=$?
expect_match "broken unit (misspelt key): reported" "$rc:$out" "Unknown key( name)? 'ProtectSytem'"
sed "s|^ExecStart=$P/sbin/steerdns|ExecStart=$P/sbin/steerdns-missing|" "$P/lib/systemd/system/steerdns.service" > "$B/noexec.service"
out=$(verify "$B/noexec.service"); rc=$?
expect_eq "broken unit (missing program): exit non-zero" "$([ $rc -ne 0 ] && echo yes)" yes
rm "$P/share/man/man8/steerctl.8"
out=$(verify "$P/lib/systemd/system/steerdns.service"); rc=$?
expect_match "missing man page of Documentation=: reported" "$rc:$out" "man steerctl\(8\)"
finish

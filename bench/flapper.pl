#!/usr/bin/perl
# flapper.pl -- drive health state changes through steer-healthd's socket.
#
# Usage: bench/flapper.pl SOCKET TARGET RATE SECONDS
# Sends {"v":1,"cmd":"set","target":TARGET,"admin":"down"|"up"} alternately,
# RATE times a second for SECONDS (each is one state change of the target),
# waits for each reply (2 s at most), then sets "auto" again. Prints
# "changes=N errors=M". Bounded: at most RATE*SECONDS requests.
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Select;
use Time::HiRes qw(time sleep);

my ($path, $target, $rate, $secs) = @ARGV;
die "usage: flapper.pl SOCKET TARGET RATE SECONDS\n" unless defined $secs && $rate > 0 && $rate <= 10000;
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path) or die "flapper: $path: $!\n";
$s->autoflush(1);
my $sel = IO::Select->new($s);
my ($changes, $errors, $buf) = (0, 0, '');

sub request {
	my ($admin) = @_;
	print $s qq({"v":1,"cmd":"set","target":"$target","admin":"$admin"}\n);
	my $deadline = time + 2;
	while (index($buf, "\n") < 0) {
		my $left = $deadline - time;
		return 0 if $left <= 0 || !$sel->can_read($left);
		my $n = sysread($s, $buf, 65536, length $buf);
		return 0 unless $n;
	}
	# Skip pushed events; the reply to "set" carries "ok".
	while ($buf =~ s/^([^\n]*)\n//) {
		my $line = $1;
		next if $line =~ /"event"/;
		return $line =~ /"ok"\s*:\s*true/ ? 1 : 0;
	}
	return 0;
}

my $t0 = time;
my $n = int($rate * $secs);
for my $i (0 .. $n - 1) {
	my $due = $t0 + $i / $rate;
	my $wait = $due - time;
	sleep($wait) if $wait > 0;
	if (request($i % 2 ? 'up' : 'down')) { $changes++ } else { $errors++ }
}
request('auto');
printf "changes=%d errors=%d seconds=%.2f\n", $changes, $errors, time - $t0;

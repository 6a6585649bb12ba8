#!/usr/bin/perl
# geo-mmdb.pl -- write the small GeoIP2-Country-shaped MMDB the geo mix uses.
#
# Usage: bench/geo-mmdb.pl OUT.mmdb
# The same file feeds steerdns ("geoip": {"database": ...}) and gdnsd's geoip
# plugin, so both servers see the same map. Regions (keep in sync with the
# geo branch of gen-queries): NA 3/8 4/8 6/8, EU 80/8 81/8 82/8, AS 1/8 27/8;
# 240/8 is not in the database (default answer). Needs MaxMind::DB::Writer
# (Debian libmaxmind-db-writer-perl).
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $out = shift or die "usage: geo-mmdb.pl OUT.mmdb\n";
my %types = (continent => 'map', country => 'map', code => 'utf8_string',
	     iso_code => 'utf8_string');
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6, record_size => 24, database_type => 'GeoIP2-Country',
	languages => ['en'], description => { en => 'steerdns bench geo map' },
	alias_ipv6_to_ipv4 => 1, remove_reserved_networks => 0,
	map_key_type_callback => sub { $types{ $_[0] } });
my %regions = (NA => ['US', 3, 4, 6], EU => ['DE', 80, 81, 82], AS => ['JP', 1, 27]);
for my $cont (sort keys %regions) {
	my ($cc, @octets) = @{ $regions{$cont} };
	$tree->insert_network("$_.0.0.0/8",
		{ continent => { code => $cont }, country => { iso_code => $cc } }) for @octets;
}
open(my $fh, '>:raw', $out) or die "$out: $!\n";
$tree->write_tree($fh);
close($fh) or die "$out: $!\n";

#!/usr/bin/perl
# make-demo-mmdb.pl -- write a small MaxMind DB (MMDB) file with Perl's
# MaxMind::DB::Writer (Debian: libmaxmind-db-writer-perl).
#
#   geoip/make-demo-mmdb.pl OUT.mmdb               the demo database (zones/demo-geo.mmdb)
#   geoip/make-demo-mmdb.pl --spec SPEC.json OUT   any database described by SPEC
#
# SPEC is JSON: { "database_type": "...", "ip_version": 6, "record_size": 24,
#   "alias": true, "networks": [ ["1.2.3.0/24", { record }], ... ] }
# Only "networks" is required. The unit tests (tests/unit/test_geo*.c) write
# their databases at test time with --spec, so that exact scopes and merges can
# be checked against data we control.
#
# THE DEMO DATA IS FAKE. It maps documentation ranges (RFC 5737, RFC 3849) and
# a few well-known public blocks to plausible places so that `dig +subnet=`
# from different continents lands in different regions under `make run`. It
# is not a statement about where any network really is.
use strict;
use warnings;
use JSON::PP;
use MaxMind::DB::Writer::Tree;

# A City-like demo: continent, country, optional subdivision, location.
sub place {
	my ($cont, $cc, $sub, $lat, $lon, $city) = @_;
	my %r = (
		continent => { code => $cont },
		country   => { iso_code => $cc },
		location  => { latitude => $lat, longitude => $lon },
	);
	$r{subdivisions} = [ { iso_code => $sub } ] if $sub;
	$r{city} = { names => { en => $city } } if $city;
	return \%r;
}

my @demo = (
	# documentation ranges: one per continent
	[ '198.51.100.0/24', place('NA', 'US', 'CA', 37.77, -122.42, 'San Francisco') ],
	[ '2001:db8:100::/40', place('NA', 'US', 'NY', 40.71, -74.01, 'New York') ],
	[ '203.0.113.0/24', place('EU', 'DE', 'HE', 50.11, 8.68, 'Frankfurt') ],
	[ '2001:db8:200::/40', place('EU', 'DE', 'BE', 52.52, 13.40, 'Berlin') ],
	[ '192.0.2.0/24', place('AS', 'JP', '13', 35.69, 139.69, 'Tokyo') ],
	[ '2001:db8:300::/40', place('AS', 'JP', '27', 34.69, 135.50, 'Osaka') ],
	[ '2001:db8:400::/40', place('OC', 'AU', 'NSW', -33.87, 151.21, 'Sydney') ],
	[ '2001:db8:500::/40', place('SA', 'BR', 'SP', -23.55, -46.63, 'Sao Paulo') ],
	# well-known public blocks on their real continent
	[ '8.8.8.0/24', place('NA', 'US', undef, 37.75, -97.82) ],
	[ '2001:4860::/32', place('NA', 'US', undef, 37.75, -97.82) ],
	[ '81.2.69.0/24', place('EU', 'GB', 'ENG', 51.51, -0.13, 'London') ],
	[ '193.0.0.0/21', place('EU', 'NL', 'NH', 52.37, 4.90, 'Amsterdam') ],
	[ '1.1.1.0/24', place('OC', 'AU', undef, -33.49, 143.21) ],
	[ '202.12.28.0/22', place('OC', 'AU', 'QLD', -27.47, 153.03, 'Brisbane') ],
	[ '196.216.2.0/24', place('AF', 'ZA', undef, -29.0, 24.0) ],
	[ '200.3.12.0/22', place('SA', 'UY', undef, -34.90, -56.19, 'Montevideo') ],
);

# Value types of the keys we write (the writer needs them declared).
my %types = (
	continent => 'map', country => 'map', registered_country => 'map',
	represented_country => 'map', city => 'map', names => 'map',
	location => 'map', traits => 'map', subdivisions => [ 'array', 'map' ],
	latitude => 'double', longitude => 'double', accuracy_radius => 'uint16',
	geoname_id => 'uint32', is_anycast => 'boolean',
	autonomous_system_number => 'uint32',
);

my ($specfile, $out);
while (@ARGV) {
	my $a = shift @ARGV;
	if ($a eq '--spec') { $specfile = shift @ARGV; }
	elsif ($a =~ /^-/) { die "usage: $0 [--spec SPEC.json] OUT.mmdb\n"; }
	else { $out = $a; }
}
die "usage: $0 [--spec SPEC.json] OUT.mmdb\n" unless defined $out;

my $spec = { database_type => 'steerdns-Demo-City', networks => \@demo };
if (defined $specfile) {
	open my $in, '<', $specfile or die "$specfile: $!\n";
	local $/;
	$spec = decode_json(<$in>);
	close $in;
}

my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version               => $spec->{ip_version} // 6,
	record_size              => $spec->{record_size} // 24,
	database_type            => $spec->{database_type} // 'steerdns-Test',
	languages                => ['en'],
	description              => { en => 'steerdns test/demo data (fake)' },
	map_key_type_callback    => sub { $types{ $_[0] } // 'utf8_string' },
	remove_reserved_networks => 0,    # the demo lives in documentation ranges
	alias_ipv6_to_ipv4       => $spec->{alias} // (($spec->{ip_version} // 6) == 6 ? 1 : 0),
	merge_strategy           => 'none',
);
# A fixed build epoch keeps the committed demo file reproducible.
$tree->_set_build_epoch($spec->{build_epoch} // 1767225600) if $tree->can('_set_build_epoch');
for my $n (@{ $spec->{networks} }) {
	$tree->insert_network($n->[0], $n->[1]);
}
open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";

# Perl: DBD::MariaDB with server-side prepared statements. Prints 'ok ...'
# or 'FAILED ...'.
use strict; use warnings; use utf8;
use DBI;
binmode STDOUT, ':utf8';
my $dsn = "DBI:MariaDB:database=$ENV{VDB_DB};host=127.0.0.1;port=$ENV{VDB_PORT};mariadb_server_prepare=1";
my $ok = eval {
    my $dbh = DBI->connect($dsn, $ENV{VDB_USER}, $ENV{VDB_PASS}, { RaiseError => 1, PrintError => 0 });
    my $rows = $dbh->selectall_arrayref('SELECT id, name, price, created, note FROM items WHERE id >= ? ORDER BY id', undef, 1);
    die "three rows\n" unless @$rows == 3;
    die "row 1: @{$rows->[0]}[0..3]\n" unless $rows->[0][1] eq 'apple' && $rows->[0][2] eq '1.50' && $rows->[0][3] eq '2024-01-02 03:04:05.678' && !defined $rows->[0][4];
    die "unicode: $rows->[2][1]\n" unless $rows->[2][1] eq 'Zoë 🐬';
    $dbh->begin_work; my ($n) = $dbh->selectrow_array('SELECT COUNT(*) FROM items'); $dbh->commit;
    die "count $n\n" unless $n == 3;
    for my $case (['SELECT * FROM no_such_table', 1146], ['XA RECOVER', 1235]) {
        my ($sql, $code) = @$case;
        eval { $dbh->do($sql); 1 } and die "$sql should fail\n";
        die "$sql: " . $dbh->err . "\n" unless $dbh->err == $code;
    }
    print "ok Perl DBD::MariaDB $DBD::MariaDB::VERSION\n";
    1;
};
unless ($ok) { print "FAILED DBD::MariaDB: $@"; exit 1 }

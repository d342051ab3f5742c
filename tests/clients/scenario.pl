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
    # Writes with server-side prepares land in vdb's delta; a rollback undoes one.
    my $n_ins = $dbh->do('INSERT INTO items (id, name, price, created, note) VALUES (?, ?, ?, ?, ?)', undef,
        500, "kiwi 🥝 'q'", '3.25', '2024-05-06 07:08:09.123', undef);
    die "insert count $n_ins\n" unless $n_ins == 1;
    $dbh->do('UPDATE items SET price = price + ? WHERE id = ?', undef, 1, 500);
    $dbh->begin_work; $dbh->do('DELETE FROM items WHERE id = ?', undef, 500); $dbh->rollback;
    my ($wname, $wprice) = $dbh->selectrow_array('SELECT name, price FROM items WHERE id = ?', undef, 500);
    die "written row: $wname $wprice\n" unless $wname eq "kiwi 🥝 'q'" && $wprice eq '4.25';
    my $n_del = $dbh->do('DELETE FROM items WHERE id = ?', undef, 500);
    die "delete count $n_del\n" unless $n_del == 1;
    for my $case (['SELECT * FROM no_such_table', 1146], ['XA RECOVER', 1235]) {
        my ($sql, $code) = @$case;
        eval { $dbh->do($sql); 1 } and die "$sql should fail\n";
        die "$sql: " . $dbh->err . "\n" unless $dbh->err == $code;
    }
    print "ok Perl DBD::MariaDB $DBD::MariaDB::VERSION\n";
    1;
};
unless ($ok) { print "FAILED DBD::MariaDB: $@"; exit 1 }

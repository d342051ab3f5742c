<?php
// PHP: PDO MySQL with native (server-side) prepares, and mysqli prepared
// statements. Prints 'ok ...' or 'FAILED ...'.
$port = (int) getenv('VDB_PORT'); $user = getenv('VDB_USER'); $pass = getenv('VDB_PASS'); $db = getenv('VDB_DB');
$want = [[1, 'apple', '1.50', '2024-01-02 03:04:05.678', null], [2, 'pear', '2.25', '2024-02-03 00:00:00.000', 'ripe'],
         [3, 'Zoë 🐬', '10.00', '2024-03-04 05:06:07.890', 'emoji']];
function expect($ok, $why) { if (!$ok) throw new Exception($why); }
$failed = 0;
try {
    $pdo = new PDO("mysql:host=127.0.0.1;port=$port;dbname=$db;charset=utf8mb4", $user, $pass,
        [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_EMULATE_PREPARES => false]);
    $st = $pdo->prepare('SELECT id, name, price, created, note FROM items WHERE id >= ? ORDER BY id');
    $st->execute([1]);
    $rows = array_map(fn($r) => [(int) $r[0], $r[1], $r[2], $r[3], $r[4]], $st->fetchAll(PDO::FETCH_NUM));
    expect($rows === $want, 'rows: ' . json_encode($rows));
    $pdo->beginTransaction();
    expect((int) $pdo->query('SELECT COUNT(*) FROM items')->fetchColumn() === 3, 'count');
    $pdo->commit();
    // Writes with native prepares land in vdb's delta; a rollback undoes one.
    $ins = $pdo->prepare('INSERT INTO items (id, name, price, created, note) VALUES (?, ?, ?, ?, ?)');
    $ins->execute([400, "kiwi 🥝 'q'", '3.25', '2024-05-06 07:08:09.123', null]);
    expect($ins->rowCount() === 1, 'insert count');
    $up = $pdo->prepare('UPDATE items SET price = price + ? WHERE id = ?');
    $up->execute([1, 400]);
    expect($up->rowCount() === 1, 'update count');
    $pdo->beginTransaction();
    $pdo->prepare('DELETE FROM items WHERE id = ?')->execute([400]);
    $pdo->rollBack();
    $row = $pdo->query('SELECT name, price FROM items WHERE id = 400')->fetch(PDO::FETCH_NUM);
    expect($row === ["kiwi 🥝 'q'", '4.25'], 'written row: ' . json_encode($row));
    $del = $pdo->prepare('DELETE FROM items WHERE id = ?');
    $del->execute([400]);
    expect($del->rowCount() === 1, 'delete count');
    foreach ([['SELECT * FROM no_such_table', 1146], ['XA RECOVER', 1235]] as [$sql, $code]) {
        try { $pdo->query($sql); throw new Exception("$sql should fail"); }
        catch (PDOException $e) { expect($e->errorInfo[1] === $code, "$sql: " . $e->getMessage()); }
    }
    echo 'ok PHP ' . PHP_VERSION . " PDO MySQL\n";
} catch (Throwable $e) { $failed++; echo 'FAILED PDO MySQL: ' . $e->getMessage() . "\n"; }
try {
    mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
    $m = new mysqli('127.0.0.1', $user, $pass, $db, $port);
    $m->set_charset('utf8mb4');
    $st = $m->prepare('SELECT name, price FROM items WHERE id = ?');
    $id = 3; $st->bind_param('i', $id); $st->execute();
    $st->bind_result($name, $price); $st->fetch();
    expect($name === 'Zoë 🐬' && $price === '10.00', "prepared: $name $price");
    $st->close();
    $ins = $m->prepare('INSERT INTO items (id, name, price, created) VALUES (?, ?, ?, ?)');
    $id = 401; $n = 'mysqli row'; $p = '0.50'; $c = '2024-01-01 00:00:00';
    $ins->bind_param('isss', $id, $n, $p, $c); $ins->execute();
    expect($ins->affected_rows === 1, 'mysqli insert');
    $m->begin_transaction();
    $m->query('UPDATE items SET note = \'in txn\' WHERE id = 401');
    $m->rollback();
    $r = $m->query('SELECT note FROM items WHERE id = 401')->fetch_row();
    expect($r[0] === null, 'a rolled-back update is undone');
    $m->query('DELETE FROM items WHERE id = 401');
    expect($m->affected_rows === 1, 'mysqli delete');
    try { $m->query('XA RECOVER'); throw new Exception('XA should fail'); }
    catch (mysqli_sql_exception $e) { expect($e->getCode() === 1235, 'XA: ' . $e->getMessage()); }
    echo "ok PHP mysqli\n";
} catch (Throwable $e) { $failed++; echo 'FAILED mysqli: ' . $e->getMessage() . "\n"; }
exit($failed ? 1 : 0);

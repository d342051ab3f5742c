// Node: mysql2 with query() (text protocol) and execute() (server-side
// prepared statements). Prints 'ok ...' or 'FAILED ...: reason'.
const mysql = require('mysql2/promise');
const assert = require('assert');

const WANT = [
  [1, 'apple', '1.50', '2024-01-02 03:04:05.678', null],
  [2, 'pear', '2.25', '2024-02-03 00:00:00.000', 'ripe'],
  [3, 'Zoë 🐬', '10.00', '2024-03-04 05:06:07.890', 'emoji'],
];

async function run(kind) {
  const conn = await mysql.createConnection({
    host: '127.0.0.1', port: Number(process.env.VDB_PORT), user: process.env.VDB_USER,
    password: process.env.VDB_PASS, database: process.env.VDB_DB, dateStrings: true, rowsAsArray: true,
  });
  const call = (sql, params) => (kind === 'execute' ? conn.execute(sql, params || []) : conn.query(sql, params || []));
  const [rows] = await call('SELECT id, name, price, created, note FROM items ORDER BY id');
  // In the binary protocol a DATETIME(3) whose fraction is zero is sent
  // without it, and mysql2 prints it without '.000' (as it does directly).
  const want = kind === 'execute' ? WANT.map((r) => r.map((v) => (v === '2024-02-03 00:00:00.000' ? '2024-02-03 00:00:00' : v))) : WANT;
  assert.deepStrictEqual(rows, want);
  const [one] = await call('SELECT name FROM items WHERE id = ?', [2]);
  assert.strictEqual(one[0][0], 'pear');
  await conn.beginTransaction();
  const [count] = await call('SELECT COUNT(*) FROM items');
  assert.strictEqual(Number(count[0][0]), 3);
  await conn.commit();
  // Writes land in vdb's delta; a rolled-back delete is undone.
  const id = kind === 'execute' ? 201 : 200;
  const [ins] = await call('INSERT INTO items (id, name, price, created, note) VALUES (?, ?, ?, ?, ?)',
    [id, 'kiwi 🥝', '3.25', '2024-05-06 07:08:09.123', null]);
  assert.strictEqual(ins.affectedRows, 1);
  await call('UPDATE items SET price = price + ? WHERE id = ?', [1, id]);
  const [k] = await call('SELECT name, price, created FROM items WHERE id = ?', [id]);
  assert.deepStrictEqual(k[0], ['kiwi 🥝', '4.25', '2024-05-06 07:08:09.123']);
  await conn.beginTransaction();
  await call('DELETE FROM items WHERE id = ?', [id]);
  await conn.rollback();
  const [k2] = await call('SELECT COUNT(*) FROM items WHERE id = ?', [id]);
  assert.strictEqual(Number(k2[0][0]), 1, 'a rolled-back delete is undone');
  const [del] = await call('DELETE FROM items WHERE id = ?', [id]);
  assert.strictEqual(del.affectedRows, 1);
  for (const [sql, code] of [['SELECT * FROM no_such_table', 1146], ['XA RECOVER', 1235]]) {
    await assert.rejects(call(sql), (e) => e.errno === code, `${sql} should fail with ${code}`);
  }
  await conn.end();
}

(async () => {
  let failed = 0;
  const version = require('mysql2/package.json').version;
  for (const kind of ['query', 'execute']) {
    try {
      await run(kind);
      console.log(`ok mysql2 ${version} ${kind}()`);
    } catch (e) {
      failed++;
      console.log(`FAILED mysql2 ${kind}(): ${e.message.split('\n')[0]}`);
    }
  }
  process.exit(failed ? 1 : 0);
})();

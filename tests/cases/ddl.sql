-- Captured DDL, compared through vdb and on a writable copy of vdbt_shop
-- (tests/it/capture.rs): the schema changes, then writes and reads over
-- it. `-- case: name` starts a case; one statement per line.

-- case: a created table takes rows, keys, defaults and AUTO_INCREMENT
CREATE TABLE widgets (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT 'w', price DECIMAL(8,2), made DATE DEFAULT '2025-01-01', qty SMALLINT NOT NULL DEFAULT 0, kind ENUM('small', 'large') NOT NULL DEFAULT 'small', UNIQUE KEY uk_name (name))
INSERT INTO widgets (name, price) VALUES ('a', 1.5), ('b', 2)
SELECT LAST_INSERT_ID()
INSERT INTO widgets (price, qty) VALUES (3, 7)
INSERT INTO widgets (name) VALUES ('A')
INSERT INTO widgets (name, qty) VALUES ('c', NULL)
INSERT INTO widgets (id, name) VALUES (10, 'ten')
INSERT INTO widgets (name, kind) VALUES ('big', 'large')
SELECT LAST_INSERT_ID()
SELECT * FROM widgets ORDER BY id
UPDATE widgets SET price = price * 2 WHERE id > 1
DELETE FROM widgets WHERE name = 'a'
SELECT w.id, w.name, w.price, w.made, w.qty FROM widgets w WHERE w.price IS NOT NULL ORDER BY w.price DESC
SELECT COUNT(*), SUM(price), MAX(name) FROM widgets
SELECT * FROM widgets WHERE id = 10

-- case: a created table joins and exchanges rows with source tables
CREATE TABLE tags (customer_id INT NOT NULL, tag VARCHAR(10) NOT NULL, PRIMARY KEY (customer_id, tag))
INSERT INTO tags SELECT id, country FROM customers WHERE country IS NOT NULL
INSERT INTO tags VALUES (1, 'vip'), (2, 'vip')
SELECT c.name, t.tag FROM customers c JOIN tags t ON t.customer_id = c.id ORDER BY c.id, t.tag
SELECT tag, COUNT(*) FROM tags GROUP BY tag ORDER BY tag
UPDATE customers c JOIN tags t ON t.customer_id = c.id SET c.name = CONCAT(c.name, '*') WHERE t.tag = 'vip'
SELECT id, name FROM customers WHERE id IN (SELECT customer_id FROM tags WHERE tag = 'vip') ORDER BY id
DELETE FROM tags WHERE customer_id IN (SELECT id FROM customers WHERE name LIKE '%*')
SELECT * FROM tags ORDER BY 1, 2

-- case: CREATE TABLE errors are the server's
CREATE TABLE customers (id INT)
CREATE TABLE IF NOT EXISTS customers (id INT)
CREATE TABLE dup (a INT, A INT)
CREATE TABLE nokeycol (a INT, PRIMARY KEY (b))
CREATE TABLE autos (a INT AUTO_INCREMENT, b INT)
CREATE TABLE nowhere_db.t (a INT)
CREATE TABLE once (a INT)
CREATE TABLE once (a INT)
CREATE TABLE IF NOT EXISTS once (b INT)
INSERT INTO once VALUES (1), (1), (NULL)
SELECT a, COUNT(*) FROM once GROUP BY a ORDER BY a

-- case: DROP TABLE removes source and created tables, with the server's errors
DROP TABLE digits
SELECT * FROM digits
INSERT INTO digits VALUES (1)
DROP TABLE digits
DROP TABLE IF EXISTS digits
DROP TABLE numbers, nothere
SELECT COUNT(*) FROM numbers
CREATE TABLE digits (d VARCHAR(5) NOT NULL PRIMARY KEY)
INSERT INTO digits VALUES ('five')
SELECT * FROM digits
DROP TABLE customers
DROP TABLE IF EXISTS digits, nothere

-- case: rows written to a table are gone with it, and a new table of that name starts empty
UPDATE accounts SET balance = 0 WHERE id = 1
DROP TABLE accounts
CREATE TABLE accounts (id INT NOT NULL PRIMARY KEY, balance INT NOT NULL)
SELECT COUNT(*) FROM accounts
INSERT INTO accounts VALUES (1, 5)
SELECT * FROM accounts

-- case: CREATE TABLE LIKE copies the definition, not the rows
CREATE TABLE products_copy LIKE products
SELECT COUNT(*) FROM products_copy
INSERT INTO products_copy SELECT * FROM products WHERE price > 10
INSERT INTO products_copy (sku, title, price) VALUES ('N-1', 'New', 1)
SELECT sku, title, price, tags, status FROM products_copy ORDER BY sku
INSERT INTO products_copy (sku, title, price) VALUES ('N-1', 'Again', 2)
CREATE TABLE orders_copy LIKE orders
INSERT INTO orders_copy (customer_id, placed_on, total) VALUES (999, '2025-01-01', 5)
SELECT LAST_INSERT_ID()

-- case: DDL commits an open transaction
BEGIN
INSERT INTO accounts VALUES (100, 1)
CREATE TABLE side (a INT)
ROLLBACK
SELECT * FROM accounts WHERE id = 100
SET autocommit = 0
UPDATE accounts SET balance = 2 WHERE id = 100
DROP TABLE side
ROLLBACK
SELECT * FROM accounts WHERE id = 100
SET autocommit = 1

-- case: a key-less created table counts identical rows
CREATE TABLE events_log (kind VARCHAR(10), n INT)
INSERT INTO events_log VALUES ('x', 1), ('x', 1), ('y', 2)
DELETE FROM events_log WHERE kind = 'x' LIMIT 1
UPDATE events_log SET n = n + 10 WHERE kind = 'y'
SELECT kind, n, COUNT(*) FROM events_log GROUP BY kind, n ORDER BY kind, n

-- case: the catalog shows created and dropped tables: SHOW, DESCRIBE and information_schema
CREATE TABLE widgets (id INT UNSIGNED NOT NULL AUTO_INCREMENT, name VARCHAR(20) NOT NULL DEFAULT 'w', price DECIMAL(8,2) DEFAULT 1.5, made DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3), note TEXT CHARACTER SET latin1, code CHAR(3) COLLATE utf8mb4_bin, size ENUM('s', 'm') NOT NULL DEFAULT 'm', flags SET('a', 'b'), qty SMALLINT NOT NULL, big BIGINT UNSIGNED, ratio DOUBLE, day DATE NOT NULL DEFAULT '2025-01-01', PRIMARY KEY (id), UNIQUE KEY uk_name (name), KEY k_price (price, made), KEY (qty))
CREATE TABLE pairs (a INT NOT NULL, b INT NOT NULL, UNIQUE KEY (a, b))
SHOW FULL TABLES
DROP TABLE order_items
SHOW TABLES
SHOW FULL TABLES LIKE '%s'
SHOW TABLES LIKE 'w%'
SHOW CREATE TABLE widgets
SHOW CREATE TABLE pairs
DESCRIBE widgets
SHOW COLUMNS FROM widgets LIKE 'n%'
SHOW FULL COLUMNS FROM pairs
SHOW INDEX FROM widgets
SHOW CREATE TABLE order_items
DESCRIBE order_items
SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_TYPE, COLUMN_KEY, EXTRA, COLUMN_COMMENT, IS_GENERATED FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('widgets', 'pairs', 'order_items') ORDER BY TABLE_NAME, ORDINAL_POSITION
SELECT t.TABLE_NAME, COUNT(c.COLUMN_NAME) FROM information_schema.tables t JOIN information_schema.columns c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME WHERE t.TABLE_SCHEMA = DATABASE() GROUP BY t.TABLE_NAME ORDER BY t.TABLE_NAME
SELECT TABLE_NAME, PARTITION_NAME, SUBPARTITION_NAME, PARTITION_ORDINAL_POSITION, PARTITION_METHOD FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
SELECT TABLE_NAME, TABLE_ROWS, AVG_ROW_LENGTH, DATA_LENGTH, MAX_DATA_LENGTH, INDEX_LENGTH, DATA_FREE, CHECKSUM, PARTITION_COMMENT, NODEGROUP, TABLESPACE_NAME FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('widgets', 'pairs') ORDER BY TABLE_NAME
SELECT t.TABLE_NAME, t.TABLE_TYPE, COUNT(p.TABLE_NAME) FROM information_schema.TABLES t LEFT JOIN information_schema.PARTITIONS p ON p.TABLE_SCHEMA = t.TABLE_SCHEMA AND p.TABLE_NAME = t.TABLE_NAME WHERE t.TABLE_SCHEMA = DATABASE() GROUP BY t.TABLE_NAME, t.TABLE_TYPE ORDER BY t.TABLE_NAME
INSERT INTO widgets (name, qty) VALUES ('x', 1)
INSERT INTO widgets (id, name, qty) VALUES (41, 'y', 2)
SELECT id, name, price, note, code, size, flags, qty, day FROM widgets ORDER BY id
SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'widgets'
SHOW CREATE TABLE widgets
DROP TABLE widgets
SHOW TABLES LIKE 'w%'

-- case: ALTER TABLE adds, drops, renames and changes columns of a source table, and every view agrees
UPDATE accounts SET balance = balance + 1 WHERE id <= 3
ALTER TABLE accounts ADD COLUMN owner VARCHAR(20) NOT NULL DEFAULT 'bank'
ALTER TABLE accounts ADD COLUMN rank_no INT NOT NULL FIRST
ALTER TABLE accounts ADD COLUMN note TEXT AFTER id, ADD COLUMN flag TINYINT NOT NULL
SELECT * FROM accounts WHERE id BETWEEN 2 AND 4 ORDER BY id
UPDATE accounts SET owner = 'alice', note = 'first' WHERE id = 1
ALTER TABLE accounts DROP COLUMN rank_no
ALTER TABLE accounts RENAME COLUMN note TO memo
ALTER TABLE accounts CHANGE owner holder VARCHAR(30) NOT NULL DEFAULT 'bank'
ALTER TABLE accounts MODIFY balance BIGINT NOT NULL
ALTER TABLE accounts ALTER COLUMN flag SET DEFAULT 7
INSERT INTO accounts (id, balance) VALUES (99, 5)
SELECT * FROM accounts WHERE id IN (1, 2, 99) ORDER BY id
SELECT COUNT(*), SUM(balance) FROM accounts
DESCRIBE accounts
SHOW CREATE TABLE accounts
SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' ORDER BY ORDINAL_POSITION
ALTER TABLE accounts ALTER COLUMN flag DROP DEFAULT
SHOW CREATE TABLE accounts

-- case: ALTER TABLE errors are the server's and leave the table as it was
ALTER TABLE accounts ADD COLUMN balance INT
ALTER TABLE accounts DROP COLUMN nope
ALTER TABLE accounts RENAME COLUMN nope TO other
ALTER TABLE accounts CHANGE nope other INT
ALTER TABLE accounts ADD COLUMN c INT AFTER nope
ALTER TABLE accounts DROP INDEX nope
ALTER TABLE accounts ADD PRIMARY KEY (balance)
ALTER TABLE accounts ADD UNIQUE KEY (balance)
ALTER TABLE accounts ADD INDEX (nope)
ALTER TABLE nope ADD COLUMN c INT
ALTER TABLE accounts DROP COLUMN id, DROP COLUMN balance
SELECT COUNT(*), SUM(balance) FROM accounts
SHOW CREATE TABLE accounts
UPDATE accounts SET balance = NULL WHERE id = 2
ALTER TABLE accounts ADD COLUMN maybe INT
UPDATE accounts SET maybe = 1 WHERE id > 2
ALTER TABLE accounts MODIFY maybe INT NOT NULL
ALTER TABLE accounts MODIFY maybe TINYINT
UPDATE accounts SET maybe = 1000 WHERE id = 5
ALTER TABLE accounts MODIFY maybe TINYINT
SELECT id, maybe FROM accounts WHERE id < 7 ORDER BY id

-- case: keys added and dropped by ALTER TABLE, CREATE INDEX and DROP INDEX are enforced
ALTER TABLE numbers ADD COLUMN tag INT
UPDATE numbers SET tag = n % 7 WHERE n < 20
ALTER TABLE numbers ADD UNIQUE KEY uk_tag (tag)
UPDATE numbers SET tag = NULL WHERE n >= 7
ALTER TABLE numbers ADD UNIQUE KEY uk_tag (tag)
INSERT INTO numbers (n, tag) VALUES (5000, 3)
CREATE INDEX ix_tag ON numbers (tag, n)
CREATE UNIQUE INDEX ux ON numbers (n, tag)
SHOW CREATE TABLE numbers
DROP INDEX uk_tag ON numbers
INSERT INTO numbers (n, tag) VALUES (5000, 3)
SELECT n, tag FROM numbers WHERE tag = 3 ORDER BY n
CREATE TABLE pk_t (a INT PRIMARY KEY, b INT)
INSERT INTO pk_t VALUES (1, 1), (2, 2), (3, 2)
ALTER TABLE pk_t DROP PRIMARY KEY
ALTER TABLE pk_t DROP PRIMARY KEY
INSERT INTO pk_t VALUES (3, 2)
SELECT a, b, COUNT(*) FROM pk_t GROUP BY a, b ORDER BY a
ALTER TABLE pk_t ADD PRIMARY KEY (a)
DELETE FROM pk_t WHERE a = 3 LIMIT 1
ALTER TABLE pk_t ADD PRIMARY KEY (a)
SHOW CREATE TABLE pk_t
ALTER TABLE digits ADD COLUMN id INT NOT NULL AUTO_INCREMENT UNIQUE FIRST
SELECT * FROM digits ORDER BY d
INSERT INTO digits (d) VALUES (10)
SELECT id, d FROM digits WHERE d = 10

-- case: RENAME TABLE and ALTER TABLE RENAME move rows and pending changes
UPDATE accounts SET balance = 0 WHERE id = 1
RENAME TABLE accounts TO wallets
SELECT * FROM accounts
SELECT id, balance FROM wallets WHERE id <= 2 ORDER BY id
ALTER TABLE wallets RENAME TO purses
SHOW TABLES LIKE '%s'
RENAME TABLE purses TO digits
RENAME TABLE nope TO other
RENAME TABLE purses TO accounts, numbers TO purses
SELECT COUNT(*) FROM accounts
SELECT COUNT(*) FROM purses
CREATE TABLE fresh (id INT PRIMARY KEY, v INT)
INSERT INTO fresh VALUES (1, 10)
ALTER TABLE fresh ADD COLUMN w INT DEFAULT 3, RENAME TO fresher
SELECT * FROM fresher
SHOW CREATE TABLE fresher

-- case: TRUNCATE empties a table and resets AUTO_INCREMENT
UPDATE numbers SET n = n + 5000 WHERE n < 10
TRUNCATE TABLE numbers
SELECT COUNT(*) FROM numbers
TRUNCATE digits
SELECT COUNT(*) FROM digits
INSERT INTO digits VALUES (3)
SELECT * FROM digits
CREATE TABLE counters (id INT AUTO_INCREMENT PRIMARY KEY, v INT)
INSERT INTO counters (v) VALUES (1), (2), (3)
TRUNCATE counters
INSERT INTO counters (v) VALUES (4)
SELECT * FROM counters
TRUNCATE nope

-- case: SHOW COLUMNS ... WHERE, and information_schema lists columns in table order, after an ALTER
ALTER TABLE accounts ADD COLUMN zeta INT, ADD COLUMN alpha INT NOT NULL DEFAULT 3 FIRST, ADD COLUMN mid VARCHAR(5) COLLATE 'utf8mb4_bin' AFTER id
SHOW FULL FIELDS FROM accounts WHERE Field LIKE '%a%'
SHOW COLUMNS FROM accounts WHERE `Null` = 'YES' AND Field <> 'zeta'
SHOW FIELDS FROM accounts WHERE `Default` = '3'
SELECT COLUMN_NAME, ORDINAL_POSITION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts'
SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('accounts', 'digits') AND COLUMN_NAME <> 'd'

-- case: foreign keys of created tables are enforced both ways, with source tables too
CREATE TABLE notes (id INT PRIMARY KEY, customer_id INT UNSIGNED, body VARCHAR(20), CONSTRAINT fk_notes_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE)
INSERT INTO notes VALUES (1, 1, 'a'), (2, 5, 'b'), (4, 4, 'd')
INSERT INTO notes VALUES (3, 99, 'c')
SHOW CREATE TABLE notes
DELETE FROM customers WHERE id = 4
SELECT * FROM notes ORDER BY id
CREATE TABLE tags2 (id INT PRIMARY KEY, note_id INT, FOREIGN KEY (note_id) REFERENCES notes (id))
SHOW CREATE TABLE tags2
INSERT INTO tags2 VALUES (1, 1)
DELETE FROM notes WHERE id = 1
DROP TABLE notes
TRUNCATE notes
ALTER TABLE tags2 DROP FOREIGN KEY tags2_ibfk_1
ALTER TABLE tags2 DROP FOREIGN KEY tags2_ibfk_1
DROP TABLE notes
CREATE TABLE bad (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES nope (id))
CREATE TABLE bad (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES customers (name))
CREATE TABLE bad (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES customers (id))
CREATE TABLE bad (id INT PRIMARY KEY, p VARCHAR(30), q INT, FOREIGN KEY (p, q) REFERENCES products (sku))
ALTER TABLE digits ADD FOREIGN KEY (d) REFERENCES numbers (n)
ALTER TABLE orders ADD COLUMN rush TINYINT NOT NULL DEFAULT 0
DELETE FROM customers WHERE id = 1
UPDATE orders SET customer_id = 99 WHERE id = 1
SHOW CREATE TABLE orders
TRUNCATE customers
SELECT id, customer_id, rush FROM orders ORDER BY id
CREATE TABLE kid3 (id INT PRIMARY KEY, sku VARCHAR(20))
INSERT INTO kid3 VALUES (1, 'A-1')
ALTER TABLE kid3 ADD CONSTRAINT fk3 FOREIGN KEY (sku) REFERENCES products (sku)
DELETE FROM products WHERE sku = 'A-1'
SHOW CREATE TABLE kid3
SELECT TABLE_NAME, NON_UNIQUE, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NULLABLE, INDEX_TYPE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('kid3', 'tags2', 'orders', 'customers') ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, POSITION_IN_UNIQUE_CONSTRAINT, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION
SELECT CONSTRAINT_NAME, UNIQUE_CONSTRAINT_NAME, MATCH_OPTION, UPDATE_RULE, DELETE_RULE, TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME
SELECT k.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, r.DELETE_RULE FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = DATABASE() ORDER BY 1, 2
DROP TABLE kid3
SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'kid%'

-- case: views over created, changed and source tables read the merged view
CREATE TABLE vt1 (a INT PRIMARY KEY, b VARCHAR(10))
INSERT INTO vt1 VALUES (1, 'one'), (2, 'two'), (3, 'three')
CREATE VIEW v_big AS SELECT a, b FROM vt1 WHERE a > 1
SELECT * FROM v_big ORDER BY a
INSERT INTO vt1 VALUES (4, 'four')
UPDATE customers SET name = 'Zed' WHERE id = 1
CREATE VIEW v_names (who, n) AS SELECT name, id FROM customers WHERE id < 3
SELECT * FROM v_names ORDER BY n
SELECT v.who, b.b FROM v_names v JOIN v_big b ON b.a = v.n + 1 ORDER BY v.n
CREATE VIEW v_on_view AS SELECT COUNT(*) AS c FROM v_big
SELECT * FROM v_on_view
SELECT TABLE_NAME, CHECK_OPTION, IS_UPDATABLE, SECURITY_TYPE, ALGORITHM FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'VIEW' ORDER BY TABLE_NAME
SHOW FULL TABLES WHERE Table_type = 'VIEW'
CREATE VIEW v_exprs AS SELECT a + 1 AS a1, a * 1.5 AS half, NOW() IS NOT NULL AS now_ok, COUNT(*) OVER () AS n, NULL AS nothing, 'x' AS lit, 2.25 AS dec2 FROM vt1
SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, COLLATION_NAME, COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'v\_%' ORDER BY TABLE_NAME, ORDINAL_POSITION
DESCRIBE v_exprs
DESCRIBE v_big
SHOW COLUMNS FROM v_names
SHOW INDEX FROM v_big
DROP VIEW v_exprs
CREATE OR REPLACE VIEW v_big AS SELECT b FROM vt1 WHERE a = 1 WITH CHECK OPTION
SELECT * FROM v_big
SELECT * FROM v_on_view
SELECT TABLE_NAME, CHECK_OPTION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
DROP VIEW v_on_view, v_names
SELECT * FROM v_names
SHOW FULL TABLES WHERE Table_type = 'VIEW'

-- case: view errors are the server's, and the source's view can be dropped and replaced
CREATE VIEW customers AS SELECT 1
CREATE OR REPLACE VIEW customers AS SELECT 1
CREATE VIEW w (x) AS SELECT id, name FROM customers
CREATE VIEW w AS SELECT nosuch FROM customers
CREATE VIEW w AS SELECT * FROM missing
CREATE VIEW w AS SELECT id, id FROM customers
DROP VIEW nosuch
DROP VIEW customers
DROP VIEW IF EXISTS nosuch
DROP TABLE big_spenders
SELECT COUNT(*) FROM big_spenders
DROP VIEW big_spenders
SELECT * FROM big_spenders
CREATE VIEW big_spenders AS SELECT 1 AS one
SELECT * FROM big_spenders
CREATE OR REPLACE VIEW big_spenders AS SELECT id FROM customers WHERE id = 2
SELECT * FROM big_spenders

-- case: ALTER VIEW replaces a view's SELECT and keeps the options it does not give
CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW av1 AS SELECT id, name FROM customers WHERE id < 3 WITH LOCAL CHECK OPTION
ALTER VIEW av1 AS SELECT id FROM customers WHERE id > 3
SELECT * FROM av1 ORDER BY id
SELECT TABLE_NAME, CHECK_OPTION, SECURITY_TYPE, ALGORITHM FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
ALTER ALGORITHM=TEMPTABLE VIEW av1 (n) AS SELECT COUNT(*) FROM orders
SELECT * FROM av1
DESCRIBE av1
ALTER VIEW big_spenders AS SELECT name FROM customers WHERE id = 1
SELECT * FROM big_spenders
ALTER DEFINER = CURRENT_USER SQL SECURITY INVOKER VIEW big_spenders AS SELECT name FROM customers WHERE id = 2
SELECT * FROM big_spenders
SELECT TABLE_NAME, CHECK_OPTION, SECURITY_TYPE, ALGORITHM FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
ALTER VIEW nosuch AS SELECT 1
ALTER VIEW customers AS SELECT 1
ALTER VIEW av1 AS SELECT nosuch FROM customers
SELECT * FROM av1

-- case: CREATE TABLE ... SELECT takes the rows and the columns' definitions
CREATE TABLE recent AS SELECT id, customer_id, placed_on FROM orders WHERE id > 1
SELECT * FROM recent ORDER BY id
SHOW CREATE TABLE recent
CREATE TABLE named (id INT UNSIGNED PRIMARY KEY, note VARCHAR(20) DEFAULT 'n') SELECT id, name AS who, country FROM customers
SELECT * FROM named ORDER BY id
SHOW CREATE TABLE named
DESCRIBE named
INSERT INTO named (id, who) VALUES (1, 'dup')
CREATE TABLE picked SELECT sku, tags, status, price FROM products
SHOW CREATE TABLE picked
SELECT * FROM picked ORDER BY sku
CREATE TABLE dupkey (PRIMARY KEY (k)) SELECT 1 AS k UNION ALL SELECT 1
SELECT * FROM dupkey
CREATE TABLE dupkey (PRIMARY KEY (k)) IGNORE SELECT 1 AS k, 'a' AS v UNION ALL SELECT 2, 'b' UNION ALL SELECT 3, 'c'
SELECT * FROM dupkey ORDER BY k
CREATE TABLE dupkey2 (PRIMARY KEY (k)) REPLACE SELECT 1 AS k, 'a' AS v UNION ALL SELECT 1, 'b' UNION ALL SELECT 2, 'c'
SELECT * FROM dupkey2 ORDER BY k
SHOW CREATE TABLE dupkey2
CREATE TABLE custcopy (PRIMARY KEY (cc)) REPLACE SELECT id, COALESCE(country, 'FI') AS cc FROM customers ORDER BY id
SELECT * FROM custcopy ORDER BY id
CREATE TABLE again AS SELECT * FROM recent WHERE id > 2
SELECT COUNT(*) FROM again
CREATE TABLE recent AS SELECT 1
CREATE TABLE IF NOT EXISTS recent AS SELECT 1
CREATE TABLE nowhere AS SELECT * FROM missing
CREATE TABLE twice AS SELECT id, id FROM customers

-- case: SHOW WARNINGS lists the notes and errors of statements vdb answered
CREATE TABLE IF NOT EXISTS customers (id INT)
SHOW WARNINGS
SHOW COUNT(*) WARNINGS
DROP TABLE IF EXISTS nosuch1, nosuch2
SHOW COUNT(*) WARNINGS
SHOW WARNINGS LIMIT 1, 1
DROP VIEW IF EXISTS nov
SHOW COUNT(*) WARNINGS
INSERT INTO customers (id, email, name) VALUES (1, 'x@example.com', 'y')
SHOW WARNINGS
SHOW ERRORS
SHOW COUNT(*) ERRORS
CREATE TABLE t_ok (a INT)
SHOW WARNINGS

-- case: CHECK constraints and JSON columns are created and enforced
CREATE TABLE checked (id INT PRIMARY KEY, qty INT CHECK (qty >= 0), doc JSON, low INT, high INT, CONSTRAINT ordered CHECK (low <= high), CHECK (id < 1000))
SHOW CREATE TABLE checked
INSERT INTO checked VALUES (1, 5, '{"a": 1}', 1, 2)
INSERT INTO checked VALUES (2, -1, NULL, NULL, NULL)
INSERT INTO checked VALUES (3, 1, 'not json', NULL, NULL)
INSERT INTO checked VALUES (4, 1, NULL, 5, 2)
INSERT INTO checked VALUES (1000, 1, NULL, NULL, NULL)
UPDATE checked SET qty = qty - 10 WHERE id = 1
SELECT id, qty, JSON_VALUE(doc, '$.a') FROM checked ORDER BY id
SELECT CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'checked' ORDER BY CONSTRAINT_NAME
SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'checked' ORDER BY CONSTRAINT_NAME
SELECT COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'checked' ORDER BY ORDINAL_POSITION
ALTER TABLE checked ADD COLUMN meta JSON
INSERT INTO checked (id, meta) VALUES (5, 'bad')
INSERT INTO checked (id, meta) VALUES (5, '[1, 2]')
ALTER TABLE checked DROP COLUMN doc
SHOW CREATE TABLE checked
SELECT CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'checked' ORDER BY CONSTRAINT_NAME
SELECT * FROM checked ORDER BY id
ALTER TABLE checked MODIFY qty BIGINT
INSERT INTO checked (id, qty) VALUES (6, -3)
ALTER TABLE checked MODIFY qty INT CHECK (qty < 100)
ALTER TABLE checked CHANGE qty amount INT CHECK (amount > 0)
ALTER TABLE checked MODIFY qty INT CHECK (qty < 10)
ALTER TABLE checked ADD COLUMN note VARCHAR(20), ADD COLUMN body TEXT
UPDATE checked SET note = 'not json', body = '{"ok": true}'
ALTER TABLE checked MODIFY body JSON
ALTER TABLE checked MODIFY note JSON
SHOW CREATE TABLE checked
SELECT CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'checked' ORDER BY CONSTRAINT_NAME
INSERT INTO checked (id, qty, body) VALUES (7, 50, 'nope')
INSERT INTO checked (id, qty, body) VALUES (7, 5, '[]')
SELECT * FROM checked ORDER BY id

-- case: ZEROFILL columns are created, padded and described as the server does
CREATE TABLE padded (id INT(5) ZEROFILL NOT NULL PRIMARY KEY, amount DECIMAL(6,2) UNSIGNED ZEROFILL, n SMALLINT ZEROFILL)
INSERT INTO padded VALUES (7, 1.5, 3), (12345, NULL, NULL)
SELECT * FROM padded ORDER BY id
SELECT id, n + 1 FROM padded WHERE id = 7
SHOW CREATE TABLE padded
DESCRIBE padded
SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'padded' ORDER BY ORDINAL_POSITION

-- case: a temporary table is the connection's own, shadows a table of its name, and is in no catalog
CREATE TEMPORARY TABLE tmp (id INT PRIMARY KEY, v VARCHAR(10) DEFAULT 'x')
INSERT INTO tmp (id) VALUES (1), (2)
INSERT INTO tmp VALUES (3, 'three')
SELECT * FROM tmp ORDER BY id
SELECT tmp.v FROM tmp WHERE tmp.id > 1 ORDER BY tmp.id
UPDATE tmp SET tmp.v = 'two' WHERE tmp.id = 2
DELETE FROM tmp WHERE tmp.id = 1
INSERT INTO tmp VALUES (3, 'dup')
SELECT * FROM tmp ORDER BY id
SELECT c.name, t.v FROM customers c JOIN tmp t ON t.id = c.id ORDER BY c.id
SELECT * FROM tmp WHERE id IN (SELECT id FROM customers) ORDER BY id
SHOW CREATE TABLE tmp
DESCRIBE tmp
SHOW COLUMNS FROM tmp
SHOW INDEX FROM tmp
SHOW TABLES LIKE 'tmp'
SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'tmp'
SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_NAME = 'tmp'
CREATE TEMPORARY TABLE tmp (a INT)
CREATE TEMPORARY TABLE IF NOT EXISTS tmp (a INT)
SHOW WARNINGS
CREATE TEMPORARY TABLE customers (id INT PRIMARY KEY, name VARCHAR(10))
INSERT INTO customers VALUES (1, 'shadow')
SELECT * FROM customers
ALTER TABLE tmp ADD COLUMN n INT NOT NULL DEFAULT 7
SELECT * FROM tmp ORDER BY id
TRUNCATE TABLE tmp
SELECT COUNT(*) FROM tmp
CREATE TEMPORARY TABLE tcopy AS SELECT id, name FROM customers
SELECT * FROM tcopy
CREATE TEMPORARY TABLE tlike LIKE orders
SHOW CREATE TABLE tlike
INSERT INTO tlike SELECT * FROM orders WHERE id < 3
SELECT id, total FROM tlike ORDER BY id
DROP TEMPORARY TABLE customers
SELECT COUNT(*) FROM customers
DROP TEMPORARY TABLE customers
DROP TEMPORARY TABLE IF EXISTS customers
SHOW COUNT(*) WARNINGS
DROP TABLE tmp
SELECT * FROM tmp
DROP TEMPORARY TABLE tcopy, tlike
SELECT * FROM tcopy

-- case: CREATE and DROP TEMPORARY TABLE commit no open transaction, and a ROLLBACK keeps the table but not the rows written to it
BEGIN
INSERT INTO digits VALUES (42)
CREATE TEMPORARY TABLE scratchpad (id INT PRIMARY KEY, note VARCHAR(10))
INSERT INTO scratchpad VALUES (1, 'in txn')
SELECT * FROM scratchpad
SELECT COUNT(*) FROM digits
ROLLBACK
SELECT * FROM scratchpad
SELECT COUNT(*) FROM digits
START TRANSACTION
INSERT INTO scratchpad VALUES (2, 'kept')
SAVEPOINT s1
INSERT INTO scratchpad VALUES (3, 'undone')
ROLLBACK TO SAVEPOINT s1
COMMIT
SELECT * FROM scratchpad ORDER BY id
SET autocommit = 0
INSERT INTO digits VALUES (43)
DROP TEMPORARY TABLE scratchpad
SELECT * FROM scratchpad
ROLLBACK
SELECT COUNT(*) FROM digits
SET autocommit = 1
CREATE TEMPORARY TABLE scratchpad (id INT)
BEGIN
INSERT INTO scratchpad VALUES (7)
DROP TABLE digits
ROLLBACK
SELECT * FROM scratchpad
SELECT COUNT(*) FROM digits

-- case: RENAME TABLE and ALTER TABLE ... RENAME move a temporary table, its rows with it, and commit an open transaction
CREATE TEMPORARY TABLE pad (id INT PRIMARY KEY, note VARCHAR(10))
INSERT INTO pad VALUES (1, 'one'), (2, 'two')
RENAME TABLE pad TO pad2
SELECT * FROM pad
SELECT * FROM pad2 ORDER BY id
SHOW CREATE TABLE pad2
BEGIN
INSERT INTO pad2 VALUES (3, 'three')
ALTER TABLE pad2 ADD COLUMN n INT NOT NULL DEFAULT 5, RENAME TO pad3
ROLLBACK
SELECT * FROM pad3 ORDER BY id
CREATE TEMPORARY TABLE other_pad (id INT)
RENAME TABLE pad3 TO other_pad
ALTER TABLE pad3 RENAME other_pad
CREATE TEMPORARY TABLE customers (id INT PRIMARY KEY, name VARCHAR(10))
INSERT INTO customers VALUES (1, 'shadow')
RENAME TABLE customers TO shadowed, pad3 TO pad4
SELECT * FROM shadowed
SELECT COUNT(*) FROM customers
SELECT * FROM pad4 ORDER BY id
SHOW TABLES LIKE 'pad%'
DROP TEMPORARY TABLE pad4, shadowed, other_pad
SELECT * FROM pad4

-- case: a table's triggers stay with it through ALTER, RENAME and TRUNCATE, keep firing, and go with DROP TABLE
ALTER TABLE tickets ADD COLUMN note VARCHAR(10) NOT NULL DEFAULT 'n' AFTER title
INSERT INTO tickets (title, qty) VALUES ('Hello World', -3)
SELECT * FROM tickets ORDER BY id
SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_SCHEMA = DATABASE(), EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_STATEMENT, ACTION_TIMING, ACTION_ORIENTATION, ACTION_REFERENCE_NEW_ROW, SQL_MODE, DEFINER, CHARACTER_SET_CLIENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME
RENAME TABLE tickets TO work_items
UPDATE work_items SET qty = qty + 1, title = 'Renamed Ticket' WHERE id = 1
UPDATE work_items SET qty = -1 WHERE id = 2
SELECT * FROM work_items ORDER BY id
SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_ORDER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME
SELECT t.TABLE_NAME, COUNT(g.TRIGGER_NAME) FROM information_schema.TABLES t LEFT JOIN information_schema.TRIGGERS g ON g.EVENT_OBJECT_SCHEMA = t.TABLE_SCHEMA AND g.EVENT_OBJECT_TABLE = t.TABLE_NAME WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME IN ('tickets', 'work_items', 'audited') GROUP BY t.TABLE_NAME ORDER BY t.TABLE_NAME
TRUNCATE TABLE work_items
INSERT INTO work_items (title, qty) VALUES ('After Truncate', 4)
SELECT * FROM work_items
ALTER TABLE work_items RENAME TO tickets
ALTER TABLE tickets DROP COLUMN slug
INSERT INTO tickets (title) VALUES ('No Slug')
UPDATE tickets SET qty = 2
SELECT * FROM tickets
ALTER TABLE audited ADD COLUMN w INT
SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'audited' ORDER BY TRIGGER_NAME
DROP TABLE tickets
SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME
SHOW CREATE TRIGGER tickets_bi
CREATE TABLE tickets (id INT PRIMARY KEY, slug VARCHAR(40))
INSERT INTO tickets VALUES (1, 'Kept As Is')
SELECT * FROM tickets

-- case: CREATE TRIGGER and DROP TRIGGER change a table's triggers, which then fire in their order, with the server's errors
CREATE TRIGGER customers_bi BEFORE INSERT ON customers FOR EACH ROW SET NEW.name = UPPER(NEW.name)
CREATE TRIGGER customers_bi2 BEFORE INSERT ON customers FOR EACH ROW PRECEDES customers_bi SET NEW.name = CONCAT(NEW.name, '!')
INSERT INTO customers (id, email, name, created_at) VALUES (100, 'zed@example.com', 'zed', '2025-01-01')
SELECT id, email, name FROM customers WHERE id > 99 ORDER BY id
SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_STATEMENT, ACTION_TIMING, ACTION_ORIENTATION, SQL_MODE, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DATABASE_COLLATION FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME
CREATE TRIGGER customers_bi BEFORE INSERT ON customers FOR EACH ROW SET NEW.name = 'x'
CREATE TRIGGER IF NOT EXISTS customers_bi BEFORE INSERT ON customers FOR EACH ROW SET NEW.name = 'x'
SHOW WARNINGS
CREATE OR REPLACE TRIGGER customers_bi BEFORE INSERT ON customers FOR EACH ROW SET NEW.name = LOWER(NEW.name)
INSERT INTO customers (id, email, name, created_at) VALUES (101, 'mixed@example.com', 'MiXed', '2025-01-01')
SELECT id, email, name FROM customers WHERE id > 99 ORDER BY id
CREATE TRIGGER tickets_bi BEFORE INSERT ON customers FOR EACH ROW SET NEW.name = 'x'
CREATE TRIGGER t_bad BEFORE INSERT ON customers FOR EACH ROW SET NEW.nope = 1
CREATE TRIGGER t_bad BEFORE INSERT ON customers FOR EACH ROW SET NEW.name = OLD.name
CREATE TRIGGER t_bad BEFORE DELETE ON customers FOR EACH ROW SET @n = NEW.name
CREATE TRIGGER t_bad AFTER UPDATE ON customers FOR EACH ROW SET NEW.name = 'x'
CREATE TRIGGER t_bad BEFORE UPDATE ON customers FOR EACH ROW SET OLD.name = 'x'
CREATE TRIGGER t_bad BEFORE UPDATE ON customers FOR EACH ROW FOLLOWS customers_bi SET NEW.name = 'x'
CREATE TRIGGER t_bad BEFORE INSERT ON no_such_table FOR EACH ROW SET NEW.a = 1
CREATE TRIGGER t_bad BEFORE INSERT ON customers FOR EACH ROW SET NEW.name =
CREATE TRIGGER vdbt_shop.t_bad BEFORE INSERT ON vdbt_types.t FOR EACH ROW SET NEW.a = 1
CREATE TRIGGER vdbt_shop.t_bad BEFORE INSERT ON vdbt_types.alltypes FOR EACH ROW SET @a = 1
CREATE VIEW customer_names AS SELECT id, name FROM customers
CREATE TRIGGER t_bad BEFORE INSERT ON customer_names FOR EACH ROW SET NEW.name = 'x'
CREATE TEMPORARY TABLE scratch_t (a INT)
CREATE TRIGGER t_bad BEFORE INSERT ON scratch_t FOR EACH ROW SET NEW.a = 1
CREATE TRIGGER orders_au AFTER UPDATE ON orders FOR EACH ROW BEGIN SET @orders_updated = IFNULL(@orders_updated, 0) + 1; END
SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_STATEMENT, ACTION_TIMING FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME
DROP TRIGGER customers_bi2
INSERT INTO customers (id, email, name, created_at) VALUES (102, 'last@example.com', 'Last', '2025-01-01')
SELECT id, email, name FROM customers WHERE id > 99 ORDER BY id
DROP TRIGGER customers_bi2
DROP TRIGGER IF EXISTS customers_bi2
SHOW WARNINGS
DROP TRIGGER vdbt_shop.tickets_bi
INSERT INTO tickets (title, qty) VALUES ('No Slug Now', -1)
SELECT * FROM tickets ORDER BY id
SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_ORDER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME
BEGIN
INSERT INTO digits VALUES (50)
CREATE TRIGGER digits_bi BEFORE INSERT ON digits FOR EACH ROW SET NEW.d = NEW.d + 1
ROLLBACK
INSERT INTO digits VALUES (60)
SELECT * FROM digits WHERE d >= 50 ORDER BY d
DROP TABLE digits
SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = 'digits_bi'

-- case: a write through a view of one table is the same write of its table, with the server's errors for views it cannot write
CREATE VIEW gb_customers AS SELECT id, email AS mail, name, UPPER(name) AS loud, created_at FROM customers WHERE country = 'GB' OR country IS NULL
UPDATE gb_customers SET name = 'Ada L.' WHERE mail = 'ada@example.com'
UPDATE gb_customers SET name = CONCAT(name, '?')
SELECT id, name, country FROM customers ORDER BY id
UPDATE gb_customers SET loud = 'x'
UPDATE gb_customers SET nope = 1
UPDATE gb_customers g SET g.name = 'Aliased' WHERE g.loud LIKE 'ADA%'
INSERT INTO gb_customers (id, mail, name, created_at) VALUES (50, 'new@example.com', 'Newcomer', '2025-01-01'), (51, 'two@example.com', 'Second', '2025-01-02')
INSERT INTO gb_customers VALUES (52, 'x@example.com', 'X', 'X', '2025-01-01')
INSERT INTO gb_customers (id, loud) VALUES (53, 'X')
INSERT INTO gb_customers (id, mail, name, created_at) VALUES (54, 'ada@example.com', 'Dup', '2025-01-01')
SELECT id, email, name, country FROM customers WHERE id >= 50 ORDER BY id
SELECT * FROM gb_customers ORDER BY id
DELETE FROM gb_customers WHERE gb_customers.loud = 'SECOND?' OR id = 50
SELECT id, name FROM customers ORDER BY id
UPDATE big_spenders SET spent = 1
DELETE FROM big_spenders
INSERT INTO big_spenders VALUES ('x', 1)
CREATE VIEW cheap AS SELECT * FROM digits WHERE d < 5
UPDATE cheap SET d = d + 20 ORDER BY d LIMIT 2
DELETE FROM cheap WHERE d = 4
INSERT INTO cheap VALUES (7)
REPLACE INTO cheap VALUES (7)
SELECT * FROM digits ORDER BY d
SELECT * FROM cheap ORDER BY d
UPDATE uk_customers SET name = CONCAT(name, '!') WHERE quiet LIKE 'o%' OR mail LIKE 'ada%'
UPDATE uk_customers SET quiet = 'x'
INSERT INTO uk_customers (id, mail, name, created_at) VALUES (60, 'uk@example.com', 'Brit', '2025-03-03')
INSERT INTO uk_customers VALUES (61, 'v@example.com', 'V', 'v', '2025-03-03')
DELETE FROM uk_customers WHERE uk_customers.id = 5
SELECT id, email, name, country FROM customers ORDER BY id
SELECT * FROM uk_customers ORDER BY id

-- case: generated columns and expression defaults are created, computed and described as the server does
CREATE TABLE shapes (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, w INT NOT NULL, h INT DEFAULT (w + 1), note VARCHAR(40) DEFAULT (CONCAT('w', 'x')), made VARCHAR(36) DEFAULT (uuid()), twice INT DEFAULT (1+1), area INT AS (w*h) VIRTUAL, label VARCHAR(30) GENERATED ALWAYS AS (CONCAT(note, ':', area)) STORED, flag INT AS (NOT w) PERSISTENT, doc JSON, x INT AS (JSON_VALUE(doc, '$.x')), KEY k_area (area), UNIQUE KEY uk_label (label))
SHOW CREATE TABLE shapes
SHOW COLUMNS FROM shapes
SHOW FULL COLUMNS FROM shapes
SELECT COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, EXTRA, IS_GENERATED, GENERATION_EXPRESSION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'shapes' ORDER BY ORDINAL_POSITION
INSERT INTO shapes (w, doc) VALUES (2, '{"x": 7}'), (3, NULL)
INSERT INTO shapes (w, h, note) VALUES (4, 2, 'n')
INSERT INTO shapes (w, area) VALUES (5, 1)
INSERT INTO shapes (w, note, h) VALUES (1, 'n', 8)
INSERT INTO shapes (w, h, note, doc) VALUES (6, DEFAULT, DEFAULT, '{"x": 1}')
UPDATE shapes SET w = w * 10 WHERE id = 1
UPDATE shapes SET h = DEFAULT WHERE id = 3
SELECT id, w, h, note, LENGTH(made), twice, area, label, flag, doc, x FROM shapes ORDER BY id
SELECT COUNT(DISTINCT made) FROM shapes
SELECT id FROM shapes WHERE area >= 10 ORDER BY id
CREATE TABLE bad1 (a INT, c INT AS (a + nothere) STORED)
CREATE TABLE bad2 (a INT, c DATETIME AS (NOW()) STORED)
CREATE TABLE bad3 (a INT, c INT AS ((SELECT 1)) VIRTUAL)
CREATE TABLE bad4 (a INT AUTO_INCREMENT PRIMARY KEY, c INT AS (a + 1) STORED)
CREATE TABLE bad5 (a INT DEFAULT (nothere + 1))
CREATE TABLE bad6 (a INT, c INT AS (d + 1), d INT AS (a + 1))
CREATE TABLE bad7 (a INT, c INT AS (a + 1) STORED NOT NULL)
CREATE TABLE fine (a INT, c DOUBLE AS (RAND()) VIRTUAL)
SHOW CREATE TABLE fine
CREATE TABLE copied LIKE parcels
SHOW CREATE TABLE copied
INSERT INTO copied (width, label) VALUES (3, 'c')
SELECT * FROM copied

-- case: ALTER TABLE adds, changes, renames and drops generated columns, recomputing what they hold
CREATE TABLE boxes (id INT NOT NULL PRIMARY KEY, a INT, b INT DEFAULT (a + 1))
INSERT INTO boxes (id, a) VALUES (1, 1), (2, 2), (3, NULL)
ALTER TABLE boxes ADD COLUMN v INT AS (a * 2) VIRTUAL
ALTER TABLE boxes ADD COLUMN s INT AS (a * 3) STORED, ADD KEY k_s (s)
SELECT * FROM boxes ORDER BY id
ALTER TABLE boxes RENAME COLUMN a TO a2
SHOW CREATE TABLE boxes
INSERT INTO boxes (id, a2) VALUES (4, 4)
ALTER TABLE boxes MODIFY v BIGINT AS (a2 * 7) VIRTUAL
ALTER TABLE boxes CHANGE s s2 BIGINT AS (a2 * 4) PERSISTENT
ALTER TABLE boxes MODIFY v INT AS (a2 * 2) STORED
ALTER TABLE boxes MODIFY a2 INT AS (id + 1) VIRTUAL
ALTER TABLE boxes MODIFY v INT
ALTER TABLE boxes MODIFY s2 BIGINT
ALTER TABLE boxes DROP COLUMN a2
SELECT * FROM boxes ORDER BY id
ALTER TABLE boxes CHANGE a2 a INT
ALTER TABLE boxes MODIFY a BIGINT
ALTER TABLE boxes DROP COLUMN v
SHOW CREATE TABLE boxes
SELECT COLUMN_NAME, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'boxes' ORDER BY ORDINAL_POSITION
UPDATE boxes SET a = 10 WHERE id = 1
SELECT * FROM boxes ORDER BY id
ALTER TABLE parcels ADD COLUMN perimeter INT AS (2 * (width + height)) VIRTUAL
SELECT id, width, height, perimeter FROM parcels ORDER BY id
UPDATE parcels SET height = 10 WHERE id = 1
ALTER TABLE parcels DROP COLUMN width
SELECT * FROM parcels ORDER BY id

-- case: columns that foreign keys use change where InnoDB lets them, with its errors where it does not
ALTER TABLE orders MODIFY customer_id INT UNSIGNED NULL
SHOW CREATE TABLE orders
INSERT INTO orders (customer_id, placed_on, total) VALUES (NULL, '2025-01-01', 1)
INSERT INTO orders (customer_id, placed_on, total) VALUES (99, '2025-01-01', 1)
ALTER TABLE orders MODIFY customer_id BIGINT
ALTER TABLE orders DROP COLUMN customer_id
ALTER TABLE orders CHANGE customer_id buyer_id INT UNSIGNED NULL
SHOW CREATE TABLE orders
INSERT INTO orders (buyer_id, placed_on, total) VALUES (77, '2025-01-02', 1)
SELECT CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' ORDER BY CONSTRAINT_NAME
ALTER TABLE customers MODIFY id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT
ALTER TABLE customers MODIFY id INT UNSIGNED NOT NULL AUTO_INCREMENT
SHOW CREATE TABLE customers
DELETE FROM customers WHERE id = 2
ALTER TABLE order_items MODIFY sku VARCHAR(20) NULL
ALTER TABLE products DROP COLUMN sku
ALTER TABLE order_items DROP FOREIGN KEY fk_items_product, DROP COLUMN sku
SHOW CREATE TABLE order_items
CREATE TABLE teams (id INT PRIMARY KEY)
CREATE TABLE players (id INT PRIMARY KEY, team_id INT, CONSTRAINT fk_team FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL)
INSERT INTO teams VALUES (1), (2)
INSERT INTO players VALUES (1, 1), (2, 2)
ALTER TABLE players MODIFY team_id INT NOT NULL
ALTER TABLE players CHANGE team_id squad_id INT
SHOW CREATE TABLE players
DELETE FROM teams WHERE id = 1
SELECT * FROM players ORDER BY id

-- case: column and table comments are kept, shown and changed as the server keeps them
CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY COMMENT 'the key', body TEXT COMMENT 'it''s \\ "quoted"', next_id INT AS (id + 1) VIRTUAL COMMENT 'computed', tag VARCHAR(5) COMMENT '') COMMENT = 'Notes: ''mine'''
SHOW CREATE TABLE notes
SELECT COLUMN_NAME, COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes' ORDER BY ORDINAL_POSITION
SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('notes', 'customers') ORDER BY TABLE_NAME
SHOW FULL COLUMNS FROM notes
SHOW FULL COLUMNS FROM notes WHERE Comment <> ''
CREATE TABLE notes2 LIKE notes
SHOW CREATE TABLE notes2
ALTER TABLE notes COMMENT 'renamed comment'
ALTER TABLE notes MODIFY tag VARCHAR(8) COMMENT 'a tag', COMMENT = 'second'
ALTER TABLE notes ADD COLUMN extra INT, COMMENT ''
SHOW CREATE TABLE notes
ALTER TABLE customers COMMENT = 'people', MODIFY country CHAR(2) NULL COMMENT 'ISO 3166'
SHOW CREATE TABLE customers
SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('notes', 'notes2', 'customers') ORDER BY TABLE_NAME

-- case: ON UPDATE CURRENT_TIMESTAMP columns take the statement's time when an UPDATE changes the row
SET TIMESTAMP = 1700000000
CREATE TABLE stamped (id INT PRIMARY KEY, v INT, t TIMESTAMP NOT NULL DEFAULT '2020-01-01 00:00:00' ON UPDATE CURRENT_TIMESTAMP, d DATETIME(3) NULL ON UPDATE CURRENT_TIMESTAMP(3), n VARCHAR(5))
SHOW CREATE TABLE stamped
SHOW COLUMNS FROM stamped
SELECT COLUMN_NAME, EXTRA, COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'stamped' ORDER BY ORDINAL_POSITION
INSERT INTO stamped (id, v, n) VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c'), (4, 4, 'd')
SET TIMESTAMP = 1700000100.25
UPDATE stamped SET v = v + 1 WHERE id = 1
UPDATE stamped SET v = v WHERE id = 2
UPDATE stamped SET n = 'B' WHERE id = 2
UPDATE stamped SET v = 9, t = '2021-05-05 05:05:05' WHERE id = 3
SET TIMESTAMP = 1700000200.5
INSERT INTO stamped (id, v) VALUES (4, 4), (5, 5) ON DUPLICATE KEY UPDATE v = VALUES(v) + 1
INSERT INTO stamped (id, v) VALUES (1, 2) ON DUPLICATE KEY UPDATE v = VALUES(v)
ALTER TABLE stamped ADD COLUMN u DATETIME NULL ON UPDATE NOW() AFTER v
SHOW CREATE TABLE stamped
UPDATE stamped SET v = 0 WHERE id = 5
SELECT * FROM stamped ORDER BY id
SET TIMESTAMP = DEFAULT

-- case: table options InnoDB keeps are kept: ENGINE=InnoDB, ROW_FORMAT
CREATE TABLE formats (id INT PRIMARY KEY, b VARCHAR(10)) ENGINE=InnoDB ROW_FORMAT=COMPACT DEFAULT CHARSET=utf8mb4 COMMENT 'fmt'
CREATE TABLE formats2 (id INT PRIMARY KEY) ENGINE = innodb ROW_FORMAT = DEFAULT
CREATE TABLE formats3 LIKE formats
ALTER TABLE formats ADD COLUMN c INT
SHOW CREATE TABLE formats
SHOW CREATE TABLE formats2
SHOW CREATE TABLE formats3
SELECT TABLE_NAME, ENGINE, ROW_FORMAT, CREATE_OPTIONS, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'formats%' ORDER BY TABLE_NAME

-- case: a source table renamed, truncated or given a trigger keeps its plain indexes
CREATE TRIGGER parcels_bi BEFORE INSERT ON parcels FOR EACH ROW SET NEW.label = UPPER(NEW.label)
SHOW CREATE TABLE parcels
RENAME TABLE parcels TO boxes
SHOW CREATE TABLE boxes
SHOW INDEX FROM boxes WHERE Key_name = 'nope' AND Non_unique = 1
TRUNCATE TABLE boxes
SHOW CREATE TABLE boxes
SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'boxes' ORDER BY INDEX_NAME, SEQ_IN_INDEX

-- case: renaming a table with foreign keys: the keys that name it follow it
RENAME TABLE customers TO clients
SHOW CREATE TABLE clients
SHOW CREATE TABLE orders
SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY CONSTRAINT_NAME
SELECT CONSTRAINT_NAME, TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY CONSTRAINT_NAME
INSERT INTO orders (customer_id, placed_on, total) VALUES (99, '2025-01-01', 1)
INSERT INTO orders (customer_id, placed_on, total) VALUES (2, '2025-01-01', 1)
DELETE FROM clients WHERE id = 4
DELETE FROM clients WHERE id = 1
ALTER TABLE orders RENAME TO purchases
SHOW CREATE TABLE purchases
SHOW CREATE TABLE order_items
DELETE FROM purchases WHERE id = 1
SELECT COUNT(*) FROM order_items
CREATE TABLE parent2 (id INT PRIMARY KEY)
CREATE TABLE child2 (id INT PRIMARY KEY, p INT, up INT, FOREIGN KEY (p) REFERENCES parent2 (id) ON DELETE CASCADE, FOREIGN KEY (up) REFERENCES child2 (id))
INSERT INTO parent2 VALUES (1), (2)
INSERT INTO child2 VALUES (1, 1, NULL), (2, 2, 1)
RENAME TABLE parent2 TO parent3, child2 TO child3
SHOW CREATE TABLE child3
DELETE FROM parent3 WHERE id = 2
SELECT * FROM child3 ORDER BY id
INSERT INTO child3 VALUES (3, 1, 9)
DELETE FROM child3 WHERE id = 1

-- case: renaming a column other tables' foreign keys reference: their keys follow it
ALTER TABLE customers RENAME COLUMN id TO cid
SHOW CREATE TABLE orders
SELECT CONSTRAINT_NAME, TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY CONSTRAINT_NAME
DELETE FROM customers WHERE cid = 1
INSERT INTO orders (customer_id, placed_on, total) VALUES (42, '2025-01-01', 1)
ALTER TABLE orders CHANGE id order_id BIGINT NOT NULL AUTO_INCREMENT
SHOW CREATE TABLE order_items
DELETE FROM orders WHERE order_id = 2
SELECT * FROM order_items ORDER BY order_id, line
CREATE TABLE tree (id INT PRIMARY KEY, up INT, FOREIGN KEY (up) REFERENCES tree (id))
INSERT INTO tree VALUES (1, NULL), (2, 1), (3, 3)
ALTER TABLE tree RENAME COLUMN id TO node
SHOW CREATE TABLE tree
INSERT INTO tree VALUES (4, 9)
DELETE FROM tree WHERE node = 1

-- case: index comments and USING BTREE are kept, shown and carried through later changes
CREATE TABLE tagged (id INT NOT NULL, code VARCHAR(10), n INT, PRIMARY KEY (id) USING BTREE, UNIQUE KEY uk_code (code) COMMENT 'codes are unique', KEY k_n (n) USING BTREE COMMENT 'it''s by n')
SHOW CREATE TABLE tagged
SHOW INDEX FROM tagged
SELECT INDEX_NAME, INDEX_TYPE, INDEX_COMMENT FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'tagged' ORDER BY INDEX_NAME
ALTER TABLE tagged ADD COLUMN extra INT FIRST, ADD KEY k_extra (extra) COMMENT 'added'
CREATE INDEX k_both ON tagged (n, code) USING BTREE COMMENT 'both'
SHOW CREATE TABLE tagged
ALTER TABLE tagged RENAME COLUMN n TO m
SHOW CREATE TABLE tagged
RENAME TABLE tagged TO tagged2
SHOW CREATE TABLE tagged2
CREATE TABLE tagged3 LIKE tagged2
SHOW CREATE TABLE tagged3
ALTER TABLE products ADD KEY k_price (price) COMMENT 'by price'
SHOW CREATE TABLE products
SELECT INDEX_NAME, INDEX_COMMENT FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'products' ORDER BY INDEX_NAME

-- case: an ALTER that leaves the rows as they are reads them from the source through the new definition
UPDATE customers SET name = 'Ada L.' WHERE id = 1
DELETE FROM order_items WHERE order_id = 7
DELETE FROM orders WHERE id = 7
ALTER TABLE customers ADD COLUMN tier TINYINT NOT NULL DEFAULT 2 FIRST, ADD COLUMN memo VARCHAR(10) NULL AFTER email, RENAME COLUMN country TO cc, ADD INDEX idx_tier (tier)
SELECT * FROM customers ORDER BY id
SELECT * FROM customers WHERE id IN (1, 2, 7) ORDER BY id
SELECT cc, COUNT(*), MIN(tier) FROM customers GROUP BY cc ORDER BY cc
SELECT c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 10 ORDER BY o.id
INSERT INTO customers (email, name, cc, created_at) VALUES ('new@example.com', 'New', 'SE', '2025-01-01')
SELECT LAST_INSERT_ID()
INSERT INTO customers (email, name) VALUES ('GRACE@example.com', 'Dup')
UPDATE customers SET tier = 1, memo = 'gold' WHERE cc IN ('GB', 'US')
ALTER TABLE customers MODIFY memo VARCHAR(20) NULL, ALTER COLUMN tier SET DEFAULT 3, ADD UNIQUE KEY uk_name (name)
INSERT INTO customers (email, name) VALUES ('x@example.com', 'Linus')
INSERT INTO customers (email, name, created_at) VALUES ('y@example.com', 'Yves', '2025-01-02')
ALTER TABLE customers ADD UNIQUE KEY uk_tier (tier)
ALTER TABLE customers MODIFY cc CHAR(2) NOT NULL
UPDATE customers SET cc = 'XX' WHERE cc IS NULL
ALTER TABLE customers MODIFY cc CHAR(2) NOT NULL
ALTER TABLE customers DROP COLUMN memo, DROP INDEX uk_email
INSERT INTO customers (email, name, cc, created_at) VALUES ('ada@example.com', 'Ada again', 'GB', '2025-01-03')
SELECT * FROM customers ORDER BY id
RENAME TABLE customers TO clients
SELECT id, tier, email, cc FROM clients WHERE id BETWEEN 2 AND 6 ORDER BY id
DELETE FROM clients WHERE id = 4
INSERT INTO orders (customer_id, placed_on, total) VALUES (4, '2025-01-01', 1)
SELECT * FROM clients ORDER BY id
SHOW CREATE TABLE clients
SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, NULLABLE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'clients' ORDER BY INDEX_NAME, SEQ_IN_INDEX

-- case: a type widened keeps the source's values, read through the new type
UPDATE products SET price = 100.5 WHERE sku = 'A-1'
ALTER TABLE products MODIFY price DECIMAL(14,2) NOT NULL, MODIFY title TEXT NOT NULL
SELECT * FROM products ORDER BY sku
SELECT sku, price * 2 FROM products WHERE price > 10 ORDER BY price
INSERT INTO products (sku, title, price) VALUES ('Z-9', 'Zeppelin', 123456789012.34)
SELECT MAX(price), SUM(price), MAX(LENGTH(title)) FROM products
UPDATE accounts SET balance = 2000000000 WHERE id = 3
DELETE FROM accounts WHERE id = 4
ALTER TABLE accounts MODIFY id BIGINT NOT NULL, MODIFY balance BIGINT NOT NULL
UPDATE accounts SET balance = balance * 4 WHERE id = 3
INSERT INTO accounts VALUES (5000000000, 1)
SELECT * FROM accounts WHERE id BETWEEN 1 AND 5 OR id > 100 ORDER BY id
ALTER TABLE accounts MODIFY balance INT NOT NULL
SELECT COUNT(*), SUM(balance) FROM accounts
ALTER TABLE accounts ADD COLUMN lim INT NOT NULL DEFAULT 9 CHECK (lim < 5), ADD COLUMN memo VARCHAR(10) NULL
SELECT * FROM accounts WHERE id < 3 ORDER BY id
ALTER TABLE accounts MODIFY memo VARCHAR(300) NULL
ALTER TABLE accounts MODIFY memo TEXT NULL
ALTER TABLE accounts MODIFY balance DECIMAL(30,0) NOT NULL
ALTER TABLE accounts DROP COLUMN lim, MODIFY balance DECIMAL(30,0) NOT NULL
SELECT * FROM accounts ORDER BY id
SHOW CREATE TABLE accounts

-- case: a type narrowed where the values fit, an ENUM or SET grown at its end, and a new foreign key keep the source's rows
ALTER TABLE accounts MODIFY balance SMALLINT NOT NULL
SELECT * FROM accounts WHERE id BETWEEN 1 AND 3 ORDER BY id
INSERT INTO accounts VALUES (100, 40000)
UPDATE accounts SET balance = 32767 WHERE id = 2
ALTER TABLE accounts MODIFY balance TINYINT NOT NULL
ALTER TABLE accounts MODIFY balance SMALLINT UNSIGNED NOT NULL
SELECT MIN(balance), MAX(balance), COUNT(*) FROM accounts
UPDATE accounts SET balance = 0 WHERE id = 3
ALTER TABLE products MODIFY title VARCHAR(30) NOT NULL, MODIFY price DECIMAL(7,2) NOT NULL
SELECT * FROM products ORDER BY sku
ALTER TABLE products MODIFY title VARCHAR(3) NOT NULL
ALTER TABLE products MODIFY price DECIMAL(4,2) NOT NULL
INSERT INTO products (sku, title, price) VALUES ('Y-8', 'A title longer than thirty chars', 1)
SHOW CREATE TABLE products
ALTER TABLE switches MODIFY level ENUM('low', 'mid', 'high', 'max') NULL, MODIFY days SET('mon', 'tue', 'wed', 'thu') NOT NULL DEFAULT ''
SELECT * FROM switches ORDER BY level, id
UPDATE switches SET level = 'max', days = 'thu,mon' WHERE id = 3
SELECT id, level, days FROM switches ORDER BY level DESC, days, id
ALTER TABLE switches MODIFY level ENUM('max', 'low', 'mid', 'high') NULL
SELECT id, level FROM switches ORDER BY level, id
SHOW COLUMNS FROM switches
ALTER TABLE order_items ADD COLUMN ref INT NULL
UPDATE order_items SET ref = 3 WHERE order_id = 1
ALTER TABLE order_items ADD CONSTRAINT fk_ref FOREIGN KEY (ref) REFERENCES accounts (id)
UPDATE order_items SET ref = 999 WHERE order_id = 2
DELETE FROM accounts WHERE id = 3
SELECT * FROM order_items ORDER BY order_id, line
ALTER TABLE tickets ADD COLUMN acct INT NOT NULL DEFAULT 99
ALTER TABLE tickets ADD CONSTRAINT fk_acct FOREIGN KEY (acct) REFERENCES accounts (id)
SET foreign_key_checks = 0
ALTER TABLE tickets ADD CONSTRAINT fk_acct FOREIGN KEY (acct) REFERENCES accounts (id)
SET foreign_key_checks = 1
SELECT * FROM tickets ORDER BY id
SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2
SHOW CREATE TABLE order_items

-- case: with foreign_key_checks off a table may reference one not created yet, as a dump's tables come in name order; its writes find no parent until the parent exists
CREATE TABLE early_child (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_late FOREIGN KEY (pid) REFERENCES late_parent (id) ON DELETE CASCADE)
SET foreign_key_checks = 0
CREATE TABLE early_child (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_late FOREIGN KEY (pid) REFERENCES late_parent (id) ON DELETE CASCADE)
CREATE TABLE early_other (id INT, ref INT, FOREIGN KEY (ref) REFERENCES customers (nosuch))
CREATE TABLE early_typed (id INT, ref BIGINT, FOREIGN KEY (ref) REFERENCES customers (id))
INSERT INTO early_child VALUES (1, 10), (2, 20), (3, NULL)
ALTER TABLE customers ADD CONSTRAINT fk_nowhere FOREIGN KEY (id) REFERENCES nowhere (id)
SET foreign_key_checks = 1
ALTER TABLE orders ADD CONSTRAINT fk_nowhere2 FOREIGN KEY (id) REFERENCES nowhere (id)
INSERT INTO customers (id, email, name) VALUES (900, 'x900@example.com', 'x')
INSERT INTO early_child VALUES (4, 10)
INSERT INTO early_child VALUES (5, NULL)
UPDATE early_child SET pid = 30 WHERE id = 5
SHOW CREATE TABLE early_child
SELECT TABLE_NAME, CONSTRAINT_NAME, UNIQUE_CONSTRAINT_NAME, REFERENCED_TABLE_NAME, DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'early_child'
SELECT COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'early_child' ORDER BY 1, 2
CREATE TABLE late_parent (id INT PRIMARY KEY, name VARCHAR(10))
INSERT INTO late_parent VALUES (10, 'ten'), (30, 'thirty')
INSERT INTO early_child VALUES (4, 10)
UPDATE early_child SET pid = 30 WHERE id = 5
INSERT INTO early_child VALUES (6, 40)
DELETE FROM late_parent WHERE id = 10
SELECT * FROM early_child ORDER BY id
SELECT TABLE_NAME, CONSTRAINT_NAME, UNIQUE_CONSTRAINT_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'early_child'
DROP TABLE late_parent
SET foreign_key_checks = 0
DROP TABLE late_parent
SET foreign_key_checks = 1
INSERT INTO early_child VALUES (7, 30)
SELECT * FROM early_child ORDER BY id

-- case: a string column into a number or a date in strict mode fails as ALTER's copy says it: the first value that is no number, by key order, and datetime for a DATE
CREATE TABLE codes (id INT PRIMARY KEY, s VARCHAR(20))
INSERT INTO codes VALUES (1, '5'), (2, '12abc'), (3, 'x')
ALTER TABLE codes MODIFY s INT
ALTER TABLE codes MODIFY s INT UNSIGNED
ALTER TABLE codes MODIFY s DECIMAL(6,2)
ALTER TABLE codes MODIFY s DOUBLE
ALTER TABLE codes MODIFY s FLOAT
ALTER TABLE codes MODIFY s YEAR
ALTER TABLE codes MODIFY s BIT(8)
ALTER TABLE codes MODIFY s DATE
ALTER TABLE codes MODIFY s TIME
ALTER TABLE customers MODIFY email INT
ALTER TABLE customers MODIFY email DECIMAL(5,1)
UPDATE customers SET email = '77' WHERE id = 1
ALTER TABLE customers MODIFY email BIGINT
UPDATE codes SET s = '9' WHERE id IN (2, 3)
ALTER TABLE codes MODIFY s INT
SELECT * FROM codes ORDER BY id
SHOW CREATE TABLE codes

-- case: a conversion that changes values outside strict mode leaves the server's notes and warnings, in row order, and its Warnings count
SET sql_mode = ''
CREATE TABLE loose (id INT PRIMARY KEY, d DECIMAL(8,3), s VARCHAR(20), dt DATETIME(3), n INT)
INSERT INTO loose VALUES (1, 12.345, '12abc', '2024-01-02 03:04:05.678', 300), (2, -7.5, ' 42 ', '2024-12-31 23:59:59.999', -5), (3, NULL, 'x', NULL, NULL)
ALTER TABLE loose MODIFY s INT
SHOW WARNINGS
SELECT ROW_COUNT()
ALTER TABLE loose MODIFY d INT, MODIFY n TINYINT UNSIGNED
SHOW WARNINGS
ALTER TABLE loose MODIFY dt DATE
SHOW WARNINGS
SELECT * FROM loose ORDER BY id
SET sql_mode = DEFAULT
CREATE TABLE strict_dates (id INT PRIMARY KEY, dt DATETIME)
INSERT INTO strict_dates VALUES (1, '2024-01-02 03:04:05'), (2, '2024-01-03 00:00:00')
ALTER TABLE strict_dates MODIFY dt DATE
SHOW WARNINGS
INSERT INTO strict_dates VALUES (3, '2024-01-02 03:04:05')
SHOW WARNINGS
SELECT * FROM strict_dates ORDER BY id

-- case: a conversion that keeps each value reads the source's rows through it: an integer into a string or a DECIMAL, more fractional digits, another collation or character set
UPDATE accounts SET balance = 1234 WHERE id = 2
ALTER TABLE accounts MODIFY balance VARCHAR(10) NOT NULL
SELECT * FROM accounts WHERE id <= 3 ORDER BY id
SELECT id FROM accounts WHERE balance = '1234'
SELECT balance, COUNT(*) FROM accounts GROUP BY balance ORDER BY balance
INSERT INTO accounts VALUES (100, 'abc')
ALTER TABLE accounts MODIFY balance VARCHAR(3) NOT NULL
ALTER TABLE accounts MODIFY balance INT NOT NULL
SHOW CREATE TABLE accounts
SELECT COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' ORDER BY ORDINAL_POSITION
ALTER TABLE order_items MODIFY qty DECIMAL(6,1) NOT NULL
SELECT * FROM order_items ORDER BY order_id, line
UPDATE order_items SET qty = qty + 0.5 WHERE line = 2
SELECT SUM(qty), MAX(qty) FROM order_items
ALTER TABLE order_items MODIFY qty DECIMAL(2,1) NOT NULL
ALTER TABLE order_items MODIFY qty DECIMAL(1,1) NOT NULL
SELECT * FROM order_items WHERE qty > 1 ORDER BY order_id, line
ALTER TABLE customers MODIFY created_at DATETIME(6) NOT NULL
SELECT id, created_at FROM customers ORDER BY created_at, id
SELECT id FROM customers WHERE created_at > '2024-03-04 11:22:33.444' ORDER BY id
UPDATE customers SET created_at = '2030-01-01 00:00:00.123456' WHERE id = 3
SELECT id, created_at FROM customers WHERE id IN (2, 3) ORDER BY id
ALTER TABLE customers MODIFY name VARCHAR(80) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
SELECT id FROM customers WHERE name = 'ada lovelace'
SELECT id FROM customers WHERE name = 'Ada Lovelace'
SELECT name FROM customers ORDER BY name
ALTER TABLE customers MODIFY country VARCHAR(2) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL
SELECT id FROM customers WHERE country = 'gb'
SELECT id, country FROM customers ORDER BY country, id
SHOW CREATE TABLE customers

-- case: table options: AUTO_INCREMENT moves the counter as InnoDB does (never to or below a value in use), ENGINE=InnoDB and FORCE rebuild in place, ROW_FORMAT and a default character set change the definition alone
ALTER TABLE orders AUTO_INCREMENT = 500
SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-03-02', 2)
SELECT LAST_INSERT_ID()
ALTER TABLE orders AUTO_INCREMENT = 1
SHOW CREATE TABLE orders
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-03-03', 3)
SELECT LAST_INSERT_ID()
ALTER TABLE orders AUTO_INCREMENT = 1000, ENGINE = InnoDB
INSERT INTO orders (customer_id, placed_on, total) VALUES (2, '2025-03-04', 4)
SELECT id, total FROM orders ORDER BY id
SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
ALTER TABLE customers FORCE
ALTER TABLE customers ENGINE=InnoDB ROW_FORMAT=COMPACT DEFAULT CHARSET=latin1
ALTER TABLE customers ADD COLUMN note VARCHAR(10), COLLATE latin1_bin
SHOW CREATE TABLE customers
SHOW FULL COLUMNS FROM customers
SELECT TABLE_COLLATION, ROW_FORMAT, CREATE_OPTIONS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'customers'
SELECT * FROM customers ORDER BY id
ALTER TABLE customers DEFAULT CHARSET = utf8mb4 COLLATE latin1_bin
ALTER TABLE customers COLLATE = nope
ALTER TABLE customers CHARACTER SET nope
ALTER TABLE customers AUTO_INCREMENT = 10, ROW_FORMAT = DEFAULT
SHOW CREATE TABLE customers

-- case: CONVERT TO CHARACTER SET gives every string column the new character set (TEXT types grow to hold as many characters) and converts the values, with the server's errors
CREATE TABLE legacy (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20), bio TEXT, short TINYTEXT, tag ENUM('a', 'b'), raw VARBINARY(4), code CHAR(2) CHARACTER SET ascii, doc JSON) DEFAULT CHARSET=latin1
INSERT INTO legacy (name, bio, short, tag, raw, code, doc) VALUES ('Zoë', 'über', 's', 'a', 'xy', 'FI', '{"a": 1}'), ('plain', NULL, NULL, 'b', NULL, 'SE', NULL)
ALTER TABLE legacy CONVERT TO CHARACTER SET utf8mb4
SHOW CREATE TABLE legacy
SELECT name, HEX(name), bio, short, tag, raw, code, doc FROM legacy ORDER BY id
INSERT INTO legacy (name) VALUES ('🐬 dolphin')
ALTER TABLE legacy CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
SELECT id FROM legacy WHERE name = 'zoë'
SELECT id FROM legacy WHERE name = 'Zoë'
SHOW FULL COLUMNS FROM legacy
ALTER TABLE legacy CONVERT TO CHARACTER SET nope
ALTER TABLE legacy CONVERT TO CHARACTER SET utf8mb4 COLLATE latin1_bin
ALTER TABLE legacy CONVERT TO CHARACTER SET utf8mb4 COLLATE nope
CREATE TABLE wide (id INT PRIMARY KEY, v VARCHAR(20000)) DEFAULT CHARSET=latin1
ALTER TABLE wide CONVERT TO CHARACTER SET utf8mb4
ALTER TABLE customers ADD COLUMN tier VARCHAR(8) CHARACTER SET latin1 NOT NULL DEFAULT 'bäsic', ADD COLUMN score INT DEFAULT 7
ALTER TABLE customers CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci
ALTER TABLE customers MODIFY score VARCHAR(4)
SELECT id, tier, HEX(tier), score FROM customers ORDER BY id
SHOW CREATE TABLE customers
SELECT id, email, name FROM customers WHERE email = 'ADA@example.com'
UPDATE customers SET name = 'Ada L.' WHERE id = 1
SELECT * FROM customers ORDER BY id
ALTER TABLE products CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
ALTER TABLE order_items CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin

-- case: utf8 names the three-byte character set wherever DDL names it (utf8_bin is utf8mb3_bin), and names are checked as the server checks them
CREATE TABLE old_style (id INT PRIMARY KEY, a VARCHAR(3) CHARACTER SET utf8, b TEXT CHARSET UTF8 COLLATE utf8_bin, c VARCHAR(3) COLLATE UTF8_GENERAL_CI, d VARCHAR(3)) ENGINE=InnoDB DEFAULT CHARSET=utf8
SHOW CREATE TABLE old_style
SHOW FULL COLUMNS FROM old_style
INSERT INTO old_style VALUES (1, 'Zoë', 'über', 'x', 'y')
SELECT a, HEX(a), b, c, d FROM old_style
ALTER TABLE old_style ADD e VARCHAR(2) CHARACTER SET Latin1 COLLATE LATIN1_BIN, MODIFY d VARCHAR(4) CHARACTER SET utf8 COLLATE utf8_unicode_ci
SHOW CREATE TABLE old_style
ALTER TABLE old_style DEFAULT CHARSET utf8 COLLATE utf8_bin
SHOW CREATE TABLE old_style
ALTER TABLE old_style CONVERT TO CHARACTER SET utf8 COLLATE utf8_general_ci
SHOW CREATE TABLE old_style
CREATE TABLE bad_pair (a TEXT CHARSET utf8 COLLATE latin1_bin)
CREATE TABLE bad_pair (a TEXT CHARSET utf8mb4 COLLATE utf8_bin)
CREATE TABLE bad_pair (a TEXT) CHARSET latin1 COLLATE utf8_bin
CREATE TABLE bad_pair (a TEXT CHARSET FOO COLLATE Bar)
CREATE TABLE bad_pair (a TEXT COLLATE UTF8_FOO)

-- case: ADD CHECK tests every row (4025 names the constraint) and later writes meet it; an unnamed one is CONSTRAINT_n; DROP CONSTRAINT drops a CHECK, a UNIQUE key, a foreign key or the primary key; IF [NOT] EXISTS leave the server's notes
ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0)
SHOW CREATE TABLE orders
SELECT TABLE_NAME, CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME
SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' ORDER BY 1
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-01-01', -1)
UPDATE orders SET total = 0 WHERE id = 1
UPDATE orders SET total = 20 WHERE id = 4
ALTER TABLE orders ADD CONSTRAINT big CHECK (total > 10)
SHOW CREATE TABLE orders
ALTER TABLE orders ADD CHECK (total > 100)
ALTER TABLE orders ADD CONSTRAINT Positive CHECK (total > 1)
ALTER TABLE orders ADD CONSTRAINT IF NOT EXISTS positive CHECK (total > 1)
SHOW WARNINGS
ALTER TABLE orders ADD CHECK (total > 1), ADD CONSTRAINT constraint_1 CHECK (total < 1000)
SHOW CREATE TABLE orders
ALTER TABLE orders ADD CONSTRAINT c9 CHECK (nope > 0)
ALTER TABLE orders ADD CONSTRAINT c9 CHECK (total > 0), DROP COLUMN total
ALTER TABLE orders ADD CONSTRAINT x CHECK (total > 2), ADD CONSTRAINT X CHECK (total > 3)
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-01-01', 5000)
ALTER TABLE orders DROP CONSTRAINT constraint_1
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-01-01', 5000)
ALTER TABLE orders DROP CONSTRAINT big, ADD CONSTRAINT big CHECK (total > 11)
ALTER TABLE orders DROP CONSTRAINT nope
ALTER TABLE orders DROP CONSTRAINT IF EXISTS nope
SHOW WARNINGS
ALTER TABLE orders ADD COLUMN IF NOT EXISTS note TEXT, DROP COLUMN IF EXISTS gone
SHOW WARNINGS
ALTER TABLE orders DROP CONSTRAINT fk_orders_customer
SHOW CREATE TABLE orders
INSERT INTO orders (customer_id, placed_on, total) VALUES (999, '2025-01-01', 50)
SELECT * FROM orders ORDER BY id
ALTER TABLE customers DROP CONSTRAINT uk_email
INSERT INTO customers (email, name, created_at) VALUES ('ada@example.com', 'again', '2025-01-01')
ALTER TABLE customers DROP CONSTRAINT idx_country
ALTER TABLE products DROP CONSTRAINT attrs
CREATE TABLE pk_gone (id INT PRIMARY KEY, a INT, CONSTRAINT small CHECK (a < 10))
INSERT INTO pk_gone VALUES (1, 1), (2, 2)
ALTER TABLE pk_gone DROP CONSTRAINT `PRIMARY`
SHOW CREATE TABLE pk_gone
INSERT INTO pk_gone VALUES (1, 3)
INSERT INTO pk_gone VALUES (4, 30)
ALTER TABLE pk_gone DROP CONSTRAINT small
INSERT INTO pk_gone VALUES (4, 30)
SELECT * FROM pk_gone ORDER BY id, a

-- case: CHECK constraints follow their columns: a renamed column is renamed in every CHECK (its own follows it), CHANGE drops its own unless restated, a dropped column takes a CHECK that reads only it, and one that reads others too is 1054
CREATE TABLE sized (id INT PRIMARY KEY, qty INT CHECK (qty >= 0), lo INT, hi INT, CONSTRAINT ordered CHECK (lo <= hi), CONSTRAINT lo_pos CHECK (lo > 0))
INSERT INTO sized VALUES (1, 1, 1, 2), (2, 0, 3, 3)
ALTER TABLE sized RENAME COLUMN qty TO quantity
SHOW CREATE TABLE sized
INSERT INTO sized VALUES (3, -1, 1, 1)
ALTER TABLE sized CHANGE lo low INT
SHOW CREATE TABLE sized
INSERT INTO sized VALUES (3, 1, 5, 1)
ALTER TABLE sized CHANGE quantity quantity BIGINT
SHOW CREATE TABLE sized
INSERT INTO sized VALUES (3, -1, 1, 1)
ALTER TABLE sized MODIFY quantity INT CHECK (quantity < 100)
INSERT INTO sized VALUES (4, 100, 1, 1)
ALTER TABLE sized DROP COLUMN hi
ALTER TABLE sized DROP CONSTRAINT ordered, DROP COLUMN hi
SHOW CREATE TABLE sized
ALTER TABLE sized DROP COLUMN low
SHOW CREATE TABLE sized
SELECT TABLE_NAME, CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME
ALTER TABLE sized RENAME TO measured
SHOW CREATE TABLE measured
SELECT TABLE_NAME, CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME
INSERT INTO measured VALUES (5, 200)
SELECT * FROM measured ORDER BY id
ALTER TABLE products RENAME COLUMN attrs TO attributes
SHOW CREATE TABLE products
INSERT INTO products (sku, title, price, attributes) VALUES ('E-5', 'Edge', 1, 'not json')
SELECT TABLE_NAME, CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME
RENAME TABLE products TO goods
SHOW CREATE TABLE goods
INSERT INTO goods (sku, title, price, attributes) VALUES ('E-5', 'Edge', 1, 'not json')
SELECT TABLE_NAME, CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME
ALTER TABLE goods DROP COLUMN attributes
SHOW CREATE TABLE goods

-- case: ALGORITHM= and LOCK= are held to as MariaDB holds them: a change it makes instantly or in place passes, one it must do another way is 1846 or 1845 with its reason, an unknown name is 1800 or 1801
CREATE TABLE online (id INT PRIMARY KEY, a INT, b VARCHAR(10), c INT, KEY kc (c))
INSERT INTO online VALUES (1, 1, 'x', 1), (2, 2, 'y', 2)
ALTER TABLE online ADD COLUMN d INT, ALGORITHM=INSTANT
ALTER TABLE online ADD COLUMN e INT FIRST, ALGORITHM=INSTANT, LOCK=NONE
ALTER TABLE online MODIFY b VARCHAR(20), ALGORITHM=INSTANT
ALTER TABLE online ALTER d SET DEFAULT 5, RENAME COLUMN e TO e2, ALGORITHM = INSTANT
ALTER TABLE online ADD INDEX ka (a), ALGORITHM=INSTANT
ALTER TABLE online ADD INDEX ka (a), ALGORITHM NOCOPY, LOCK NONE
ALTER TABLE online DROP INDEX kc, ALGORITHM=INSTANT
ALTER TABLE online DROP INDEX kc, ALGORITHM=INPLACE
ALTER TABLE online MODIFY a BIGINT, ALGORITHM=INPLACE
ALTER TABLE online MODIFY a BIGINT, LOCK=NONE
ALTER TABLE online ADD INDEX kb (b), MODIFY a BIGINT, ALGORITHM=INSTANT
ALTER TABLE online MODIFY a BIGINT, ALGORITHM=COPY, LOCK=NONE
ALTER TABLE online MODIFY a BIGINT, ALGORITHM=COPY, LOCK=SHARED
ALTER TABLE online MODIFY c INT NOT NULL, ALGORITHM=INSTANT
ALTER TABLE online MODIFY c INT NOT NULL, ALGORITHM=INPLACE, LOCK=NONE
ALTER TABLE online MODIFY c INT NULL COMMENT 'may be empty', ALGORITHM=INSTANT
ALTER TABLE online ROW_FORMAT=DYNAMIC, ALGORITHM=INSTANT
ALTER TABLE online FORCE, ALGORITHM=NOCOPY
ALTER TABLE online FORCE, ALGORITHM=INPLACE, LOCK=NONE
ALTER TABLE online ADD CONSTRAINT pos CHECK (a > 0), LOCK=NONE
ALTER TABLE online ADD CONSTRAINT pos CHECK (a > 0), ALGORITHM=INPLACE
ALTER TABLE online ADD COLUMN s INT AS (a + 1) STORED, ALGORITHM=INPLACE
ALTER TABLE online ADD INDEX ka2 (a), ALGORITHM=FOO
ALTER TABLE online ADD INDEX ka2 (a), LOCK=FOO
ALTER TABLE online ADD COLUMN z INT, ALGORITHM=INPLACE, ALGORITHM=INSTANT
ALTER TABLE online ALGORITHM=INPLACE
ALTER TABLE online COMMENT 'x', AUTO_INCREMENT=10, ALGORITHM=INSTANT
ALTER TABLE online ADD INDEX kb (b), LOCK=NONE
ALTER TABLE online DROP COLUMN b, ALGORITHM=INSTANT
ALTER TABLE online DROP COLUMN b, ALGORITHM=NOCOPY
ALTER TABLE orders ADD CONSTRAINT fk_again FOREIGN KEY (customer_id) REFERENCES customers (id), ALGORITHM=INPLACE
ALTER TABLE orders ADD CONSTRAINT fk_again FOREIGN KEY (customer_id) REFERENCES customers (id), LOCK=NONE
ALTER TABLE online RENAME TO online2, ALGORITHM=INSTANT
SHOW CREATE TABLE online2
SELECT * FROM online2 ORDER BY id
ALTER TABLE customers ADD COLUMN vip TINYINT NOT NULL DEFAULT 0, ALGORITHM=INSTANT, LOCK=NONE
SELECT id, vip FROM customers ORDER BY id

-- case: RENAME INDEX and RENAME KEY rename an index in place, and later errors name it so, with the server's errors
ALTER TABLE customers RENAME INDEX idx_country TO by_country
SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE, INDEX_TYPE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'customers' ORDER BY INDEX_NAME
ALTER TABLE customers RENAME KEY uk_email TO email_unique, RENAME INDEX by_country TO country_idx
SHOW CREATE TABLE customers
SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'customers' ORDER BY INDEX_NAME
INSERT INTO customers (email, name, created_at) VALUES ('ada@example.com', 'dup', '2025-01-01')
ALTER TABLE customers RENAME INDEX nope TO x
ALTER TABLE customers RENAME INDEX country_idx TO email_unique
ALTER TABLE customers RENAME INDEX `PRIMARY` TO p
ALTER TABLE customers RENAME INDEX country_idx TO country_idx
ALTER TABLE orders RENAME INDEX idx_customer TO by_customer
SHOW CREATE TABLE orders
ALTER TABLE orders DROP INDEX by_customer
ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer, DROP INDEX by_customer
SHOW CREATE TABLE orders
ALTER TABLE customers DROP INDEX `PRIMARY`

-- case: DDL a dump writes in executable comments runs as the server reads it: a comment for a newer server, for MySQL 5.7 and later only, or for another server is skipped
CREATE TABLE /*!32312 IF NOT EXISTS*/ `dumped` (`id` int(11) NOT NULL AUTO_INCREMENT, `n` int(11) DEFAULT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB /*!40100 DEFAULT CHARSET=latin1 */ /*!80016 DEFAULT ENCRYPTION='N' */ /*!99999 COMMENT 'too new' */
CREATE TABLE /*!32312 IF NOT EXISTS*/ dumped (id INT)
SHOW CREATE TABLE dumped
INSERT INTO dumped (n) VALUES (1), (2), (3)
/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */ /*!50001 VIEW `dumped_big` AS select `dumped`.`id` AS `id`,`dumped`.`n` AS `n` from `dumped` where `dumped`.`n` > 1 */
SELECT * FROM dumped_big ORDER BY id
/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER dumped_ins BEFORE INSERT ON dumped FOR EACH ROW SET NEW.n = NEW.n * 10 */
INSERT INTO dumped (n) VALUES (4)
SELECT * FROM dumped_big ORDER BY id
SELECT TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = 'dumped_ins'
/*!50001 DROP VIEW IF EXISTS `dumped_big`*/
SELECT * FROM dumped_big
/*!99999 DROP TABLE dumped */
SELECT COUNT(*) FROM dumped
ALTER TABLE dumped /*!50100 COMMENT 'from a dump' */ /*M!100100 , ADD COLUMN m INT */
SHOW CREATE TABLE dumped
DROP/*!50000 TABLE*/dumped
SELECT COUNT(*) FROM dumped

-- case: ALTER TABLE ... ORDER BY of a table with a key of its own is ignored with the server's warning (it takes a copy all the same), and the statement's other changes are made
ALTER TABLE customers ORDER BY name
SHOW WARNINGS
ALTER TABLE customers ORDER BY name DESC, id ASC, `country`, customers.name
ALTER TABLE customers ORDER BY nope
ALTER TABLE customers ADD COLUMN ordinal INT DEFAULT 1, ORDER BY name
SHOW WARNINGS
SELECT SUM(ordinal) = COUNT(*) FROM customers
ALTER TABLE customers ORDER BY name + 1
ALTER TABLE customers ORDER BY name, ADD COLUMN o2 INT
ALTER TABLE customers ALGORITHM=INPLACE, ORDER BY name
ALTER TABLE customers LOCK=NONE, ORDER BY name
ALTER TABLE customers ALGORITHM=COPY, LOCK=SHARED, ORDER BY name
SELECT id, name FROM customers ORDER BY id

-- case: information_schema.TABLES sizes a created table's keys as InnoDB sizes an empty table's (a page per key apart from the one its rows are clustered by)
CREATE TABLE ix_pk_unique_key (id INT PRIMARY KEY, u INT, v INT, UNIQUE KEY (u), KEY (v))
CREATE TABLE ix_clustered_unique (u INT NOT NULL, v INT, UNIQUE KEY (u), KEY (v))
CREATE TABLE ix_three (a INT, b INT, KEY (a), KEY (b), KEY (a, b))
CREATE TABLE ix_none (a INT)
SELECT TABLE_NAME, DATA_LENGTH, INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'ix\_%' ORDER BY 1
SELECT Name, Data_length, Index_length FROM (SELECT TABLE_NAME AS Name, DATA_LENGTH AS Data_length, INDEX_LENGTH AS Index_length FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()) AS s WHERE Name = 'ix_three'
CREATE INDEX by_b ON ix_none (a)
SELECT INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ix_none'

-- case: information_schema.TABLES counts a table's rows as InnoDB does: a created table's as they come and go, a source table's as the writes move them (compared for tables of one page, whose estimates are exact: a larger one's differs between the source and its copy); AVG_ROW_LENGTH follows; a created or renamed table has a CREATE_TIME, and an UPDATE_TIME once written (not after CREATE TABLE ... SELECT)
CREATE TABLE counted (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))
SELECT TABLE_NAME, TABLE_ROWS, AVG_ROW_LENGTH, DATA_LENGTH, AUTO_INCREMENT, CREATE_TIME IS NOT NULL, CREATE_TIME > NOW() - INTERVAL 1 HOUR, UPDATE_TIME IS NULL FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'counted'
INSERT INTO counted (v) VALUES ('a'), ('b'), ('c'), ('d'), ('e')
SELECT TABLE_NAME, TABLE_ROWS, AVG_ROW_LENGTH, DATA_LENGTH, AUTO_INCREMENT, UPDATE_TIME IS NULL, UPDATE_TIME >= CREATE_TIME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'counted'
DELETE FROM counted WHERE id < 3
UPDATE counted SET id = id + 10 WHERE id = 5
INSERT INTO counted (id, v) VALUES (3, 'f') ON DUPLICATE KEY UPDATE v = 'g'
INSERT IGNORE INTO counted (id, v) VALUES (4, 'h'), (20, 'i')
REPLACE INTO counted VALUES (15, 'r'), (21, 'j')
SELECT TABLE_ROWS, AVG_ROW_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'counted'
SELECT TABLE_ROWS, AVG_ROW_LENGTH, DATA_LENGTH FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'counted'
BEGIN
INSERT INTO counted (v) VALUES ('t1'), ('t2')
ROLLBACK
SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'counted'
BEGIN
INSERT INTO counted (v) VALUES ('t1'), ('t2')
DELETE FROM counted WHERE id = 3
COMMIT
SELECT TABLE_ROWS, AVG_ROW_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'counted'
SELECT TABLE_NAME, TABLE_ROWS, AVG_ROW_LENGTH = DATA_LENGTH DIV TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('accounts', 'nokey', 'digits') ORDER BY TABLE_NAME
INSERT INTO numbers SELECT n + 1000 FROM numbers WHERE n < 250
DELETE FROM numbers WHERE n BETWEEN 500 AND 509
UPDATE numbers SET n = n + 5000 WHERE n BETWEEN 600 AND 619
DELETE FROM accounts WHERE id > 15
UPDATE accounts SET balance = balance + 1
INSERT INTO nokey VALUES (3, 'y'), (3, 'y')
UPDATE digits SET d = d WHERE d = 1
INSERT INTO digits VALUES (42)
DELETE FROM digits WHERE d = 42
SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'digits'
SELECT TABLE_NAME, TABLE_ROWS, AVG_ROW_LENGTH = DATA_LENGTH DIV TABLE_ROWS, UPDATE_TIME > NOW() - INTERVAL 1 HOUR FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('accounts', 'nokey') ORDER BY TABLE_NAME
SELECT TABLE_NAME, UPDATE_TIME > NOW() - INTERVAL 1 HOUR, AVG_ROW_LENGTH = DATA_LENGTH DIV TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'numbers'
SELECT Name, n FROM (SELECT TABLE_NAME AS Name, TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()) AS s WHERE Name IN ('accounts', 'counted') ORDER BY Name
RENAME TABLE numbers TO numbers_kept, counted TO counted_kept
SELECT TABLE_NAME, CREATE_TIME > NOW() - INTERVAL 1 HOUR FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%kept' ORDER BY TABLE_NAME
INSERT INTO numbers_kept VALUES (99999)
SELECT TABLE_NAME, UPDATE_TIME > NOW() - INTERVAL 1 HOUR FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'numbers_kept' ORDER BY TABLE_NAME
CREATE TABLE copied AS SELECT * FROM accounts
SELECT TABLE_NAME, TABLE_ROWS, AVG_ROW_LENGTH, UPDATE_TIME IS NULL FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'copied'
TRUNCATE TABLE accounts
SELECT TABLE_NAME, TABLE_ROWS, AVG_ROW_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts'

-- case: ANALYZE, CHECK, OPTIMIZE and REPAIR TABLE answer as the server does for changed, created, renamed, temporary and dropped tables, views and missing ones, and commit an open transaction
BEGIN
INSERT INTO digits VALUES (88)
ANALYZE TABLE digits
ROLLBACK
SELECT * FROM digits WHERE d = 88
CREATE TABLE made (id INT PRIMARY KEY)
CREATE VIEW made_view AS SELECT * FROM made
ANALYZE TABLE made, customers, nope, made_view
ANALYZE NO_WRITE_TO_BINLOG TABLE made PERSISTENT FOR ALL
analyze local tables `made`
CHECK TABLE made, made_view, nope, nodb.x EXTENDED
CHECK TABLE customers FOR UPGRADE
OPTIMIZE TABLE made, customers, made_view
REPAIR TABLE made, nope QUICK
CREATE TEMPORARY TABLE tmp_checked (x INT)
CHECK TABLE tmp_checked, made
DROP VIEW made_view
RENAME TABLE made TO remade
CHECK TABLE made, remade, MADE
DROP TABLE digits
OPTIMIZE TABLE digits
SHOW WARNINGS

-- case: DDL leaves FOUND_ROWS() as the last query set it (CREATE INDEX and ALTER too, whose info counts records), and CREATE TABLE ... SELECT sets it to its rows
SELECT * FROM customers LIMIT 2
CREATE INDEX idx_name ON customers (name)
SELECT FOUND_ROWS()
SELECT * FROM orders LIMIT 3
ALTER TABLE orders ADD COLUMN extra INT NULL
SELECT FOUND_ROWS()
CREATE TABLE big_orders AS SELECT * FROM orders WHERE total > 50
SELECT FOUND_ROWS()

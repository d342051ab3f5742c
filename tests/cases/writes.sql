-- Captured writes, compared through vdb and on a writable copy of vdbt_shop
-- (tests/it/capture.rs). `-- case: name` starts a case; each case runs on a
-- fresh vdb and a fresh copy. One statement per line.

-- case: single-row insert continues the source's AUTO_INCREMENT
INSERT INTO customers (email, name, country, created_at) VALUES ('new@example.com', 'New', 'SE', '2025-01-01 00:00:00')
SELECT LAST_INSERT_ID(), @@identity, @@last_insert_id
SELECT * FROM customers WHERE id = LAST_INSERT_ID()
INSERT INTO customers (email, name, created_at) VALUES ('n2@example.com', 'N2', '2025-01-02'), ('n3@example.com', 'N3', '2025-01-03')
SELECT LAST_INSERT_ID()
SELECT id, email FROM customers ORDER BY id
SHOW CREATE TABLE customers
SHOW CREATE TABLE vdbt_shop.orders
SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME

-- case: a table browsed without ORDER BY shows an edited row in its place, as the server's scan does, and its pages hold the same rows
UPDATE customers SET name = 'Edited' WHERE id = 2
SELECT * FROM customers
SELECT * FROM customers LIMIT 3
INSERT INTO customers (email, name, created_at) VALUES ('last@example.com', 'Last', '2025-01-01')
DELETE FROM customers WHERE id = 3
SELECT * FROM customers
SELECT id, name FROM customers LIMIT 2 OFFSET 2
SELECT id, name FROM customers LIMIT 1, 10
UPDATE orders SET total = total + 1
SELECT * FROM orders
SELECT * FROM orders LIMIT 2
SELECT COUNT(*), SUM(total) FROM orders

-- case: the newest rows (ORDER BY the key DESC LIMIT n) and the first rows, sorted by the key or as they come, after inserts, edits and deletes are the server's, and inserted keys between the source's come in their places, in a whole scan too
INSERT INTO orders (id, customer_id, placed_on, total, note) VALUES (100, 2, '2025-01-01', 1.5, 'hundred'), (0, 3, '2025-01-02', 2.5, NULL)
INSERT INTO numbers VALUES (-5), (1500), (2500)
UPDATE numbers SET n = 750 WHERE n = 3
DELETE FROM numbers WHERE n IN (0, 1, 999)
UPDATE orders SET note = 'edited' WHERE id = 7
DELETE FROM orders WHERE id = 6
SELECT * FROM orders ORDER BY id DESC LIMIT 3
SELECT id, total FROM orders ORDER BY id DESC LIMIT 2 OFFSET 1
SELECT note, id FROM orders AS o ORDER BY o.id LIMIT 4
SELECT * FROM orders ORDER BY id ASC LIMIT 1, 20
SELECT * FROM numbers ORDER BY n DESC LIMIT 5
SELECT * FROM numbers ORDER BY n LIMIT 5
SELECT n FROM numbers ORDER BY n LIMIT 3 OFFSET 747
SELECT * FROM numbers ORDER BY n DESC LIMIT 4 OFFSET 996
SELECT * FROM numbers ORDER BY n DESC LIMIT 2000
SELECT * FROM orders LIMIT 3
SELECT id, note FROM orders LIMIT 2 OFFSET 5
SELECT * FROM numbers LIMIT 3
SELECT n FROM numbers LIMIT 4 OFFSET 995
SELECT * FROM orders
SELECT n FROM numbers
SELECT * FROM (SELECT * FROM orders ORDER BY id DESC LIMIT 2) AS newest ORDER BY id

-- case: a table with more than a thousand changed rows is browsed and paged by its first rows, newest first or as stored, with edits in place and inserted rows at their keys
INSERT INTO numbers SELECT n + 2000 FROM numbers WHERE n < 400
UPDATE numbers SET n = n + 5000 WHERE n % 3 = 0 AND n < 1000
DELETE FROM numbers WHERE n % 3 = 1 AND n < 1000
SELECT COUNT(*), SUM(n), MIN(n), MAX(n) FROM numbers
SELECT * FROM numbers LIMIT 10
SELECT * FROM numbers LIMIT 10 OFFSET 300
SELECT n FROM numbers LIMIT 5, 5
SELECT * FROM numbers ORDER BY n DESC LIMIT 10
SELECT * FROM numbers ORDER BY n DESC LIMIT 5 OFFSET 330
SELECT * FROM numbers ORDER BY n LIMIT 5 OFFSET 330
SELECT * FROM numbers ORDER BY n LIMIT 1000
SELECT * FROM numbers ORDER BY n DESC LIMIT 0
SELECT * FROM numbers LIMIT 0
INSERT INTO orders (customer_id, placed_on, total, note) SELECT 1 + n % 5, '2025-01-01' + INTERVAL n DAY, n / 4, IF(n % 2, NULL, CONCAT('bulk ', n)) FROM numbers WHERE n < 3000
UPDATE orders SET total = total + 1 WHERE id <= 3
DELETE FROM orders WHERE id = 5
SELECT * FROM orders LIMIT 8
SELECT id, placed_on, note FROM orders LIMIT 5 OFFSET 660
SELECT * FROM orders ORDER BY id DESC LIMIT 6
SELECT total, id FROM orders ORDER BY id LIMIT 10
INSERT INTO order_items SELECT 1 + n % 7, 10 + n, IF(n % 2, 'A-1', 'B-2'), n FROM numbers WHERE n < 2400
UPDATE order_items SET qty = 77 WHERE order_id = 1 AND line < 20
DELETE FROM order_items WHERE order_id = 2 AND line < 40
SELECT * FROM order_items LIMIT 12
SELECT * FROM order_items LIMIT 6 OFFSET 140
SELECT * FROM order_items ORDER BY order_id DESC, line DESC LIMIT 4
SELECT * FROM order_items
SELECT order_id, line FROM order_items
SELECT COUNT(*), SUM(qty) FROM order_items
UPDATE numbers SET n = n + 100000 WHERE n < 100000
SELECT COUNT(*), SUM(n), MIN(n) FROM numbers
SELECT * FROM numbers WHERE n > 100990
SELECT * FROM numbers LIMIT 3
SELECT n FROM numbers

-- case: a scan sorted by a column other than the key, of which the query uses the first rows, reads the source's first rows in that order and the delta's that may come among them: the newest orders by date after inserts, edits and deletes, and the first numbers after many deletes
INSERT INTO orders (customer_id, placed_on, total, note) SELECT 1 + n % 5, '2025-01-01' + INTERVAL n DAY, n / 4, IF(n % 2, NULL, CONCAT('bulk ', n)) FROM numbers WHERE n < 300
UPDATE orders SET placed_on = '2030-01-01' WHERE id = 3
UPDATE orders SET placed_on = '2020-01-01' WHERE id = 20
DELETE FROM orders WHERE placed_on BETWEEN '2025-03-01' AND '2025-06-30'
DELETE FROM orders WHERE id = 1
SELECT id, placed_on, total FROM orders ORDER BY placed_on DESC LIMIT 5
SELECT id, placed_on FROM orders ORDER BY placed_on LIMIT 4 OFFSET 3
SELECT * FROM orders ORDER BY placed_on LIMIT 10 OFFSET 60
SELECT id, total FROM orders ORDER BY total DESC LIMIT 3
SELECT id, note FROM orders ORDER BY note DESC LIMIT 4
SELECT id, note FROM orders AS o ORDER BY o.note LIMIT 0
UPDATE products SET price = 5.25 WHERE sku = 'C-3'
SELECT sku, tags FROM products ORDER BY tags DESC LIMIT 2
SELECT sku, tags, status FROM products ORDER BY price LIMIT 3
DELETE FROM numbers WHERE n % 10 = 0
SELECT n FROM numbers ORDER BY n DESC LIMIT 5
SELECT * FROM numbers ORDER BY n LIMIT 5 OFFSET 50
SELECT COUNT(*), SUM(n) FROM (SELECT n FROM numbers ORDER BY n LIMIT 500) AS firsts

-- case: a table keyed by text is browsed in its key's collation order: inserted keys among the source's in any letter case, pages deep in a large delta, the newest first, keys vdb cannot order (accented) sorted by the source, and a created table's rows in key order too
INSERT INTO products (sku, title, price) VALUES ('b-1', 'lower b', 1), ('A-0', 'first', 2), ('Z-9', 'last', 3), ('C-3a', 'after chisel', 4)
UPDATE products SET price = 13 WHERE sku = 'C-3'
DELETE FROM products WHERE sku = 'Z-9'
SELECT * FROM products
SELECT sku, price FROM products LIMIT 3
SELECT sku FROM products LIMIT 2 OFFSET 2
SELECT * FROM products ORDER BY sku DESC LIMIT 2
SELECT sku FROM products ORDER BY sku LIMIT 4
SELECT title FROM products LIMIT 0
INSERT INTO products (sku, title, price) SELECT CONCAT(IF(n % 2, 'n-', 'N-'), LPAD(n, 4, '0')), 'numbered', n FROM numbers
UPDATE products SET price = price + 1 WHERE sku LIKE 'N-0%'
DELETE FROM products WHERE sku LIKE 'N-05%'
SELECT COUNT(*), SUM(price) FROM products
SELECT * FROM products LIMIT 10
SELECT sku, price FROM products LIMIT 5 OFFSET 700
SELECT sku FROM products ORDER BY sku DESC LIMIT 3 OFFSET 10
SELECT * FROM products ORDER BY sku LIMIT 3 OFFSET 900
SELECT * FROM products
INSERT INTO products (sku, title, price) VALUES ('É-1', 'accented', 5)
SELECT sku FROM products LIMIT 6
SELECT sku FROM products ORDER BY sku DESC LIMIT 3
SELECT sku FROM products LIMIT 3 OFFSET 8
SELECT sku, title FROM products
CREATE TABLE tags (name VARCHAR(20) NOT NULL PRIMARY KEY, n INT)
INSERT INTO tags VALUES ('bb', 1), ('a', 2), ('C', 3), ('ab', 4), ('a-b', 5)
SELECT * FROM tags
SELECT * FROM tags WHERE n > 1
SELECT name FROM tags LIMIT 2 OFFSET 1
INSERT INTO tags VALUES ('É', 6)
SELECT * FROM tags
SELECT * FROM tags LIMIT 3 OFFSET 2

-- case: a table keyed by two columns, browsed without ORDER BY, shows an edited row in its place too
UPDATE order_items SET qty = 9 WHERE order_id = 1 AND line = 2
UPDATE order_items SET sku = 'C-3' WHERE order_id = 6 AND line = 1
DELETE FROM order_items WHERE order_id = 3
INSERT INTO order_items VALUES (7, 5, 'A-1', 4)
SELECT * FROM order_items
SELECT * FROM order_items LIMIT 3
SELECT order_id, qty FROM order_items LIMIT 2 OFFSET 1
SELECT line, qty FROM order_items LIMIT 20
SELECT COUNT(*), SUM(qty) FROM order_items

-- case: SET form, DEFAULT and omitted columns take their defaults
INSERT INTO products SET sku = 'Z-9', title = 'Zither', price = 1.5
INSERT INTO products (sku, title, price, tags, status) VALUES ('Y-8', 'Yoyo', DEFAULT, DEFAULT, DEFAULT)
INSERT INTO products (sku, title, price) VALUES ('X-7', 'Xylophone', 3)
SELECT * FROM products ORDER BY sku

-- case: explicit AUTO_INCREMENT values move the counter
INSERT INTO orders (id, customer_id, placed_on, total) VALUES (100, 1, '2025-03-01', 1)
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-03-02', 2)
SELECT LAST_INSERT_ID()
INSERT INTO orders (id, customer_id, placed_on, total) VALUES (0, 2, '2025-03-03', 3), (NULL, 2, '2025-03-04', 4)
SELECT id, total FROM orders ORDER BY id
SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'

-- case: expressions, user variables and subqueries in values
SET @who = 'Var Iable'
INSERT INTO customers (email, name, country, created_at) VALUES (CONCAT('v', 1 + 1, '@example.com'), @who, UPPER('de'), '2025-01-01' + INTERVAL 1 DAY)
INSERT INTO orders (customer_id, placed_on, total, note) VALUES ((SELECT MAX(id) FROM customers), '2025-05-05', (SELECT SUM(total) FROM orders WHERE customer_id = 1), REPEAT('ab', 3))
SELECT o.id, c.name, o.total, o.note FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.id DESC LIMIT 2

-- case: INSERT ... SELECT from changed and unchanged tables
INSERT INTO digits SELECT n FROM numbers WHERE n BETWEEN 10 AND 14
SELECT COUNT(*), MAX(d) FROM digits
INSERT INTO numbers (n) SELECT d + 1000 FROM digits WHERE d > 11
SELECT n FROM numbers WHERE n > 999 ORDER BY n
INSERT INTO customers (email, name, created_at) SELECT CONCAT('copy-', email), name, created_at FROM customers WHERE country = 'US'
SELECT LAST_INSERT_ID()

-- case: duplicate primary key fails with 1062 and changes nothing
INSERT INTO digits VALUES (10), (11), (3)
SELECT COUNT(*) FROM digits
INSERT INTO digits VALUES (10)
INSERT INTO digits VALUES (10)

-- case: unique keys honour the column's collation
INSERT INTO customers (email, name, created_at) VALUES ('ADA@EXAMPLE.COM', 'Shouty', '2025-01-01')
INSERT INTO customers (email, name, created_at) VALUES ('ada@example.com ', 'Trailing', '2025-01-01')
INSERT INTO customers (email, name, created_at) VALUES ('x@example.com', 'X', '2025-01-01'), ('X@example.com', 'Y', '2025-01-01')
SELECT COUNT(*) FROM customers

-- case: INSERT IGNORE skips duplicates, and SHOW WARNINGS lists them
INSERT IGNORE INTO digits VALUES (1), (20), (2), (21), (20)
SHOW WARNINGS
SELECT @@warning_count
SELECT d FROM digits ORDER BY d
INSERT IGNORE INTO customers (email, name, created_at) VALUES ('GRACE@example.com', 'dup', '2025-01-01')
SHOW WARNINGS
SHOW COUNT(*) WARNINGS
INSERT IGNORE INTO digits VALUES (30)
SHOW WARNINGS

-- case: REPLACE replaces by primary and unique key
REPLACE INTO digits VALUES (5)
REPLACE INTO digits VALUES (50), (50)
REPLACE INTO customers (id, email, name, created_at) VALUES (3, 'grace2@example.com', 'Grace Two', '2025-01-01')
REPLACE INTO customers (id, email, name, created_at) VALUES (70, 'ADA@example.com', 'Ada Again', '2025-01-01')
SELECT id, email, name FROM customers ORDER BY id

-- case: NOT NULL and missing defaults
INSERT INTO customers (email, name, created_at) VALUES (NULL, 'x', '2025-01-01')
INSERT INTO customers (email, created_at) VALUES ('nn@example.com', '2025-01-01')
INSERT INTO products (sku, title) VALUES ('N-1', 'No price')
SELECT COUNT(*) FROM customers

-- case: strict-mode range, length, enum and type errors
INSERT INTO digits VALUES (300)
INSERT INTO digits VALUES ('abc')
INSERT INTO customers (email, name, country, created_at) VALUES ('len@example.com', 'x', 'TOO', '2025-01-01')
INSERT INTO products (sku, title, price, status) VALUES ('E-1', 'Enum', 1, 'lost')
INSERT INTO products (sku, title, price, tags) VALUES ('S-1', 'Set', 1, 'new,bogus')
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-02-30', 1)
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-02-03', 12345678901)
INSERT INTO products (sku, title, price, attrs) VALUES ('J-1', 'Bad JSON', 1, '{not json')
SELECT COUNT(*) FROM products

-- case: a multi-row insert failing at its third row leaves nothing
INSERT INTO digits VALUES (30), (31), (999), (32)
SELECT COUNT(*) FROM digits
INSERT INTO customers (email, name, created_at) VALUES ('a1@example.com', 'a', '2025-01-01'), ('a2@example.com', 'b', '2025-01-01'), ('a1@example.com', 'c', '2025-01-01')
SELECT COUNT(*) FROM customers

-- case: values round-trip exactly
INSERT INTO products (sku, title, price, attrs, tags, status) VALUES ('R-1', 'Quote '' back\\slash "dq" 🐬 ünï', 0.01, '{"a": [1, 2.5, "x"], "b": null}', 'eco,new', 'retired')
INSERT INTO products (sku, title, price, attrs) VALUES ('R-2', '', 99999999.99, NULL)
INSERT INTO orders (customer_id, placed_on, total, note) VALUES (4, '1000-01-01', -9999999999.99, ''), (4, '9999-12-31', 0, NULL)
INSERT INTO customers (email, name, created_at) VALUES ('frac@example.com', 'Frac', '2025-06-07 08:09:10.123')
SELECT * FROM products WHERE sku LIKE 'R-%' ORDER BY sku
SELECT sku, price * 2, JSON_EXTRACT(attrs, '$.a[1]'), JSON_TYPE(attrs), tags, status, LENGTH(title), CHAR_LENGTH(title) FROM products ORDER BY sku
SELECT id, note IS NULL, note = '', total FROM orders WHERE customer_id = 4 ORDER BY id
SELECT created_at, MICROSECOND(created_at) FROM customers WHERE email = 'frac@example.com'

-- case: UPDATE counts matched and changed rows
UPDATE customers SET country = 'GB' WHERE id IN (1, 2)
UPDATE customers SET country = 'GB' WHERE id IN (1, 2)
UPDATE customers SET name = CONCAT(name, '!') WHERE country IS NULL
UPDATE customers SET name = name WHERE id = 12345
SELECT id, name, country FROM customers ORDER BY id

-- case: UPDATE with ORDER BY and LIMIT
UPDATE orders SET note = 'top' ORDER BY total DESC LIMIT 2
UPDATE orders SET total = total + 1 WHERE customer_id = 3 ORDER BY placed_on LIMIT 1
UPDATE numbers SET n = n + 5000 LIMIT 3
SELECT id, total, note FROM orders ORDER BY id
SELECT n FROM numbers WHERE n > 4999 ORDER BY n

-- case: UPDATE chains resolve to one final state
UPDATE digits SET d = 40 WHERE d = 4
UPDATE digits SET d = 41 WHERE d = 40
UPDATE digits SET d = 4 WHERE d = 41
UPDATE products SET price = 1 WHERE sku = 'C-3'
UPDATE products SET price = price + 1 WHERE sku = 'C-3'
UPDATE products SET sku = 'C-33' WHERE sku = 'C-3'
UPDATE products SET title = 'Renamed' WHERE sku = 'C-33'
SELECT * FROM products ORDER BY sku
SELECT d FROM digits ORDER BY d

-- case: UPDATE of a key into another row's key fails in row order
UPDATE digits SET d = d + 1
UPDATE digits SET d = d + 1 ORDER BY d DESC
SELECT d FROM digits ORDER BY d
UPDATE customers SET email = 'LINUS@example.com' WHERE id = 1

-- case: UPDATE with subqueries over changed tables
UPDATE products SET price = 0 WHERE sku = 'A-1'
UPDATE orders SET total = (SELECT SUM(price) FROM products) WHERE id = 1
UPDATE orders SET note = 'cheap' WHERE id IN (SELECT order_id FROM order_items WHERE sku IN (SELECT sku FROM products WHERE price < 5))
SELECT id, total, note FROM orders ORDER BY id

-- case: UPDATE errors
UPDATE digits SET d = 500 WHERE d = 1
UPDATE customers SET name = NULL WHERE id = 1
UPDATE customers SET country = 'LONG' WHERE id = 2
UPDATE products SET status = 'nope' WHERE sku = 'A-1'
UPDATE customers SET nosuch = 1
UPDATE customers SET name = 'x' WHERE nosuch = 1
UPDATE nosuchtable SET a = 1
SELECT * FROM customers ORDER BY id

-- case: DELETE with WHERE, ORDER BY and LIMIT
DELETE FROM numbers WHERE n >= 990
DELETE FROM numbers ORDER BY n DESC LIMIT 5
DELETE FROM digits WHERE d IN (SELECT n FROM numbers WHERE n < 3)
SELECT COUNT(*), MAX(n) FROM numbers
SELECT d FROM digits ORDER BY d

-- case: delete then re-insert the same key
DELETE FROM digits WHERE d = 7
SELECT COUNT(*) FROM digits WHERE d = 7
INSERT INTO digits VALUES (7)
DELETE FROM digits WHERE d = 7
INSERT INTO digits VALUES (7)
UPDATE digits SET d = 77 WHERE d = 7
SELECT d FROM digits ORDER BY d

-- case: insert, update and delete of a new row
INSERT INTO products (sku, title, price) VALUES ('T-1', 'Temp', 1)
UPDATE products SET price = 2 WHERE sku = 'T-1'
UPDATE products SET sku = 'T-2' WHERE sku = 'T-1'
DELETE FROM products WHERE sku = 'T-2'
SELECT sku FROM products ORDER BY sku

-- case: composite primary keys
INSERT INTO order_items VALUES (1, 3, 'C-3', 5)
INSERT INTO order_items VALUES (1, 3, 'D-4', 1)
UPDATE order_items SET line = line + 10 WHERE order_id = 6
UPDATE order_items SET qty = qty * 10 WHERE (order_id, line) IN ((1, 1), (6, 12))
DELETE FROM order_items WHERE order_id = 1 AND line = 2
SELECT * FROM order_items ORDER BY order_id, line

-- case: foreign keys: missing parents and referenced parents
INSERT INTO orders (customer_id, placed_on, total) VALUES (999, '2025-01-01', 1)
INSERT INTO order_items VALUES (1, 9, 'NOPE', 1)
UPDATE orders SET customer_id = 999 WHERE id = 1
DELETE FROM customers WHERE id = 1
UPDATE customers SET id = 100 WHERE id = 1
DELETE FROM products WHERE sku = 'A-1'
DELETE FROM customers WHERE id = 4
SELECT id FROM customers ORDER BY id

-- case: foreign keys see changed parents
INSERT INTO customers (id, email, name, created_at) VALUES (50, 'p@example.com', 'Parent', '2025-01-01')
INSERT INTO orders (customer_id, placed_on, total) VALUES (50, '2025-01-01', 1)
DELETE FROM customers WHERE id = 50
INSERT INTO products (sku, title, price) VALUES ('P-1', 'Part', 1)
INSERT INTO order_items VALUES (2, 2, 'P-1', 1)
SELECT * FROM order_items WHERE sku = 'P-1'

-- case: ON DELETE CASCADE removes the children
DELETE FROM orders WHERE id = 6
SELECT * FROM order_items ORDER BY order_id, line
DELETE FROM orders WHERE customer_id = 3
SELECT COUNT(*) FROM order_items
DELETE FROM customers WHERE id = 3
SELECT id FROM customers ORDER BY id

-- case: foreign_key_checks = 0 skips the checks
SET foreign_key_checks = 0
INSERT INTO orders (customer_id, placed_on, total) VALUES (999, '2025-01-01', 1)
DELETE FROM customers WHERE id = 1
SET foreign_key_checks = 1
SELECT id, customer_id FROM orders ORDER BY id

-- case: reads of every shape over changed tables
UPDATE customers SET country = 'FI' WHERE id = 3
INSERT INTO orders (customer_id, placed_on, total) VALUES (3, '2025-01-01', 500), (2, '2025-01-02', 1)
DELETE FROM orders WHERE id = 2
SELECT c.country, COUNT(*), SUM(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.country WITH ROLLUP
SELECT name, (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c ORDER BY n DESC, name
SELECT * FROM big_spenders ORDER BY name
WITH t AS (SELECT customer_id, SUM(total) s FROM orders GROUP BY customer_id) SELECT * FROM t ORDER BY s DESC LIMIT 2
SELECT id, total, RANK() OVER (ORDER BY total DESC) FROM orders ORDER BY id
SELECT * FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL ORDER BY c.id
SELECT email FROM customers WHERE email LIKE 'GRACE%'
SELECT COUNT(*) FROM vdbt_shop.orders

-- case: qualified names and aliases
UPDATE vdbt_shop.products p SET p.price = p.price + 1 WHERE p.sku = 'B-2'
DELETE FROM vdbt_shop.digits WHERE d > 8
INSERT INTO vdbt_shop.digits (d) VALUES (9)
SELECT p.sku, p.price FROM vdbt_shop.products AS p ORDER BY 1
SELECT MAX(d) FROM vdbt_shop.digits

-- case: INSERT ... SELECT from the table itself reads it as it was
INSERT INTO numbers SELECT n + 1000 FROM numbers WHERE n < 5
INSERT INTO numbers SELECT n + 2000 FROM numbers WHERE n > 999
SELECT n FROM numbers WHERE n > 999 ORDER BY n

-- case: non-strict mode clamps with warnings
SET SESSION sql_mode = ''
INSERT INTO customers (email, name, country, created_at) VALUES ('ns@example.com', 'ns', 'LONG', '2025-01-01')
SELECT country FROM customers WHERE email = 'ns@example.com'

-- case: CHECK constraints and JSON validity
INSERT INTO products (sku, title, price, attrs) VALUES ('J-2', 'Good JSON', 1, '[1,2]')
UPDATE products SET attrs = 'nope' WHERE sku = 'J-2'
UPDATE products SET attrs = JSON_SET(attrs, '$[0]', 9) WHERE sku = 'J-2'
SELECT attrs FROM products WHERE sku = 'J-2'

-- case: syntax errors are the source's own
INSERT INTO digits VALUES (1
UPDATE digits SET WHERE d = 1
DELETE FROM WHERE 1
INSERT INTO nosuch VALUES (1)
INSERT INTO digits (nosuch) VALUES (1)
INSERT INTO digits VALUES (1, 2)
INSERT INTO digits (d, d) VALUES (1, 2)

-- case: ON DUPLICATE KEY UPDATE inserts or updates, counting 1, 2 or 0
INSERT INTO customers (email, name, created_at) VALUES ('ada@example.com', 'Ada Again', '2025-01-01') ON DUPLICATE KEY UPDATE name = CONCAT(name, ' + ', VALUES(name))
SELECT LAST_INSERT_ID()
INSERT INTO customers (email, name, created_at) VALUES ('fresh@example.com', 'Fresh', '2025-01-01') ON DUPLICATE KEY UPDATE name = 'never'
SELECT LAST_INSERT_ID()
INSERT INTO customers (email, name, created_at) VALUES ('fresh@example.com', 'Fresh', '2025-01-01') ON DUPLICATE KEY UPDATE name = name
INSERT INTO customers (id, email, name, created_at) VALUES (2, 'other@example.com', 'By id', '2025-01-01') ON DUPLICATE KEY UPDATE country = 'SE', name = VALUES(name)
INSERT INTO customers (email, name, created_at) VALUES ('next@example.com', 'Next', '2025-01-01')
SELECT id, email, name, country FROM customers ORDER BY id

-- case: ON DUPLICATE KEY UPDATE over many rows sees its own earlier rows
INSERT INTO digits VALUES (1), (20), (1), (20), (3) ON DUPLICATE KEY UPDATE d = d + 100
SELECT d FROM digits ORDER BY d
INSERT INTO products (sku, title, price) VALUES ('A-1', 'x', 1), ('Q-1', 'Q', 2), ('B-2', 'y', 3), ('Q-1', 'Q2', 4) ON DUPLICATE KEY UPDATE price = price + VALUES(price), title = VALUES(title)
SELECT sku, title, price FROM products ORDER BY sku
INSERT INTO numbers SELECT n FROM numbers WHERE n < 4 ON DUPLICATE KEY UPDATE n = VALUES(n) + 5000
SELECT n FROM numbers WHERE n > 4000 OR n < 5 ORDER BY n

-- case: ON DUPLICATE KEY UPDATE errors and IGNORE
INSERT INTO digits VALUES (1) ON DUPLICATE KEY UPDATE d = 2
INSERT INTO digits VALUES (1) ON DUPLICATE KEY UPDATE d = 300
INSERT INTO customers (email, name, created_at) VALUES ('ada@example.com', 'x', '2025-01-01') ON DUPLICATE KEY UPDATE email = 'grace@example.com'
INSERT IGNORE INTO customers (email, name, created_at) VALUES ('ada@example.com', 'x', '2025-01-01'), ('ig@example.com', 'y', '2025-01-01') ON DUPLICATE KEY UPDATE email = 'grace@example.com'
SHOW WARNINGS
UPDATE IGNORE customers SET email = 'linus@example.com' WHERE id IN (1, 3)
SHOW WARNINGS
SELECT @@warning_count
INSERT INTO customers (email, name, created_at) VALUES ('ada@example.com', 'x', '2025-01-01') ON DUPLICATE KEY UPDATE name = NULL
INSERT INTO orders (id, customer_id, placed_on, total) VALUES (1, 1, '2025-01-01', 1) ON DUPLICATE KEY UPDATE customer_id = 999
INSERT INTO digits VALUES (5) ON DUPLICATE KEY UPDATE nosuch = 1
SELECT id, email, name FROM customers ORDER BY id
SELECT d FROM digits ORDER BY d

-- case: ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id) returns the row's id
INSERT INTO customers (email, name, created_at) VALUES ('grace@example.com', 'G', '2025-01-01') ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)
SELECT LAST_INSERT_ID()
INSERT INTO customers (email, name, created_at) VALUES ('lid@example.com', 'L', '2025-01-01') ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)
SELECT LAST_INSERT_ID()
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-01-01', 5) ON DUPLICATE KEY UPDATE total = total + 1
UPDATE orders SET id = 300 WHERE id = 2
INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-01-01', 6)
SELECT LAST_INSERT_ID()
SELECT id, total FROM orders ORDER BY id

-- case: AUTO_INCREMENT gaps: skipped and failed rows keep their reserved values
INSERT IGNORE INTO customers (email, name, created_at) VALUES ('ada@example.com', 'a', '2025-01-01'), ('g1@example.com', 'b', '2025-01-01'), ('linus@example.com', 'c', '2025-01-01')
SELECT LAST_INSERT_ID()
INSERT INTO customers (email, name, created_at) VALUES ('g2@example.com', 'd', '2025-01-01')
INSERT INTO customers (email, name, created_at) VALUES ('ada@example.com', 'dup', '2025-01-01')
INSERT INTO customers (email, name, created_at) VALUES ('g3@example.com', 'e', '2025-01-01')
INSERT INTO customers (email, name, created_at) SELECT CONCAT('s', n, '@example.com'), 's', '2025-01-01' FROM numbers WHERE n < 4
INSERT INTO customers (email, name, created_at) VALUES ('g4@example.com', 'f', '2025-01-01')
INSERT INTO customers (id, email, name, created_at) VALUES (NULL, 'm1@example.com', 'm', '2025-01-01'), (80, 'm2@example.com', 'm', '2025-01-01'), (NULL, 'm3@example.com', 'm', '2025-01-01')
INSERT INTO customers (email, name, created_at) VALUES ('g5@example.com', 'g', '2025-01-01')
SELECT id, email FROM customers ORDER BY id
INSERT INTO customers (email, name, created_at) VALUES ('ada@example.com', 'dup', '2025-01-01')
SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME

-- case: multi-table UPDATE over a join changes each matched row once
UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.country = 'ZZ' WHERE o.total > 100
SELECT id, country FROM customers ORDER BY id
UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.note = CONCAT(c.country, ' #', o.id), c.name = UPPER(c.name) WHERE c.country = 'ZZ'
SELECT id, note FROM orders ORDER BY id
SELECT id, name FROM customers ORDER BY id
UPDATE orders, order_items SET qty = qty + 1 WHERE order_items.order_id = orders.id AND orders.customer_id = 3
SELECT * FROM order_items ORDER BY order_id, line
UPDATE IGNORE customers c JOIN orders o ON o.customer_id = c.id SET c.email = 'same@example.com' WHERE o.id IN (1, 4)
SHOW WARNINGS
SELECT id, email FROM customers ORDER BY id
UPDATE orders o JOIN (SELECT customer_id, SUM(total) AS s FROM orders GROUP BY customer_id) t ON t.customer_id = o.customer_id SET o.total = t.s
SELECT id, total FROM orders ORDER BY id

-- case: multi-table UPDATE reads changed tables and reports errors
INSERT INTO customers (id, email, name, created_at) VALUES (40, 'forty@example.com', 'Forty', '2025-01-01')
UPDATE orders SET customer_id = 40 WHERE id = 2
UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.name = CONCAT('buyer of ', o.id) WHERE c.id = 40
SELECT id, name FROM customers WHERE id = 40
UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.email = 'ada@example.com' WHERE c.id = 2
UPDATE customers c JOIN orders o ON o.customer_id = c.id SET o.customer_id = 999 WHERE c.id = 1
UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.nosuch = 1
UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.name = NULL
SELECT * FROM customers ORDER BY id

-- case: multi-table DELETE in both forms
DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = 'US'
SELECT id FROM orders ORDER BY id
SELECT order_id, line FROM order_items ORDER BY order_id, line
DELETE FROM i USING order_items AS i JOIN products AS p ON p.sku = i.sku WHERE p.price > 100
SELECT order_id, line, sku FROM order_items ORDER BY order_id, line
DELETE i, o FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = 1
SELECT id FROM orders ORDER BY id
SELECT order_id, line FROM order_items ORDER BY order_id, line
DELETE c FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.id = 2
DELETE vdbt_shop.d.* FROM digits AS d, numbers AS n WHERE d.d = n.n AND n.n > 6
SELECT d FROM digits ORDER BY d

-- case: FOUND_ROWS() after each kind of write keeps the last query's count, but INSERT ... SELECT's and CREATE TABLE ... SELECT's records
SELECT * FROM numbers WHERE n < 8
UPDATE numbers SET n = n + 1000 WHERE n = 3
SELECT FOUND_ROWS()
SELECT FOUND_ROWS() AS again, FOUND_ROWS() + 1
SELECT * FROM digits
UPDATE digits SET d = d WHERE d < 3
DELETE FROM digits WHERE d = 9
INSERT INTO digits VALUES (9)
INSERT INTO digits VALUES (9)
REPLACE INTO digits VALUES (9)
INSERT INTO digits VALUES (9) ON DUPLICATE KEY UPDATE d = 9
DO 1
SET @x = 1
EXPLAIN SELECT * FROM digits
SELECT FOUND_ROWS()
INSERT INTO digits SELECT n + 100 FROM numbers WHERE n BETWEEN 10 AND 14
SELECT FOUND_ROWS()
INSERT IGNORE INTO digits SELECT n + 100 FROM numbers WHERE n BETWEEN 12 AND 20
SELECT FOUND_ROWS()
UPDATE digits SET d = d + 1 WHERE d > 1000
SELECT FOUND_ROWS()
CREATE TABLE found_copy SELECT * FROM digits WHERE d < 5
SELECT ROW_COUNT()
SELECT FOUND_ROWS()
ALTER TABLE found_copy ADD COLUMN e INT
SELECT ROW_COUNT()
ALTER TABLE found_copy MODIFY d INT NOT NULL
SELECT ROW_COUNT()
SELECT FOUND_ROWS()
START TRANSACTION
SELECT * FROM digits WHERE d < 4
DELETE FROM digits WHERE d = 0
COMMIT
SELECT FOUND_ROWS()
SHOW TABLES
UPDATE digits SET d = 50 WHERE d = 1
SELECT FOUND_ROWS() > 5
SELECT * FROM digits WHERE d < 3
SHOW CREATE TABLE digits
SHOW WARNINGS
SET NAMES utf8mb4
SET @y = (SELECT COUNT(*) FROM digits)
DELETE FROM digits WHERE d = 2
SELECT FOUND_ROWS()
SHOW COLUMNS FROM digits
UPDATE digits SET d = 51 WHERE d = 50
SELECT FOUND_ROWS()
SELECT SQL_CALC_FOUND_ROWS * FROM digits ORDER BY d LIMIT 2
INSERT INTO digits VALUES (77)
SELECT FOUND_ROWS()

-- case: columns qualified with the database, FOUND_ROWS() and ROW_COUNT() after changes
UPDATE products SET price = 7.50 WHERE sku = 'A-1'
SELECT vdbt_shop.products.price, products.sku FROM products WHERE vdbt_shop.products.sku = 'A-1'
SELECT vdbt_shop.products.* FROM vdbt_shop.products WHERE sku = 'A-1'
SELECT SQL_CALC_FOUND_ROWS sku FROM products WHERE price > 5 ORDER BY sku LIMIT 1
SELECT FOUND_ROWS()
UPDATE products SET price = price + 1 WHERE price > 5
SELECT ROW_COUNT()
SELECT ROW_COUNT()
DELETE FROM digits WHERE d > 7
SELECT ROW_COUNT() AS deleted, ROW_COUNT() + 1
INSERT INTO digits VALUES (8)
INSERT INTO digits VALUES (8)
SELECT ROW_COUNT()

-- case: key-less tables: identical rows are copies, removed and changed one at a time
DELETE FROM ledger WHERE account = 2 LIMIT 1
SELECT ROW_COUNT()
SELECT COUNT(*) FROM ledger WHERE account = 2
DELETE FROM ledger WHERE CAST(memo AS BINARY) = 'rent' LIMIT 1
SELECT memo, HEX(memo), COUNT(*) FROM ledger GROUP BY memo, HEX(memo) ORDER BY 2
UPDATE ledger SET rate = rate * 2, booked = booked + INTERVAL 1 DAY WHERE memo = 'rent'
SELECT * FROM ledger ORDER BY account, CAST(memo AS BINARY), amount, rate, booked, CAST(flag AS CHAR)
INSERT INTO ledger VALUES (3, 'fee', 2.5, 1.5, '2025-02-01', 'b'), (3, 'fee', 2.5, 1.5, '2025-02-01', 'b')
SELECT COUNT(*) FROM ledger WHERE account = 3
DELETE FROM ledger WHERE account = 3 LIMIT 2
SELECT COUNT(*) FROM ledger WHERE account = 3 AND amount = 2.5
UPDATE ledger SET flag = 'b' WHERE flag = 'a'
SELECT flag, COUNT(*) FROM ledger GROUP BY flag ORDER BY CAST(flag AS CHAR)
DELETE FROM ledger WHERE rate = CAST(0.2 AS FLOAT) AND CAST(memo AS BINARY) = 'RENT'
SELECT account, memo, rate FROM ledger WHERE rate > 0.15 ORDER BY account, HEX(memo), rate
UPDATE ledger SET amount = 7 WHERE amount IS NULL
DELETE FROM ledger WHERE amount = 7 AND memo IS NULL
SELECT ROW_COUNT()
INSERT INTO ledger (account) VALUES (9), (9)
UPDATE ledger SET memo = 'nine' WHERE account = 9 ORDER BY account LIMIT 1
SELECT account, memo FROM ledger WHERE account >= 3 ORDER BY 1, 2

-- case: a key-less table that never had duplicates reads and writes like any other
INSERT INTO nokey VALUES (5, 'five'), (2, NULL)
UPDATE nokey SET b = CONCAT(IFNULL(b, 'none'), '!') WHERE a = 2
DELETE FROM nokey WHERE a = 1 AND b = 'x' LIMIT 1
SELECT a, b, COUNT(*) FROM nokey GROUP BY a, b ORDER BY a, b
SELECT n.a, d.d FROM nokey n JOIN digits d ON d.d = n.a ORDER BY 1, 2

-- case: BIT columns are written, compared and returned as BIT
UPDATE switches SET mask = b'11', on_off = 0 WHERE id = 1
INSERT INTO switches (id, mask, on_off, wide) VALUES (5, 7, 1, b'1'), (6, b'1000000001', b'0', 65535)
INSERT INTO switches (id, mask) VALUES (7, 1023)
DELETE FROM switches WHERE on_off = 0 AND id = 2
UPDATE switches SET wide = wide + 1 WHERE wide < 1000
SELECT * FROM switches ORDER BY id
SELECT id, mask, HEX(mask), mask + 0, BIN(mask), mask = 3, mask & 1, on_off = 1, mask > 4 FROM switches ORDER BY id
SELECT id FROM switches WHERE mask = 7 OR on_off = b'1' ORDER BY id
SELECT on_off, COUNT(*), SUM(mask), BIT_OR(mask) FROM switches GROUP BY on_off ORDER BY on_off
SELECT s.id, s.mask FROM switches s JOIN digits d ON d.d = s.id WHERE s.mask IS NOT NULL ORDER BY s.id DESC
UPDATE switches SET mask = 1024 WHERE id = 3
INSERT INTO switches (id, mask, on_off, wide) VALUES (8, b'11111111111', 0, 0)

-- case: ORDER BY an ENUM or SET column sorts by its index, also once the table changed
UPDATE switches SET level = 'low', days = 'mon,tue,wed' WHERE id = 4
INSERT INTO switches (id, level, days) VALUES (9, 'mid', 'mon'), (10, NULL, 'tue,wed')
SELECT id, level FROM switches ORDER BY level, id
SELECT id, level FROM switches ORDER BY switches.level DESC, id LIMIT 4
SELECT id, days FROM switches ORDER BY days, id
SELECT id, days FROM switches ORDER BY `days` DESC, id
SELECT level, COUNT(*) FROM switches GROUP BY level ORDER BY level
SELECT id FROM switches WHERE level = 'mid' OR FIND_IN_SET('mon', days) ORDER BY id

-- case: INSERT and REPLACE ... RETURNING answer with the rows written
INSERT INTO digits VALUES (10), (11) RETURNING d, d * 2 AS twice
INSERT INTO customers (email, name, created_at) VALUES ('r@x', 'R', '2025-01-01 10:00:00') RETURNING id, email, country, created_at
REPLACE INTO digits VALUES (10) RETURNING *
INSERT IGNORE INTO digits VALUES (1), (12) RETURNING d
INSERT INTO numbers SELECT n + 5000 FROM numbers WHERE n < 3 RETURNING n, n - 5000 AS was
INSERT INTO digits VALUES (1) RETURNING d
INSERT INTO digits VALUES (13) RETURNING digits.d
SELECT * FROM digits WHERE d > 9 ORDER BY d

-- case: generated columns of a source table are computed for the rows written, and refuse values in strict mode
SELECT * FROM parcels ORDER BY id
INSERT INTO parcels (width, height, label) VALUES (3, 3, 'bag'), (5, 2, NULL)
INSERT INTO parcels (width, label, area, tag, doubled) VALUES (6, 'tube', DEFAULT, DEFAULT, DEFAULT)
INSERT INTO parcels VALUES (NULL, 7, 2, 'pallet', DEFAULT, DEFAULT, DEFAULT, DEFAULT)
INSERT INTO parcels (width, code) VALUES (30, DEFAULT)
UPDATE parcels SET code = DEFAULT WHERE id = 2
INSERT INTO parcels SET width = 8, label = 'sack', area = DEFAULT
INSERT INTO parcels (width, area) VALUES (9, 81)
INSERT INTO parcels (width, label) SELECT width + 10, label FROM parcels WHERE id < 3
INSERT INTO parcels (width, label, tag) SELECT width, label, 'x' FROM parcels WHERE id = 1
INSERT INTO parcels (width, label) VALUES (2, 'BOX')
UPDATE parcels SET height = height + 1 WHERE label IS NOT NULL
UPDATE parcels SET area = 1 WHERE id = 1
UPDATE parcels SET area = DEFAULT, width = 20 WHERE id = 2
UPDATE parcels SET label = 'crate' WHERE id = 1
UPDATE parcels SET width = 4 WHERE id = 1
INSERT INTO parcels (width, label) VALUES (4, 'crate') ON DUPLICATE KEY UPDATE height = height + 100
REPLACE INTO parcels (id, width, label) VALUES (3, 1, 'envelope')
SELECT * FROM parcels ORDER BY id
SELECT id, area FROM parcels WHERE area > 10 ORDER BY area, id
SELECT tag FROM parcels WHERE tag LIKE 'B%' ORDER BY tag
DELETE FROM parcels WHERE area < 5
SELECT id, width, height, label, area, tag, doubled FROM parcels ORDER BY id

-- case: outside strict mode a value given to a generated column is ignored with a warning
SET sql_mode = ''
INSERT INTO parcels (width, area) VALUES (9, 81)
SHOW WARNINGS
INSERT INTO parcels (width, label, area, tag) VALUES (2, 'a', 1, 'b'), (3, 'c', 1, DEFAULT)
SHOW WARNINGS
INSERT INTO parcels (width, area) SELECT width, 0 FROM parcels WHERE id < 3
SHOW WARNINGS
UPDATE parcels SET area = 1, label = 'ok' WHERE id <= 2
SHOW WARNINGS
SET sql_mode = DEFAULT
INSERT IGNORE INTO parcels (width, area) VALUES (10, 1)
SHOW WARNINGS
SELECT * FROM parcels ORDER BY id

-- case: BEFORE INSERT and BEFORE UPDATE triggers that compute and check the row run as the server runs them
SET @tickets_inserted = 0
INSERT INTO tickets (title, qty) VALUES ('Third Thing', -5), ('Fourth', 3)
SELECT @tickets_inserted
INSERT INTO tickets SET title = 'Fifth Of Them', slug = 'ignored'
UPDATE tickets SET qty = qty + 1 WHERE id <= 2
UPDATE tickets SET title = 'Renamed Ticket' WHERE id = 1
UPDATE tickets SET qty = -1 WHERE id = 2
INSERT INTO tickets (id, title) VALUES (2, 'dup') ON DUPLICATE KEY UPDATE qty = qty + 10
UPDATE tickets SET qty = qty - 100 WHERE id = 3
INSERT INTO tickets (title) SELECT CONCAT(title, ' Copy') FROM tickets WHERE id < 3
SELECT * FROM tickets ORDER BY id
REPLACE INTO tickets (id, title) VALUES (1, 'Replaced Row')
UPDATE tickets t JOIN parcels p ON p.id = t.id SET t.qty = p.width WHERE p.id <= 2
DELETE FROM tickets WHERE id = 4
SELECT * FROM tickets ORDER BY id

-- case: conversions outside strict mode leave the server's warnings, numbered by row, and DECIMAL rounding leaves a note
INSERT INTO products (sku, title, price) VALUES ('E-5', 'Eraser', 1.005)
SHOW WARNINGS
UPDATE products SET price = price / 3 WHERE sku IN ('A-1', 'B-2')
SHOW WARNINGS
UPDATE ledger SET amount = 1 WHERE memo = 5
INSERT INTO accounts (id, balance) SELECT account + 500, 1 FROM ledger WHERE memo = 3
DELETE FROM ledger WHERE memo = 8
SHOW WARNINGS
DELETE FROM ledger WHERE memo = 'fee' AND amount = 'x'
SHOW WARNINGS
SET sql_mode = ''
UPDATE ledger SET rate = 2 WHERE memo = 5
SHOW WARNINGS
DELETE FROM ledger WHERE memo = 7
SHOW WARNINGS
DELETE FROM tickets WHERE title = 0
SHOW WARNINGS
INSERT INTO ledger (account, memo, amount, flag) VALUES (1, 'a memo that is far too long for it', 'x1', 'c'), (2, 'ok', '5z', 'a')
SHOW WARNINGS
INSERT INTO digits VALUES (300)
SHOW WARNINGS
UPDATE accounts SET balance = 'lots' WHERE id <= 2
SHOW WARNINGS
INSERT INTO accounts (id, balance) SELECT n + 100, CONCAT(n, 'x') FROM numbers WHERE n < 3
SHOW WARNINGS
SELECT @@warning_count
SET sql_mode = DEFAULT
INSERT IGNORE INTO digits VALUES (-5), (11)
SHOW WARNINGS
SELECT * FROM digits ORDER BY d
SELECT * FROM accounts WHERE id <= 2 OR id > 100 ORDER BY id
SELECT sku, price FROM products ORDER BY sku

-- case: a BEFORE trigger that reads other tables reads them as vdb shows them, changed rows included
CREATE TABLE basket (id INT PRIMARY KEY, sku VARCHAR(20), price DECIMAL(8,2), digits_seen INT)
CREATE TRIGGER basket_bi BEFORE INSERT ON basket FOR EACH ROW SET NEW.price = (SELECT p.price FROM products p WHERE p.sku = NEW.sku), NEW.digits_seen = (SELECT COUNT(*) FROM digits)
UPDATE products SET price = price + 1 WHERE sku = 'A-1'
INSERT INTO basket (id, sku) VALUES (1, 'A-1'), (2, 'B-2'), (3, 'nope')
INSERT INTO digits VALUES (42)
DELETE FROM products WHERE sku = 'B-2'
INSERT INTO basket (id, sku) VALUES (4, 'A-1'), (5, 'B-2')
SELECT * FROM basket ORDER BY id
CREATE TRIGGER basket_bu BEFORE UPDATE ON basket FOR EACH ROW SET NEW.price = IFNULL((SELECT MAX(price) FROM products WHERE sku LIKE CONCAT(LEFT(NEW.sku, 1), '%')), -1)
UPDATE basket SET sku = 'A-1' WHERE id = 3
UPDATE basket SET sku = 'Q' WHERE id = 5
SELECT * FROM basket ORDER BY id

-- case: a BEFORE DELETE trigger runs for each row a DELETE removes, in key order, and its SIGNAL stops the statement
CREATE TABLE vault (id INT PRIMARY KEY, locked TINYINT NOT NULL DEFAULT 0, note VARCHAR(20))
INSERT INTO vault VALUES (1, 0, 'a'), (2, 1, 'b'), (3, 0, 'c'), (4, 0, 'd'), (5, 0, 'e')
CREATE TRIGGER vault_bd BEFORE DELETE ON vault FOR EACH ROW BEGIN IF OLD.locked THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'locked row'; END IF; SET @vault_deleted = CONCAT(IFNULL(@vault_deleted, ''), OLD.note); END
DELETE FROM vault WHERE id = 1
SELECT @vault_deleted
DELETE FROM vault WHERE id <= 3
SELECT * FROM vault ORDER BY id
SELECT @vault_deleted
DELETE FROM vault WHERE id >= 4
DELETE FROM vault WHERE locked = 0 ORDER BY id DESC LIMIT 1
SELECT * FROM vault ORDER BY id
SELECT @vault_deleted
CREATE TRIGGER vault_bd2 BEFORE DELETE ON vault FOR EACH ROW SET @vault_seen = OLD.id + (SELECT COUNT(*) FROM digits)
DELETE FROM vault WHERE note = 1
SHOW WARNINGS
INSERT INTO vault VALUES (6, 0, 'f')
DELETE FROM vault WHERE id = 6
SELECT * FROM vault ORDER BY id
SELECT @vault_deleted, @vault_seen

-- case: AFTER triggers write other tables for each row written, and their writes are captured like the client's
CREATE TABLE stock (sku VARCHAR(20) PRIMARY KEY, qty INT NOT NULL)
CREATE TABLE moves (id INT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(20), delta INT, what VARCHAR(12))
INSERT INTO stock VALUES ('A-1', 10), ('B-2', 5)
CREATE TRIGGER stock_ai AFTER INSERT ON stock FOR EACH ROW INSERT INTO moves (sku, delta, what) VALUES (NEW.sku, NEW.qty, 'in')
CREATE TRIGGER stock_au AFTER UPDATE ON stock FOR EACH ROW BEGIN IF NEW.qty <> OLD.qty THEN INSERT INTO moves (sku, delta, what) VALUES (NEW.sku, NEW.qty - OLD.qty, 'change'); ELSEIF NEW.qty = 0 THEN SET @stock_zero = CONCAT(IFNULL(@stock_zero, ''), NEW.sku); ELSE UPDATE moves SET what = CONCAT(what, '=') WHERE sku = NEW.sku; END IF; END
CREATE TRIGGER stock_au2 AFTER UPDATE ON stock FOR EACH ROW PRECEDES stock_au SET @stock_seen = CONCAT(IFNULL(@stock_seen, ''), OLD.sku, (SELECT COUNT(*) FROM moves))
INSERT INTO stock VALUES ('C-3', 7), ('D-4', 0)
SELECT LAST_INSERT_ID(), ROW_COUNT()
UPDATE stock SET qty = qty + 1 WHERE sku IN ('A-1', 'C-3')
UPDATE stock SET qty = qty WHERE sku IN ('D-4', 'C-3')
INSERT INTO stock VALUES ('A-1', 1) ON DUPLICATE KEY UPDATE qty = qty + VALUES(qty)
INSERT INTO stock VALUES ('E-5', 1), ('A-1', 0) ON DUPLICATE KEY UPDATE qty = qty
REPLACE INTO stock VALUES ('F-6', 6)
INSERT INTO audited VALUES (1, 1), (2, 2)
UPDATE audited SET v = v + 10
SELECT * FROM audited ORDER BY id
SELECT * FROM audit_log ORDER BY id
CREATE TRIGGER stock_ad AFTER DELETE ON stock FOR EACH ROW DELETE FROM moves WHERE sku = OLD.sku
DELETE FROM stock WHERE sku = 'C-3'
SELECT @stock_zero, @stock_seen
SELECT * FROM stock ORDER BY sku
SELECT * FROM moves ORDER BY id
INSERT INTO vdbt_shop.stock VALUES ('G-7', 7)
UPDATE vdbt_shop.stock SET qty = 70 WHERE sku = 'G-7'
SELECT * FROM moves ORDER BY id

-- case: an AFTER trigger that fails undoes its whole statement; one that writes its statement's table gets 1442; its strictness is its own
CREATE TABLE pings (id INT PRIMARY KEY, n INT)
CREATE TABLE pongs (id INT PRIMARY KEY)
CREATE TRIGGER pings_ai AFTER INSERT ON pings FOR EACH ROW INSERT INTO pongs VALUES (NEW.n)
INSERT INTO pings VALUES (1, 1), (2, 2), (3, 1)
SELECT * FROM pings
SELECT * FROM pongs
INSERT INTO pings VALUES (4, 4)
INSERT IGNORE INTO pings VALUES (4, 5), (5, 5)
INSERT IGNORE INTO pings VALUES (6, 1)
INSERT INTO pings VALUES (8, 2), (9, 3)
SELECT * FROM pongs ORDER BY id
CREATE TRIGGER pings_au AFTER UPDATE ON pings FOR EACH ROW UPDATE pings SET n = 0
UPDATE pings SET n = 9 WHERE id = 4
INSERT INTO pongs SELECT n + 100 FROM pings
CREATE TRIGGER pings_ad AFTER DELETE ON pings FOR EACH ROW BEGIN IF OLD.n > 4 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'too big to delete'; END IF; SET @pings_deleted = CONCAT(IFNULL(@pings_deleted, ''), OLD.id); END
DELETE FROM pings WHERE id = 8
DELETE FROM pings
SELECT * FROM pings ORDER BY id
SELECT @pings_deleted
CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(40))
CREATE TABLE note_log (id INT PRIMARY KEY, short VARCHAR(3))
CREATE TRIGGER notes_ai AFTER INSERT ON notes FOR EACH ROW INSERT INTO note_log VALUES (NEW.id, NEW.body)
SET sql_mode = ''
INSERT INTO notes VALUES (1, 'abcdef')
SELECT @@sql_mode
SET sql_mode = DEFAULT
INSERT INTO notes VALUES (2, 'abc')
SELECT * FROM notes ORDER BY id
SELECT * FROM note_log ORDER BY id

-- case: BEFORE triggers that write tables run for each row, before its AFTER triggers
CREATE TABLE docs (id INT PRIMARY KEY, title VARCHAR(20), rev INT NOT NULL DEFAULT 1)
CREATE TABLE doc_archive (n INT AUTO_INCREMENT PRIMARY KEY, doc INT, title VARCHAR(20) NOT NULL, rev INT, why VARCHAR(12))
INSERT INTO docs VALUES (1, 'one', 1), (2, 'two', 1), (3, 'three', 2)
CREATE TRIGGER docs_bd BEFORE DELETE ON docs FOR EACH ROW INSERT INTO doc_archive (doc, title, rev, why) VALUES (OLD.id, OLD.title, OLD.rev, 'deleted')
CREATE TRIGGER docs_bu BEFORE UPDATE ON docs FOR EACH ROW BEGIN IF NEW.title <> OLD.title THEN INSERT INTO doc_archive (doc, title, rev, why) VALUES (OLD.id, OLD.title, OLD.rev, 'renamed'); END IF; END
CREATE TRIGGER docs_bu0 BEFORE UPDATE ON docs FOR EACH ROW PRECEDES docs_bu SET NEW.rev = OLD.rev + 1
CREATE TRIGGER docs_au AFTER UPDATE ON docs FOR EACH ROW UPDATE doc_archive SET why = CONCAT(why, '+'), rev = NEW.rev WHERE doc = NEW.id
CREATE TRIGGER docs_bi BEFORE INSERT ON docs FOR EACH ROW INSERT INTO doc_archive (doc, title, rev, why) VALUES (NEW.id, NEW.title, NEW.rev, 'created')
DELETE FROM docs WHERE id = 3
UPDATE docs SET title = CONCAT(title, '!')
UPDATE docs SET title = title WHERE id = 1
INSERT INTO docs (id, title) VALUES (4, 'four'), (5, 'five')
INSERT INTO docs (id, title) VALUES (6, 'six'), (7, NULL)
INSERT INTO docs (id, title) VALUES (8, 'eight')
DELETE FROM docs WHERE id > 3 ORDER BY id DESC LIMIT 1
SELECT * FROM docs ORDER BY id
SELECT * FROM doc_archive ORDER BY n

-- case: reads that name a few keys see rows changed in place, deleted, moved to another key and inserted
UPDATE customers SET name = CONCAT(name, ' (edited)'), country = 'NO' WHERE id IN (1, 3)
UPDATE orders SET total = total * 2, note = NULL WHERE id BETWEEN 2 AND 4
DELETE FROM orders WHERE id = 5
UPDATE customers SET country = NULL WHERE id = 2
SELECT * FROM customers WHERE id = 1
SELECT id, name, country FROM customers WHERE id IN (1, 2, 3, 4) ORDER BY id
SELECT id, country FROM customers WHERE id IN (1, 2, 3) AND country = 'NO' ORDER BY id
SELECT id, country FROM customers WHERE id BETWEEN 1 AND 3 AND country IS NULL
SELECT COUNT(*), SUM(total), MIN(note), MAX(placed_on) FROM orders WHERE id BETWEEN 1 AND 6
SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id IN (1, 3, 4, 5) ORDER BY o.id
SELECT c.id, COUNT(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE c.id <= 3 AND c.id >= 1 GROUP BY c.id ORDER BY c.id
SELECT * FROM orders WHERE id = 5
UPDATE orders SET id = 50 WHERE id = 6
SELECT id, total FROM orders WHERE id IN (6, 50) ORDER BY id
INSERT INTO orders (id, customer_id, placed_on, total) VALUES (5, 2, '2025-01-01', 5.5)
SELECT id, customer_id, total FROM orders WHERE id BETWEEN 4 AND 7 ORDER BY id DESC
SELECT id, name FROM customers WHERE id = 3 FOR UPDATE
SELECT (SELECT name FROM customers WHERE id = 3), (SELECT total FROM orders WHERE id = 3)

-- case: LOCK TABLES ... WRITE lets the session write only the tables it locked WRITE (1099, 1100), and mariadb-dump's executable comments around a table's rows run as the server runs them
LOCK TABLES digits WRITE, numbers READ, orders AS o READ
INSERT INTO digits VALUES (42)
UPDATE digits SET d = d + 100 WHERE d = 42
INSERT INTO numbers VALUES (100000)
DELETE FROM numbers WHERE n = 1
REPLACE INTO numbers VALUES (1)
INSERT INTO nokey VALUES (1, 'x')
INSERT INTO digits SELECT n + 1000 FROM numbers WHERE n < 3
SELECT COUNT(*) FROM digits
SELECT COUNT(*) FROM numbers
SELECT COUNT(*) FROM orders
SELECT COUNT(*) FROM orders o
/*!40000 ALTER TABLE digits DISABLE KEYS */
INSERT INTO digits VALUES (43), (44)
/*!40000 ALTER TABLE `digits` ENABLE KEYS */;
/*!99999 ALTER TABLE digits DISABLE KEYS */
ALTER TABLE digits DISABLE KEYS
ALTER TABLE missing DISABLE KEYS
ALTER TABLE numbers DISABLE KEYS
UNLOCK TABLES
SELECT * FROM digits ORDER BY d
SELECT COUNT(*) FROM orders
/*!50000 DROP TABLE nokey */
SELECT * FROM nokey
/*M!100000 TRUNCATE numbers */
SELECT COUNT(*) FROM numbers

-- case: a row changed in place keeps its place in a filtered list without ORDER BY, as the server lists it (in the order of the index the query reads, or of a scan): the row just edited does not move to the end, also when the indexed column a lookup reads by changed
UPDATE orders SET total = total + 1, note = 'edited' WHERE id = 4
SELECT id, total, note FROM orders WHERE customer_id = 3
SELECT id, total FROM orders WHERE placed_on >= '2024-06-02'
SELECT * FROM orders WHERE note IS NOT NULL
UPDATE customers SET name = 'Grace H.' WHERE id = 3
SELECT id, name FROM customers WHERE country IN ('US', 'GB', 'FI')
SELECT id, name FROM customers WHERE name LIKE 'G%' OR country = 'FI'
INSERT INTO orders (customer_id, placed_on, total) VALUES (3, '2024-09-01', 5)
SELECT id, total, note FROM orders WHERE customer_id = 3
DELETE FROM orders WHERE id = 5
SELECT id, total, note FROM orders WHERE customer_id = 3
UPDATE orders SET note = CONCAT(note, '!') WHERE customer_id = 1
SELECT o.id, o.note, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = 'GB'
SELECT o.id, o.note, c.name FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.total > 10
SELECT COUNT(*), SUM(total) FROM orders WHERE customer_id IN (1, 3)
SELECT customer_id, COUNT(*) FROM orders WHERE total < 200 GROUP BY customer_id
UPDATE orders SET total = 7 WHERE id = 1
SELECT id, total FROM orders WHERE total > 100
SELECT id, total FROM orders WHERE total = 7 OR note IS NULL
UPDATE orders SET customer_id = 1 WHERE id = 6
SELECT id, customer_id, note FROM orders WHERE customer_id = 1 ORDER BY id
SELECT id, customer_id, note FROM orders WHERE customer_id = 1
SELECT id, customer_id, note FROM orders WHERE customer_id = 3
SELECT id, customer_id, note FROM orders WHERE note LIKE '%!' ORDER BY id
UPDATE customers SET country = 'FI' WHERE id = 3
SELECT id, name, country FROM customers WHERE country = 'FI'
SELECT id, name FROM customers WHERE country IS NULL
UPDATE customers SET country = NULL WHERE id = 1
SELECT id, name FROM customers WHERE country IS NULL
SELECT id, name, country FROM customers WHERE country IN ('FI', 'GB') ORDER BY id

-- case: writes one after another keep a latin1 session's text, answer its syntax errors in its character set, and leave its result character set in force for the reads between and after them
SET NAMES latin1
INSERT INTO customers (email, name, created_at) VALUES ('zoe@example.com', 'Zoë', '2025-01-01')
UPDATE customers SET name = 'Renée' WHERE email = 'zoe@example.com'
UPDATE customers SET name = CONCAT(name, ' ü') WHERE email = 'zoe@example.com'
SELECT name, HEX(name), @@character_set_results FROM customers WHERE email = 'zoe@example.com'
UPDATE customers SET name = 'José' WHERE id = 1
UPDATE customers SET name = 'José' WHERE id = 1 AND é ä
UPDATE customers SET name = 'Jürgen' WHERE id = 1 ORDER BY
SELECT name, HEX(name) FROM customers WHERE id = 1
SET NAMES utf8mb4
UPDATE customers SET name = 'Ñandú' WHERE id = 2
SET character_set_results = latin1
UPDATE customers SET name = 'Ñandú dos' WHERE id = 3
UPDATE customers SET name = 'Ñandú tres' WHERE id = 4
SELECT id, name, @@character_set_results FROM customers WHERE id IN (2, 3, 4)
SET character_set_results = NULL
UPDATE customers SET name = 'Ørsted' WHERE id = 2
DELETE FROM customers WHERE name = 'Ñandú dos'
SELECT id, name, HEX(name), @@character_set_results FROM customers ORDER BY id
SET character_set_results = utf8mb4
UPDATE customers SET name = 'Ørsted' WHERE id = 2 AND ä ö
SELECT id, name FROM customers ORDER BY id

-- case: writes of one shape under a changed foreign_key_checks or sql_mode follow the setting in force for each
UPDATE orders SET customer_id = 1 WHERE id = 1
SET foreign_key_checks = 0
UPDATE orders SET customer_id = 999 WHERE id = 1
SET foreign_key_checks = 1
UPDATE orders SET customer_id = 998 WHERE id = 2
SET sql_mode = ''
UPDATE customers SET country = 'ABCDEFG' WHERE id = 1
SET sql_mode = DEFAULT
UPDATE customers SET country = 'ABCDEFG' WHERE id = 2
SELECT id, customer_id FROM orders ORDER BY id
SELECT id, country FROM customers ORDER BY id

-- case: FIND_IN_SET of a label over a changed SET column gives the label's place in the column's definition, as the server's does
UPDATE products SET tags = 'sale' WHERE sku = 'B-2'
SELECT sku, tags, FIND_IN_SET('sale', tags), FIND_IN_SET('eco', tags), FIND_IN_SET('SALE', products.tags) AS s FROM products ORDER BY sku
SELECT sku FROM products WHERE FIND_IN_SET('sale', tags) = 2 ORDER BY sku
SELECT sku, FIND_IN_SET('sale', CONCAT(tags)) FROM products ORDER BY sku

-- case: a TIMESTAMP is an instant: written in one time zone and read in another, it shows the reading session's time, in comparisons, updates, keys, conversions and ON UPDATE too, as on the server; a DATETIME stays as written
CREATE TABLE stamps (id INT PRIMARY KEY, ts TIMESTAMP(3) NULL, dt DATETIME NULL, z TIMESTAMP NULL)
SET time_zone = '+00:00'
INSERT INTO stamps VALUES (1, '2026-01-01 00:00:00.5', '2026-01-01 00:00:00', NULL), (2, NULL, NULL, NULL)
SET time_zone = '+05:00'
SELECT id, ts, UNIX_TIMESTAMP(ts), dt FROM stamps ORDER BY id
INSERT INTO stamps VALUES (3, '2026-01-01 00:00:00', '2026-01-01 00:00:00', FROM_UNIXTIME(86400))
UPDATE stamps SET dt = ts WHERE id = 1
SET time_zone = '-03:30'
SELECT id, ts, UNIX_TIMESTAMP(ts), dt, z, CAST(ts AS DATETIME(3)), ts + 0 FROM stamps ORDER BY id
SELECT id FROM stamps WHERE ts > '2025-12-31 16:00:00' ORDER BY id
SELECT id FROM stamps WHERE ts = '2025-12-31 20:30:00.500'
SELECT id, ts FROM stamps ORDER BY ts DESC
UPDATE stamps SET ts = '2026-06-01 12:00:00' WHERE id = 2
UPDATE stamps SET ts = ts WHERE id = 3
SET time_zone = '+00:00'
SELECT id, ts, dt, UNIX_TIMESTAMP(ts) FROM stamps ORDER BY id
SELECT * FROM stamps WHERE id IN (SELECT id FROM stamps WHERE ts < '2026-01-01 00:00:00')
CREATE TABLE stamp_keys (at TIMESTAMP PRIMARY KEY, n INT)
INSERT INTO stamp_keys VALUES ('2026-01-01 00:00:00', 1), ('2026-01-02 00:00:00', 2)
SET time_zone = '+05:00'
INSERT INTO stamp_keys VALUES ('2026-01-01 05:00:00', 3) ON DUPLICATE KEY UPDATE n = n + 10
INSERT INTO stamp_keys VALUES ('2026-01-02 00:00:00', 4)
SELECT at, n FROM stamp_keys ORDER BY at
UPDATE stamp_keys SET n = 7 WHERE at = '2026-01-01 05:00:00'
DELETE FROM stamp_keys WHERE at = '2026-01-02 05:00:00'
REPLACE INTO stamp_keys VALUES ('2026-01-02 00:00:00', 5)
SET time_zone = '+00:00'
SELECT at, n FROM stamp_keys ORDER BY at
SELECT at, n FROM stamp_keys WHERE at BETWEEN '2026-01-01 00:00:00' AND '2026-01-01 23:00:00'
INSERT INTO stamp_keys VALUES ('2026-01-01 00:00:00', 9)
SET time_zone = '+01:00'
ALTER TABLE stamps MODIFY dt TIMESTAMP NULL
SET time_zone = '+00:00'
SELECT id, ts, dt, UNIX_TIMESTAMP(dt) FROM stamps ORDER BY id
ALTER TABLE stamps MODIFY ts DATETIME(3) NULL
SELECT id, ts, dt FROM stamps ORDER BY id
SET sql_mode = ''
INSERT INTO stamps (id, z) VALUES (4, '0000-00-00 00:00:00')
SET time_zone = '+05:00'
SELECT id, z, z + 0 FROM stamps WHERE id = 4
CREATE TABLE stamps_copy AS SELECT id, z FROM stamps
SET time_zone = '+00:00'
SELECT id, z FROM stamps_copy ORDER BY id

-- case: SET is evaluated left to right: an assignment that reads a column an earlier one assigned reads its new value, converted, in UPDATE and ON DUPLICATE KEY UPDATE, with the server's errors and warnings
CREATE TABLE swaps (id INT PRIMARY KEY, a INT, b INT, c VARCHAR(10), d DECIMAL(5,2), u INT UNIQUE)
INSERT INTO swaps VALUES (1, 1, 2, 'x', 1.5, 1), (2, 3, 4, 'y', 2.5, 2)
UPDATE swaps SET a = b, b = a
SELECT * FROM swaps ORDER BY id
UPDATE swaps SET d = d * 2.5, a = d + 0.25 WHERE id = 1
SELECT * FROM swaps ORDER BY id
UPDATE swaps SET c = 'toolongvalue', a = LENGTH(c)
SET sql_mode = ''
UPDATE swaps SET c = 'toolongvalue', a = LENGTH(c)
SHOW WARNINGS
UPDATE swaps SET a = 300000000000, b = a
SHOW WARNINGS
UPDATE swaps SET a = a + 1, b = a * 10 ORDER BY id DESC LIMIT 1
INSERT INTO swaps VALUES (1, 0, 0, 'z', 0, 9) ON DUPLICATE KEY UPDATE a = 100, b = a + 1
SELECT * FROM swaps ORDER BY id
UPDATE swaps SET u = 5, a = u WHERE id = 2
UPDATE swaps SET b = b, a = b
SELECT ROW_COUNT()
SET sql_mode = DEFAULT
UPDATE swaps SET a = NULL, b = COALESCE(a, -1)
UPDATE swaps SET u = 1, a = u WHERE id = 2
SELECT * FROM swaps ORDER BY id
UPDATE numbers SET n = n + 5000, n = n - 4999 WHERE n = 7
UPDATE numbers SET n = n + 6000, n = n - 5999 WHERE n = 20
UPDATE accounts SET balance = 1, balance = balance + 1 WHERE id = 3
INSERT INTO accounts VALUES (3, 0) ON DUPLICATE KEY UPDATE balance = 7, balance = balance * 2
SELECT * FROM accounts WHERE id = 3
SELECT * FROM numbers WHERE n BETWEEN 20 AND 22

-- case: a TIMESTAMP column's default time is the instant it was defined as (in the defining session's time zone), whichever zone a later write is in: CREATE, ADD COLUMN and SET DEFAULT
SET time_zone = '+00:00'
CREATE TABLE stamped (id INT PRIMARY KEY, u TIMESTAMP NOT NULL DEFAULT '2026-01-01 00:00:00', v TIMESTAMP(2) NULL DEFAULT '2026-01-01 00:00:00.5')
SET time_zone = '+05:00'
INSERT INTO stamped (id) VALUES (1)
SELECT id, u, UNIX_TIMESTAMP(u), v, UNIX_TIMESTAMP(v) FROM stamped
ALTER TABLE stamped ADD COLUMN x TIMESTAMP NOT NULL DEFAULT '2026-06-01 00:00:00'
SET time_zone = '-03:30'
INSERT INTO stamped (id) VALUES (2)
ALTER TABLE stamped ALTER COLUMN u SET DEFAULT '2027-01-01 00:00:00'
SET time_zone = '+00:00'
INSERT INTO stamped (id) VALUES (3)
UPDATE stamped SET v = DEFAULT WHERE id = 1
SELECT id, u, v, x, UNIX_TIMESTAMP(u), UNIX_TIMESTAMP(v), UNIX_TIMESTAMP(x) FROM stamped ORDER BY id

-- case: FOUND_ROWS() after a query of a changed or created table is the rows it returned (an aggregate over an empty created table returns one), or with SQL_CALC_FOUND_ROWS the rows without its LIMIT, text and prepared alike
CREATE TABLE counted (id INT PRIMARY KEY, at TIMESTAMP NULL)
SELECT COUNT(*), MIN(at), MAX(at) FROM counted WHERE at BETWEEN '2026-03-01' AND '2026-06-01 12:00:00'
SELECT FOUND_ROWS()
SELECT COUNT(*) FROM counted
SELECT FOUND_ROWS()
INSERT INTO counted VALUES (1, NULL), (2, NULL), (3, NULL)
SELECT SQL_CALC_FOUND_ROWS * FROM counted LIMIT 1
SELECT FOUND_ROWS()
SELECT * FROM counted LIMIT 2
SELECT FOUND_ROWS()
SELECT id INTO @x FROM counted LIMIT 1
SELECT FOUND_ROWS()
SELECT * FROM counted WHERE id = 99
SELECT FOUND_ROWS()
UPDATE numbers SET n = n + 7000 WHERE n < 3
SELECT COUNT(*) FROM numbers WHERE n > 100000
SELECT FOUND_ROWS()
SELECT n FROM numbers WHERE n > 7000 ORDER BY n
SELECT FOUND_ROWS()
SELECT n FROM numbers ORDER BY n DESC LIMIT 5 OFFSET 4
SELECT FOUND_ROWS()
SELECT n FROM numbers WHERE n > 7000 ORDER BY n LIMIT 1, 1
SELECT FOUND_ROWS()
SELECT * FROM counted LIMIT 2 OFFSET 1
SELECT FOUND_ROWS()
SELECT * FROM counted ORDER BY id LIMIT 5 OFFSET 2
SELECT FOUND_ROWS()

-- case: reads of a few keys of a changed table, with changed columns as plain select items (written in place, not as a derived table), answer and name their columns as the server does, in every clause shape, with changed, deleted, moved and inserted keys in the range
UPDATE orders SET note = 'edited', total = total * 2 WHERE id IN (2, 4)
DELETE FROM orders WHERE id = 3
UPDATE orders SET id = 50 WHERE id = 5
INSERT INTO orders (id, customer_id, placed_on, total, note) VALUES (100, 2, '2025-01-01', 1.5, 'hundred')
SELECT note, total FROM orders WHERE id BETWEEN 1 AND 5
SELECT o.note AS n, id, o.total FROM orders AS o WHERE o.id IN (2, 3, 4) ORDER BY id DESC
SELECT NOTE, `total` FROM orders WHERE id = 2
SELECT orders.note 'quoted alias', total t FROM orders WHERE id = 4
SELECT note FROM orders WHERE id = 3
SELECT note, total FROM orders WHERE id = 5
SELECT id, note FROM orders WHERE id BETWEEN 40 AND 60
SELECT note FROM orders WHERE id BETWEEN 99 AND 101
SELECT COUNT(*), MAX(id) FROM orders WHERE id BETWEEN 1 AND 5
SELECT id, total FROM orders WHERE id <= 5 ORDER BY id LIMIT 2 OFFSET 1
SELECT note FROM orders WHERE id BETWEEN 1 AND 5 AND note IS NOT NULL
SELECT note, total FROM orders WHERE id BETWEEN 1 AND 5 ORDER BY note
SELECT UPPER(note), total + 1 FROM orders WHERE id BETWEEN 1 AND 5
SELECT DISTINCT note FROM orders WHERE id BETWEEN 1 AND 5
SELECT note, total FROM orders WHERE id BETWEEN 1 AND 5 ORDER BY id FOR UPDATE
SELECT note, total FROM orders WHERE id BETWEEN 1 AND 5 LOCK IN SHARE MODE
SELECT SQL_CALC_FOUND_ROWS note FROM orders WHERE id BETWEEN 1 AND 5 LIMIT 1
SELECT FOUND_ROWS()
SELECT note, total FROM orders WHERE id BETWEEN 1 AND 5 /* a comment */ ORDER BY 2
SELECT total, vdbt_shop.orders.note FROM vdbt_shop.orders WHERE id = 2
SELECT note FROM orders WHERE (id = 2 OR id = 3) AND customer_id > 0
SELECT id, placed_on FROM orders WHERE id BETWEEN 1 AND 5
SELECT * FROM orders WHERE id BETWEEN 1 AND 5
SELECT o.* FROM orders o WHERE id IN (2, 4) ORDER BY note DESC
SELECT DISTINCT note FROM orders WHERE id BETWEEN 1 AND 5 ORDER BY note
SELECT note AS n, id FROM orders WHERE id BETWEEN 1 AND 5 ORDER BY n, id DESC
SELECT id AS note FROM orders WHERE id BETWEEN 1 AND 5 ORDER BY note
SELECT *, note FROM orders WHERE id = 2

-- Transactions, two connections (A and B) interleaved, compared statement
-- by statement with the same interleaving on a writable copy. Lines start
-- with the connection that runs them. Interleavings never make one side
-- wait for the other's row locks (vdb takes none yet).

-- case: ROLLBACK drops the transaction's writes
A: BEGIN
A: INSERT INTO customers (email, name, country, created_at) VALUES ('t1@example.com', 'T One', 'NO', '2025-01-01')
A: UPDATE products SET price = 1.00 WHERE sku = 'A-1'
A: SELECT COUNT(*), MAX(email) FROM customers
A: SELECT price FROM products WHERE sku = 'A-1'
B: SELECT COUNT(*), MAX(email) FROM customers
B: SELECT price FROM products WHERE sku = 'A-1'
A: ROLLBACK
A: SELECT COUNT(*) FROM customers
A: SELECT price FROM products WHERE sku = 'A-1'
A: INSERT INTO customers (email, name, created_at) VALUES ('t2@example.com', 'After rollback', '2025-01-01')
A: SELECT LAST_INSERT_ID()

-- case: COMMIT publishes, and other connections see nothing before
A: START TRANSACTION
A: DELETE FROM order_items WHERE order_id = 6
A: UPDATE orders SET note = 'in txn' WHERE id = 6
B: SELECT COUNT(*) FROM order_items
B: SELECT note FROM orders WHERE id = 6
A: COMMIT
B: SELECT COUNT(*) FROM order_items
B: SELECT note FROM orders WHERE id = 6

-- case: savepoints undo only what came after them
A: BEGIN
A: INSERT INTO digits VALUES (10)
A: SAVEPOINT s1
A: INSERT INTO digits VALUES (11)
A: SAVEPOINT s2
A: INSERT INTO digits VALUES (12)
A: ROLLBACK TO SAVEPOINT s2
A: SELECT * FROM digits WHERE d >= 10
A: ROLLBACK WORK TO s1
A: SELECT * FROM digits WHERE d >= 10
A: INSERT INTO digits VALUES (13)
A: RELEASE SAVEPOINT s1
A: ROLLBACK TO SAVEPOINT s1
A: COMMIT
B: SELECT * FROM digits WHERE d >= 10

-- case: autocommit off, then COMMIT and ROLLBACK
A: SET autocommit = 0
A: UPDATE customers SET country = 'XX' WHERE id = 1
B: SELECT country FROM customers WHERE id = 1
A: COMMIT
B: SELECT country FROM customers WHERE id = 1
A: UPDATE customers SET country = 'YY' WHERE id = 1
A: ROLLBACK
A: SELECT country FROM customers WHERE id = 1
A: DELETE FROM digits WHERE d = 9
A: SET autocommit = 1
B: SELECT COUNT(*) FROM digits

-- case: BEGIN commits an open transaction, AND CHAIN opens the next
A: BEGIN
A: INSERT INTO digits VALUES (20)
A: BEGIN
A: INSERT INTO digits VALUES (21)
A: COMMIT AND CHAIN
A: INSERT INTO digits VALUES (22)
A: ROLLBACK AND CHAIN
A: INSERT INTO digits VALUES (23)
A: ROLLBACK
B: SELECT * FROM digits WHERE d >= 20

-- case: a failing statement in a transaction undoes only itself
A: BEGIN
A: INSERT INTO customers (email, name, created_at) VALUES ('f1@example.com', 'Kept', '2025-01-01')
A: INSERT INTO customers (email, name, created_at) VALUES ('f2@example.com', 'Row two', '2025-01-01'), ('F1@EXAMPLE.COM', 'Duplicate', '2025-01-01')
A: UPDATE orders SET customer_id = 999 WHERE id = 1
A: COMMIT
B: SELECT email, name FROM customers WHERE email LIKE 'f%' ORDER BY email
B: SELECT customer_id FROM orders WHERE id = 1

-- case: a READ ONLY transaction refuses writes
A: START TRANSACTION READ ONLY
A: INSERT INTO digits VALUES (30)
A: SELECT COUNT(*) FROM digits
A: COMMIT
A: INSERT INTO digits VALUES (30)

-- case: two transactions writing different rows both commit
A: BEGIN
B: BEGIN
A: UPDATE products SET price = 10.00 WHERE sku = 'A-1'
B: UPDATE products SET price = 20.00 WHERE sku = 'B-2'
A: SELECT sku, price FROM products ORDER BY sku
B: SELECT sku, price FROM products ORDER BY sku
B: COMMIT
A: SELECT sku, price FROM products ORDER BY sku
A: COMMIT
A: SELECT sku, price FROM products ORDER BY sku
B: SELECT sku, price FROM products ORDER BY sku

-- case: the snapshot is taken by the first statement, not by BEGIN
A: BEGIN
B: INSERT INTO digits VALUES (40)
A: SELECT COUNT(*) FROM digits
B: INSERT INTO digits VALUES (41)
A: SELECT COUNT(*) FROM digits
A: COMMIT
A: SELECT COUNT(*) FROM digits

-- case: WITH CONSISTENT SNAPSHOT takes it at once
A: START TRANSACTION WITH CONSISTENT SNAPSHOT
B: INSERT INTO digits VALUES (50)
A: SELECT COUNT(*) FROM digits
A: COMMIT
A: SELECT COUNT(*) FROM digits

-- case: an autocommit write by another connection is seen after COMMIT
A: SET autocommit = 0
A: SELECT COUNT(*) FROM orders
B: INSERT INTO orders (customer_id, placed_on, total) VALUES (2, '2025-01-01', 5.00)
A: SELECT COUNT(*) FROM orders
A: COMMIT
A: SELECT COUNT(*) FROM orders
A: INSERT INTO orders (customer_id, placed_on, total) VALUES (3, '2025-01-02', 6.00)
A: SELECT LAST_INSERT_ID()
A: ROLLBACK
B: INSERT INTO orders (customer_id, placed_on, total) VALUES (3, '2025-01-03', 7.00)
B: SELECT LAST_INSERT_ID()

-- case: AUTO_INCREMENT values are the process's, not the transaction's
A: BEGIN
A: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-02-01', 1.00)
B: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-02-02', 2.00)
A: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-02-03', 3.00)
B: BEGIN
B: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-02-04', 4.00)
B: SAVEPOINT b1
B: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-02-05', 5.00)
B: ROLLBACK TO SAVEPOINT b1
B: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-02-06', 6.00)
B: SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'
A: COMMIT
B: COMMIT
B: SELECT id, total FROM orders WHERE id > 7 ORDER BY id
A: SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'
A: BEGIN
A: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-02-07', 7.00)
A: ROLLBACK
B: SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'

-- case: information_schema.TABLES shows AUTO_INCREMENT as other connections move it, inside a transaction too, while the transaction's rows stay its snapshot's
A: BEGIN
A: SELECT COUNT(*) FROM orders
A: SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'
B: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-03-01', 1.00)
A: SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'
A: SELECT COUNT(*) FROM orders
B: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-03-02', 2.00)
A: INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-03-03', 3.00)
A: SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'
B: SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'
A: COMMIT
A: SELECT COUNT(*), MAX(id) FROM orders

-- case: FOR UPDATE reads the latest committed row and serialises with writers
A: BEGIN
B: BEGIN
A: SELECT balance FROM accounts WHERE id = 1
B: SELECT balance FROM accounts WHERE id = 1 FOR UPDATE
B: UPDATE accounts SET balance = balance - 100 WHERE id = 1
B: COMMIT
A: SELECT balance FROM accounts WHERE id = 1
A: SELECT balance FROM accounts WHERE id = 1 FOR UPDATE
A: UPDATE accounts SET balance = balance + 1 WHERE id = 1
A: COMMIT
B: SELECT id, balance FROM accounts WHERE id <= 2 ORDER BY id LOCK IN SHARE MODE
B: SELECT SUM(balance) FROM accounts

-- case: READ COMMITTED sees each commit at once, for the session or the next transaction
A: SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED
A: BEGIN
A: SELECT COUNT(*) FROM digits
B: INSERT INTO digits VALUES (60)
A: SELECT COUNT(*) FROM digits
A: UPDATE accounts SET balance = balance + 1 WHERE id = 1
B: UPDATE accounts SET balance = balance + 1 WHERE id = 2
A: SELECT id, balance FROM accounts WHERE id <= 2 ORDER BY id
A: COMMIT
B: SET TRANSACTION ISOLATION LEVEL READ COMMITTED
B: BEGIN
B: SELECT COUNT(*) FROM digits
A: INSERT INTO digits VALUES (61)
B: SELECT COUNT(*) FROM digits
B: COMMIT
B: BEGIN
B: SELECT COUNT(*) FROM digits
A: INSERT INTO digits VALUES (62)
B: SELECT COUNT(*) FROM digits
B: COMMIT
B: SET SESSION tx_isolation = 'READ-COMMITTED'
B: BEGIN
B: SELECT COUNT(*) FROM digits
A: DELETE FROM digits WHERE d = 62
B: SELECT COUNT(*) FROM digits
B: COMMIT

-- case: key-less rows: two transactions add the same row, and a rolled-back delete removes nothing
A: BEGIN
B: BEGIN
A: INSERT INTO nokey VALUES (7, 'same')
B: INSERT INTO nokey VALUES (7, 'same')
A: SELECT COUNT(*) FROM nokey WHERE a = 7
A: COMMIT
B: COMMIT
B: SELECT COUNT(*) FROM nokey WHERE a = 7
A: BEGIN
A: DELETE FROM nokey WHERE a = 1 LIMIT 1
A: SELECT COUNT(*) FROM nokey WHERE a = 1
B: SELECT COUNT(*) FROM nokey WHERE a = 1
A: ROLLBACK
A: SELECT a, b, COUNT(*) FROM nokey GROUP BY a, b ORDER BY a, b
A: DELETE FROM nokey WHERE a = 1 LIMIT 1
B: SELECT a, b, COUNT(*) FROM nokey GROUP BY a, b ORDER BY a, b

-- case: SKIP LOCKED passes over rows another transaction holds, as a job queue takes work
A: BEGIN
A: SELECT id FROM orders ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
B: BEGIN
B: SELECT id FROM orders ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
B: SELECT id, total FROM orders ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED
A: SELECT id FROM orders WHERE customer_id = 3 ORDER BY id FOR UPDATE SKIP LOCKED
B: UPDATE orders SET note = 'taken by B' WHERE id = 2
A: UPDATE orders SET note = 'taken by A' WHERE id = 1
A: SELECT id FROM orders WHERE id <= 3 ORDER BY id LOCK IN SHARE MODE SKIP LOCKED
A: SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id < 4 ORDER BY o.id FOR UPDATE SKIP LOCKED
A: COMMIT
B: SELECT id FROM orders ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
B: COMMIT
A: SELECT id, note FROM orders ORDER BY id

-- case: REPEATABLE READ keeps the first snapshot for plain reads after the transaction's own writes and locking reads
A: BEGIN
A: SELECT price FROM products WHERE sku = 'A-1'
B: UPDATE products SET price = 2.00 WHERE sku = 'A-1'
B: INSERT INTO digits VALUES (40)
A: UPDATE products SET price = price + 1 WHERE sku = 'B-2'
A: SELECT price FROM products WHERE sku = 'A-1'
A: SELECT COUNT(*) FROM digits
A: SELECT sku, price FROM products WHERE sku IN ('A-1', 'B-2') ORDER BY sku
A: SELECT price FROM products WHERE sku = 'A-1' FOR UPDATE
A: SELECT price FROM products WHERE sku = 'A-1'
A: UPDATE products SET price = price + 1 WHERE sku = 'A-1'
A: SELECT price FROM products WHERE sku = 'A-1'
A: SELECT COUNT(*) FROM digits WHERE d = 40
A: COMMIT
A: SELECT sku, price FROM products WHERE sku IN ('A-1', 'B-2') ORDER BY sku
A: SELECT COUNT(*) FROM digits WHERE d = 40

-- case: START TRANSACTION READ WRITE writes in a transaction, READ ONLY refuses writes
A: START TRANSACTION READ WRITE
A: INSERT INTO digits VALUES (41)
B: SELECT COUNT(*) FROM digits WHERE d = 41
A: COMMIT
B: SELECT COUNT(*) FROM digits WHERE d = 41
A: START TRANSACTION READ WRITE, WITH CONSISTENT SNAPSHOT
A: DELETE FROM digits WHERE d = 41
A: ROLLBACK
A: START TRANSACTION READ ONLY
A: INSERT INTO digits VALUES (42)
A: COMMIT
A: SELECT d FROM digits WHERE d > 40 ORDER BY d

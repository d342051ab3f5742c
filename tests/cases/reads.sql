-- Read cases for the differential test: each line runs through vdb and
-- directly on the source (default database vdbt_shop) and must look the same
-- to the client: columns and their metadata, rows, warnings, errors.

-- plain selects and expressions
SELECT 1
SELECT 1, 'a', NULL, 1.5, -0.0, 1e10, X'00FF', b'101', TRUE, _utf8mb4'🐬', _latin1'caf\xe9'
SELECT * FROM customers ORDER BY id
SELECT id, email FROM customers WHERE country IS NULL
SELECT id AS `the id`, name AS "name alias", UPPER(name) FROM customers ORDER BY 1
SELECT c.* FROM customers AS c WHERE c.email LIKE '%@example.com' AND c.id BETWEEN 2 AND 4
SELECT DISTINCT country FROM customers ORDER BY country
SELECT * FROM customers ORDER BY name DESC LIMIT 2 OFFSET 1
SELECT SQL_CALC_FOUND_ROWS * FROM customers LIMIT 1; SELECT FOUND_ROWS()
SELECT 'It''s', "dq \" inside", 'back\\slash', 'tab\tnewline\n', 'percent\%'
SELECT CONCAT('a', NULL), COALESCE(NULL, 'b'), IFNULL(NULL, 3), NULLIF(1, 1), GREATEST(1, 2, 3), LEAST('a', 'b')
SELECT 10 / 3, 10 DIV 3, 10 % 3, MOD(10, 3), POW(2, 10), SQRT(2), ROUND(2.5), TRUNCATE(1.999, 2), 1/0
SELECT CAST('12abc' AS SIGNED), CAST(-1 AS UNSIGNED), CAST(1.5 AS DECIMAL(5,2)), CAST('2024-02-30' AS DATE)
SELECT 18446744073709551615 + 0, -9223372036854775808, 9223372036854775807 + 1
-- joins
SELECT c.name, o.id, o.total FROM customers c JOIN orders o ON o.customer_id = c.id ORDER BY o.id
SELECT c.name, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id ORDER BY c.id, o.id
SELECT c.name, o.id FROM orders o RIGHT JOIN customers c ON o.customer_id = c.id ORDER BY c.id, o.id
SELECT o.id, p.title, i.qty FROM orders o JOIN order_items i ON i.order_id = o.id JOIN products p USING (sku) ORDER BY o.id, i.line
SELECT a.n, b.d FROM numbers a CROSS JOIN digits b WHERE a.n < 3 ORDER BY a.n, b.d
SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.total > 100) ORDER BY id
SELECT * FROM customers WHERE id IN (SELECT customer_id FROM orders) ORDER BY id
SELECT * FROM customers WHERE id NOT IN (SELECT customer_id FROM orders) ORDER BY id
SELECT name, (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c ORDER BY id
SELECT * FROM (SELECT customer_id, SUM(total) s FROM orders GROUP BY customer_id) t WHERE s > 50 ORDER BY customer_id
-- aggregates
SELECT COUNT(*), COUNT(country), COUNT(DISTINCT country), MIN(id), MAX(created_at), SUM(id), AVG(id) FROM customers
SELECT customer_id, COUNT(*), SUM(total), AVG(total), MIN(placed_on), MAX(placed_on) FROM orders GROUP BY customer_id ORDER BY customer_id
SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id HAVING SUM(total) > 100 ORDER BY 1
SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id WITH ROLLUP
SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR '|') FROM customers
SELECT country, GROUP_CONCAT(DISTINCT id) FROM customers GROUP BY country ORDER BY country
SELECT STDDEV(total), VARIANCE(total), BIT_OR(id), BIT_AND(id), BIT_XOR(id) FROM orders JOIN customers ON customers.id = orders.customer_id
-- window functions
SELECT id, customer_id, total, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY placed_on) rn FROM orders ORDER BY id
SELECT id, total, SUM(total) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) running FROM orders ORDER BY id
SELECT id, RANK() OVER w, DENSE_RANK() OVER w, PERCENT_RANK() OVER w, NTILE(3) OVER w FROM orders WINDOW w AS (ORDER BY total) ORDER BY id
SELECT id, LAG(total) OVER (ORDER BY id), LEAD(total, 2, 0) OVER (ORDER BY id), FIRST_VALUE(total) OVER (PARTITION BY customer_id ORDER BY id) FROM orders ORDER BY id
-- CTEs
WITH big AS (SELECT * FROM orders WHERE total > 50) SELECT customer_id, COUNT(*) FROM big GROUP BY customer_id ORDER BY 1
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 20) SELECT SUM(n), COUNT(*) FROM r
WITH a AS (SELECT 1 x), b AS (SELECT x + 1 y FROM a) SELECT * FROM a, b
-- unions
SELECT id FROM customers UNION SELECT customer_id FROM orders ORDER BY 1
SELECT id FROM customers UNION ALL SELECT customer_id FROM orders ORDER BY 1
(SELECT id FROM customers ORDER BY id LIMIT 2) UNION ALL (SELECT id FROM orders ORDER BY id DESC LIMIT 2)
SELECT id FROM customers INTERSECT SELECT customer_id FROM orders ORDER BY 1
SELECT id FROM customers EXCEPT SELECT customer_id FROM orders ORDER BY 1
-- JSON
SELECT sku, JSON_EXTRACT(attrs, '$.weight'), attrs->'$.colors', JSON_UNQUOTE(JSON_EXTRACT(attrs, '$.colors[0]')) FROM products ORDER BY sku
SELECT JSON_OBJECT('a', 1, 'b', JSON_ARRAY(1, 'two', NULL)), JSON_VALID('{'), JSON_LENGTH('[1,2,3]'), JSON_KEYS('{"x":1,"y":2}')
SELECT sku FROM products WHERE JSON_CONTAINS(attrs, '"red"', '$.colors') ORDER BY sku
SELECT JSON_ARRAYAGG(sku), JSON_OBJECTAGG(sku, price) FROM products
-- dates and times
SELECT DATE_ADD('2024-01-31', INTERVAL 1 MONTH), DATE_SUB('2024-03-01', INTERVAL 1 DAY), DATEDIFF('2024-12-25', '2024-01-01')
SELECT DATE_FORMAT('2024-06-30 13:14:15.123456', '%Y/%m/%d %H:%i:%s.%f %W %M'), STR_TO_DATE('31-12-2024', '%d-%m-%Y')
SELECT TIMESTAMPDIFF(MINUTE, '2024-01-01 00:00', '2024-01-02 01:30'), TIME_TO_SEC('01:00:01'), SEC_TO_TIME(3661), MAKEDATE(2024, 60)
SELECT EXTRACT(YEAR_MONTH FROM '2024-06-30'), DAYOFWEEK('2024-06-30'), WEEK('2024-06-30', 3), LAST_DAY('2024-02-10'), UNIX_TIMESTAMP('2024-01-01 00:00:00')
SELECT placed_on, placed_on + INTERVAL 1 WEEK, YEAR(placed_on), MONTHNAME(placed_on) FROM orders ORDER BY id
SELECT CAST('2024-06-30 12:00:00.123456' AS DATETIME(6)), CAST('838:59:59' AS TIME), TIMESTAMP('2024-06-30', '01:02:03')
SELECT created_at, CAST(created_at AS DATE), created_at > '2024-03-01' FROM customers ORDER BY id
-- every column type
SELECT * FROM vdbt_types.alltypes ORDER BY id
SELECT id, HEX(b64), b1 + 0, HEX(bin), HEX(vbin), LENGTH(lb), CHAR_LENGTH(tx), ST_AsText(g) FROM vdbt_types.alltypes ORDER BY id
SELECT biu, biu - 1, iu + 1, zf, dec2 * 2, fl, db FROM vdbt_types.alltypes WHERE id <= 2 ORDER BY id
SELECT e, st, e + 0, st + 0, FIND_IN_SET('y', st) FROM vdbt_types.alltypes ORDER BY id
SELECT c, vc, HEX(c), LENGTH(vc), CHAR_LENGTH(vc), latin, HEX(latin), utf3 FROM vdbt_types.alltypes ORDER BY id
SELECT id, j, JSON_TYPE(j), j->'$.k[2]' FROM vdbt_types.alltypes ORDER BY id
SELECT d, dt, dt6, ts, t, t6, y FROM vdbt_types.alltypes ORDER BY id
-- NULLs and unicode
SELECT NULL = NULL, NULL <=> NULL, NULL IS NULL, 1 + NULL, CONCAT_WS(',', 'a', NULL, 'b')
SELECT name, LENGTH(name), CHAR_LENGTH(name), HEX(name), REVERSE(name), UPPER(name) FROM customers WHERE id = 4
SELECT '🐬' = '🐬', '🐬' LIKE '_', CHAR_LENGTH('👩‍👩‍👧'), 'a' = 'A', 'a' = BINARY 'A', 'ß' = 'ss' COLLATE utf8mb4_german2_ci
-- errors
SELECT * FROM no_such_table
SELECT no_such_column FROM customers
SELEC 1
SELECT * FROM customers WHERE
SELECT 1 +
SELECT * FROM vdbt_nope.t
SELECT id FROM customers, orders
SELECT 1; SELECT * FROM no_such_table; SELECT 2
SELECT JSON_EXTRACT('{', '$')
SELECT CAST('x' AS JSON)
-- warnings
SELECT CAST('12abc' AS SIGNED) + CAST('x' AS SIGNED)
SELECT 1/0, 'abc' + 1
SHOW WARNINGS
-- multi-statement texts and multiple result sets
SELECT 1; SELECT 2, 3; SELECT 'x' AS y
SET @a = 5; SELECT @a * 2; SET @a = NULL; SELECT @a
SELECT @undefined_variable, @@session.sql_mode IS NOT NULL, @@autocommit
SET @@session.sql_mode = 'ANSI_QUOTES'; SELECT "id" FROM customers ORDER BY 1 LIMIT 1; SET sql_mode = DEFAULT
SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'; SELECT 'a\b', LENGTH('a\b'); SET sql_mode = DEFAULT
SET NAMES latin1; SELECT 'é', name FROM customers WHERE id = 4; SET NAMES utf8mb4
SET @s = 'SELECT COUNT(*) FROM customers'; SELECT @s
PREPARE p FROM 'SELECT name FROM customers WHERE id = ?'; SET @id = 3; EXECUTE p USING @id; DEALLOCATE PREPARE p
-- SHOW and information_schema
SHOW TABLES
SHOW FULL TABLES
SHOW TABLES LIKE 'order%'
SHOW COLUMNS FROM customers
SHOW FULL COLUMNS FROM orders
SHOW FULL FIELDS FROM customers FROM vdbt_shop LIKE 'e%'
SHOW FULL COLUMNS FROM information_schema.TABLES LIKE 'TABLE_%'
SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, PRIVILEGES FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ('vdbt_shop', 'information_schema') AND TABLE_NAME IN ('customers', 'SCHEMATA') ORDER BY 1, 2, 3
SELECT PRIVILEGES, COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'vdbt_shop' GROUP BY PRIVILEGES
DESCRIBE products
DESC order_items sku
SHOW INDEX FROM customers
SHOW KEYS FROM order_items
SHOW CREATE TABLE customers
SHOW CREATE TABLE vdbt_types.alltypes
SHOW CREATE VIEW big_spenders
SHOW DATABASES LIKE 'vdbt%'
SHOW CREATE DATABASE vdbt_shop
SHOW CHARACTER SET LIKE 'utf8%'
SHOW COLLATION LIKE 'utf8mb4_bin'
SHOW VARIABLES LIKE 'max_allowed_packet'
SHOW SESSION VARIABLES LIKE 'sql_mode'
SHOW ENGINES
SHOW FUNCTION STATUS WHERE Db = 'vdbt_shop'
SHOW PROCEDURE STATUS WHERE Db = 'vdbt_shop'
SHOW CREATE PROCEDURE add_digit
SHOW TRIGGERS
SHOW GRANTS
SHOW WARNINGS
SHOW ERRORS
SELECT TABLE_NAME, TABLE_TYPE, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'vdbt_shop' ORDER BY TABLE_NAME
SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, COLUMN_TYPE, COLUMN_KEY, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'vdbt_shop' AND TABLE_NAME = 'customers' ORDER BY ORDINAL_POSITION
SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'vdbt_shop' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
SELECT k.CONSTRAINT_NAME, k.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, r.DELETE_RULE FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME WHERE k.TABLE_SCHEMA = 'vdbt_shop' ORDER BY 1, 2, 3
SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE, TABLE_NAME FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = 'vdbt_shop' ORDER BY 3, 1
SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'vdbt_shop'
SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'vdbt_shop' ORDER BY 1
-- views, EXPLAIN, locking reads (locks are taken by vdb, never by the source)
SELECT * FROM big_spenders ORDER BY name
EXPLAIN SELECT * FROM customers WHERE email = 'ada@example.com'
EXPLAIN FORMAT=JSON SELECT * FROM customers WHERE id = 1
SELECT * FROM customers WHERE id = 1 FOR UPDATE
SELECT * FROM customers WHERE id = 2 LOCK IN SHARE MODE
SELECT * FROM customers WHERE id = 3 FOR UPDATE NOWAIT
-- transactions that only read
BEGIN; SELECT COUNT(*) FROM orders; COMMIT
START TRANSACTION READ ONLY; SELECT 1; ROLLBACK
SET autocommit = 0; SELECT 1; COMMIT; SET autocommit = 1
-- executable comments
/*!40101 SET @saved = @@character_set_client */; SELECT @saved IS NOT NULL
SELECT /*! STRAIGHT_JOIN */ COUNT(*) FROM customers c, orders o WHERE o.customer_id = c.id
SELECT /*+ NO_INDEX_MERGE(customers) */ 1
SELECT 1 /*!50699 + 1 */, 2 /*!50700 + 1 */, 3 /*!99999 + 1 */, 4 /*M!100000 + 1 */, 5 /*!999999 + 1 */
SELECT COUNT(*) FROM customers /*!99999 WHERE id = 1 */
SELECT 1 /*!99999 ; DELETE FROM digits */
/*!99999 DELETE FROM digits */
-- DO, VALUES, HELP, CHECKSUM
DO 1 + 1
VALUES (1, 'a'), (2, 'b')
CHECKSUM TABLE customers, orders EXTENDED

//! Fixture databases, loaded directly into the source once per test run.

/// Every fixture: database name and script.
pub const ALL: &[(&str, &str)] = &[
    ("vdbt_shop", SHOP),
    ("vdbt_types", TYPES),
    ("vdbt_shop_after", SHOP_AFTER),
    ("vdbt_meta", META),
];

/// Column attributes a derived table loses: ZEROFILL, ENUM, SET, JSON,
/// NOT NULL, keys, AUTO_INCREMENT, defaults (tests/it/metadata.rs).
pub const META: &str = r#"
CREATE TABLE counters (
  id INT(6) UNSIGNED ZEROFILL NOT NULL PRIMARY KEY,
  label ENUM('a','bb') NOT NULL,
  tags SET('x','y') NULL,
  n INT NOT NULL DEFAULT 0,
  price DECIMAL(7,3) NULL,
  attrs JSON NULL,
  note VARCHAR(30) CHARACTER SET latin1 NULL,
  mask BIT(12) NULL,
  KEY idx_n (n)
);
INSERT INTO counters VALUES (1, 'a', 'x', 5, 1.5, '{"a": 1}', 'one', b'101'), (2, 'bb', NULL, 7, NULL, NULL, NULL, NULL), (30, 'a', 'x,y', 0, 2.25, '[]', 'thirty', 4095);
CREATE TABLE events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  counter_id INT(6) UNSIGNED ZEROFILL NOT NULL,
  at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY idx_counter (counter_id)
);
INSERT INTO events (counter_id, at) VALUES (1, '2024-01-01 00:00:00.100'), (2, '2024-01-02 00:00:00'), (30, '2024-01-03 00:00:00');
CREATE VIEW counter_events AS SELECT c.id, c.label, e.at FROM counters c JOIN events e ON e.counter_id = c.id;
"#;

/// The shop with a few changes applied: the oracle for the overlay rewrite,
/// which must show exactly this when the same changes sit in a delta over
/// vdbt_shop (tests/it/overlay.rs).
pub const SHOP_AFTER: &str = r#"
CREATE TABLE customers LIKE vdbt_shop.customers;
INSERT INTO customers SELECT * FROM vdbt_shop.customers;
CREATE TABLE orders LIKE vdbt_shop.orders;
INSERT INTO orders SELECT * FROM vdbt_shop.orders;
CREATE TABLE order_items LIKE vdbt_shop.order_items;
INSERT INTO order_items SELECT * FROM vdbt_shop.order_items;
CREATE TABLE products LIKE vdbt_shop.products;
INSERT INTO products SELECT * FROM vdbt_shop.products;
CREATE TABLE digits LIKE vdbt_shop.digits;
INSERT INTO digits SELECT * FROM vdbt_shop.digits;
CREATE TABLE numbers LIKE vdbt_shop.numbers;
INSERT INTO numbers SELECT * FROM vdbt_shop.numbers;
UPDATE customers SET name = 'Linus Torvalds', country = NULL WHERE id = 2;
DELETE FROM customers WHERE id = 4;
INSERT INTO customers (id, email, name, country, created_at) VALUES (6, 'new@example.com', 'Newcomer 🐬 O''Neil', 'FI', '2025-01-01 00:00:00.123');
UPDATE orders SET total = 1000.00, note = 'changed' WHERE id = 1;
DELETE FROM orders WHERE id = 3;
INSERT INTO orders VALUES (8, 6, '2025-01-02', 55.55, NULL), (9, 1, '2025-02-03', 0.01, 'tiny');
UPDATE products SET price = 5.00, tags = 'sale' WHERE sku = 'B-2';
INSERT INTO products VALUES ('E-5', 'Emoji 🐬', 7.77, '{"new": true}', 'new', 'active');
"#;

/// A small shop: joins, aggregates, window functions, CTEs, JSON, dates.
pub const SHOP: &str = r#"
CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(120) NOT NULL,
  name VARCHAR(80) CHARACTER SET utf8mb4 NOT NULL,
  country CHAR(2) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uk_email (email),
  KEY idx_country (country)
) ENGINE=InnoDB;
INSERT INTO customers (email, name, country, created_at) VALUES
 ('ada@example.com', 'Ada Lovelace', 'GB', '2024-01-02 03:04:05.678'),
 ('linus@example.com', 'Linus', 'FI', '2024-02-03 10:00:00.000'),
 ('grace@example.com', 'Grace Hopper', 'US', '2024-03-04 11:22:33.444'),
 ('emoji@example.com', 'Zoë 🐬 Ünïcode', NULL, '2024-04-05 12:00:00.001'),
 ('quote@example.com', 'O''Brien \\ back\\slash "dq"', 'IE', '2024-05-06 00:00:00.000');
CREATE TABLE products (
  sku VARCHAR(20) NOT NULL PRIMARY KEY,
  title VARCHAR(200) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  attrs JSON NULL,
  tags SET('new','sale','eco') NOT NULL DEFAULT '',
  status ENUM('active','retired') NOT NULL DEFAULT 'active'
);
INSERT INTO products VALUES
 ('A-1', 'Anvil', 99.99, '{"weight": 50, "colors": ["black"]}', 'sale', 'active'),
 ('B-2', 'Bucket', 4.50, '{"weight": 1.5, "colors": ["red", "blue"]}', 'new,eco', 'active'),
 ('C-3', 'Chisel', 12.00, NULL, '', 'retired'),
 ('D-4', 'Drill', 149.00, '{"weight": 2, "voltage": 18}', 'new', 'active');
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  placed_on DATE NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  note TEXT NULL,
  KEY idx_customer (customer_id),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
);
INSERT INTO orders (customer_id, placed_on, total, note) VALUES
 (1, '2024-06-01', 104.49, 'first'), (1, '2024-06-15', 12.00, NULL), (2, '2024-06-02', 149.00, ''),
 (3, '2024-07-01', 9.00, 'two buckets'), (3, '2024-07-02', 99.99, NULL), (3, '2024-08-09', 161.00, 'drill+chisel'),
 (5, '2024-12-31', 4.50, 'late');
CREATE TABLE order_items (
  order_id BIGINT NOT NULL,
  line SMALLINT NOT NULL,
  sku VARCHAR(20) NOT NULL,
  qty INT NOT NULL,
  PRIMARY KEY (order_id, line),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_items_product FOREIGN KEY (sku) REFERENCES products (sku)
);
INSERT INTO order_items VALUES
 (1,1,'A-1',1),(1,2,'B-2',1),(2,1,'C-3',1),(3,1,'D-4',1),(4,1,'B-2',2),(5,1,'A-1',1),(6,1,'D-4',1),(6,2,'C-3',1),(7,1,'B-2',1);
CREATE TABLE digits (d TINYINT NOT NULL PRIMARY KEY);
INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);
CREATE TABLE numbers (n INT NOT NULL PRIMARY KEY);
INSERT INTO numbers SELECT a.d * 100 + b.d * 10 + c.d FROM digits a, digits b, digits c;
CREATE TABLE accounts (id INT NOT NULL PRIMARY KEY, balance INT NOT NULL);
INSERT INTO accounts SELECT n, 1000 FROM numbers WHERE n BETWEEN 1 AND 20;
CREATE TABLE nokey (a INT, b VARCHAR(10));
INSERT INTO nokey VALUES (1, 'x'), (1, 'x'), (2, NULL);
CREATE TABLE ledger (account INT, memo VARCHAR(20), amount DOUBLE, rate FLOAT, booked DATETIME(3), flag ENUM('a', 'b'));
INSERT INTO ledger VALUES (1, 'rent', 0.1, 0.1, '2025-01-01 10:00:00.125', 'a'), (1, 'rent', 0.1, 0.1, '2025-01-01 10:00:00.125', 'a'), (1, 'RENT', 0.1, 0.1, '2025-01-01 10:00:00.125', 'a'), (1, 'rent ', 0.1, 0.1, '2025-01-01 10:00:00.125', 'a'), (2, NULL, NULL, NULL, NULL, NULL), (2, NULL, NULL, NULL, NULL, NULL), (3, 'fee', 2.5, 1.5, '2025-02-01', 'b');
CREATE TABLE switches (id INT NOT NULL PRIMARY KEY, mask BIT(10), on_off BIT(1) NOT NULL DEFAULT b'0', wide BIT(64), level ENUM('low', 'mid', 'high') NULL, days SET('mon', 'tue', 'wed') NOT NULL DEFAULT '');
INSERT INTO switches VALUES (1, b'101', 1, 18446744073709551615, 'high', 'tue'), (2, b'1111111111', 0, 0, 'low', 'mon,wed'), (3, NULL, 1, NULL, NULL, ''), (4, 0, 0, 256, 'mid', 'wed');
CREATE TABLE halfkey (a INT, b INT, UNIQUE KEY (a));
INSERT INTO halfkey VALUES (1, 1), (NULL, 2), (NULL, 2);
CREATE TABLE parcels (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, width INT NOT NULL, height INT NOT NULL DEFAULT 1, label VARCHAR(20), code VARCHAR(12) DEFAULT (CONCAT('P-', width)), area INT AS (width * height) VIRTUAL, tag VARCHAR(40) AS (CONCAT(UPPER(label), '-', width)) PERSISTENT, doubled INT AS (area * 2) STORED, UNIQUE KEY uk_tag (tag), KEY k_area (area));
INSERT INTO parcels (width, height, label) VALUES (2, 3, 'box'), (4, 5, 'crate'), (1, 1, NULL);
CREATE TABLE tickets (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, title VARCHAR(40) NOT NULL, slug VARCHAR(40), qty INT NOT NULL DEFAULT 0, edits INT NOT NULL DEFAULT 0);
INSERT INTO tickets (title, slug, qty) VALUES ('First Ticket', 'first-ticket', 1), ('Second one', 'second-one', 2);
CREATE TRIGGER tickets_bi BEFORE INSERT ON tickets FOR EACH ROW SET NEW.slug = LOWER(REPLACE(NEW.title, ' ', '-'));
CREATE TRIGGER tickets_bu BEFORE UPDATE ON tickets FOR EACH ROW BEGIN IF NEW.qty < 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'qty may not go below zero'; END IF; SET NEW.edits = OLD.edits + 1; SET NEW.slug = LOWER(REPLACE(NEW.title, ' ', '-')); END;
CREATE TRIGGER tickets_bi2 BEFORE INSERT ON tickets FOR EACH ROW FOLLOWS tickets_bi SET @tickets_inserted = IFNULL(@tickets_inserted, 0) + 1, NEW.qty = GREATEST(NEW.qty, 0);
CREATE TABLE audit_log (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40));
CREATE TABLE audited (id INT NOT NULL PRIMARY KEY, v INT);
CREATE TRIGGER audited_ai AFTER INSERT ON audited FOR EACH ROW INSERT INTO audit_log (what) VALUES (CONCAT('insert ', NEW.id));
CREATE TRIGGER audited_bu BEFORE UPDATE ON audited FOR EACH ROW SET NEW.v = (SELECT COUNT(*) FROM audit_log);
CREATE VIEW big_spenders AS SELECT c.name, SUM(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id HAVING spent > 100;
CREATE VIEW uk_customers AS SELECT c.id, c.email AS mail, c.name, LOWER(c.name) AS quiet, c.created_at FROM customers c WHERE c.country = 'GB' OR c.country = 'IE';
CREATE FUNCTION sneaky_write() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO nokey VALUES (99, 'sneaky'); RETURN 1; END;
CREATE PROCEDURE add_digit() INSERT INTO digits VALUES (10);
"#;

/// Every column type, with extremes, NULLs, unicode and binary bytes, and a
/// row over 16 MiB.
pub const TYPES: &str = r#"
CREATE TABLE alltypes (
  id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, zf INT(6) UNSIGNED ZEROFILL,
  dec1 DECIMAL(20,6), dec2 DECIMAL(65,30), fl FLOAT, db DOUBLE, b1 BIT(1), b64 BIT(64),
  d DATE, dt DATETIME, dt6 DATETIME(6), ts TIMESTAMP(3) NULL, t TIME, t6 TIME(6), y YEAR,
  c CHAR(10), vc VARCHAR(255), bin BINARY(4), vbin VARBINARY(32),
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT, tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  e ENUM('a','b','c'), st SET('x','y','z'), j JSON,
  latin VARCHAR(20) CHARACTER SET latin1, utf3 VARCHAR(20) CHARACTER SET utf8mb3, g GEOMETRY NULL
);
INSERT INTO alltypes VALUES
 (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615, 42,
  -99999999999999.999999, 12345678901234567890123456789012345.123456789012345678901234567890, -3.4e38, 1.7976931348623157e308, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
  '1000-01-01', '1000-01-01 00:00:00', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999', '-838:59:59', '838:59:59.000000', 1901,
  'char', 'varchar ''q'' \\b', X'00FF10FF', X'000102030405060708090A0B0C0D0E0F',
  'tiny', 'text', 'medium', 'long', X'00', X'DEADBEEF', X'00000000', X'FF',
  'a', 'x,z', '{"k": [1, 2.5, "three", null, true], "nested": {"a": {}}}',
  'caf\xe9', 'utf8mb3 ñ', ST_GeomFromText('POINT(1 2)')),
 (2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, 0,
  0.000001, -0.000000000000000000000000000001, 1.17549e-38, -2.2250738585072014e-308, b'0', b'0',
  '9999-12-31', '9999-12-31 23:59:59', '2024-02-29 12:34:56.000001', '1970-01-01 00:00:01.000', '00:00:00', '-00:00:00.000001', 2155,
  '', '', X'00000000', X'',
  '', '', '', '', X'', X'', X'', X'',
  'c', '', '[]',
  '', '', NULL),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL,
  NULL, NULL, NULL),
 (4, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1,
  3.14, 2.718281828, 0.1, 0.1, b'1', b'1010',
  '2024-06-30', '2024-06-30 12:00:00', '2024-06-30 12:00:00.5', '2024-06-30 12:00:00.250', '12:30:00', '-12:30:00.25', 2024,
  '🐬', 'emoji 🐬 and ünïcödé and 中文 and עברית', X'F09F90AC', X'F09F90AC',
  '🐬', REPEAT('🐬', 1000), REPEAT('m', 70000), REPEAT('L', 300000), X'FFFE', REPEAT(X'00', 1000), REPEAT(X'AB', 70000), REPEAT(X'CD', 200000),
  'b', 'x,y,z', '{"emoji": "🐬", "quote": "\\"", "unicode": "\\u00e9"}',
  'Ääkkönen', 'ﬁ', ST_GeomFromText('LINESTRING(0 0, 1 1, 2 5)'));
CREATE TABLE big (id INT NOT NULL PRIMARY KEY, payload LONGBLOB NOT NULL);
INSERT INTO big SELECT 1, REPEAT('z', 17 * 1024 * 1024);
INSERT INTO big VALUES (2, 'small');
"#;

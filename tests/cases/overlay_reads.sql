-- Reads over changed tables (customers, orders, products carry a delta in
-- tests/it/overlay.rs): each line, rewritten with derived tables over
-- vdbt_shop, must return exactly what it returns on vdbt_shop_after.
SELECT * FROM customers ORDER BY id
SELECT id, name, country FROM customers WHERE id = 2
SELECT * FROM customers WHERE id = 4
SELECT * FROM customers WHERE id > 3 ORDER BY id DESC
SELECT COUNT(*), COUNT(country), MAX(id), MIN(created_at) FROM customers
SELECT country, COUNT(*) FROM customers GROUP BY country ORDER BY country
SELECT c.name, o.id, o.total FROM customers c JOIN orders o ON o.customer_id = c.id ORDER BY o.id
SELECT c.name, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id ORDER BY c.id, o.id
SELECT o.id, p.title, i.qty, p.price * i.qty FROM orders o JOIN order_items i ON i.order_id = o.id JOIN products p USING (sku) ORDER BY o.id, i.line
SELECT customer_id, COUNT(*), SUM(total) FROM orders GROUP BY customer_id HAVING SUM(total) > 10 ORDER BY customer_id
SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id WITH ROLLUP
SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.total > 100) ORDER BY id
SELECT * FROM customers WHERE id NOT IN (SELECT customer_id FROM orders) ORDER BY id
SELECT name, (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c ORDER BY id
SELECT id, customer_id, total, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY placed_on) rn FROM orders ORDER BY id
SELECT id, total, SUM(total) OVER (ORDER BY id) running FROM orders ORDER BY id
WITH big AS (SELECT * FROM orders WHERE total > 50) SELECT customer_id, COUNT(*) FROM big GROUP BY customer_id ORDER BY 1
WITH customers AS (SELECT * FROM customers WHERE country IS NOT NULL) SELECT COUNT(*) FROM customers
SELECT id FROM customers UNION SELECT customer_id FROM orders ORDER BY 1
SELECT * FROM (SELECT customer_id, SUM(total) s FROM orders GROUP BY customer_id) t WHERE s > 50 ORDER BY customer_id
SELECT sku, title, price, tags, JSON_EXTRACT(attrs, '$.weight') FROM products ORDER BY sku
SELECT sku FROM products WHERE FIND_IN_SET('sale', tags) ORDER BY sku
SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR '|') FROM customers
SELECT name, LENGTH(name), HEX(name), UPPER(name) FROM customers WHERE name LIKE '%🐬%'
SELECT * FROM customers WHERE email = 'NEW@EXAMPLE.COM'
SELECT * FROM customers WHERE name = 'newcomer 🐬 o''neil'
SELECT placed_on, total, note, note IS NULL FROM orders ORDER BY placed_on, id
SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') FROM customers ORDER BY id
SELECT a.n FROM numbers a WHERE a.n IN (SELECT customer_id FROM orders) ORDER BY 1
SELECT COUNT(*) FROM orders o1 JOIN orders o2 ON o1.customer_id = o2.customer_id
SELECT customers.name FROM customers JOIN orders ON orders.customer_id = customers.id WHERE orders.total < 1
-- Restricted views: only captured rows a query can use are embedded, and a
-- reference no captured row can pass keeps its name.
SELECT * FROM customers WHERE id = 1
SELECT * FROM customers WHERE id = 4
SELECT * FROM customers WHERE id = 6
SELECT * FROM customers WHERE id IN (1, 2, 4, 6, 7) ORDER BY id
SELECT * FROM customers WHERE id BETWEEN 2 AND 5 ORDER BY id
SELECT * FROM customers WHERE id >= 5 ORDER BY id
SELECT * FROM customers WHERE id < 3.5 AND id > -1 ORDER BY id
SELECT * FROM customers WHERE id = 2.5
SELECT * FROM customers WHERE id = '2'
SELECT * FROM customers WHERE email = 'ADA@example.com  '
SELECT * FROM customers WHERE email = 'new@EXAMPLE.com'
SELECT * FROM customers WHERE country = 'FI' ORDER BY id
SELECT * FROM customers WHERE country IS NULL ORDER BY id
SELECT * FROM customers WHERE country IS NOT NULL AND id > 1 ORDER BY id
SELECT * FROM orders WHERE total = 1000 ORDER BY id
SELECT * FROM orders WHERE total > 100.5 ORDER BY id
SELECT * FROM orders WHERE id = 1 OR id = 8 ORDER BY id
SELECT * FROM products WHERE sku = 'b-2'
SELECT * FROM products WHERE sku IN ('A-1', 'E-5') ORDER BY sku
SELECT * FROM products WHERE price = 5
-- Joins narrowed by the keys the other side offers.
SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = 8
SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id BETWEEN 1 AND 4 ORDER BY o.id
SELECT o.id, c.name FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id = 6
SELECT c.id, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE c.id IN (2, 4, 6) ORDER BY c.id, o.id
SELECT c.id, o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id AND c.country = 'FI' ORDER BY o.id
SELECT c.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL ORDER BY c.id
SELECT o.id, c.id FROM customers c RIGHT JOIN orders o ON c.id = o.customer_id WHERE o.total < 50 ORDER BY o.id
SELECT i.order_id, i.line, o.total FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.sku = 'B-2' ORDER BY 1, 2
SELECT i.order_id, o.total FROM order_items i, orders o WHERE o.id = i.order_id AND i.qty = 2
SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id
SELECT c.name, SUM(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id > 1 GROUP BY c.name ORDER BY 1
SELECT * FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE id = 8)
-- A table read whole, without ORDER BY, as a GUI browses it: changed rows
-- keep their places in the source's scan order, inserted rows follow, and
-- LIMIT and OFFSET cut the same rows as on the server.
SELECT * FROM customers
SELECT * FROM orders
SELECT * FROM products
SELECT id, name FROM customers LIMIT 2
SELECT * FROM customers LIMIT 1, 3
SELECT id, total FROM orders LIMIT 3 OFFSET 4
SELECT * FROM orders LIMIT 0
SELECT id, 'x', total AS t FROM orders LIMIT 6
SELECT COUNT(*), SUM(total) FROM orders
SELECT * FROM (SELECT * FROM orders LIMIT 2) o

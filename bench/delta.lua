-- sysbench workload for bench/delta: one query shape per run, on sbtest1
-- (ROWS rows) and orders (ORDERS rows, each naming a random sbtest1 id).
--   --query=point   SELECT c FROM sbtest1 WHERE id = ?
--   --query=range   SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? + 99
--   --query=join    orders (10 by primary key) joined to sbtest1 by id
--   --query=joinrev sbtest1 (10 by primary key) joined to orders by sid
--   --query=other   SELECT qty FROM orders WHERE id = ?  (an unchanged table)
--   --query=page    SELECT * FROM sbtest1 LIMIT 20 OFFSET ?  (a GUI's page, ? < 1000)
--   --query=newest  SELECT * FROM sbtest1 ORDER BY id DESC LIMIT 20
--   --query=topk    SELECT id, k FROM sbtest1 ORDER BY k DESC LIMIT 20 OFFSET ?
--                   (sorted by an indexed column other than the key, ? < 1000)
sysbench.cmdline.options = {
  query = {"point, range, join, joinrev, other, page, newest or topk", "point"},
  rows = {"rows in sbtest1 (ids 1..rows are queried; more may exist)", 1000000},
  orders = {"rows in orders", 100000},
}

function thread_init()
  drv = sysbench.sql.driver()
  con = drv:connect()
end

function thread_done()
  con:disconnect()
end

function event()
  local q = sysbench.opt.query
  local sql
  if q == "point" then
    sql = string.format("SELECT c FROM sbtest1 WHERE id = %d", math.random(1, sysbench.opt.rows))
  elseif q == "range" then
    local a = math.random(1, sysbench.opt.rows - 100)
    sql = string.format("SELECT c FROM sbtest1 WHERE id BETWEEN %d AND %d", a, a + 99)
  elseif q == "join" then
    local a = math.random(1, sysbench.opt.orders - 10)
    sql = string.format("SELECT o.id, s.k, s.c FROM orders o JOIN sbtest1 s ON s.id = o.sid WHERE o.id BETWEEN %d AND %d", a, a + 9)
  elseif q == "joinrev" then
    local a = math.random(1, sysbench.opt.rows - 10)
    sql = string.format("SELECT s.id, o.qty FROM sbtest1 s JOIN orders o ON o.sid = s.id WHERE s.id BETWEEN %d AND %d", a, a + 9)
  elseif q == "page" then
    sql = string.format("SELECT * FROM sbtest1 LIMIT 20 OFFSET %d", math.random(0, 49) * 20)
  elseif q == "newest" then
    sql = "SELECT * FROM sbtest1 ORDER BY id DESC LIMIT 20"
  elseif q == "topk" then
    sql = string.format("SELECT id, k FROM sbtest1 ORDER BY k DESC LIMIT 20 OFFSET %d", math.random(0, 49) * 20)
  else
    sql = string.format("SELECT qty FROM orders WHERE id = %d", math.random(1, sysbench.opt.orders))
  end
  con:query(sql)
end

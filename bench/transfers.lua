-- Money transfers between accounts with SELECT ... FOR UPDATE, the
-- workload of issue 5: each event moves an amount between two random
-- accounts locked one at a time (so deadlocks happen), and is retried on
-- 1205/1213 (pass --mysql-ignore-errors=1205,1213).
sysbench.cmdline.options = {
  accounts = {"Number of accounts", 100},
}

function thread_init()
  drv = sysbench.sql.driver()
  con = drv:connect()
  con:query("SET innodb_lock_wait_timeout = 5")
end

function thread_done()
  con:disconnect()
end

function sysbench.hooks.before_restart_event(err)
  con:query("ROLLBACK")
end

function event()
  local n = sysbench.opt.accounts
  local from = sysbench.rand.uniform(1, n)
  local to = (from + sysbench.rand.uniform(1, n - 1) - 1) % n + 1
  local amount = sysbench.rand.uniform(1, 50)
  con:query("BEGIN")
  con:query("SELECT balance FROM accounts WHERE id = " .. from .. " FOR UPDATE")
  con:query("SELECT balance FROM accounts WHERE id = " .. to .. " FOR UPDATE")
  con:query("UPDATE accounts SET balance = balance - " .. amount .. " WHERE id = " .. from)
  con:query("UPDATE accounts SET balance = balance + " .. amount .. " WHERE id = " .. to)
  con:query("COMMIT")
end

# Shared by the bench/ scripts: a source (private MariaDB unless
# VDB_TEST_SOURCE is set), its credentials, a vdb in front of it, cleanup.
# Sets: work, url, user, pass, host, sport, vdb_bin; functions free_port,
# start_vdb PORT, sql PORT STATEMENTS...
work=$(mktemp -d /tmp/vdb-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [[ -n "${VDB_TEST_SOURCE:-}" ]]; then
  url=$VDB_TEST_SOURCE
else
  port=$(free_port)
  mkdir -p "$work/tmp"
  mariadb-install-db --no-defaults --datadir="$work/data" --tmpdir="$work/tmp" --auth-root-authentication-method=normal --user="$(id -un)" >"$work/install.log" 2>&1
  mariadbd --no-defaults --datadir="$work/data" --tmpdir="$work/tmp" --port="$port" --bind-address=127.0.0.1 --socket="$work/sock" \
    --user="$(id -un)" --skip-log-bin --innodb-buffer-pool-size=1G --max-connections=500 >"$work/mariadb.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do mariadb -uroot -S "$work/sock" -e 'select 1' >/dev/null 2>&1 && break; sleep 0.1; done
  mariadb -uroot -S "$work/sock" -e "CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1'; CREATE DATABASE sbtest;"
  url="mysql://bench:bench@127.0.0.1:$port"
fi
rest=${url#mysql://}; creds=${rest%%@*}; hostport=${rest#*@}; hostport=${hostport%%/*}; hostport=${hostport%%\?*}
user=${creds%%:*}; pass=${creds#*:}; host=${hostport%%:*}; sport=${hostport##*:}
[[ "$sport" == "$hostport" ]] && sport=3306
mariadb -u"$user" -p"$pass" -h"$host" -P"$sport" -e "CREATE DATABASE IF NOT EXISTS sbtest"

vdb_bin=${VDB_BIN:-target/release/vdb}
[[ -n "${VDB_BIN:-}" ]] || cargo build --release --quiet

# start_vdb PORT: a vdb in front of the source, listening on PORT.
start_vdb() {
  RUST_LOG=warn "$vdb_bin" --source "mysql://$user:$pass@$host:$sport" --listen "127.0.0.1:$1" >"$work/vdb-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do mariadb -u"$user" -p"$pass" -h127.0.0.1 -P"$1" -e 'select 1' >/dev/null 2>&1 && return; sleep 0.1; done
  echo "vdb did not start:"; cat "$work/vdb-$1.log"; exit 1
}

# sql PORT STATEMENTS: runs statements in sbtest through PORT, batch output.
sql() { mariadb -u"$user" -p"$pass" -h127.0.0.1 -P"$1" -D sbtest -N -B -e "$2"; }

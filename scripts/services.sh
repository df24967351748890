#!/usr/bin/env bash
# Make sure the services mailgate needs are reachable: a MongoDB-wire server at MONGO_URL and
# Redis at REDIS_URL. Starts local ones only when nothing answers; `down` stops only what `up`
# started. Usage: scripts/services.sh up|down|status
set -euo pipefail

MONGO_URL="${MONGO_URL:-mongodb://127.0.0.1:27017/mailgate}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
STATE_DIR="${MAILGATE_SERVICES_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/mailgate-services}"
FERRETDB_VERSION="v1.24.2"
# The suffix names the patch applied in build_ferretdb: a new patch gets a new suffix, so a cached
# binary built without it is never reused.
FERRETDB_PATCH="idfix1"
FERRETDB_BIN="${FERRETDB_BIN:-$STATE_DIR/bin/ferretdb-$FERRETDB_VERSION-$FERRETDB_PATCH}"
FERRETDB_DATA_DIR="${FERRETDB_DATA_DIR:-$STATE_DIR/ferretdb-data}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

mkdir -p "$STATE_DIR"

# host:port out of a URL such as mongodb://user:pw@host:port/db?x=y
host_of() { local rest="${1#*://}"; rest="${rest##*@}"; rest="${rest%%/*}"; rest="${rest%%\?*}"; echo "${rest%%:*}"; }
port_of() { local rest="${1#*://}"; rest="${rest##*@}"; rest="${rest%%/*}"; rest="${rest%%\?*}"; [[ "$rest" == *:* ]] && echo "${rest##*:}" || echo "$2"; }

redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(timeout 3 redis-cli -u "$REDIS_URL" ping 2>/dev/null)" = "PONG" ]
  else
    node "$ROOT/scripts/ping.mjs" redis "$REDIS_URL" >/dev/null 2>&1
  fi
}
mongo_ping() { timeout 5 node "$ROOT/scripts/ping.mjs" mongo "$MONGO_URL" >/dev/null 2>&1; }

wait_for() { # name, check-function, seconds
  local i
  for ((i = 0; i < $3 * 4; i++)); do
    if "$2"; then return 0; fi
    sleep 0.25
  done
  echo "services: $1 did not answer a ping within $3 s" >&2
  return 1
}

build_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  command -v go >/dev/null 2>&1 || { echo "services: no mongod and no go toolchain to build FerretDB" >&2; return 1; }
  echo "services: building FerretDB $FERRETDB_VERSION once (a few minutes the first time)…"
  # `go install …@v1.24.2` builds a binary that panics at start: the module ships without
  # build/version/version.txt. Build from a copy of the module source with that file written.
  local dir src
  dir="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || { echo "services: go mod download of FerretDB failed" >&2; return 1; }
  src="$(mktemp -d)"
  cp -r "$dir/." "$src/"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" > "$src/build/version/version.txt"
  # idfix1: on the SQLite backend the unique _id index is built on `_ferretdb_sjson->"_id"` but
  # pushed-down finds, updates and deletes filter on `_ferretdb_sjson->'$._id'`; SQLite sees two
  # different expressions and scans the table for every find by _id. Make the filter use the
  # indexed expression (same value: both return the _id's JSON text). See docs/ferretdb.md;
  # test/integration/ferretdb-id-index.test.ts proves the index is used.
  local meta="$src/internal/backends/sqlite/metadata/metadata.go"
  grep -q "IDColumn = DefaultColumn + \"->'\$._id'\"" "$meta" || { echo "services: FerretDB source changed; idfix1 patch does not apply" >&2; return 1; }
  sed -i "s/IDColumn = DefaultColumn + \"->'\$._id'\"/IDColumn = DefaultColumn + \"->'_id'\"/" "$meta"
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  (cd "$src" && go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb)
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$src"
}

start_redis() {
  command -v redis-server >/dev/null 2>&1 || { echo "services: redis-server not on PATH" >&2; return 1; }
  local port; port="$(port_of "$REDIS_URL" 6379)"
  mkdir -p "$STATE_DIR/redis"
  redis-server --daemonize yes --bind "$(host_of "$REDIS_URL")" --port "$port" --save "" --appendonly no \
    --dir "$STATE_DIR/redis" --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log"
  wait_for redis redis_ping 20
  echo "services: started redis-server on port $port (log $STATE_DIR/redis.log)"
}

start_mongo() {
  local host port; host="$(host_of "$MONGO_URL")"; port="$(port_of "$MONGO_URL" 27017)"
  if command -v mongod >/dev/null 2>&1; then
    mkdir -p "$STATE_DIR/mongod"
    mongod --fork --bind_ip "$host" --port "$port" --dbpath "$STATE_DIR/mongod" \
      --pidfilepath "$STATE_DIR/mongo.pid" --logpath "$STATE_DIR/mongod.log" >/dev/null
    wait_for mongod mongo_ping 60
    echo "services: started mongod on port $port (log $STATE_DIR/mongod.log)"
    return 0
  fi
  build_ferretdb
  if ! run_ferretdb "$host" "$port"; then
    # A FerretDB killed mid-write can leave a SQLite file without its metadata table, and then it
    # refuses to start at all. Keep the broken folder for inspection and start on a fresh one.
    local aside="$FERRETDB_DATA_DIR.broken-$(date +%s)"
    echo "services: FerretDB did not start on its data folder; moving it to $aside and starting fresh" >&2
    tail -n 3 "$STATE_DIR/ferretdb.log" >&2 || true
    mv "$FERRETDB_DATA_DIR" "$aside"
    run_ferretdb "$host" "$port"
  fi
  echo "services: started FerretDB $FERRETDB_VERSION (SQLite in $FERRETDB_DATA_DIR) on port $port (log $STATE_DIR/ferretdb.log)"
}

run_ferretdb() { # host, port
  mkdir -p "$FERRETDB_DATA_DIR"
  echo "--- $(date -u +%FT%TZ) starting FerretDB" >>"$STATE_DIR/ferretdb.log"
  # busy_timeout: concurrent writers to one database wait for SQLite's lock instead of failing at
  # once with SQLITE_BUSY (FerretDB passes the URL's pragmas to every connection).
  nohup "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$FERRETDB_DATA_DIR/?_pragma=busy_timeout(30000)" \
    --state-dir="$STATE_DIR" --listen-addr="$1:$2" --debug-addr=- \
    --telemetry=disable --log-level=warn >>"$STATE_DIR/ferretdb.log" 2>&1 &
  echo $! > "$STATE_DIR/mongo.pid"
  if wait_for ferretdb mongo_ping 60; then return 0; fi
  kill "$(cat "$STATE_DIR/mongo.pid")" 2>/dev/null || true
  rm -f "$STATE_DIR/mongo.pid"
  return 1
}

stop_pidfile() { # name, pidfile
  if [ -f "$2" ]; then
    local pid; pid="$(cat "$2")"
    if kill "$pid" 2>/dev/null; then echo "services: stopped $1 (pid $pid)"; fi
    rm -f "$2"
  fi
}

case "${1:-status}" in
  up)
    if redis_ping; then echo "services: redis answers at $REDIS_URL (left as is)"; else start_redis; fi
    if mongo_ping; then echo "services: MongoDB-wire server answers at $MONGO_URL (left as is)"; else start_mongo; fi
    ;;
  down)
    stop_pidfile "MongoDB-wire server" "$STATE_DIR/mongo.pid"
    stop_pidfile redis "$STATE_DIR/redis.pid"
    ;;
  status)
    rc=0
    if redis_ping; then echo "redis: up ($REDIS_URL)"; else echo "redis: down ($REDIS_URL)"; rc=1; fi
    if mongo_ping; then echo "mongo: up ($MONGO_URL)"; else echo "mongo: down ($MONGO_URL)"; rc=1; fi
    exit $rc
    ;;
  ferretdb-bin)
    # For tests and drills that start their own FerretDB: build if needed, print the path.
    build_ferretdb >&2
    echo "$FERRETDB_BIN"
    ;;
  *) echo "usage: $0 up|down|status|ferretdb-bin" >&2; exit 2 ;;
esac

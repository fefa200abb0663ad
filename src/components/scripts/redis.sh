#!/bin/sh
# Backup and restore of the Redis set, run in the Redis image (redis-cli, redis-server, gzip).
# Both ask the sentinels for the current master: of three members two are replicas, which refuse
# writes, and a replica may lag.
#
#   redis.sh backup   the master's RDB snapshot (redis-cli --rdb), gzip-compressed, into
#                     $BACKUP_DIR/$BACKUP_FILE for the upload step.
#   redis.sh restore  $BACKUP_DIR/$BACKUP_FILE (a backup of the step above) into the master:
#                     a private redis-server loads the snapshot on a Unix socket, the master is
#                     emptied (FLUSHALL, as the guide's restore cleans the database first), and
#                     every key is copied to it with MIGRATE ... COPY REPLACE, keeping its TTL.
#                     Run again, it gives the same result.
#
# Every network call is bounded (REDIS_CALL_TIMEOUT_SECONDS, REDIS_TRANSFER_TIMEOUT_SECONDS);
# every failure exits non-zero, so the Job fails and the backup alerts see it.
set -eu

mode=${1:-}
for name in REDIS_SENTINELS REDIS_SENTINEL_MASTER BACKUP_DIR BACKUP_FILE; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "error: $name is not set" >&2
    exit 1
  fi
done
call_timeout=${REDIS_CALL_TIMEOUT_SECONDS:-10}
transfer_timeout=${REDIS_TRANSFER_TIMEOUT_SECONDS:-1800}
file="$BACKUP_DIR/$BACKUP_FILE"

# The master the first answering sentinel names, once it says it is a master: "<host> <port>".
find_master() {
  for sentinel in $(echo "$REDIS_SENTINELS" | tr ',' ' '); do
    answer=$(timeout "$call_timeout" redis-cli -h "${sentinel%:*}" -p "${sentinel##*:}" --raw sentinel get-master-addr-by-name "$REDIS_SENTINEL_MASTER" 2>/dev/null) || continue
    host=$(echo "$answer" | sed -n 1p)
    port=$(echo "$answer" | sed -n 2p)
    if [ -z "$host" ] || [ -z "$port" ]; then continue; fi
    role=$(timeout "$call_timeout" redis-cli -h "$host" -p "$port" --raw role 2>/dev/null | sed -n 1p) || continue
    if [ "$role" = master ]; then
      echo "$host $port"
      return 0
    fi
    echo "sentinel $sentinel names $host:$port as master, which answers as ${role:-nothing}" >&2
  done
  echo "error: no sentinel of $REDIS_SENTINELS names a reachable master $REDIS_SENTINEL_MASTER" >&2
  return 1
}

remote() {
  timeout "$call_timeout" redis-cli -h "$master_host" -p "$master_port" --raw "$@"
}

master=$(find_master)
master_host=${master% *}
master_port=${master#* }

case "$mode" in
  backup)
    mkdir -p "$BACKUP_DIR"
    rdb="$BACKUP_DIR/dump.rdb"
    rm -f "$rdb" "$file"
    echo "taking the snapshot of the master $master_host:$master_port"
    timeout "$transfer_timeout" redis-cli -h "$master_host" -p "$master_port" --rdb "$rdb"
    if [ ! -s "$rdb" ]; then
      echo "error: the master sent no snapshot" >&2
      exit 1
    fi
    gzip -c "$rdb" > "$file.partial"
    mv "$file.partial" "$file"
    rm -f "$rdb"
    echo "wrote $file"
    ;;
  restore)
    if [ ! -s "$file" ]; then
      echo "error: $file is missing or empty: the download step wrote nothing" >&2
      exit 1
    fi
    work="$BACKUP_DIR/restore"
    rm -rf "$work"
    mkdir -p "$work"
    gunzip -c "$file" > "$work/dump.rdb"
    sock="$work/redis.sock"
    # No TCP port: the private server is reachable only from this container.
    redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --dir "$work" --dbfilename dump.rdb \
      --save '' --appendonly no --protected-mode yes > "$work/redis-server.log" 2>&1 &
    server=$!
    trap 'kill "$server" 2>/dev/null || true' EXIT
    local_() {
      timeout "$call_timeout" redis-cli -s "$sock" --raw "$@"
    }
    tries=0
    until [ "$(local_ ping 2>/dev/null || true)" = PONG ] && local_ info persistence 2>/dev/null | grep -q '^loading:0'; do
      tries=$((tries + 1))
      if [ "$tries" -gt "$transfer_timeout" ] || ! kill -0 "$server" 2>/dev/null; then
        echo "error: the snapshot did not load:" >&2
        cat "$work/redis-server.log" >&2
        exit 1
      fi
      sleep 1
    done
    dbs=$(local_ info keyspace | sed -n 's/^db\([0-9]*\):keys=.*/\1/p')
    echo "restoring into the master $master_host:$master_port (databases: ${dbs:-none})"
    reply=$(remote flushall)
    if [ "$reply" != OK ]; then
      echo "error: FLUSHALL on $master_host:$master_port answered: $reply" >&2
      exit 1
    fi
    migrate() {
      db=$1
      shift
      reply=$(timeout "$transfer_timeout" redis-cli -s "$sock" -n "$db" --raw migrate "$master_host" "$master_port" "" "$db" 30000 copy replace keys "$@")
      case "$reply" in
        OK | NOKEY) ;;
        *)
          echo "error: MIGRATE to $master_host:$master_port database $db answered: $reply" >&2
          exit 1
          ;;
      esac
    }
    for db in $dbs; do
      local_ -n "$db" --scan > "$work/keys"
      set --
      while IFS= read -r key; do
        set -- "$@" "$key"
        if [ "$#" -ge 100 ]; then
          migrate "$db" "$@"
          set --
        fi
      done < "$work/keys"
      [ "$#" -eq 0 ] || migrate "$db" "$@"
      expected=$(local_ -n "$db" dbsize)
      got=$(remote -n "$db" dbsize)
      if [ "$got" != "$expected" ]; then
        echo "error: database $db has $got keys on the master, the backup $expected" >&2
        exit 1
      fi
      echo "database $db: $got keys"
    done
    local_ shutdown nosave > /dev/null 2>&1 || true
    rm -rf "$work"
    echo "restored $file"
    ;;
  *)
    echo "usage: redis.sh backup|restore" >&2
    exit 2
    ;;
esac

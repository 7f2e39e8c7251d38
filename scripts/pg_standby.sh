#!/usr/bin/env bash
# A PostgreSQL primary (port 5433) and its streaming-replication standby (port 5434) for the read-replica tests
# and benchmarks, created and started idempotently; the main cluster on 5432 is never touched.
#   scripts/pg_standby.sh          create what is missing, start both, wait until the standby streams
#   scripts/pg_standby.sh stop     stop both
# Trust authentication on loopback only (development and CI machines); never use this setup in production.
set -euo pipefail
VER="${HUANJIE_PG_VERSION:-$(ls /etc/postgresql | sort -V | tail -1)}"
PRIMARY=hjprimary STANDBY=hjstandby
PPORT="${HUANJIE_PG_PRIMARY_PORT:-5433}" SPORT="${HUANJIE_PG_STANDBY_PORT:-5434}"
ctl() { pg_ctlcluster --skip-systemctl-redirect "$VER" "$1" "$2"; }
exists() { [ -d "/etc/postgresql/$VER/$1" ]; }
online() { pg_lsclusters -h | awk -v v="$VER" -v c="$1" '$1==v && $2==c {print $4}' | grep -q online; }
wait_ready() { for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p "$1" -q && return 0; sleep 1; done
               echo "PostgreSQL on port $1 did not start" >&2; return 1; }

if [ "${1:-start}" = stop ]; then
  for c in $STANDBY $PRIMARY; do exists $c && online $c && ctl $c stop; done
  exit 0
fi

trust_hba() {
  cat > "/etc/postgresql/$VER/$1/pg_hba.conf" <<HBA
local   all          all                 trust
host    all          all   127.0.0.1/32  trust
host    all          all   ::1/128       trust
local   replication  all                 trust
host    replication  all   127.0.0.1/32  trust
host    replication  all   ::1/128       trust
HBA
}

if ! exists $PRIMARY; then
  pg_createcluster "$VER" $PRIMARY -p "$PPORT" >/dev/null
  cat >> "/etc/postgresql/$VER/$PRIMARY/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 5
wal_keep_size = 512MB
hot_standby = on
CONF
  trust_hba $PRIMARY
fi
online $PRIMARY || ctl $PRIMARY start
wait_ready "$PPORT"

if ! exists $STANDBY; then
  pg_createcluster "$VER" $STANDBY -p "$SPORT" >/dev/null
  cat >> "/etc/postgresql/$VER/$STANDBY/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
hot_standby = on
max_standby_streaming_delay = 30s
hot_standby_feedback = on
CONF
  trust_hba $STANDBY
fi
data="/var/lib/postgresql/$VER/$STANDBY"
if [ ! -f "$data/standby.signal" ]; then  # new, or a copy that never finished: take the base backup (again)
  online $STANDBY && ctl $STANDBY stop
  mkdir -p "$data" && find "$data" -mindepth 1 -delete && chown postgres:postgres "$data" && chmod 700 "$data"
  # a replication slot keeps the WAL the standby still needs (a bulk load must not outrun it)
  psql -h 127.0.0.1 -p "$PPORT" -U postgres -qAtc "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                                                     WHERE slot_name = '$STANDBY' AND NOT active" >/dev/null
  # -R writes standby.signal, primary_conninfo and primary_slot_name: the copy starts as a streaming standby
  su postgres -c "pg_basebackup -h 127.0.0.1 -p $PPORT -U postgres -D $data -R -X stream -c fast -C -S $STANDBY"
fi
online $STANDBY || ctl $STANDBY start
wait_ready "$SPORT"
for _ in $(seq 1 60); do
  streaming=$(psql -h 127.0.0.1 -p "$PPORT" -U postgres -Atc "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
  [ "$streaming" -ge 1 ] && { echo "primary 127.0.0.1:$PPORT, standby 127.0.0.1:$SPORT (streaming)"; exit 0; }
  sleep 1
done
echo "the standby on port $SPORT does not stream from the primary on port $PPORT" >&2
exit 1

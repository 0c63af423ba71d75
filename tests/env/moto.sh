#!/usr/bin/env bash
# moto (a local AWS emulator) on 127.0.0.1:${MOTO_PORT:-5000}, installed in .venv-moto.
#   tests/env/moto.sh          start it, unless a server of the same version already serves
#   tests/env/moto.sh stop     stop the server this script started, if it runs
# The PID of the server this script starts is recorded beside the venv (.venv-moto.<port>.pid),
# and only that process is ever stopped: a moto that someone else started is left alone
# (when it is of another version, this script says so and fails instead of replacing it).
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${MOTO_PORT:-5000}"
pidfile=".venv-moto.$port.pid"
log=".venv-moto.$port.log"
# The server runs tests/env/moto_server.py (moto plus one documented fix); a server started
# from another version of that file is replaced.
want="$(sha256sum tests/env/moto_server.py | cut -c1-16)"
marker="/tmp/terrane-moto.$port.version"

cmd=(.venv-moto/bin/python tests/env/moto_server.py -H 127.0.0.1 -p "$port")
serving() { curl -fsS -m 2 "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; }

# The recorded PID, if it is alive and still the server this script started: the same command
# line, run from this checkout (not a reused PID, nor another checkout's moto).
ours() {
  local pid
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$(pwd -P)" ] || return 1
  printf '%s\0' "${cmd[@]}" | cmp -s - "/proc/$pid/cmdline" || return 1
  echo "$pid"
}

stop() {
  local pid
  if ! pid="$(ours)"; then
    rm -f "$pidfile"
    echo "no moto started by this script runs on port $port"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if kill -0 "$pid" 2>/dev/null; then
    echo "ERROR: moto (pid $pid) on port $port did not stop" >&2
    exit 1
  fi
  rm -f "$pidfile" "$marker"
  echo "moto (pid $pid) on port $port stopped"
}

case "${1:-start}" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac

if serving; then
  if [ "$(cat "$marker" 2>/dev/null)" = "$want" ]; then
    echo "moto already serving on port $port"; exit 0
  fi
  if ! ours >/dev/null; then
    echo "ERROR: a moto server that this script did not start (or started from another version of tests/env/moto_server.py) serves on port $port; stop it yourself, or use another MOTO_PORT" >&2
    exit 1
  fi
  echo "replacing the moto server on port $port (started from another moto_server.py)"
  stop
  for _ in $(seq 1 50); do serving || break; sleep 0.1; done
elif ours >/dev/null; then
  echo "the moto this script started on port $port does not answer; restarting it"
  stop
fi
if [ ! -x .venv-moto/bin/moto_server ]; then
  echo "installing moto into .venv-moto"
  python3 -m venv .venv-moto
  .venv-moto/bin/pip install --quiet 'moto[server]>=5.2,<5.3'
fi
nohup "${cmd[@]}" >"$log" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"
for _ in $(seq 1 100); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if serving; then
    echo "$want" >"$marker"; echo "moto started on port $port (pid $pid)"; exit 0
  fi
  sleep 0.2
done
kill "$pid" 2>/dev/null || true
rm -f "$pidfile"
echo "ERROR: moto did not start on port $port; log follows" >&2; cat "$log" >&2; exit 1

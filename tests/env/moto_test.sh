#!/usr/bin/env bash
# Tests tests/env/moto.sh on a free port: it records the PID of the moto it starts and stops
# only that process (a process that merely looks like a moto server is left alone), starting
# and stopping are idempotent, and it fails loudly when moto cannot start.
set -euo pipefail
cd "$(dirname "$0")/../.."

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export MOTO_PORT="$port"
pidfile=".venv-moto.$port.pid"
decoy=""
blocker=""
cleanup() {
  tests/env/moto.sh stop >/dev/null 2>&1 || true
  [ -n "$decoy" ] && kill "$decoy" 2>/dev/null || true
  [ -n "$blocker" ] && kill "$blocker" 2>/dev/null || true
  rm -f ".venv-moto.$port.log" "/tmp/terrane-moto.$port.version"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
serving() { curl -fsS -m 2 "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; }

# Someone else's process whose command line matches what the old script killed by pattern.
bash -c "exec -a 'python tests/env/moto_server.py -H 127.0.0.1 -p $port' sleep 600" &
decoy=$!

tests/env/moto.sh
[ -f "$pidfile" ] || fail "no pid file beside the venv"
pid="$(cat "$pidfile")"
kill -0 "$pid" 2>/dev/null || fail "the recorded pid $pid is not running"
serving || fail "moto does not answer on port $port"

# Starting again: the same server.
[[ "$(tests/env/moto.sh)" == *"already serving"* ]] || fail "a second start did not find the running server"
[ "$(cat "$pidfile")" = "$pid" ] || fail "a second start changed the pid"

# Replacing a server of another version stops only the recorded process.
echo other-version >"/tmp/terrane-moto.$port.version"
[[ "$(tests/env/moto.sh)" == *replacing* ]] || fail "the server of another version was not replaced"
kill -0 "$pid" 2>/dev/null && fail "the old server (pid $pid) still runs"
kill -0 "$decoy" 2>/dev/null || fail "the look-alike process was killed"
pid="$(cat "$pidfile")"
serving || fail "the replacement does not answer"

# Stopping: only the recorded process, idempotently.
tests/env/moto.sh stop
kill -0 "$pid" 2>/dev/null && fail "moto (pid $pid) still runs after stop"
kill -0 "$decoy" 2>/dev/null || fail "stop killed the look-alike process"
[ -f "$pidfile" ] && fail "the pid file is left after stop"
serving && fail "something still answers on port $port"
[[ "$(tests/env/moto.sh stop)" == *"no moto started by this script"* ]] || fail "a second stop failed"

# A stale pid file naming a live process that is not this script's moto: nothing is killed
# (neither the look-alike, nor a process with moto's very command line in another directory).
echo "$decoy" >"$pidfile"
tests/env/moto.sh stop >/dev/null
kill -0 "$decoy" 2>/dev/null || fail "stop killed a process a stale pid file named"
other="$(mktemp -d)"
mkdir -p "$other/.venv-moto/bin" "$other/tests/env"
ln -s "$(command -v python3)" "$other/.venv-moto/bin/python"
echo 'import time; time.sleep(600)' >"$other/tests/env/moto_server.py"
(cd "$other" && exec .venv-moto/bin/python tests/env/moto_server.py -H 127.0.0.1 -p "$port") &
twin=$!
sleep 0.2
kill -0 "$twin" 2>/dev/null || fail "the twin did not start"
echo "$twin" >"$pidfile"
tests/env/moto.sh stop >/dev/null
kill -0 "$twin" 2>/dev/null || fail "stop killed another checkout's moto"
kill "$twin"; rm -rf "$other"

# A server of another version that this script did not start is not replaced: a loud error.
echo other-version >"/tmp/terrane-moto.$port.version"
python3 -c "
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b'{}')
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', $port), H).serve_forever()" &
blocker=$!
for _ in $(seq 1 50); do serving && break; sleep 0.1; done
if out="$(tests/env/moto.sh 2>&1)"; then fail "replaced a server it did not start: $out"; fi
[[ "$out" == *"did not start"* ]] || fail "unclear error: $out"
kill -0 "$blocker" 2>/dev/null || fail "the foreign server was killed"

# The port is taken by something that is not moto: moto cannot start, and says so.
rm -f "/tmp/terrane-moto.$port.version"
kill "$blocker"; wait "$blocker" 2>/dev/null || true
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(); time.sleep(600)" &
blocker=$!
sleep 0.3
if out="$(tests/env/moto.sh 2>&1)"; then fail "started on an occupied port: $out"; fi
[[ "$out" == *"ERROR: moto did not start"* ]] || fail "unclear error: $out"
[ -f "$pidfile" ] && fail "a pid file is left for a server that did not start"

echo "moto.sh: ok"

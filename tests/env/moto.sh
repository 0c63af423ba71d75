#!/usr/bin/env bash
# moto (a local AWS emulator) on 127.0.0.1:${MOTO_PORT:-5000}, installed in .venv-moto.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${MOTO_PORT:-5000}"
# The server runs tests/env/moto_server.py (moto plus one documented fix); a server started
# from another version of that file is replaced.
want="$(sha256sum tests/env/moto_server.py | cut -c1-16)"
marker="/tmp/terrane-moto.$port.version"
if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then
  if [ "$(cat "$marker" 2>/dev/null)" = "$want" ]; then
    echo "moto already serving on port $port"; exit 0
  fi
  echo "replacing the moto server on port $port (started from another moto_server.py)"
  pkill -f "moto_server.*-p $port" || true
  pkill -f "moto_server.py -H 127.0.0.1 -p $port" || true
  for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 || break; sleep 0.1; done
fi
if [ ! -x .venv-moto/bin/moto_server ]; then
  echo "installing moto into .venv-moto"
  python3 -m venv .venv-moto
  .venv-moto/bin/pip install --quiet 'moto[server]>=5.2,<5.3'
fi
nohup .venv-moto/bin/python tests/env/moto_server.py -H 127.0.0.1 -p "$port" >/tmp/terrane-moto.log 2>&1 &
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then
    echo "$want" >"$marker"; echo "moto started on port $port"; exit 0
  fi
  sleep 0.2
done
echo "ERROR: moto did not start; log follows" >&2; cat /tmp/terrane-moto.log >&2; exit 1

#!/usr/bin/env bash
# moto (a local AWS emulator) on 127.0.0.1:${MOTO_PORT:-5000}, installed in .venv-moto.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${MOTO_PORT:-5000}"
if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then
  echo "moto already serving on port $port"; exit 0
fi
if [ ! -x .venv-moto/bin/moto_server ]; then
  echo "installing moto into .venv-moto"
  python3 -m venv .venv-moto
  .venv-moto/bin/pip install --quiet 'moto[server]>=5.2,<5.3'
fi
nohup .venv-moto/bin/moto_server -H 127.0.0.1 -p "$port" >/tmp/terrane-moto.log 2>&1 &
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then echo "moto started on port $port"; exit 0; fi
  sleep 0.2
done
echo "ERROR: moto did not start; log follows" >&2; cat /tmp/terrane-moto.log >&2; exit 1

#!/usr/bin/env bash
# An sshd on 127.0.0.1:22 that lets root in with a test key, so the Docker provider's ssh://
# transport is tested for real (it runs `docker system dial-stdio` over ssh, as the docker CLI
# does). The client key lives outside the clone: /var/tmp/terrane-ssh/id_ed25519.
set -euo pipefail
keydir=/var/tmp/terrane-ssh
if [ "$(id -u)" != 0 ]; then
  echo "ERROR: the ssh test host needs root (to run sshd on port 22)" >&2; exit 1
fi
if [ ! -x /usr/sbin/sshd ]; then
  echo "installing openssh-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq openssh-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq openssh-server >/dev/null; }
fi
ssh-keygen -A >/dev/null
mkdir -p "$keydir" /root/.ssh /run/sshd
chmod 700 "$keydir" /root/.ssh
[ -f "$keydir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -C terrane-test -f "$keydir/id_ed25519"
pub="$(cat "$keydir/id_ed25519.pub")"
touch /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys
grep -qxF "$pub" /root/.ssh/authorized_keys || echo "$pub" >>/root/.ssh/authorized_keys
if ! ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=3 -i "$keydir/id_ed25519" \
    root@127.0.0.1 true >/dev/null 2>&1; then
  echo "starting sshd on 127.0.0.1:22"
  /usr/sbin/sshd -o ListenAddress=127.0.0.1 -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no
  for _ in $(seq 1 50); do
    ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=3 -i "$keydir/id_ed25519" \
      root@127.0.0.1 true >/dev/null 2>&1 && break
    sleep 0.2
  done
fi
ssh -o BatchMode=yes -o ConnectTimeout=3 -i "$keydir/id_ed25519" root@127.0.0.1 docker version --format '{{.Server.Version}}' >/dev/null \
  || { echo "ERROR: ssh root@127.0.0.1 cannot reach the Docker daemon" >&2; exit 1; }
echo "ssh test host ready"

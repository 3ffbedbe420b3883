#!/usr/bin/env bash
# The issue's "Must show" for remote targets, checked from outside the
# repository: in a fresh directory under /tmp it starts its own sshd on a
# loopback port (private sshd_config, generated host and user keys, nothing
# of the system's ssh touched), runs step1-hello with a private runtime
# directory, and with MOULT_SSH_COMMAND="ssh -F <its config>" expects
#   moult-console status ssh://<user>@127.0.0.1:<port>/step1-hello --json
# to list step1_hello::hello, and
#   moult-console apply ssh://…/step1-hello demo-apps/step1-hello/solution
# to change what the app prints. Exit 0 when both hold.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
sshd=/usr/sbin/sshd
[ -x "$sshd" ] || { echo "FAIL: no $sshd; apt-get install -y openssh-server"; exit 1; }

echo "== building moult-console and step1-hello (apart, as the README says)"
(cd "$repo" && cargo build -q -p moult-console && cargo build -q -p step1-hello)
bin="$target/debug"

work="$(mktemp -d /tmp/moult-ssh-check.XXXXXX)"
chmod 700 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    # sshd's sessions are its children: end them with it.
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

ssh-keygen -q -t ed25519 -N '' -C moult-check -f host_key
ssh-keygen -q -t ed25519 -N '' -C moult-check -f user_key
cp user_key.pub authorized_keys
mkdir -p /run/sshd 2>/dev/null || true
user="$(id -un)"
port=$((20000 + RANDOM % 40000))
cat > sshd_config <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AcceptEnv MOULT_RUNTIME_DIR
SetEnv PATH=$bin:/usr/local/bin:/usr/bin:/bin
CONF
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 host_key.pub)" > known_hosts
mkdir -m 700 run
cat > ssh_config <<CONF
Host *
  IdentityFile $work/user_key
  IdentitiesOnly yes
  UserKnownHostsFile $work/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  SetEnv MOULT_RUNTIME_DIR=$work/run
CONF

"$sshd" -D -e -f "$work/sshd_config" 2> sshd.log &
pids+=($!)
for _ in $(seq 100); do (: < "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
echo "== sshd on 127.0.0.1:$port (pid ${pids[0]}), config $work/sshd_config"

MOULT_RUNTIME_DIR="$work/run" MOULT_DEMO_PERIOD_MS=200 "$bin/step1-hello" > app.out &
pids+=($!)
for _ in $(seq 100); do ls run/*.sock >/dev/null 2>&1 && break; sleep 0.1; done
echo "== step1-hello running (pid ${pids[1]}), agent in $work/run"

export MOULT_SSH_COMMAND="ssh -F $work/ssh_config"
# The console's own runtime directory is empty: it can only reach the app over ssh.
export MOULT_RUNTIME_DIR="$work/local"
url="ssh://$user@127.0.0.1:$port/step1-hello"
fail=0

echo "\$ moult-console status $url --json"
"$bin/moult-console" status "$url" --json > status.json
if grep -q '"name": "step1_hello::hello"' status.json; then
  echo "PASS: status over ssh lists $(grep -o '"name": "step1_hello::hello"' status.json)"
else
  echo "FAIL: status over ssh does not list step1_hello::hello"; cat status.json; fail=1
fi

sleep 0.5
echo "before: $(tail -n 1 app.out)"
echo "\$ moult-console apply $url demo-apps/step1-hello/solution"
(cd "$repo" && "$bin/moult-console" apply "$url" demo-apps/step1-hello/solution) 2>&1 | sed 's/^/  /'
sleep 1
after="$(tail -n 1 app.out)"
echo "after: $after"
if [ "$after" = "hello moult" ]; then
  echo "PASS: apply over ssh changed what the app prints"
else
  echo "FAIL: the app still prints \"$after\""; fail=1
fi
exit $fail

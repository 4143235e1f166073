# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by run-with-libvirtd.sh --ssh: an sshd of the test's own on
# 127.0.0.1, and an ssh client set up to log in to it with no prompt.
# sshd_check checks what it needs; sshd_start DIR generates the keys, the
# configs and an `ssh` wrapper in DIR, starts sshd on a free port and sets
# SSHD_PORT and SSHD_BIN (the wrapper's directory, to put first in PATH);
# sshd_stop stops sshd and the sessions it left.
#
# ssh reads ~/.ssh from the home of the user's passwd entry, not $HOME, so the
# test's keys and known hosts reach it through `-F`, which the wrapper adds to
# whatever the app and libvirt pass: root's own ~/.ssh is neither read nor
# written.

sshd_check () {
  if [ ! -x /usr/sbin/sshd ]; then
    echo "/usr/sbin/sshd is not installed: install the Debian package 'openssh-server'" >&2
    exit 1
  fi
  console_guest_need ssh openssh-client
  console_guest_need ssh-keygen openssh-client
  # libvirt's ssh transport reaches the daemon's socket with `nc -U` on the
  # far side; netcat-traditional has no -U.
  console_guest_need nc netcat-openbsd
  if ! nc -h 2>&1 | grep -q -- '-U'; then
    echo "$(command -v nc) cannot reach unix sockets: install the Debian package 'netcat-openbsd'" >&2
    exit 1
  fi
}

SSHD_PID=
SSHD_MADE_PRIVSEP_DIR=

sshd_write_config () {
  local dir=$1 port=$2 pam=no
  # No PAM: its session modules (pam_loginuid) may fail in a container. But
  # without PAM sshd refuses a locked account ('!' in /etc/shadow, as root's
  # may be) even with a key, which PAM's account check lets in.
  if getent shadow "$(id -un)" 2>/dev/null | cut -d : -f 2 | grep -q '^!'; then
    pam=yes
  fi
  # StrictModes no: the files are in a temporary directory under /tmp.
  # DEBUG1: sshd logs the forwards that the test looks for at that level.
  cat >"$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1:$port
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PidFile none
UsePAM $pam
StrictModes no
PermitRootLogin prohibit-password
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
PrintLastLog no
MaxStartups 50
LogLevel DEBUG1
EOF
}

# Waits for sshd to listen on PORT; fails when it exits first (the port taken).
sshd_wait_listening () {
  local log=$1 port=$2 i
  for i in $(seq 50); do
    grep -q "Server listening on 127.0.0.1 port $port\." "$log" 2>/dev/null && return 0
    kill -0 "$SSHD_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

sshd_start () {
  local dir=$1 port attempt
  mkdir -m 0700 "$dir" "$dir/bin"
  ssh-keygen -q -t ed25519 -N '' -C hangar-test-host -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -C hangar-test-client -f "$dir/client_key"
  cp "$dir/client_key.pub" "$dir/authorized_keys"
  # Privilege separation needs this empty directory, which Debian's sshd
  # service makes at boot; an sshd that is not running leaves none.
  if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
    mkdir -m 0755 /run/sshd
    SSHD_MADE_PRIVSEP_DIR=1
  fi
  # A random port, another one if it is taken: no window in which a port
  # found free could be taken before sshd binds it.
  for attempt in $(seq 10); do
    port=$((20000 + RANDOM % 40000))
    sshd_write_config "$dir" "$port"
    /usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log" &
    SSHD_PID=$!
    sshd_wait_listening "$dir/sshd.log" "$port" && break
    kill "$SSHD_PID" 2>/dev/null
    wait "$SSHD_PID" 2>/dev/null || true
    SSHD_PID=
  done
  if [ -z "$SSHD_PID" ]; then
    echo "sshd did not start; its log:" >&2
    cat "$dir/sshd.log" >&2
    exit 1
  fi
  echo "[127.0.0.1]:$port $(cut -d ' ' -f 1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
  # BatchMode: a failed login must fail, never wait for a password.
  cat >"$dir/ssh_config" <<EOF
Host *
  IdentityFile $dir/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  UpdateHostKeys no
  BatchMode yes
EOF
  # libvirt runs ssh with an environment of its own: the path is written in.
  printf '#!/bin/bash\nexec /usr/bin/ssh -F %q "$@"\n' "$dir/ssh_config" >"$dir/bin/ssh"
  chmod 0755 "$dir/bin/ssh"
  SSHD_PORT=$port
  SSHD_BIN=$dir/bin
}

sshd_stop () {
  local sessions=()
  if [ -n "$SSHD_PID" ]; then
    # Each connection's sshd is a child of the listener and outlives it
    # (/proc, not ps: procps may be missing).
    mapfile -t sessions < <(grep -l "^PPid:[[:space:]]*$SSHD_PID\$" /proc/[0-9]*/status \
      2>/dev/null | cut -d / -f 3)
    kill "$SSHD_PID" "${sessions[@]}" 2>/dev/null
    wait "$SSHD_PID" 2>/dev/null
    SSHD_PID=
  fi
  if [ -n "$SSHD_MADE_PRIVSEP_DIR" ]; then
    rmdir /run/sshd 2>/dev/null
    SSHD_MADE_PRIVSEP_DIR=
  fi
  return 0
}

#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-with-libvirtd.sh [--ssh] OUTPUT_DIR COMMAND [ARGS...]: starts a libvirtd
# of this test's own in session mode (QEMU driver, everything under a temporary
# directory), builds the console tests' guest there, then runs COMMAND under a
# private Xvfb with these in its environment:
#   HANGAR_TEST_LIBVIRT_URI  the daemon's qemu:///session URI
#   HANGAR_TEST_KERNEL       the guest's kernel, readable by the daemon
#   HANGAR_TEST_INITRD       the guest's initramfs (guest-init.sh)
# Afterwards it stops the daemon and anything it left running, keeps the
# daemon's and QEMU's logs in OUTPUT_DIR and removes the directory.
#
# With --ssh the daemon is reached as a remote host is, through an sshd of the
# test's own on 127.0.0.1 (test-sshd.sh): the URI is qemu+ssh://, COMMAND's
# PATH starts with an `ssh` that logs in there with the test's keys and no
# prompt, HANGAR_TEST_SSHD_LOG names sshd's log, kept in OUTPUT_DIR too. The
# URI names the socket with proxy=netcat: virt-ssh-helper, which libvirt
# prefers, ignores socket= and would look for root's own session daemon.
#
# libvirtd decides whether it is the system daemon by its effective user alone:
# run as root it ignores XDG_* and takes /run/libvirt, /etc/libvirt and
# /var/lib/libvirt, the system daemon's. So as root it runs here as 'nobody',
# which makes it a session daemon: QEMU runs as that user too, and it needs no
# setting about cgroups or security drivers (its qemu.conf only keeps virtlogd
# out). Its socket is then
# $XDG_RUNTIME_DIR/libvirt/libvirt-sock, but a root client's libvirt resolves
# qemu:///session to the system socket: the URI names the socket itself.
set -euo pipefail
here=$(dirname "$0")
over_ssh=false
if [ "$1" = --ssh ]; then
  over_ssh=true
  shift
fi
output_dir=$1
shift

source "$here/console-guest.sh"
source "$here/test-sshd.sh"
if [ ! -x /usr/sbin/libvirtd ]; then
  echo "/usr/sbin/libvirtd is not installed: install the Debian package 'libvirt-daemon'" >&2
  exit 1
fi
if ! compgen -G '/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so' >/dev/null; then
  echo "libvirt's QEMU driver is not installed: install the Debian package" \
    "'libvirt-daemon-driver-qemu'" >&2
  exit 1
fi
console_guest_need qemu-system-x86_64 qemu-system-x86
console_guest_need setpriv util-linux
console_guest_need Xvfb xvfb
console_guest_need dbus-daemon dbus-daemon
console_guest_need xdotool xdotool
console_guest_check
if $over_ssh; then
  sshd_check
fi

# In /tmp, not $TMPDIR: the daemon's user must reach it, and QEMU's monitor
# socket under it must fit a socket address's 108 bytes.
work=$(mktemp -d /tmp/hangar-libvirtd.XXXXXX)
libvirtd_pid=
cleanup () {
  local pid_file pid i
  set +e
  # A failed test leaves its guest running: QEMU outlives libvirtd.
  for pid_file in "$work"/run/libvirt/qemu/run/*.pid; do
    [ -s "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    kill "$pid" 2>/dev/null || continue
    for i in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
  done
  if [ -n "$libvirtd_pid" ]; then
    kill "$libvirtd_pid" 2>/dev/null
    wait "$libvirtd_pid" 2>/dev/null
  fi
  sshd_stop
  [ "$(type -t xvfb_stop)" = function ] && [ -n "${XVFB_PID:-}" ] && xvfb_stop
  mkdir -p "$output_dir"
  cp "$work/libvirtd.log" "$work/ssh/sshd.log" "$output_dir/" 2>/dev/null
  cp "$work"/cache/libvirt/qemu/log/*.log "$output_dir/" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/home" "$work/run" "$work/config/libvirt" "$work/cache"
chmod 0700 "$work/run"
# QEMU's output to a file of its own, not through virtlogd: libvirtd would
# start one that outlives it by two minutes.
echo 'stdio_handler = "file"' >"$work/config/libvirt/qemu.conf"
console_guest_build "$work"
# The daemon's user runs QEMU, which must read the kernel: Debian's in /boot
# may be root's alone.
cp "$GUEST_KERNEL" "$work/vmlinuz"
chmod 0755 "$work"
chmod 0644 "$work/vmlinuz" "$GUEST_INITRD"

as_daemon=()
if [ "$(id -u)" = 0 ]; then
  chown -R nobody:"$(id -gn nobody)" "$work"
  as_daemon=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --)
fi
# Nothing of the caller's session: no display, no bus, no config.
(cd "$work" && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  HOME="$work/home" XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config" \
  XDG_CACHE_HOME="$work/cache" "${as_daemon[@]}" /usr/sbin/libvirtd --timeout 60 \
  >"$work/libvirtd.log" 2>&1) &
libvirtd_pid=$!
socket=$work/run/libvirt/libvirt-sock
for i in $(seq 100); do
  [ -S "$socket" ] && break
  kill -0 "$libvirtd_pid" 2>/dev/null || break
  sleep 0.1
done
if [ ! -S "$socket" ]; then
  echo "libvirtd did not start within 10 s; its log:" >&2
  cat "$work/libvirtd.log" >&2
  exit 1
fi

export HANGAR_TEST_LIBVIRT_URI="qemu:///session?socket=$socket"
# 127.0.0.1, not localhost, which the back end takes for this computer.
if $over_ssh; then
  sshd_start "$work/ssh"
  export PATH="$SSHD_BIN:$PATH"
  export HANGAR_TEST_SSHD_LOG="$work/ssh/sshd.log"
  HANGAR_TEST_LIBVIRT_URI="qemu+ssh://$(id -un)@127.0.0.1:$SSHD_PORT/session?socket=$socket&proxy=netcat"
fi
export HANGAR_TEST_KERNEL="$work/vmlinuz"
export HANGAR_TEST_INITRD="$GUEST_INITRD"
source "$here/../xvfb-session.sh"
xvfb_start
# xvfb_start's trap would replace ours: ours stops Xvfb too.
trap cleanup EXIT
"$@"

#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-with-guest.sh COMMAND [ARGS...]: boots the console tests' guest under
# QEMU (a real SPICE server and a real serial port), then runs COMMAND under a
# private Xvfb with these in its environment:
#   HANGAR_TEST_SPICE   the SPICE server's unix socket
#   HANGAR_TEST_SERIAL  the guest's serial port (QEMU starts the guest once a
#                       client connects here)
#   HANGAR_TEST_QMP     QEMU's QMP socket (for screendump)
set -euo pipefail
here=$(dirname "$0")

source "$here/console-guest.sh"
console_guest_need qemu-system-x86_64 qemu-system-x86
console_guest_need Xvfb xvfb
console_guest_need dbus-daemon dbus-daemon
console_guest_need xdotool xdotool
console_guest_check
work=$(mktemp -d)
console_guest_build "$work"

export HANGAR_TEST_SPICE="$work/spice.sock"
export HANGAR_TEST_SERIAL="$work/serial.sock"
export HANGAR_TEST_QMP="$work/qmp.sock"
qemu-system-x86_64 -accel tcg -nodefaults -vga std -m 256 -no-reboot \
  -kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "console=ttyS0 quiet" \
  -chardev "socket,id=serial0,path=$HANGAR_TEST_SERIAL,server=on,wait=on" -serial chardev:serial0 \
  -spice "unix=on,addr=$HANGAR_TEST_SPICE,disable-ticketing=on" -display none \
  -qmp "unix:$HANGAR_TEST_QMP,server=on,wait=off" &
qemu_pid=$!

source "$here/../xvfb-session.sh"
xvfb_start
cleanup () {
  kill "$qemu_pid" 2>/dev/null || true
  xvfb_stop
  rm -rf "$work"
}
trap cleanup EXIT
"$@"

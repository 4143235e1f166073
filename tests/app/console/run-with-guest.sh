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

need () {
  command -v "$1" >/dev/null ||
    { echo "$1 is not installed: install the Debian package '$2' (tools/dev test does)" >&2; exit 1; }
}
need qemu-system-x86_64 qemu-system-x86
need busybox busybox-static
need cpio cpio
need Xvfb xvfb
need dbus-daemon dbus-daemon
need xdotool xdotool
kernel=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$kernel" ]; then
  echo "No Debian cloud kernel in /boot: install the Debian package 'linux-image-cloud-amd64'" >&2
  exit 1
fi
version=${kernel#/boot/vmlinuz-}
evdev=/lib/modules/$version/kernel/drivers/input/evdev.ko
if [ ! -e "$evdev" ]; then
  echo "$evdev is missing: reinstall the Debian package 'linux-image-$version'" >&2
  exit 1
fi
busybox_path=$(command -v busybox)
if ldd "$busybox_path" >/dev/null 2>&1; then
  echo "$busybox_path is not static: install the Debian package 'busybox-static'" >&2
  exit 1
fi

work=$(mktemp -d)
mkdir -p "$work/root/bin"
cp "$busybox_path" "$work/root/bin/busybox"
cp "$here/guest-init.sh" "$work/root/init"
cp "$evdev" "$work/root/evdev.ko"
chmod 0755 "$work/root/init" "$work/root/bin/busybox"
(cd "$work/root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$work/initrd.gz"

export HANGAR_TEST_SPICE="$work/spice.sock"
export HANGAR_TEST_SERIAL="$work/serial.sock"
export HANGAR_TEST_QMP="$work/qmp.sock"
qemu-system-x86_64 -accel tcg -nodefaults -vga std -m 256 -no-reboot \
  -kernel "$kernel" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet" \
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

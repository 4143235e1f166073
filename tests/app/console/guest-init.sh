#!/bin/busybox sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# /init of the console tests' guest (Debian's cloud kernel, this busybox
# initramfs, QEMU with a VGA screen and a serial port). The tests drive it:
#   screen (tty1): a banner, then the first line typed on the guest's keyboard
#     is reported on the serial port as "KEYS:<line>"; after it, every key
#     event the guest's kernel decodes from the keyboard's scan codes is
#     reported as the 24 bytes of its struct input_event, in hex.
#   serial port (ttyS0): "HANGAR-GUEST: ready" once, then each line received
#     is answered with "GOT:<line>".
/bin/busybox mkdir -p /bin /proc /sys /dev
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
exec </dev/console >/dev/console 2>&1

printf '\033[2J\033[H\033[1;33;44m Hangar console test guest \033[0m\n\n' >/dev/tty1
printf 'Type a line here; it is reported on the serial port.\n' >/dev/tty1

(
	exec 3</dev/tty1
	read -r line <&3
	echo "KEYS:$line" >/dev/ttyS0
	insmod /evdev.ko
	for device in /sys/class/input/event*; do
		grep -qi keyboard "$device/device/name" && events=/dev/input/${device##*/}
	done
	echo "EVENTS:$events" >/dev/ttyS0
	hexdump -v -e '24/1 "%02x " "\n"' "$events" >/dev/ttyS0 2>&1
) &

echo "HANGAR-GUEST: ready"
exec 4</dev/ttyS0
while read -r line <&4; do
	echo "GOT:$line"
done

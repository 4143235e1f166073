#!/bin/busybox sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# /init of the guest under test (L2): a stock kernel booted by the VMM under
# test reaches this script. It checks what the VMM promised the guest (the
# vCPU count and the RAM size, which the test passes on the kernel command line
# as hangar_cpus= and hangar_mem_mib=), prints one result line on the serial
# console and powers the machine off through ACPI S5.
#
# Result line (the host parses it; keep the format stable):
#   HANGAR-L2-RESULT PASS|FAIL cpus=N online=LIST memtotal_kib=N want_cpus=N want_mem_mib=N [why=...]

/bin/busybox mkdir -p /bin /proc /sys /dev
/bin/busybox --install -s /bin
export PATH=/bin

mount -t devtmpfs devtmpfs /dev 2>/dev/null
# An external initramfs has no /dev/console, so the kernel gave us no stdio.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

echo "HANGAR-L2: /init reached"

want_cpus=
want_mem_mib=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	hangar_cpus=*) want_cpus=${arg#hangar_cpus=} ;;
	hangar_mem_mib=*) want_mem_mib=${arg#hangar_mem_mib=} ;;
	esac
done

cpus=$(grep -c '^processor' /proc/cpuinfo)
online=$(cat /sys/devices/system/cpu/online 2>/dev/null)
memtotal_kib=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)

verdict=PASS
why=
fail() {
	verdict=FAIL
	why="${why:+$why,}$1"
}

case "$want_cpus" in
'' | *[!0-9]*) fail "no-hangar_cpus-on-cmdline" ;;
*)
	[ "$cpus" = "$want_cpus" ] || fail "cpuinfo-shows-$cpus-cpus"
	# Every vCPU must also have been brought up, not just enumerated.
	if [ "$want_cpus" = 1 ]; then want_online=0; else want_online="0-$((want_cpus - 1))"; fi
	[ "$online" = "$want_online" ] || fail "online-is-${online:-unreadable}"
	;;
esac

case "$want_mem_mib" in
'' | *[!0-9]*) fail "no-hangar_mem_mib-on-cmdline" ;;
*)
	# MemTotal is the RAM the kernel manages: the e820 RAM minus what the
	# kernel image, the memmap (1.6% of RAM) and firmware-reserved ranges
	# take. The Debian 6.1 cloud kernel keeps about 33 MiB + 1.7% (measured:
	# 37 MiB of 256, 42 of 512, 51 of 1024). Allow 48 MiB + 1/16 of RAM, so
	# that a VMM that gives less RAM than asked (or ignores the size) is
	# caught; more than asked means it described RAM that it did not map.
	max_kib=$((want_mem_mib * 1024))
	min_kib=$((max_kib - max_kib / 16 - 48 * 1024))
	case "$memtotal_kib" in
	'' | *[!0-9]*) fail "memtotal-unreadable" ;;
	*)
		[ "$memtotal_kib" -le "$max_kib" ] || fail "memtotal-above-$max_kib"
		[ "$memtotal_kib" -ge "$min_kib" ] || fail "memtotal-below-$min_kib"
		;;
	esac
	;;
esac

# Let the console settle so that no kernel message splits the result line.
sleep 1
echo "HANGAR-L2-RESULT $verdict cpus=$cpus online=$online memtotal_kib=$memtotal_kib want_cpus=$want_cpus want_mem_mib=$want_mem_mib${why:+ why=$why}"

# reboot(RB_POWER_OFF): the kernel's ACPI power-off writes SLP_TYP(S5)|SLP_EN
# to the PM1 control register, which is what the VMM must turn into its exit.
poweroff -f
# poweroff ran in a child process, so this shell is still here if the power-off
# did not take. Say so and exit: the kernel panics on the death of init and
# panic=-1 turns that into a reset, which ends the run quickly instead of
# leaving it to the time limit.
echo "HANGAR-L2: poweroff -f returned: the VMM did not act on the ACPI S5 request"
exit 1

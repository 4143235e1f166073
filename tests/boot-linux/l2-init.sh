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
#   HANGAR-L2-RESULT PASS|FAIL cpus=N online=LIST memtotal_kib=N want_cpus=N want_mem_mib=N
#     [disk=ok|WHY rng=ok|WHY (with hangar_disk=)] [net=ok|WHY (with hangar_net=)] [why=...]

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
hold=
want_disk=
want_net=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	hangar_cpus=*) want_cpus=${arg#hangar_cpus=} ;;
	hangar_mem_mib=*) want_mem_mib=${arg#hangar_mem_mib=} ;;
	hangar_hold=*) hold=${arg#hangar_hold=} ;;
	hangar_disk=*) want_disk=${arg#hangar_disk=} ;;
	hangar_net=*) want_net=${arg#hangar_net=} ;;
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

# hangar_disk=TOKEN: a virtio-blk disk (serial hangar-disk0) holds an ext4
# file system whose hangar.txt says TOKEN; a virtio-rng is there too. The
# drivers are modules in /hangar-modules. Appends disk= and rng= fields.
disk=
rng=
check_disk() {
	for module in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
		virtio_blk virtio-rng; do
		insmod "/hangar-modules/$module.ko" || { disk=insmod-$module; return; }
	done
	for i in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.2; done
	[ -b /dev/vda ] || { disk=no-vda; return; }
	[ "$(cat /sys/block/vda/serial 2>/dev/null)" = hangar-disk0 ] || { disk=bad-serial; return; }
	mkdir -p /mnt
	mount -t ext4 /dev/vda /mnt || { disk=mount-failed; return; }
	[ "$(cat /mnt/hangar.txt)" = "$want_disk" ] || { disk=bad-content; umount /mnt; return; }
	# A write, a sync and a read through a fresh mount go through the device.
	echo "$want_disk-written" >/mnt/written.txt && sync && umount /mnt &&
		mount -t ext4 -o ro /dev/vda /mnt || { disk=write-failed; return; }
	[ "$(cat /mnt/written.txt)" = "$want_disk-written" ] || disk=bad-written
	umount /mnt
	# MSI-X: the driver names its vectors virtioN-config and virtioN-req.0;
	# with INTx (pci=nomsi) there is one IOAPIC line, virtioN, that the
	# DSDT's _PRT routed.
	case " $(cat /proc/cmdline) " in
	*" pci=nomsi "*) grep -qE 'IO-APIC.* virtio[0-9]+$' /proc/interrupts || disk=${disk:-no-intx} ;;
	*) grep -q 'virtio[0-9]*-req' /proc/interrupts || disk=${disk:-no-msix} ;;
	esac
	[ -n "$disk" ] || disk=ok
}
if [ -n "$want_disk" ]; then
	check_disk
	[ "$disk" = ok ] || fail "disk-$disk"
	case "$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)" in
	virtio_rng*) head -c 16 /dev/hwrng >/dev/null 2>&1 && rng=ok || rng=read-failed ;;
	*) rng=missing ;;
	esac
	[ "$rng" = ok ] || fail "rng-$rng"
fi

# hangar_net=NAME=ADDRESS: a virtio-net card on a nat network (10.0.2.0/24):
# udhcpc must get a lease from its router (.2) with its DNS (.3), and NAME
# must resolve to ADDRESS through that DNS. Appends net=.
net=
check_net() {
	for module in failover net_failover virtio_net; do
		insmod "/hangar-modules/$module.ko" || { net=insmod-$module; return; }
	done
	for i in $(seq 50); do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
	[ -e /sys/class/net/eth0 ] || { net=no-eth0; return; }
	[ "$(cat /sys/class/net/eth0/address)" = 52:54:00:12:34:56 ] || { net=bad-mac; return; }
	mkdir -p /tmp /etc
	cat >/bin/hangar-udhcpc <<-'EOF'
		#!/bin/sh
		case "$1" in
		bound | renew)
			ifconfig "$interface" "$ip" netmask "$subnet" up
			route add default gw "$router" "$interface"
			echo "nameserver $dns" >/etc/resolv.conf
			echo "$ip $router $dns" >/tmp/lease
			;;
		esac
	EOF
	chmod 0755 /bin/hangar-udhcpc
	ip link set lo up
	ip link set eth0 up
	udhcpc -i eth0 -n -q -t 10 -T 2 -s /bin/hangar-udhcpc >/tmp/udhcpc.log 2>&1 ||
		{ net=no-lease; cat /tmp/udhcpc.log; return; }
	echo "HANGAR-L2: lease $(cat /tmp/lease)"
	case "$(cat /tmp/lease)" in
	"10.0.2."*" 10.0.2.2 10.0.2.3") ;;
	*) net=bad-lease; return ;;
	esac
	nslookup "${want_net%%=*}" 10.0.2.3 >/tmp/nslookup.log 2>&1
	cat /tmp/nslookup.log
	grep -q "Address:* ${want_net#*=}\$" /tmp/nslookup.log || { net=not-resolved; return; }
	grep -q 'virtio[0-9]*-input' /proc/interrupts || net=no-msix
	[ -n "$net" ] || net=ok
}
if [ -n "$want_net" ]; then
	check_net
	[ "$net" = ok ] || fail "net-$net"
fi

# hangar_hold=N: stay up N more seconds (boot-linux.sh --display takes a
# screenshot meanwhile).
case "$hold" in '' | *[!0-9]*) ;; *) sleep "$hold" ;; esac
# Let the console settle so that no kernel message splits the result line.
sleep 1
echo "HANGAR-L2-RESULT $verdict cpus=$cpus online=$online memtotal_kib=$memtotal_kib want_cpus=$want_cpus want_mem_mib=$want_mem_mib${disk:+ disk=$disk}${rng:+ rng=$rng}${net:+ net=$net}${why:+ why=$why}"

# reboot(RB_POWER_OFF): the kernel's ACPI power-off writes SLP_TYP(S5)|SLP_EN
# to the PM1 control register, which is what the VMM must turn into its exit.
poweroff -f
# poweroff ran in a child process, so this shell is still here if the power-off
# did not take. Say so and exit: the kernel panics on the death of init and
# panic=-1 turns that into a reset, which ends the run quickly instead of
# leaving it to the time limit.
echo "HANGAR-L2: poweroff -f returned: the VMM did not act on the ACPI S5 request"
exit 1

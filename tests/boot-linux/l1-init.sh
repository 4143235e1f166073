#!/bin/busybox sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# /init of the level-1 VM: a stock kernel under QEMU's TCG with AMD-V emulated
# (-cpu EPYC,+svm). It turns that VM into a host with real hardware-assisted
# KVM, runs the VMM under test once (the command comes from /hangar/vmm.sh,
# which boot-linux.sh writes) and reports everything on its serial console,
# which the host test parses:
#
#   HANGAR-L1-ERROR <what is missing>        the L1 VM cannot host a guest
#   HANGAR-L1: begin <part> ... end <part>   a file, each line prefixed "<tag>| "
#   HANGAR-L1-VMM-EXIT status=N seconds=N    the VMM's exit status
#   HANGAR-L1: alive                         every 5 s until the VMM ends: a VM
#                                            that stops printing it froze
#
# and then powers off, so the run ends as soon as the VMM does.

/bin/busybox mkdir -p /bin /proc /sys /dev /tmp /run
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
# GLib-based programs look for these; without them they warn or stall.
export HOME=/root LANG=C.UTF-8 GIO_USE_VFS=local GIO_MODULE_DIR=/nonexistent

mount -t devtmpfs devtmpfs /dev 2>/dev/null
# An external initramfs has no /dev/console, so the kernel gave us no stdio.
exec </dev/console >/dev/console 2>&1
# The host tells a frozen VM (it happens under TCG) from a busy one by this.
(while :; do
	sleep 5
	echo "HANGAR-L1: alive"
done) &
heartbeat=$!
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null

fatal() {
	echo "HANGAR-L1-ERROR $*"
	poweroff -f
	exit 1
}

# Everything below depends on AMD-V: without the flag kvm-amd refuses to load
# and the failure would be reported as a module problem.
grep -qw svm /proc/cpuinfo ||
	fatal "the L1 vCPU has no 'svm' flag: this QEMU's TCG does not emulate AMD-V (needs -cpu EPYC,+svm)"

for module in irqbypass kvm kvm-amd; do
	out=$(insmod "/hangar/modules/$module.ko" 2>&1) ||
		fatal "insmod $module.ko failed in the L1 VM: $out"
done
[ -c /dev/kvm ] || fatal "kvm-amd loaded in the L1 VM but /dev/kvm did not appear"
echo "HANGAR-L1: kvm-amd loaded, /dev/kvm ready"

. /hangar/vmm.conf
# The runtime directory that hv-vmm expects its caller to have made.
mkdir -p "${RUNTIME_DIR%/*}"
mkdir -m 0700 "$RUNTIME_DIR"

# --debug: record the guest's VM exits in the kernel's trace ring buffer,
# which keeps the newest events, so that the last ones before a hang or a
# fatal error can be read afterwards. Off by default: it slows every exit.
if [ "$KVM_TRACE" = 1 ] && mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null; then
	t=/sys/kernel/tracing
	echo 8192 >$t/buffer_size_kb
	for event in kvm_exit kvm_pio kvm_mmio kvm_msr kvm_cpuid kvm_userspace_exit kvm_inj_exception kvm_emulate_insn; do
		echo 1 >"$t/events/kvm/$event/enable" 2>/dev/null
	done
	echo 1 >$t/tracing_on
fi

start=$(date +%s)
# TERM first, so that a hung hv-vmm gets the chance to clean up and say
# something; KILL if it does not go.
timeout -k 5 "$VMM_TIMEOUT" /bin/sh /hangar/vmm.sh </dev/null >/tmp/vmm-output.log 2>&1 3>/tmp/vmm-ready.txt
status=$?
end=$(date +%s)
# Nothing between the framed parts below.
kill "$heartbeat"
wait "$heartbeat" 2>/dev/null
# hv-vmm removes its runtime directory when it exits (docs/hv-vmm.md).
if [ "$CHECK_RUNTIME_DIR" = 1 ] && [ -e "$RUNTIME_DIR" ]; then
	echo "HANGAR-L1: runtime-dir-left: $RUNTIME_DIR: $(ls -A "$RUNTIME_DIR" | tr "\n" " ")"
fi

dump() { # tag file
	echo "HANGAR-L1: begin $1"
	[ -f "$2" ] && sed "s/^/$1| /" "$2"
	echo "HANGAR-L1: end $1"
}
dump l2-console /tmp/l2-console.log
dump vmm-output /tmp/vmm-output.log
dump vmm-ready /tmp/vmm-ready.txt
# boot-linux.sh --display: the screenshot, as text.
if [ -s /tmp/screen.png ]; then
	base64 /tmp/screen.png >/tmp/screen.b64
	dump screen-png /tmp/screen.b64
fi
dmesg >/tmp/l1-dmesg.txt
dump l1-dmesg /tmp/l1-dmesg.txt
if [ "$KVM_TRACE" = 1 ] && [ -r /sys/kernel/tracing/trace ]; then
	echo 0 >/sys/kernel/tracing/tracing_on
	grep -v "^#" /sys/kernel/tracing/trace | tail -n 2000 >/tmp/kvm-trace.txt
	dump kvm-trace /tmp/kvm-trace.txt
fi
echo "HANGAR-L1-VMM-EXIT status=$status seconds=$((end - start)) limit=$VMM_TIMEOUT"
poweroff -f

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hvctl create/list/start/rm and net, against the real hv-vmm and a tiny
# guest: every bad input gives one "hvctl: ..." line, a non-zero status and
# changes nothing under $XDG_DATA_HOME/hangar.
#
#   test-hvctl-store.sh HVCTL HV_VMM TICKER_IMAGE HV_NET
set -u

hvctl=$1
export HV_VMM_PATH="$2"
ticker=$3
export HV_NET_PATH="$4"

work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run"
export XDG_DATA_HOME="$work/data"
mkdir -m 0700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME"
store=$XDG_DATA_HOME/hangar

cleanup () {
  "$hvctl" kill demo >/dev/null 2>&1
  "$hvctl" net stop default >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Every file under the store, with its size and mode: what a refused
# command must not change.
unchanged_state () {
  find "$store" -printf '%P %s %m\n' 2>/dev/null | sort
}
. "$(dirname "$0")/hvctl-test.sh"

list_shows () {
  "$hvctl" list | grep -Eq "$1"
}

# ---- create: bad input ----

expect_error "create without a name" "with --name NAME" "$hvctl" create --disk size=1G
expect_error "bad machine name" "Invalid guest name .-x." "$hvctl" create --name -x
expect_error "bad memory" "Invalid size .12X" "$hvctl" create --name demo --memory 12X
expect_error "bad disk size" "Invalid size .6Q" "$hvctl" create --name demo --disk size=6Q
expect_error "bad disk option" "Unknown disk option .colour" \
  "$hvctl" create --name demo --disk size=1G,colour=red
expect_error "disk without key" "write it as size=6G or path=FILE" \
  "$hvctl" create --name demo --disk 6G
expect_error "missing disk image" "nope.img does not exist" \
  "$hvctl" create --name demo --disk path="$work/nope.img"
expect_error "bad network" "Invalid network .wifi" "$hvctl" create --name demo --network wifi
expect_error "isolated without network" "isolated mode needs the name of a network" \
  "$hvctl" create --name demo --network isolated
expect_error "unknown network" "No network is called .lab" \
  "$hvctl" create --name demo --network isolated:lab
expect_error "missing kernel" "nokernel does not exist" \
  "$hvctl" create --name demo --kernel "$work/nokernel"
expect_error "zero CPUs" "Invalid number of CPUs .0." "$hvctl" create --name demo --cpus 0
expect_error "too many CPUs" "Invalid number of CPUs 300: give 1 to 255" \
  "$hvctl" create --name demo --cpus 300
expect_error "bad display" "Invalid display .vnc" "$hvctl" create --name demo --display vnc
: >"$work/taken.img"
expect_error "refuses to overwrite an image" "taken.img exists already" \
  "$hvctl" create --name demo --disk size=1G --disk path="$work/taken.img",size=1G
[ ! -e "$store/machines/demo" ] && pass "the refused create left no directory" ||
  fail "the refused create left $store/machines/demo"

# ---- create, list, start, rm ----

expect_ok "create" "$hvctl" create --name demo --memory 256M --cpus 2 --disk size=6G \
  --disk path="$work/taken.img",readonly=on --network nat --network user \
  --kernel "$ticker" --append "console=ttyS0"
conf=$store/machines/demo/machine.conf
[ "$(stat -c %a "$conf")" = 600 ] && pass "machine.conf is mode 0600" || fail "machine.conf mode $(stat -c %a "$conf")"
grep -qx 'memory=256M' "$conf" && grep -qx 'cpus=2' "$conf" && grep -qx 'path=disk0.img' "$conf" &&
  grep -qx "path=$work/taken.img" "$conf" && grep -qx 'readonly=true' "$conf" &&
  grep -qx 'cmdline=console=ttyS0' "$conf" && pass "machine.conf holds the settings" ||
  { fail "machine.conf:"; sed 's/^/#   /' "$conf"; }
macs=$(grep '^mac=52:54:00:' "$conf" | sort -u | wc -l)
[ "$macs" -eq 2 ] && pass "two distinct MACs" || fail "$macs distinct MACs"
[ "$(stat -c %s "$store/machines/demo/disk0.img")" -eq 6442450944 ] &&
  [ "$(stat -c %b "$store/machines/demo/disk0.img")" -lt 64 ] &&
  pass "a sparse 6G image" || fail "the image is not a sparse 6G file"
expect_error "create twice" "called .demo. exists already" "$hvctl" create --name demo
list_shows '^demo +stopped +2 +256M' && pass "list shows demo stopped" ||
  { fail "list:"; "$hvctl" list | sed 's/^/#   /'; }

expect_ok "start" "$hvctl" start demo
grep -q "hvctl console demo" "$work/out" && pass "start says how to attach" || fail "start did not say how to attach"
list_shows '^demo +running' && pass "list shows demo running" || fail "list does not show running"
"$hvctl" ps | grep -Eq '^demo .* running +2 +256M' && pass "ps shows the guest" || fail "ps does not show demo"
pid=$("$hvctl" ps | awk '$1 == "demo" { print $3 }')
tr '\0' ' ' <"/proc/$pid/cmdline" >"$work/cmdline"
grep -q -- "--disk path=$store/machines/demo/disk0.img " "$work/cmdline" &&
  grep -q -- "--disk path=$work/taken.img,readonly=on " "$work/cmdline" &&
  grep -q -- "--memory 256" "$work/cmdline" &&
  pass "hv-vmm got the machine's disks and memory" ||
  { fail "hv-vmm's command line:"; sed 's/^/#   /' "$work/cmdline"; }
# The nat card on a port of the default network, which start started.
grep -Eq -- "--nic mac=52:54:00:[0-9a-f:]{8},backend=switch:$XDG_RUNTIME_DIR/hangar/nets/default/switch.sock " "$work/cmdline" &&
  grep -Eq -- "--nic mac=52:54:00:[0-9a-f:]{8},backend=user( |$)" "$work/cmdline" &&
  pass "hv-vmm got the machine's network cards" ||
  { fail "hv-vmm's network cards:"; sed 's/^/#   /' "$work/cmdline"; }
[ -S "$XDG_RUNTIME_DIR/hangar/nets/default/switch.sock" ] && pass "the default network runs" ||
  fail "no switch.sock for the default network"
expect_error "start twice" "is running already" "$hvctl" start demo
expect_error "rm while running" "running: shut it down first" "$hvctl" rm demo
expect_ok "kill" "$hvctl" kill demo
list_shows '^demo +stopped' && pass "list shows demo stopped again" || fail "list does not show stopped"
expect_ok "net stop default (start started it)" "$hvctl" net stop default
expect_error "start unknown" "No machine is called .ghost" "$hvctl" start ghost

expect_ok "rm --disks" "$hvctl" rm demo --disks
[ ! -e "$store/machines/demo" ] && [ -e "$work/taken.img" ] &&
  pass "rm --disks removed the machine's own image, not the outside one" ||
  fail "rm --disks left: $(find "$store/machines")"
expect_ok "create again" "$hvctl" create --name keep --disk size=1M --network none --kernel "$ticker"
expect_ok "rm without --disks" "$hvctl" rm keep
[ -e "$store/machines/keep/disk0.img" ] && [ ! -e "$store/machines/keep/machine.conf" ] &&
  pass "rm kept the image" || fail "rm without --disks deleted the image"
expect_error "rm unknown" "No machine is called .keep" "$hvctl" rm keep

# ---- networks ----

expect_ok "net create" "$hvctl" net create lab --mode isolated
expect_ok "net create with subnet" "$hvctl" net create wan --subnet 10.0.9.0/24
"$hvctl" net list >"$work/nets"
grep -Eq '^lab +isolated +10\.0\.2\.0/24 +10\.0\.2\.100-10\.0\.2\.199' "$work/nets" &&
  grep -Eq '^wan +nat +10\.0\.9\.0/24' "$work/nets" && pass "net list" ||
  { fail "net list:"; sed 's/^/#   /' "$work/nets"; }
expect_error "net overlap" "overlaps 10.0.9.0/24 of the network .wan" \
  "$hvctl" net create other --subnet 10.0.8.0/23
expect_error "net bad CIDR" "Invalid subnet .10.0.300.0/24" \
  "$hvctl" net create other --subnet 10.0.300.0/24
expect_error "net bad mode" "Invalid network mode .bridge" "$hvctl" net create other --mode bridge
expect_error "net twice" "network called .lab. exists already" "$hvctl" net create lab
expect_error "net unknown command" "use create, list, rm" "$hvctl" net show
expect_error "net without command" "Give a command" "$hvctl" net
expect_ok "create on a network" "$hvctl" create --name onlab --network isolated:lab --kernel "$ticker"
expect_error "nat card on an isolated network" "is isolated, not nat" \
  "$hvctl" create --name wrong --network nat:lab
expect_error "net rm in use" "machine .onlab. uses the network .lab" "$hvctl" net rm lab
expect_ok "rm onlab" "$hvctl" rm onlab
expect_ok "net rm" "$hvctl" net rm lab
expect_error "net rm twice" "No network is called .lab" "$hvctl" net rm lab

finish

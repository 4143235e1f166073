#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hvctl lab create/list/show/start/stop/reset/rm/export/import against the
# real hv-vmm, hv-net and a tiny guest as the template: members are real
# copies, run, stop, get the template's bytes back on reset, and nothing is
# left behind by a refused or deleted lab; an import keeps its subnet only
# where it is free.
#
#   test-hvctl-lab.sh HVCTL HV_VMM TICKER_IMAGE HV_NET
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
  for lab in class copy other; do "$hvctl" lab stop --force "$lab" >/dev/null 2>&1; done
  for net in class copy other; do "$hvctl" net stop "$net" >/dev/null 2>&1; done
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

member_state () {
  "$hvctl" list | awk -v m="$1" '$1 == m { print $2 }'
}

# ---- the template: a tiny guest with a 64 MiB disk holding some bytes ----

expect_ok "create the template" "$hvctl" create --name tpl --memory 64M --disk size=64M \
  --network nat --kernel "$ticker" --append "console=ttyS0 quiet"
printf 'the template disk' | dd of="$store/machines/tpl/disk0.img" bs=1 seek=1048576 \
  conv=notrunc status=none

# ---- bad input changes nothing ----

expect_error "no template" "Give the template and the number of members" \
  "$hvctl" lab create class --count 3
expect_error "unknown template" "template machine .ghost. cannot be used" \
  "$hvctl" lab create class --template ghost --count 3
expect_error "too many members" "from 1 to 99 members, not 100" \
  "$hvctl" lab create class --template tpl --count 100
expect_error "bad network mode" "Invalid network mode .bridge" \
  "$hvctl" lab create class --template tpl --count 3 --network bridge
expect_error "bad lab name" "Invalid guest name .a/b" "$hvctl" lab create a/b --template tpl --count 2
expect_error "bad prefix" "prefix .a b. does not make valid machine names" \
  "$hvctl" lab create class --template tpl --count 2 --prefix "a b"
expect_error "member name taken" "machine called .tpl01. exists already" \
  sh -c "'$hvctl' create --name tpl01 --network none >/dev/null && '$hvctl' lab create class --template tpl --count 2 --prefix tpl; status=\$?; '$hvctl' rm tpl01; exit \$status"
expect_error "unknown lab" "no lab called .ghost" "$hvctl" lab start ghost
expect_error "unknown command" "Unknown .hvctl lab. command .go" "$hvctl" lab go

# ---- create ----

expect_ok "lab create" "$hvctl" lab create class --template tpl --count 3 --network isolated
grep -q 'Created the lab “class”: class-pc01 to class-pc03 on the isolated network' "$work/out" &&
  pass "create says what it made" || { fail "create said:"; sed 's/^/#   /' "$work/out"; }
conf=$store/labs/class.conf
[ "$(stat -c %a "$conf")" = 600 ] && grep -qx 'template=tpl' "$conf" && grep -qx 'count=3' "$conf" &&
  grep -qx 'prefix=class-pc' "$conf" && grep -qx 'network-mode=isolated' "$conf" &&
  grep -Eqx 'subnet=10\.0\.[0-9]+\.0/24' "$conf" && pass "the lab's definition" ||
  { fail "labs/class.conf:"; sed 's/^/#   /' "$conf"; }
grep -qx 'mode=isolated' "$store/networks/class.conf" && pass "the lab's network" ||
  fail "no isolated network class"
all_copies=true
for m in class-pc01 class-pc02 class-pc03; do
  img=$store/machines/$m/disk0.img
  cmp -s "$img" "$store/machines/tpl/disk0.img" || all_copies=false
  [ "$(stat -c %b "$img")" -lt 1024 ] || all_copies=false
  grep -qx 'network=class' "$store/machines/$m/machine.conf" || all_copies=false
  grep -qx "cmdline=console=ttyS0 quiet systemd.hostname=$m" "$store/machines/$m/machine.conf" ||
    all_copies=false
done
$all_copies && pass "members: sparse copies of the template's disk, on the lab network, hostnames" ||
  { fail "members:"; sed 's/^/#   /' "$store/machines/class-pc02/machine.conf"; }
macs=$(cat "$store"/machines/*/machine.conf | grep '^mac=' | sort -u | wc -l)
[ "$macs" -eq 4 ] && pass "four distinct MACs (template and members)" || fail "$macs distinct MACs"
expect_error "create twice" "lab called .class. exists already" \
  "$hvctl" lab create class --template tpl --count 2

"$hvctl" lab list >"$work/list"
grep -Eq '^class +tpl +isolated +10\.0\.[0-9]+\.0/24 +0 of 3 running$' "$work/list" && pass "lab list" ||
  { fail "lab list:"; sed 's/^/#   /' "$work/list"; }

# ---- start, show, stop ----

expect_ok "lab start" "$hvctl" lab start class
[ "$(member_state class-pc01)$(member_state class-pc02)$(member_state class-pc03)" = \
  runningrunningrunning ] && pass "every member runs" || { fail "states:"; "$hvctl" list | sed 's/^/#   /'; }
pid=$("$hvctl" ps | awk '$1 == "class-pc02" { print $3 }')
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "systemd.hostname=class-pc02" &&
  pass "the member's kernel gets its hostname" || fail "no hostname on class-pc02's command line"
[ -S "$XDG_RUNTIME_DIR/hangar/nets/class/switch.sock" ] && pass "the lab network runs" ||
  fail "the lab network does not run"
"$hvctl" lab show class >"$work/show"
grep -Eq '^  class-pc03 +52:54:00:[0-9a-f:]{8} +[-0-9.]+ +running$' "$work/show" &&
  grep -q 'virtual CPUs' "$work/show" && pass "lab show" ||
  { fail "lab show:"; sed 's/^/#   /' "$work/show"; }
expect_error "reset while running" "class-pc0[1-3]. is running: shut down the lab" \
  "$hvctl" lab reset class --yes
expect_error "rm while running" "is running: shut down the lab" "$hvctl" lab rm class
expect_ok "lab stop (power button)" "$hvctl" lab stop class
expect_ok "lab stop --force" "$hvctl" lab stop --force class
[ "$(member_state class-pc01)$(member_state class-pc03)" = stoppedstopped ] &&
  pass "every member stopped" || fail "members still run"

# ---- reset ----

printf 'a student was here' | dd of="$store/machines/class-pc02/disk0.img" bs=1 seek=4096 \
  conv=notrunc status=none
cmp -s "$store/machines/class-pc02/disk0.img" "$store/machines/tpl/disk0.img" &&
  fail "the member's disk did not change" || pass "a member's disk changed"
expect_error "reset without --yes and no terminal" "add --yes" "$hvctl" lab reset class
expect_ok "lab reset" "$hvctl" lab reset class --yes
cmp -s "$store/machines/class-pc02/disk0.img" "$store/machines/tpl/disk0.img" &&
  [ "$(stat -c %b "$store/machines/class-pc02/disk0.img")" -lt 1024 ] &&
  pass "reset restored the template's bytes, sparse" || fail "reset did not restore the disk"
[ -d "$store/machines/class-pc02" ] && ! ls -A "$store/machines/class-pc02" | grep -q '^\.' &&
  pass "reset left no temporary file" || fail "reset left a temporary file"

# ---- export, rm, import ----

expect_ok "lab export" "$hvctl" lab export class "$work/class.lab"
subnet=$(sed -n 's/^subnet=//p' "$conf")
expect_ok "lab rm --disks" "$hvctl" lab rm class --disks
[ ! -e "$conf" ] && [ ! -e "$store/networks/class.conf" ] && [ ! -e "$store/machines/class-pc01" ] &&
  [ -e "$store/machines/tpl/disk0.img" ] && pass "rm removed the lab, its members and network" ||
  fail "rm left: $(cd "$store" && find . | tr '\n' ' ')"
expect_ok "lab import under a new name" "$hvctl" lab import "$work/class.lab" --name copy
[ -e "$store/machines/copy-pc03/disk0.img" ] && grep -qx "subnet=$subnet" "$store/labs/copy.conf" &&
  pass "import made the same lab, named anew, on its free subnet" ||
  fail "import: $(cd "$store" && find . | tr '\n' ' ')"
expect_ok "lab import where its subnet is taken" "$hvctl" lab import "$work/class.lab" --name other
other=$(sed -n 's/^subnet=//p' "$store/labs/other.conf")
echo "$other" | grep -Eqx '10\.0\.[0-9]+\.0/24' && [ "$other" != "$subnet" ] &&
  grep -qx "subnet=$other" "$store/networks/other.conf" &&
  pass "an import whose subnet is taken gets another ($other, not $subnet)" ||
  fail "import over a taken subnet $subnet got: $other"
expect_ok "lab rm other" "$hvctl" lab rm other --disks
expect_ok "lab rm without --disks" "$hvctl" lab rm copy
[ -e "$store/machines/copy-pc01/disk0.img" ] && [ ! -e "$store/machines/copy-pc01/machine.conf" ] &&
  pass "rm kept the members' disks" || fail "rm without --disks removed the disks"
expect_error "a kept disk blocks a new member" "holds the disks of a deleted machine" \
  "$hvctl" lab import "$work/class.lab" --name copy

finish

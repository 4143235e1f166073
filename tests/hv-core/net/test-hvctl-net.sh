#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hvctl net start and stop on a network the store defines: hv-net runs in
# $XDG_RUNTIME_DIR/hangar/nets/NAME/ and answers on its control socket,
# a second start is refused, stop removes the directory. hvctl net leases
# shows the addresses guests announced in ARP (SEND_ARP plays the guests).
#
#   test-hvctl-net.sh HVCTL HV_NET SEND_ARP
set -u

hvctl=$1
export HV_NET_PATH="$2"
send_arp=$3

work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run"
export XDG_DATA_HOME="$work/data"
mkdir -m 0700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME"
dir=$XDG_RUNTIME_DIR/hangar/nets/lab
n=0
failed=0

cleanup () {
  "$hvctl" net stop lab >/dev/null 2>&1
  "$hvctl" net stop wan >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# check NAME COMMAND...: one TAP line for whether COMMAND succeeded.
check () {
  name=$1
  shift
  n=$((n + 1))
  if "$@" >"$work/out" 2>&1; then
    echo "ok $n - $name"
  else
    failed=$((failed + 1))
    echo "not ok $n - $name"
    sed 's/^/# /' "$work/out"
  fi
}

refuses () {
  ! "$@"
}

# leases_show NAME LINE: hvctl net leases NAME prints LINE (MAC, address,
# source) within a few seconds: hv-net takes a frame in when it gets to it.
leases_show () {
  for i in $(seq 50); do
    if "$hvctl" net leases "$1" >"$work/leases" 2>&1 &&
      grep -Eq "^$2\$" "$work/leases"; then
      return 0
    fi
    sleep 0.1
  done
  cat "$work/leases"
  return 1
}

no_leases () {
  "$hvctl" net leases "$1" >"$work/leases" && [ ! -s "$work/leases" ]
}

# leases_sorted NAME: the lines of hvctl net leases NAME, sorted by MAC.
leases_sorted () {
  "$hvctl" net leases "$1" >"$work/leases" && LC_ALL=C sort -c "$work/leases" &&
    [ "$(wc -l <"$work/leases")" -eq 2 ]
}

echo "1..16"
check "net create" "$hvctl" net create lab --mode isolated
check "net create nat" "$hvctl" net create wan
check "net start" "$hvctl" net start lab
check "its sockets are there" test -S "$dir/switch.sock" -a -S "$dir/control.sock"
check "a second start is refused" refuses "$hvctl" net start lab
check "a nat network starts too" "$hvctl" net start wan
check "no leases before any guest spoke" no_leases lab
check "a guest's ARP" "$send_arp" "$dir/switch.sock" 52:54:00:00:00:0b 192.168.7.2
check "another guest's ARP" "$send_arp" "$dir/switch.sock" 52:54:00:00:00:0a 192.168.7.1
check "net leases shows one" leases_show lab "52:54:00:00:00:0b +192\.168\.7\.2 +arp"
check "net leases shows the other" leases_show lab "52:54:00:00:00:0a +192\.168\.7\.1 +arp"
check "net leases sorts by MAC" leases_sorted lab
check "net leases of a stopped network is refused" refuses "$hvctl" net leases nowhere
check "net stop" "$hvctl" net stop lab
check "its directory is gone" refuses test -e "$dir"
check "stopping a stopped network is refused" refuses "$hvctl" net stop lab
[ $failed -eq 0 ]

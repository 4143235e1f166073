#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hvctl net start and stop on a network the store defines: hv-net runs in
# $XDG_RUNTIME_DIR/hangar/nets/NAME/ and answers on its control socket,
# a second start is refused, stop removes the directory.
#
#   test-hvctl-net.sh HVCTL HV_NET
set -u

hvctl=$1
export HV_NET_PATH="$2"

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

echo "1..9"
check "net create" "$hvctl" net create lab --mode isolated
check "net create nat" "$hvctl" net create wan
check "net start" "$hvctl" net start lab
check "its sockets are there" test -S "$dir/switch.sock" -a -S "$dir/control.sock"
check "a second start is refused" refuses "$hvctl" net start lab
check "a nat network starts too" "$hvctl" net start wan
check "net stop" "$hvctl" net stop lab
check "its directory is gone" refuses test -e "$dir"
check "stopping a stopped network is refused" refuses "$hvctl" net stop lab
[ $failed -eq 0 ]

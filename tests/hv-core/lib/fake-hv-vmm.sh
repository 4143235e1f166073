#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A test-only stand-in for hv-vmm, for the launcher's tests without KVM:
# it reads the same options and behaves as FAKE_VMM_MODE says.
#   ok      take the lock, say OK, then wait to be killed
#   error   say ERROR and exit 1, leaving a lock file behind
#   silent  exit 1 without a word
set -u
dir=
while [ $# -gt 0 ]; do
  case $1 in
    --no-reboot) shift ;;
    --runtime-dir) dir=$2; shift 2 ;;
    *) [ -n "${FAKE_VMM_ARGS:-}" ] && printf '%s\n' "$1" "$2" >>"$FAKE_VMM_ARGS"; shift 2 ;;
  esac
done

case ${FAKE_VMM_MODE:-ok} in
  ok)
    exec 9>"$dir/vmm.lock"
    flock -x 9
    echo OK >&3
    exec 3>&-
    exec sleep 60
    ;;
  error)
    : >"$dir/vmm.lock"
    echo "ERROR The kernel is not a kernel: say so, for users" >&3
    exit 1
    ;;
  silent)
    exit 1
    ;;
esac

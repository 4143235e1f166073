#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hvctl end to end, against the real hv-vmm and the tiny test guests:
# every error case gives one "hvctl: ..." line, a non-zero status and leaves
# nothing in the runtime directory; run/ps/pause/resume/stop/kill/console work.
#
#   test-hvctl.sh HVCTL HV_VMM TICKER_IMAGE ECHO_IMAGE
set -u

hvctl=$1
export HV_VMM_PATH="$2"
ticker=$3
echo_guest=$4

work=$(mktemp -d)
chmod 0755 "$work" # the /dev/kvm permission case runs as nobody
export XDG_RUNTIME_DIR="$work/run"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
vms=$XDG_RUNTIME_DIR/hangar/vms
bg_pid=

cleanup () {
  [ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
  # Guests a failed case left running: end them, or they outlive the test.
  for lock in "$vms"/*/vmm.lock; do
    [ -e "$lock" ] || continue
    pid=$(awk -v ino="$(stat -c %i "$lock")" '$2 == "FLOCK" && $6 ~ ":" ino "$" { print $5 }' /proc/locks)
    [ -n "$pid" ] && kill -9 $pid 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# What is in the runtime directory besides the launch lock: after a case,
# nothing more than before it.
unchanged_state () {
  find "$vms" -mindepth 1 ! -name .launch.lock 2>/dev/null
}
. "$(dirname "$0")/hvctl-test.sh"

# wait_for COMMAND...: up to 60 s for COMMAND to succeed.
wait_for () {
  i=0
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -gt 600 ] && return 1
    sleep 0.1
  done
}

# wait_bg: the status of the background run, which must end within 60 s.
wait_bg () {
  i=0
  while kill -0 "$bg_pid" 2>/dev/null && [ $i -lt 600 ]; do
    i=$((i + 1))
    sleep 0.1
  done
  kill -0 "$bg_pid" 2>/dev/null && { echo "# the background hvctl run did not end"; kill "$bg_pid"; }
  wait "$bg_pid"
  status=$?
  bg_pid=
  return $status
}

ps_shows () {
  "$hvctl" ps | grep -Eq "$1"
}

# ---- errors before anything runs ----

expect_error "kernel missing" "kernel .*nope.* cannot be read" \
  "$hvctl" run --kernel "$work/nope"

printf 'I am not a kernel\n' >"$work/text"
expect_error "not a kernel" "text.* is not a Linux kernel" \
  "$hvctl" run --kernel "$work/text"

# A bzImage header claiming boot protocol 2.00 (Linux 1.3).
head -c 65536 /dev/zero >"$work/old-bzimage"
printf '\004' | dd of="$work/old-bzimage" bs=1 seek=$((0x1f1)) conv=notrunc 2>/dev/null
printf '\125\252\353\000HdrS\000\002' | dd of="$work/old-bzimage" bs=1 seek=$((0x1fe)) conv=notrunc 2>/dev/null
expect_error "boot protocol too old" "boot protocol 2\.00, which is too old" \
  "$hvctl" run --kernel "$work/old-bzimage"

truncate -s 64M "$work/big-initrd"
expect_error "initrd bigger than RAM" "initrd .*big-initrd" \
  "$hvctl" run --kernel "$ticker" --initrd "$work/big-initrd" --memory 16M

expect_error "memory larger than the host" "this computer has only" \
  "$hvctl" run --kernel "$ticker" --memory 1T

expect_error "too many vCPUs" "at most [0-9]+ are possible" \
  "$hvctl" run --kernel "$ticker" --cpus 4096

expect_error "bad size" "Invalid size .12X" \
  "$hvctl" run --kernel "$ticker" --memory 12X

expect_error "no kernel option" "with --kernel FILE" \
  "$hvctl" run

expect_error "hv-vmm missing" "no-such-vmm.* is missing" \
  env HV_VMM_PATH="$work/no-such-vmm" "$hvctl" run --kernel "$ticker"

expect_error "unknown guest" "No running guest is called .nosuch" \
  "$hvctl" pause nosuch

# The runtime directory below a file: not a directory, whoever we are.
expect_error "runtime dir not a directory" "$work/run-file.*XDG_RUNTIME_DIR" \
  env XDG_RUNTIME_DIR="$work/run-file" sh -c ': >"$XDG_RUNTIME_DIR" && exec "$0" "$@"' \
  "$hvctl" run --kernel "$ticker"
rm -f "$work/run-file"

# Read-only: a read-only tmpfs, in a user and mount namespace of our own.
if unshare -r -m true 2>/dev/null; then
  expect_error "runtime dir read-only" "$XDG_RUNTIME_DIR.*Read-only file system" \
    unshare -r -m sh -c 'mount -t tmpfs -o ro tmpfs "$XDG_RUNTIME_DIR" && exec "$0" "$@"' \
    "$hvctl" run --kernel "$ticker"

  # No /dev/kvm: an empty /dev with only the nodes hvctl itself needs.
  expect_error "no /dev/kvm" "/dev/kvm does not exist" \
    unshare -r -m sh -c '
      mkdir "$XDG_RUNTIME_DIR/dev" && mount --rbind /dev "$XDG_RUNTIME_DIR/dev" &&
      mount -t tmpfs tmpfs /dev &&
      for n in null zero urandom; do : >/dev/$n && mount --bind "$XDG_RUNTIME_DIR/dev/$n" /dev/$n || exit 1; done &&
      umount -l "$XDG_RUNTIME_DIR/dev" && rmdir "$XDG_RUNTIME_DIR/dev" &&
      exec "$0" "$@"' "$hvctl" run --kernel "$ticker"
else
  fail "unshare -r -m is not allowed here: the read-only runtime dir and missing /dev/kvm cases cannot run"
fi

# /dev/kvm without permission: as an unprivileged user who is not in group kvm.
if [ "$(id -u)" -eq 0 ]; then
  mkdir -m 0700 "$work/nobody-run"
  chown 65534:65534 "$work/nobody-run"
  expect_error "/dev/kvm permission" "not allowed to use /dev/kvm" \
    env XDG_RUNTIME_DIR="$work/nobody-run" \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$hvctl" run --kernel "$ticker"
  if [ -n "$(find "$work/nobody-run/hangar/vms" -mindepth 1 ! -name .launch.lock)" ]; then
    fail "/dev/kvm permission: left behind in $work/nobody-run"
  fi
elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
  fail "/dev/kvm permission: needs root to drop to a user without access to /dev/kvm"
else
  expect_error "/dev/kvm permission" "not allowed to use /dev/kvm" \
    "$hvctl" run --kernel "$ticker"
fi

# ---- a running guest ----

"$hvctl" run --name t --kernel "$ticker" </dev/null >"$work/t.out" 2>"$work/t.err" &
bg_pid=$!
if wait_for ps_shows '^t +[0-9a-f-]{36} +[0-9]+ +running +1 +512M'; then
  pass "ps shows the running guest"
else
  fail "ps never showed guest t"; "$hvctl" ps | sed 's/^/#   /'; sed 's/^/#   /' "$work/t.err"
fi

expect_error "name already running" "called .t. is running already" \
  "$hvctl" run --name t --kernel "$ticker"
[ "$(find "$vms" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 1 ] &&
  pass "the refused start made no directory" || fail "the refused start left a directory"

expect_ok "pause" "$hvctl" pause t
ps_shows '^t .* paused ' && pass "ps shows paused" || fail "ps does not show paused"
expect_error "pause twice" "not running" "$hvctl" pause t
expect_ok "resume" "$hvctl" resume t
ps_shows '^t .* running ' && pass "ps shows running again" || fail "ps does not show running"
expect_ok "stop (power button, ignored by the ticker)" "$hvctl" stop t
expect_ok "kill" "$hvctl" kill t
wait_bg
status=$?
[ $status -eq 0 ] && pass "run ends with 0 when the guest is ended" ||
  { fail "run ended with $status"; sed 's/^/#   /' "$work/t.err"; }
grep -q "ticker: ready" "$work/t.out" && pass "run showed the console" || fail "run showed no console output"
[ -z "$(unchanged_state)" ] && pass "kill left nothing" || fail "kill left: $(unchanged_state)"

"$hvctl" run --name f --kernel "$ticker" </dev/null >/dev/null 2>"$work/f.err" &
bg_pid=$!
wait_for ps_shows '^f '
expect_ok "stop --force" "$hvctl" stop --force f
wait_bg
status=$?
[ $status -eq 0 ] && pass "run ends with 0 after stop --force" || fail "run ended with $status"
[ -z "$(unchanged_state)" ] && pass "stop --force left nothing" || fail "stop --force left: $(unchanged_state)"

# A hung hv-vmm (stopped): still found by name; kill ends it with SIGKILL.
"$hvctl" run --name h --kernel "$ticker" </dev/null >/dev/null 2>"$work/h.err" &
bg_pid=$!
wait_for ps_shows '^h .* running '
h_pid=$("$hvctl" ps | awk '$1 == "h" { print $3 }')
kill -STOP "$h_pid"
ps_shows "^h +[0-9a-f-]{36} +$h_pid +not answering" && pass "ps shows a hung guest" ||
  { fail "ps does not show the hung guest:"; "$hvctl" ps | sed 's/^/#   /'; }
expect_ok "kill a hung guest" "$hvctl" kill h
wait_bg
status=$?
[ $status -eq 1 ] && grep -q "^hvctl: .*ended without the guest powering off" "$work/h.err" &&
  pass "run reports the killed hypervisor process" ||
  { fail "run ended with $status:"; sed 's/^/#   /' "$work/h.err"; }
[ -z "$(unchanged_state)" ] && pass "killing a hung guest left nothing" || fail "left: $(unchanged_state)"

# ---- the console ----

# Standard input not a terminal: piped to the guest as it is. The guest
# resets its UART at start, so the keys go once it is ready.
mkfifo "$work/pipe"
"$hvctl" run --kernel "$echo_guest" --console-log "$work/console.log" \
  <"$work/pipe" >"$work/echo.out" 2>"$work/echo.err" &
bg_pid=$!
exec 8>"$work/pipe"
wait_for grep -q "echo: ready" "$work/echo.out"
printf 'abcq' >&8
exec 8>&-
wait_bg
status=$?
[ $status -eq 0 ] && pass "piped run exits 0 at power-off" ||
  { fail "piped run ended with $status"; sed 's/^/#   /' "$work/echo.err"; }
grep -q "abcq" "$work/echo.out" && grep -q "bye" "$work/echo.out" &&
  pass "piped input reached the guest" || { fail "echo output:"; sed 's/^/#   /' "$work/echo.out"; }
grep -q "echo: ready" "$work/console.log" && pass "console log written" || fail "no console log"
[ -z "$(unchanged_state)" ] && pass "power-off left nothing" || fail "power-off left: $(unchanged_state)"

# A second reader with hvctl console; it types, the guest answers, powers off.
mkfifo "$work/keys"
"$hvctl" run --name e --kernel "$echo_guest" <"$work/keys" >"$work/e.out" 2>"$work/e.err" &
bg_pid=$!
exec 7>"$work/keys" # hold the fifo open: the run's stdin stays quiet
wait_for ps_shows '^e '
wait_for grep -q "echo: ready" "$work/e.out"
# The keys come late: a console stays attached for as long as it takes.
{ sleep 3; printf 'xyq'; } | timeout 60 "$hvctl" console e >"$work/console.out" 2>"$work/console.err"
status=$?
exec 7>&-
wait_bg
bg_status=$?
[ $status -eq 0 ] && grep -q "xyq" "$work/console.out" && pass "hvctl console types and reads" ||
  { fail "console ended with $status"; sed 's/^/#   /' "$work/console.out" "$work/console.err"; }
grep -q "xyq" "$work/e.out" && pass "the other reader saw the same output" || fail "the run's console missed output"
[ $bg_status -eq 0 ] && pass "run exits 0 when the guest powers off" || fail "run ended with $bg_status"
[ -z "$(unchanged_state)" ] && pass "nothing left after the console session" || fail "left: $(unchanged_state)"

finish

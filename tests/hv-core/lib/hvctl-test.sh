# SPDX-License-Identifier: GPL-3.0-or-later
# What the hvctl test scripts share; sourced after they set $work (a
# scratch directory) and define unchanged_state, which prints what a
# refused command must leave as it was (the store, the runtime directory).
# Results are TAP lines; finish prints the plan and gives the status.

passed=0
failed=0

pass () { passed=$((passed + 1)); echo "ok - $1"; }
fail () { failed=$((failed + 1)); echo "not ok - $1"; }

# expect_error NAME REGEX COMMAND...: COMMAND fails with one "hvctl: " line
# matching REGEX on stderr and changes nothing that unchanged_state shows.
expect_error () {
  name=$1 regex=$2
  shift 2
  before=$(unchanged_state)
  timeout 60 "$@" </dev/null >"$work/out" 2>"$work/err"
  status=$?
  if [ $status -eq 0 ]; then
    fail "$name: exit status 0"
  elif [ "$(wc -l <"$work/err")" -ne 1 ] || ! grep -q '^hvctl: ' "$work/err"; then
    fail "$name: stderr is not one 'hvctl:' line:"; sed 's/^/#   /' "$work/err"
  elif ! grep -Eq -- "$regex" "$work/err"; then
    fail "$name: message does not match /$regex/:"; sed 's/^/#   /' "$work/err"
  elif [ "$(unchanged_state)" != "$before" ]; then
    fail "$name: it changed: $(unchanged_state)"
  else
    pass "$name: $(cat "$work/err")"
  fi
}

# expect_ok NAME COMMAND...: COMMAND succeeds within two minutes.
expect_ok () {
  name=$1
  shift
  if timeout 120 "$@" </dev/null >"$work/out" 2>"$work/err"; then
    pass "$name"
  else
    fail "$name: status $?"; sed 's/^/#   /' "$work/err"
  fi
}

finish () {
  echo "1..$((passed + failed))"
  echo "# $passed passed, $failed failed"
  [ $failed -eq 0 ]
}

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# cli.sh HANGAR VERSION: the command-line options work without a display.
set -eu
hangar=$1
version=$2
fail () { echo "$*" >&2; exit 1; }

out=$("$hangar" --version) || fail "hangar --version exited with status $?"
[ "$out" = "hangar $version" ] || fail "hangar --version printed '$out', expected 'hangar $version'"

out=$(LANGUAGE=C LC_ALL=C "$hangar" --help) || fail "hangar --help exited with status $?"
echo "$out" | grep -q -- '--version' || fail "hangar --help does not list --version: $out"

if "$hangar" --no-such-option >/dev/null 2>&1; then
  fail "hangar accepted an unknown option"
fi
echo "--version, --help and unknown options behave"

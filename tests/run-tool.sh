#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run-tool.sh PACKAGE PROGRAM [ARGS...]
# Runs PROGRAM, or fails saying which Debian package brings it: a test whose
# tool is absent must fail, never pass or skip silently.
package=$1
program=$2
shift 2
if ! command -v "$program" >/dev/null 2>&1; then
  echo "$program is not installed: install the Debian package '$package' (tools/dev test does)" >&2
  exit 1
fi
exec "$program" "$@"

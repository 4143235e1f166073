#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-under-xvfb.sh COMMAND [ARGS...]: runs a GUI test program under a private Xvfb.
set -euo pipefail
for need in Xvfb:xvfb dbus-daemon:dbus-daemon; do
  command -v "${need%%:*}" >/dev/null ||
    { echo "${need%%:*} is not installed: install the Debian package '${need#*:}'" >&2; exit 1; }
done
source "$(dirname "$0")/xvfb-session.sh"
xvfb_start
"$@"

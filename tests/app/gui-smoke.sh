#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# gui-smoke.sh HANGAR OUTDIR
# Starts Hangar under a real X server (Xvfb), waits for its main window to be
# mapped, keeps a screenshot in OUTDIR, checks which libraries it loaded,
# resizes it and quits it with Ctrl+Q as a user would, checks that it exited
# with status 0, then starts it again and checks that the window came back at
# the size it was left at.
set -euo pipefail
hangar=$1
outdir=$2
mkdir -p "$outdir"

for need in Xvfb:xvfb xdotool:xdotool xwd:x11-apps convert:imagemagick dbus-daemon:dbus-daemon; do
  command -v "${need%%:*}" >/dev/null ||
    { echo "${need%%:*} is not installed: install the Debian package '${need#*:}'" >&2; exit 1; }
done

source "$(dirname "$0")/xvfb-session.sh"
xvfb_start

# Settings go to a key file of this test's own, so the second start sees what
# the first one saved.
XDG_CONFIG_HOME=$(mktemp -d)
export XDG_CONFIG_HOME GSETTINGS_BACKEND=keyfile

hangar_pid=
window_id=

start_hangar () {
  "$hangar" "$@" &
  hangar_pid=$!
  window_id=$(timeout 30 xdotool search --sync --onlyvisible --name '^Hangar$' | head -n 1) || true
  if [ -z "$window_id" ]; then
    echo "the main window titled 'Hangar' was not mapped within 30 s" >&2
    kill "$hangar_pid" 2>/dev/null || true
    exit 1
  fi
  # Let the first frame reach the screen.
  sleep 1
}

quit_hangar () {
  local status=0
  # No window manager runs: give the window the focus directly, then type.
  xdotool windowfocus --sync "$window_id"
  xdotool key --clearmodifiers ctrl+q
  timeout 15 tail --pid="$hangar_pid" -f /dev/null ||
    { echo "Hangar did not quit within 15 s of Ctrl+Q" >&2; exit 1; }
  wait "$hangar_pid" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "Hangar exited with status $status" >&2
    exit 1
  fi
}

window_size () {
  xdotool getwindowgeometry "$window_id" | sed -n 's/.*Geometry: //p'
}

# A libvirt connection, for this run only: its spinner shows while it connects.
start_hangar --connect test:///default
xwd -root -silent | convert xwd:- "$outdir/main-window.png"

# The consoles, libosinfo and librsvg (which draws SVG icons) are loaded only
# when needed; the libvirt module, once the connection is added.
maps=/proc/$hangar_pid/maps
for lib in libspice-client-glib libvte libosinfo librsvg; do
  if grep -q "/$lib" "$maps"; then
    echo "Hangar loaded $lib at start-up:" >&2
    grep -o "/[^ ]*$lib[^ ]*" "$maps" | sort -u >&2
    exit 1
  fi
done
grep -q '/hangar-libvirt\.so' "$maps" ||
  { echo "the libvirt module was not loaded for --connect test:///default" >&2; exit 1; }

# The window must show something: a blank or single-colour picture means nothing was drawn.
colours=$(convert "$outdir/main-window.png" -format '%k' info:)
if [ "$colours" -lt 16 ]; then
  echo "the screenshot has only $colours colours: the window drew nothing" >&2
  exit 1
fi

xdotool windowsize --sync "$window_id" 820 560
sleep 0.5
left_at=$(window_size)
quit_hangar

start_hangar
came_back_at=$(window_size)
quit_hangar
if [ "$came_back_at" != "$left_at" ]; then
  echo "the window was left at $left_at but came back at $came_back_at" >&2
  exit 1
fi
rm -rf "$XDG_CONFIG_HOME"
echo "main window shown ($colours colours, $outdir/main-window.png), size $left_at restored, clean exits"

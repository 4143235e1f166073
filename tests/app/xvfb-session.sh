# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by GUI tests: xvfb_start runs a private Xvfb and a session bus for this
# test only, torn down when the test's shell exits.

xvfb_start () {
  local displayfd_file
  displayfd_file=$(mktemp)
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$displayfd_file" &
  XVFB_PID=$!
  local i
  for i in $(seq 100); do
    [ -s "$displayfd_file" ] && break
    sleep 0.1
  done
  if [ ! -s "$displayfd_file" ]; then
    echo "Xvfb did not start within 10 s" >&2
    exit 1
  fi
  export DISPLAY=":$(head -n 1 "$displayfd_file")"
  rm -f "$displayfd_file"

  # A session bus of our own: GApplication registers its name there.
  local address_file
  address_file=$(mktemp)
  dbus-daemon --session --nofork --print-address=3 3>"$address_file" &
  DBUS_DAEMON_PID=$!
  for i in $(seq 50); do
    [ -s "$address_file" ] && break
    sleep 0.1
  done
  if [ ! -s "$address_file" ]; then
    echo "dbus-daemon did not start within 5 s" >&2
    exit 1
  fi
  DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$address_file")
  export DBUS_SESSION_BUS_ADDRESS
  rm -f "$address_file"

  export GDK_BACKEND=x11
  export GSK_RENDERER=cairo
  export NO_AT_BRIDGE=1
  export GTK_A11Y=none
  trap xvfb_stop EXIT
}

xvfb_stop () {
  [ -n "${DBUS_DAEMON_PID:-}" ] && kill "$DBUS_DAEMON_PID" 2>/dev/null
  kill "$XVFB_PID" 2>/dev/null
  wait 2>/dev/null || true
}

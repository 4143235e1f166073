# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by boot-linux.sh for --display HVCTL: hv-vmm gets a framebuffer and a SPICE
# display, the guest kernel a console on tty0 too (its built-in efifb then shows the
# kernel log), and while the guest's /init holds on (hangar_hold) `hvctl screenshot`
# saves the screen. The verdict needs efifb's messages in the guest log and text in the
# top rows of the screenshot (check-screen.py).

display_width=1024
display_height=768
display_png_name=screen.png

# console=ttyS0 stays last: it remains /dev/console, which the harness reads.
display_append() {
	append="console=tty0 $append hangar_hold=10"
}

# display_script SCRIPT XDG_RUNTIME_DIR HVCTL PNG CONSOLE_LOG: a shell script that
# runs the command in argv (hv-vmm) in the background, takes the screenshot once the
# guest's /init runs, and ends with hv-vmm's exit status.
display_script() {
	{
		echo "# Written by boot-linux.sh (--display): hv-vmm, and a screenshot."
		printf 'export XDG_RUNTIME_DIR=%q\n' "$2"
		printf '%q ' "${argv[@]}"
		printf '&\npid=$!\n'
		printf 'while kill -0 $pid 2>/dev/null && ! grep -q "HANGAR-L2: /init reached" %q 2>/dev/null; do sleep 0.5; done\n' "$5"
		printf '%q screenshot boot-linux %q || echo "boot-linux: hvctl screenshot failed" >&2\n' "$3" "$4"
		printf 'wait $pid\n'
	} >"$1"
}

# display_verdict PNG GUEST_LOG: fails (verdict_fail) unless efifb took the framebuffer
# and its console text is on the screenshot.
display_verdict() {
	grep -q 'efifb: probing for efifb' "$2" ||
		verdict_fail "the guest kernel's efifb never probed the framebuffer (no 'efifb: probing for efifb' in its log)"
	grep -q 'fb0: EFI VGA frame buffer device' "$2" ||
		verdict_fail "efifb did not register the framebuffer (no 'fb0: EFI VGA frame buffer device' in the guest log)"
	[ -s "$1" ] || verdict_fail "no screenshot: hvctl screenshot failed (see the VMM output)"
	command -v python3 >/dev/null || verdict_fail "python3 not found (it checks the screenshot): install the Debian package python3"
	screen=$(python3 "$here/check-screen.py" "$1" "$display_width" "$display_height" 2>&1) ||
		verdict_fail "the screenshot does not show the console text: $screen"
	note "screenshot: $screen"
}

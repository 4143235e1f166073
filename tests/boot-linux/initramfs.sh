# SPDX-License-Identifier: GPL-3.0-or-later
#
# Helpers to assemble an initramfs from host files (sourced by boot-linux.sh).
# The tree mirrors host paths, so dynamically linked programs run inside the
# guest with their own PT_INTERP and library search paths, no wrapper needed.

# initramfs_add_file ROOT SRC [DEST]: copy SRC (following symlinks) to
# ROOT/DEST, DEST defaulting to SRC's own absolute path.
initramfs_add_file() {
	local root=$1 src=$2 dest=${3:-$2}
	mkdir -p "$root/$(dirname "$dest")"
	cp -L "$src" "$root/$dest"
}

# initramfs_add_program ROOT PROGRAM [DEST]: the program plus every shared
# object that ldd lists for it, the dynamic loader included, at their host
# paths. Fails, naming the library, when ldd cannot resolve one.
initramfs_add_program() {
	local root=$1 prog=$2 dest=${3:-$2} out lib
	initramfs_add_file "$root" "$prog" "$dest"
	# A static executable makes ldd fail; it needs nothing more.
	out=$(LC_ALL=C ldd "$prog" 2>&1) || return 0
	if printf '%s\n' "$out" | grep -q 'not found'; then
		echo "ldd cannot resolve libraries of $prog:" >&2
		printf '%s\n' "$out" | grep 'not found' >&2
		return 1
	fi
	# Lines are "name => /path (0x...)" or "/path (0x...)" (the loader);
	# linux-vdso has no path and is skipped.
	printf "%s\n" "$out" |
		sed -n -e "s/^.*=> \(\/.*\) (0x[0-9a-f]*)$/\1/p" \
			-e "s/^[[:space:]]*\(\/.*\) (0x[0-9a-f]*)$/\1/p" |
		while IFS= read -r lib; do
			[ -e "$root/$lib" ] || initramfs_add_file "$root" "$lib" || return 1
		done
}

# initramfs_add_busybox ROOT BUSYBOX: a static busybox as /bin/busybox; the
# /init scripts make the applet links themselves.
initramfs_add_busybox() {
	initramfs_add_file "$1" "$2" /bin/busybox
	chmod 0755 "$1/bin/busybox"
}

# initramfs_pack ROOT OUTPUT: a gzip-compressed newc cpio archive of ROOT,
# every file owned by root. gzip -1: these archives are built on every run and
# unpacked once; speed matters more than size.
initramfs_pack() {
	(cd "$1" && find . -mindepth 1 -print | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$2"
}

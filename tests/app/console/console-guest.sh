# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the console tests' wrappers. console_guest_check checks what the
# console tests' guest needs (Debian's cloud kernel, a static busybox) and sets
# GUEST_KERNEL (the kernel in /boot); console_guest_build DIR then builds its
# initramfs in DIR from guest-init.sh and sets GUEST_INITRD (DIR/initrd.gz).

console_guest_need () {
  command -v "$1" >/dev/null ||
    { echo "$1 is not installed: install the Debian package '$2' (tools/dev test does)" >&2; exit 1; }
}

console_guest_check () {
  local version busybox_path
  console_guest_need busybox busybox-static
  console_guest_need cpio cpio
  GUEST_KERNEL=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$GUEST_KERNEL" ]; then
    echo "No Debian cloud kernel in /boot: install the Debian package 'linux-image-cloud-amd64'" >&2
    exit 1
  fi
  version=${GUEST_KERNEL#/boot/vmlinuz-}
  GUEST_EVDEV=/lib/modules/$version/kernel/drivers/input/evdev.ko
  if [ ! -e "$GUEST_EVDEV" ]; then
    echo "$GUEST_EVDEV is missing: reinstall the Debian package 'linux-image-$version'" >&2
    exit 1
  fi
  busybox_path=$(command -v busybox)
  if ldd "$busybox_path" >/dev/null 2>&1; then
    echo "$busybox_path is not static: install the Debian package 'busybox-static'" >&2
    exit 1
  fi
  GUEST_BUSYBOX=$busybox_path
}

console_guest_build () {
  local dir=$1 here
  here=$(dirname "${BASH_SOURCE[0]}")
  mkdir -p "$dir/root/bin"
  cp "$GUEST_BUSYBOX" "$dir/root/bin/busybox"
  cp "$here/guest-init.sh" "$dir/root/init"
  cp "$GUEST_EVDEV" "$dir/root/evdev.ko"
  chmod 0755 "$dir/root/init" "$dir/root/bin/busybox"
  (cd "$dir/root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
    gzip -1 >"$dir/initrd.gz"
  rm -rf "$dir/root"
  GUEST_INITRD=$dir/initrd.gz
}

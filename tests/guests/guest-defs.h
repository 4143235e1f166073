/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Constants shared by boot.S, the guests' C code and guest-pack. */
#pragma once

/* How the guest was entered: the first argument of guest_start (). */
#define GUEST_BOOT_PVH     1 /* info = hvm_start_info */
#define GUEST_BOOT_LINUX32 2 /* info = zero page (32-bit boot protocol, or our 16-bit setup) */
#define GUEST_BOOT_LINUX64 3 /* info = zero page (64-bit boot protocol) */

/* The image's link (and preferred load) address, and its alignment when relocated. */
#define GUEST_LINK_ADDRESS 0x100000
#define GUEST_ALIGNMENT    0x100000

/* Pages of boot_pgt: PML4, PDPT, PD for the first GiB, and two spare pages that map a
 * relocated image above it. */
#define BOOT_PGT_PAGES 5

/* The longest command line we accept (the header's cmdline_size). */
#define GUEST_CMDLINE_MAX 2047

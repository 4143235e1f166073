/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where the boot code puts things in guest physical memory. Kernels go at
 * 1 MiB or above; an ELF kernel may also place segments in low memory, but
 * not over the VMM's boot data (below BOOT_LOW_RESERVED_END) or the ACPI
 * tables (BOOT_ACPI_ADDR, BOOT_ACPI_SIZE).
 */
#pragma once

#define BOOT_GDT_ADDR         0x0500ull
#define BOOT_START_INFO_ADDR  0x6000ull /* PVH: hvm_start_info, modlist, memmap */
#define BOOT_ZERO_PAGE_ADDR   0x7000ull /* bzImage: struct boot_params */
#define BOOT_STACK_TOP        0x8ff0ull
#define BOOT_PML4_ADDR        0x9000ull
#define BOOT_PDPT_ADDR        0xa000ull
#define BOOT_PD_ADDR          0xb000ull /* four page directories: 4 GiB */
#define BOOT_CMDLINE_ADDR     0x20000ull
#define BOOT_CMDLINE_MAX      0x10000ull /* bytes, NUL included */
#define BOOT_LOW_RESERVED_END 0x30000ull
#define BOOT_EBDA_START       0x9fc00ull /* from here to 1 MiB: reserved */
#define BOOT_HIGH_START       0x100000ull
#define BOOT_ACPI_ADDR        0xe0000ull /* RSDP first, the tables after it */
#define BOOT_ACPI_SIZE        0x10000ull
#define BOOT_KERNEL_ADDR      0x1000000ull /* bzImage default: 16 MiB */

/* GDT selectors of the boot protocols (__BOOT_CS and __BOOT_DS for Linux). */
#define BOOT_CS32 0x08
#define BOOT_CS64 0x10
#define BOOT_DS   0x18

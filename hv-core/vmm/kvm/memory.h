/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Guest RAM: one anonymous mapping, shown to the guest as two regions so
 * that 3 GiB .. 4 GiB stays free for MMIO and PCI (the 32-bit hole).
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#define GUEST_MEM_HOLE_START 0xC0000000ull  /* RAM below 4 GiB ends here */
#define GUEST_MEM_HIGH_START 0x100000000ull /* the rest of RAM starts here */
#define GUEST_HUGE_PAGE      0x200000ull    /* a transparent huge page */

typedef struct
{
  uint8_t *host;      /* the mapping; NULL when not set up */
  uint64_t size;      /* total RAM in bytes */
  uint64_t low_size;  /* bytes at guest physical 0 */
  uint64_t high_size; /* bytes at GUEST_MEM_HIGH_START */
} GuestMemory;

/* Splits SIZE bytes of RAM around the hole. */
void guest_memory_layout (uint64_t size, uint64_t *low_size, uint64_t *high_size);
gboolean guest_memory_init (GuestMemory *mem, uint64_t size, GError **error);
/* Two memory slots (one if all RAM fits below the hole). */
gboolean guest_memory_register (const GuestMemory *mem, int vm_fd, GError **error);
/* Gives every page back to the kernel: the guest sees zeroed RAM again. */
void guest_memory_clear (GuestMemory *mem);
void guest_memory_fini (GuestMemory *mem);

/* The one way to turn a guest physical address into a pointer: NULL unless
 * [GPA, GPA + LEN) lies entirely inside one RAM region. */
void *guest_memory_ptr (const GuestMemory *mem, uint64_t gpa, uint64_t len);

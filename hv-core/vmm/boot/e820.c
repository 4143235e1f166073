/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "e820.h"

#include <glib.h>

#include "kvm/memory.h"
#include "layout.h"

static void
e820_add (E820Entry *out, unsigned *n, uint64_t addr, uint64_t size, uint32_t type)
{
  if (size == 0)
    return;
  out[*n] = (E820Entry){ addr, size, type };
  (*n)++;
}

unsigned
e820_build (uint64_t low_size, uint64_t high_size, E820Entry *out)
{
  unsigned n = 0;

  /* Conventional memory, then the EBDA, VGA and BIOS area that the guest
   * must not use (the ACPI tables live there), then RAM from 1 MiB. */
  e820_add (out, &n, 0, MIN (low_size, BOOT_EBDA_START), E820_TYPE_RAM);
  if (low_size > BOOT_EBDA_START)
    e820_add (out, &n, BOOT_EBDA_START, BOOT_HIGH_START - BOOT_EBDA_START, E820_TYPE_RESERVED);
  if (low_size > BOOT_HIGH_START)
    e820_add (out, &n, BOOT_HIGH_START, low_size - BOOT_HIGH_START, E820_TYPE_RAM);
  e820_add (out, &n, GUEST_MEM_HIGH_START, high_size, E820_TYPE_RAM);
  return n;
}

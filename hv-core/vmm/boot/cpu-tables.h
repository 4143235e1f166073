/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GDT and identity page tables that a kernel entry expects in place. */
#pragma once

#include <glib.h>

#include "kvm/memory.h"

/* Flat 32-bit code, 64-bit code and data descriptors at BOOT_GDT_ADDR
 * (selectors BOOT_CS32, BOOT_CS64, BOOT_DS), and page tables at
 * BOOT_PML4_ADDR mapping the first 4 GiB one to one with 2 MiB pages. */
gboolean cpu_tables_write (GuestMemory *mem, GError **error);

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bzImage kernels through the 64-bit boot protocol (2.12 and later). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot.h"

#define BZIMAGE_MIN_VERSION 0x020c

typedef struct
{
  uint16_t version;
  size_t setup_size;    /* file bytes before the protected-mode kernel */
  size_t header_len;    /* bytes of setup header from offset 0x1f1 */
  uint64_t load_addr;   /* where the protected-mode kernel goes */
  uint64_t init_size;   /* bytes the kernel needs from load_addr on */
  uint64_t initrd_max;  /* highest address an initrd byte may have */
  uint32_t cmdline_max; /* command line bytes, NUL excluded */
} BzImageInfo;

/* TRUE if DATA carries a setup header at all (magic and boot flag). */
bool bzimage_probe (const uint8_t *data, size_t len);
/* Checks the header; NAME only appears in error messages. */
gboolean bzimage_parse (const uint8_t *data, size_t len, const char *name, BzImageInfo *info,
                        GError **error);
/* Copies the kernel to load_addr and fills the zero page and page tables. */
gboolean bzimage_load (const uint8_t *data, size_t len, const BzImageInfo *info,
                       const BootInfo *boot, GuestMemory *mem, BootEntry *entry, GError **error);

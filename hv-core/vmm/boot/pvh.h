/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ELF kernels with a PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot.h"

#define PVH_MAX_SEGMENTS      16
#define PVH_NOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC       0x336ec578u
#define HVM_MEMMAP_TYPE_RAM   1

/* The PVH boot ABI's structures, as the guest reads them. */
typedef struct
{
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;
  uint64_t cmdline_paddr;
  uint64_t rsdp_paddr;
  uint64_t memmap_paddr; /* version 1 */
  uint32_t memmap_entries;
  uint32_t reserved;
} HvmStartInfo;

typedef struct
{
  uint64_t paddr;
  uint64_t size;
  uint64_t cmdline_paddr;
  uint64_t reserved;
} HvmModlistEntry;

typedef struct
{
  uint64_t addr;
  uint64_t size;
  uint32_t type;
  uint32_t reserved;
} HvmMemmapEntry;

typedef struct
{
  uint64_t offset; /* in the file */
  uint64_t paddr;
  uint64_t filesz;
  uint64_t memsz;
} PvhSegment;

typedef struct
{
  uint32_t entry;
  unsigned n_segments;
  PvhSegment segments[PVH_MAX_SEGMENTS];
  uint64_t end; /* first byte above every segment */
} PvhImage;

bool pvh_probe (const uint8_t *data, size_t len);
/* Checks the ELF file, that every segment lies below RAM_END and clear of
 * the VMM's boot data (boot/layout.h). */
gboolean pvh_parse (const uint8_t *data, size_t len, const char *name, uint64_t ram_end,
                    PvhImage *image, GError **error);
/* Copies the segments and writes hvm_start_info with its tables. */
gboolean pvh_load (const uint8_t *data, size_t len, const PvhImage *image, const BootInfo *boot,
                   GuestMemory *mem, BootEntry *entry, GError **error);

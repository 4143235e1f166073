/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Loading a Linux kernel, its initrd and command line into guest memory,
 * the way a boot loader would, and the register state to enter it with.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "e820.h"
#include "kvm/memory.h"

/* How vCPU 0 enters the kernel. */
typedef struct
{
  bool long_mode; /* 64-bit with identity paging; else 32-bit, paging off */
  uint64_t rip;
  uint64_t rsi; /* bzImage: the zero page */
  uint64_t rbx; /* PVH: hvm_start_info */
} BootEntry;

/* What the protocol-specific code hands to the kernel; all addresses are
 * guest physical and already written. */
typedef struct
{
  uint64_t cmdline_addr;
  uint64_t cmdline_len; /* without the NUL */
  uint64_t initrd_addr;
  uint64_t initrd_size; /* 0: none */
  uint64_t rsdp_addr;
  E820Entry e820[E820_MAX_ENTRIES];
  unsigned n_e820;
} BootInfo;

typedef struct boot_loader BootLoader;

/* Reads and checks the kernel (and the initrd's size) now, so that start-up
 * errors come before the guest exists. */
BootLoader *boot_loader_new (const char *kernel_path, const char *initrd_path, const char *cmdline,
                             uint64_t memory_size, GError **error);
void boot_loader_free (BootLoader *loader);
/* Writes kernel, initrd, command line, boot structures and page tables into
 * MEM (whose ACPI tables at RSDP_ADDR are already in place). Used at every
 * (re)boot. */
gboolean boot_loader_load (BootLoader *loader, GuestMemory *mem, uint64_t rsdp_addr,
                           BootEntry *entry, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootLoader, boot_loader_free)

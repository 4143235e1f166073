/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MSI-X (PCI 3.0, 6.8.2) for one function: the capability, the vector
 * table and pending bits in a BAR, masking. Delivery is the owner's: FIRE
 * sends a vector (an irqfd write in hv-vmm), ROUTE hears that a vector's
 * address or data changed (to update the KVM GSI route).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define MSIX_MAX_VECTORS 64
#define MSIX_ENTRY_SIZE  16

typedef struct
{
  void (*fire) (void *opaque, unsigned vector);
  void (*route) (void *opaque, unsigned vector, uint64_t addr, uint32_t data);
  void *opaque;
} MsixSink;

typedef struct
{
  PciDevice *dev;
  unsigned cap; /* offset of the capability */
  unsigned n_vectors;
  MsixSink sink;
  GMutex lock;
  uint32_t table[MSIX_MAX_VECTORS][4]; /* address lo, hi, data, control */
  uint64_t pending;
  bool enabled, function_masked;
} Msix;

/* Adds the capability to DEV: the table at TABLE_OFFSET and the pending
 * bits at PBA_OFFSET of BAR. */
void msix_init (Msix *msix, PciDevice *dev, unsigned n_vectors, unsigned bar, uint32_t table_offset,
                uint32_t pba_offset, const MsixSink *sink);
void msix_clear (Msix *msix);
void msix_reset (Msix *msix);
/* From PciDevice.config_written. */
void msix_config_written (Msix *msix, unsigned offset, unsigned size);
bool msix_enabled (Msix *msix);
/* Sends VECTOR, or keeps it pending while masked. Any thread. */
void msix_notify (Msix *msix, unsigned vector);

/* BAR accesses, relative to the table or the pending bits. */
uint64_t msix_table_read (Msix *msix, uint64_t offset, unsigned size);
void msix_table_write (Msix *msix, uint64_t offset, uint64_t value, unsigned size);
uint64_t msix_pba_read (Msix *msix, uint64_t offset, unsigned size);

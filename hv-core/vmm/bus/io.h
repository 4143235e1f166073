/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One dispatch table for every guest access that leaves KVM: port I/O and
 * MMIO. Devices register ranges once at start-up; vCPU threads look them up.
 * An access that hits no device reads as all ones and writes are dropped,
 * as on a real bus with nothing decoding the address.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum
{
  IO_SPACE_PIO,
  IO_SPACE_MMIO,
} IoSpace;

/* OFFSET is relative to the registered base; SIZE is 1, 2, 4 or 8 and the
 * access lies entirely inside the range. */
typedef struct
{
  uint64_t (*read) (void *opaque, uint64_t offset, unsigned size);
  void (*write) (void *opaque, uint64_t offset, uint64_t value, unsigned size);
} IoOps;

/* How a device raises an interrupt line (KVM_IRQ_LINE in the VMM, a
 * recorder in unit tests). */
typedef struct
{
  void (*set_level) (void *opaque, unsigned irq, int level);
  void *opaque;
} IrqLine;

typedef struct io_bus IoBus;

IoBus *io_bus_new (void);
void io_bus_free (IoBus *bus);
/* Fails if the range is empty, wraps, or overlaps one already registered. */
gboolean io_bus_register (IoBus *bus, IoSpace space, uint64_t base, uint64_t len, const IoOps *ops,
                          void *opaque, GError **error);
/* DATA holds SIZE bytes, little-endian: read into on reads, taken from on
 * writes. SIZE outside 1..8 is treated as an unassigned access. */
void io_bus_access (IoBus *bus, IoSpace space, uint64_t addr, uint8_t *data, unsigned size,
                    bool is_write);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IoBus, io_bus_free)

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "io.h"

#include <string.h>

#include "vmm.h"

typedef struct
{
  uint64_t base;
  uint64_t len;
  const IoOps *ops;
  void *opaque;
} IoRange;

struct io_bus
{
  /* Sorted by base, never overlapping; one array per address space. */
  GArray *ranges[2];
  /* Readers are vCPU threads; writers only register devices. */
  GRWLock lock;
};

IoBus *
io_bus_new (void)
{
  IoBus *bus = g_new0 (IoBus, 1);

  for (unsigned i = 0; i < G_N_ELEMENTS (bus->ranges); i++)
    bus->ranges[i] = g_array_new (FALSE, FALSE, sizeof (IoRange));
  g_rw_lock_init (&bus->lock);
  return bus;
}

void
io_bus_free (IoBus *bus)
{
  if (bus == NULL)
    return;
  for (unsigned i = 0; i < G_N_ELEMENTS (bus->ranges); i++)
    g_array_unref (bus->ranges[i]);
  g_rw_lock_clear (&bus->lock);
  g_free (bus);
}

/* Index of the first range whose end lies above ADDR. */
static guint
io_bus_lower_bound (GArray *ranges, uint64_t addr)
{
  guint lo = 0;
  guint hi = ranges->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const IoRange *r = &g_array_index (ranges, IoRange, mid);

      if (r->base + r->len <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gboolean
io_bus_register (IoBus *bus, IoSpace space, uint64_t base, uint64_t len, const IoOps *ops,
                 void *opaque, GError **error)
{
  GArray *ranges = bus->ranges[space];
  IoRange range = { base, len, ops, opaque };
  guint pos;

  if (len == 0 || base + len < base)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   "I/O range %#" G_GINT64_MODIFIER "x+%#" G_GINT64_MODIFIER "x is invalid", base,
                   len);
      return FALSE;
    }

  g_rw_lock_writer_lock (&bus->lock);
  pos = io_bus_lower_bound (ranges, base);
  if (pos < ranges->len && g_array_index (ranges, IoRange, pos).base < base + len)
    {
      g_rw_lock_writer_unlock (&bus->lock);
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   "I/O range %#" G_GINT64_MODIFIER "x+%#" G_GINT64_MODIFIER
                   "x overlaps another device",
                   base, len);
      return FALSE;
    }
  g_array_insert_val (ranges, pos, range);
  g_rw_lock_writer_unlock (&bus->lock);
  return TRUE;
}

static uint64_t
io_bytes_to_value (const uint8_t *data, unsigned size)
{
  uint64_t value = 0;

  for (unsigned i = 0; i < size; i++)
    value |= (uint64_t) data[i] << (8 * i);
  return value;
}

static void
io_value_to_bytes (uint64_t value, uint8_t *data, unsigned size)
{
  for (unsigned i = 0; i < size; i++)
    data[i] = value >> (8 * i);
}

void
io_bus_access (IoBus *bus, IoSpace space, uint64_t addr, uint8_t *data, unsigned size,
               bool is_write)
{
  GArray *ranges = bus->ranges[space];
  const IoRange *hit = NULL;
  guint pos;

  if (size == 0 || size > 8)
    return;

  g_rw_lock_reader_lock (&bus->lock);
  pos = io_bus_lower_bound (ranges, addr);
  if (pos < ranges->len)
    {
      const IoRange *r = &g_array_index (ranges, IoRange, pos);

      /* The whole access must fall inside one device's range. */
      if (addr >= r->base && addr - r->base + size <= r->len)
        hit = r;
    }

  if (hit == NULL)
    {
      if (!is_write)
        memset (data, 0xff, size);
    }
  else if (is_write)
    {
      if (hit->ops->write != NULL)
        hit->ops->write (hit->opaque, addr - hit->base, io_bytes_to_value (data, size), size);
    }
  else
    {
      uint64_t value = hit->ops->read != NULL ? hit->ops->read (hit->opaque, addr - hit->base, size)
                                              : UINT64_MAX;

      io_value_to_bytes (value, data, size);
    }
  g_rw_lock_reader_unlock (&bus->lock);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vq-driver.h"

#include <glib.h>
#include <string.h>

void
vq_driver_init (VqDriver *d, uint64_t mem_size, uint16_t size, bool indirect, bool event_idx)
{
  memset (d, 0, sizeof *d);
  d->mem.host = g_malloc0 (mem_size);
  d->mem.size = d->mem.low_size = mem_size;
  d->size = size;
  /* Page 0 stays unused, so that a zero address is never a valid ring. */
  d->heap = 4096;
  d->desc_gpa = vq_driver_alloc (d, 16ull * size, 16);
  d->avail_gpa = vq_driver_alloc (d, 6 + 2ull * size, 2);
  d->used_gpa = vq_driver_alloc (d, 6 + 8ull * size, 4);
  vq_reset (&d->vq, &d->mem, size);
  d->vq.desc_gpa = d->desc_gpa;
  d->vq.avail_gpa = d->avail_gpa;
  d->vq.used_gpa = d->used_gpa;
  d->vq.indirect = indirect;
  d->vq.event_idx = event_idx;
  g_assert_true (vq_start (&d->vq));
}

void
vq_driver_fini (VqDriver *d)
{
  g_free (d->mem.host);
  memset (d, 0, sizeof *d);
}

uint64_t
vq_driver_alloc (VqDriver *d, uint64_t len, uint64_t align)
{
  uint64_t gpa = (d->heap + align - 1) & ~(align - 1);

  g_assert_cmpuint (gpa + len, <=, d->mem.size);
  d->heap = gpa + len;
  return gpa;
}

void *
vq_driver_host (VqDriver *d, uint64_t gpa)
{
  return d->mem.host + gpa;
}

void
vq_driver_set_desc (VqDriver *d, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
                    uint16_t flags, uint16_t next)
{
  uint8_t *p = vq_driver_host (d, (table != 0 ? table : d->desc_gpa) + 16ull * i);

  memcpy (p, &addr, 8);
  memcpy (p + 8, &len, 4);
  memcpy (p + 12, &flags, 2);
  memcpy (p + 14, &next, 2);
}

static uint16_t *
vq_driver_word (VqDriver *d, uint64_t gpa)
{
  return vq_driver_host (d, gpa);
}

void
vq_driver_publish (VqDriver *d, uint16_t head)
{
  *vq_driver_word (d, d->avail_gpa + 4 + 2ull * (d->avail_idx % d->size)) = head;
  d->avail_idx++;
  __atomic_store_n (vq_driver_word (d, d->avail_gpa + 2), d->avail_idx, __ATOMIC_RELEASE);
}

void
vq_driver_set_avail_idx (VqDriver *d, uint16_t idx)
{
  d->avail_idx = idx;
  *vq_driver_word (d, d->avail_gpa + 2) = idx;
}

uint16_t
vq_driver_used_idx (VqDriver *d)
{
  return __atomic_load_n (vq_driver_word (d, d->used_gpa + 2), __ATOMIC_ACQUIRE);
}

bool
vq_driver_get_used (VqDriver *d, uint32_t *id, uint32_t *len)
{
  const uint8_t *elem;

  if (vq_driver_used_idx (d) == d->last_used)
    return false;
  elem = vq_driver_host (d, d->used_gpa + 4 + 8ull * (d->last_used % d->size));
  memcpy (id, elem, 4);
  memcpy (len, elem + 4, 4);
  d->last_used++;
  return true;
}

void
vq_driver_set_used_event (VqDriver *d, uint16_t value)
{
  *vq_driver_word (d, d->avail_gpa + 4 + 2ull * d->size) = value;
}

uint16_t
vq_driver_avail_event (VqDriver *d)
{
  return *vq_driver_word (d, d->used_gpa + 4 + 8ull * d->size);
}

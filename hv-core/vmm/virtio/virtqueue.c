/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "virtqueue.h"

#include <string.h>

typedef struct __attribute__ ((packed))
{
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
} VirtqDesc;

typedef struct __attribute__ ((packed))
{
  uint32_t id;
  uint32_t len;
} VirtqUsedElem;

/* Ring layouts (2.7.6 and 2.7.8): flags, idx, ring[size], then the event
 * word of the other side. */
#define AVAIL_FLAGS      0
#define AVAIL_IDX        2
#define AVAIL_RING       4
#define USED_FLAGS       0
#define USED_IDX         2
#define USED_RING        4
#define INDIRECT_MAX_LEN (VQ_MAX_SEGS * sizeof (VirtqDesc))

static uint64_t
vq_avail_bytes (uint16_t size)
{
  return 4 + 2ull * size + 2;
}

static uint64_t
vq_used_bytes (uint16_t size)
{
  return 4 + 8ull * size + 2;
}

/* Always false, so that callers can return it. */
static bool
vq_fail (Virtqueue *vq, const char *why)
{
  if (!vq->broken)
    vq->error = why;
  vq->broken = true;
  return false;
}

void
vq_reset (Virtqueue *vq, const GuestMemory *mem, uint16_t size)
{
  memset (vq, 0, sizeof *vq);
  vq->mem = mem;
  vq->size = size;
}

bool
vq_start (Virtqueue *vq)
{
  if (vq->size == 0 || (vq->size & (vq->size - 1)) != 0 || vq->size > VQ_MAX_SIZE)
    {
      vq_fail (vq, "queue size is not a power of two");
      return false;
    }
  /* Alignment from 2.7: 16 for descriptors, 2 for avail, 4 for used. */
  if ((vq->desc_gpa & 15) != 0 || (vq->avail_gpa & 1) != 0 || (vq->used_gpa & 3) != 0)
    {
      vq_fail (vq, "ring address misaligned");
      return false;
    }
  vq->desc = guest_memory_ptr (vq->mem, vq->desc_gpa, 16ull * vq->size);
  vq->avail = guest_memory_ptr (vq->mem, vq->avail_gpa, vq_avail_bytes (vq->size));
  vq->used = guest_memory_ptr (vq->mem, vq->used_gpa, vq_used_bytes (vq->size));
  if (vq->desc == NULL || vq->avail == NULL || vq->used == NULL)
    {
      vq_fail (vq, "ring outside guest RAM");
      return false;
    }
  vq->ready = true;
  return true;
}

/* The driver writes these words concurrently: single, atomic accesses. */
static uint16_t
vq_load16 (const void *base, uint64_t offset, int order)
{
  return __atomic_load_n ((const uint16_t *) ((const uint8_t *) base + offset), order);
}

static void
vq_store16 (void *base, uint64_t offset, uint16_t value, int order)
{
  __atomic_store_n ((uint16_t *) ((uint8_t *) base + offset), value, order);
}

typedef struct
{
  VqChain *chain;
  unsigned visited; /* descriptors seen, to stop loops */
  bool in_seen;
} VqWalk;

/* Guests hand over big buffers page by page, mostly in order: a buffer
 * that continues the last segment extends it, which makes one system call
 * move it as a whole. */
static bool
vq_merge_segment (VqChain *c, uint8_t *host, uint32_t len, bool writable)
{
  unsigned n = writable ? c->n_in : c->n_out;
  struct iovec *last;

  /* Readable segments all come first: the last one has this direction. */
  if (n == 0)
    return false;
  last = &c->iov[c->n_out + c->n_in - 1];
  if ((uint8_t *) last->iov_base + last->iov_len != host)
    return false;
  last->iov_len += len;
  if (writable)
    c->in_len += len;
  else
    c->out_len += len;
  return true;
}

static bool
vq_add_segment (Virtqueue *vq, VqWalk *w, const VirtqDesc *d)
{
  VqChain *c = w->chain;
  bool writable = (d->flags & VIRTQ_DESC_F_WRITE) != 0;
  uint8_t *host;

  if (!writable && w->in_seen)
    {
      vq_fail (vq, "readable descriptor after a writable one");
      return false;
    }
  w->in_seen |= writable;
  host = guest_memory_ptr (vq->mem, d->addr, d->len);
  if (host == NULL)
    {
      vq_fail (vq, "buffer outside guest RAM");
      return false;
    }
  if (d->len == 0)
    return true;
  if (vq_merge_segment (c, host, d->len, writable))
    return true;
  if (c->n_out + c->n_in >= VQ_MAX_SEGS)
    {
      vq_fail (vq, "chain has too many segments");
      return false;
    }
  c->iov[c->n_out + c->n_in] = (struct iovec){ host, d->len };
  if (writable)
    {
      c->n_in++;
      c->in_len += d->len;
    }
  else
    {
      c->n_out++;
      c->out_len += d->len;
    }
  return true;
}

/* Follows the chain through TABLE (N entries) from FIRST. */
static bool vq_walk_table (Virtqueue *vq, VqWalk *w, const VirtqDesc *table, uint32_t n,
                           uint16_t first, bool nested);

static bool
vq_walk_indirect (Virtqueue *vq, VqWalk *w, const VirtqDesc *d)
{
  const VirtqDesc *table;

  if (!vq->indirect)
    return vq_fail (vq, "indirect descriptor not negotiated");
  if ((d->flags & VIRTQ_DESC_F_NEXT) != 0)
    return vq_fail (vq, "indirect descriptor with NEXT");
  if (d->len == 0 || d->len % sizeof (VirtqDesc) != 0 || d->len > INDIRECT_MAX_LEN)
    return vq_fail (vq, "bad indirect table length");
  if ((d->addr & 15) != 0)
    return vq_fail (vq, "indirect table misaligned");
  table = guest_memory_ptr (vq->mem, d->addr, d->len);
  if (table == NULL)
    return vq_fail (vq, "indirect table outside guest RAM");
  return vq_walk_table (vq, w, table, d->len / sizeof (VirtqDesc), 0, true);
}

static bool
vq_walk_table (Virtqueue *vq, VqWalk *w, const VirtqDesc *table, uint32_t n, uint16_t first,
               bool nested)
{
  unsigned limit = w->visited + n;
  uint16_t i = first;

  for (;;)
    {
      VirtqDesc d;

      if (i >= n)
        return vq_fail (vq, "descriptor index out of range");
      if (w->visited++ >= limit)
        return vq_fail (vq, "descriptor chain loops");
      /* One copy: the driver may change the entry while we look at it. */
      memcpy (&d, &table[i], sizeof d);
      if ((d.flags & VIRTQ_DESC_F_INDIRECT) != 0)
        {
          if (nested)
            return vq_fail (vq, "indirect descriptor inside an indirect table");
          return vq_walk_indirect (vq, w, &d);
        }
      if (!vq_add_segment (vq, w, &d))
        return false;
      if ((d.flags & VIRTQ_DESC_F_NEXT) == 0)
        return true;
      i = d.next;
    }
}

VqPopResult
vq_pop (Virtqueue *vq, VqChain *chain)
{
  uint16_t avail_idx;
  uint16_t head;
  VqWalk w = { chain, 0, false };

  if (!vq->ready || vq->broken)
    return vq->broken ? VQ_POP_ERROR : VQ_POP_EMPTY;
  /* Acquire: the ring entry and the descriptors are read after idx. */
  avail_idx = vq_load16 (vq->avail, AVAIL_IDX, __ATOMIC_ACQUIRE);
  if (avail_idx == vq->last_avail)
    return VQ_POP_EMPTY;
  if ((uint16_t) (avail_idx - vq->last_avail) > vq->size)
    {
      vq_fail (vq, "avail index moved by more than the queue size");
      return VQ_POP_ERROR;
    }
  head = vq_load16 (vq->avail, AVAIL_RING + 2ull * (vq->last_avail % vq->size), __ATOMIC_RELAXED);
  chain->head = head;
  chain->n_out = chain->n_in = 0;
  chain->out_len = chain->in_len = 0;
  if (!vq_walk_table (vq, &w, vq->desc, vq->size, head, false))
    return VQ_POP_ERROR;
  vq->last_avail++;
  return VQ_POP_OK;
}

void
vq_push (Virtqueue *vq, uint16_t head, uint32_t len)
{
  VirtqUsedElem elem = { head, len };
  uint8_t *ring = (uint8_t *) vq->used + USED_RING;

  if (!vq->ready)
    return;
  memcpy (ring + 8ull * (vq->used_idx % vq->size), &elem, sizeof elem);
  vq->used_idx++;
  /* Release: the element is visible before the index that publishes it. */
  vq_store16 (vq->used, USED_IDX, vq->used_idx, __ATOMIC_RELEASE);
}

/* 2.7.10: has NEW_IDX passed EVENT since OLD_IDX? */
static bool
vq_need_event (uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
  return (uint16_t) (new_idx - event - 1) < (uint16_t) (new_idx - old_idx);
}

bool
vq_should_notify (Virtqueue *vq)
{
  uint16_t old = vq->signalled;
  bool valid = vq->signalled_valid;

  if (!vq->ready)
    return false;
  /* The used index store must be seen before we read the driver's wish. */
  __atomic_thread_fence (__ATOMIC_SEQ_CST);
  if (!vq->event_idx)
    return (vq_load16 (vq->avail, AVAIL_FLAGS, __ATOMIC_RELAXED) & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
  vq->signalled = vq->used_idx;
  vq->signalled_valid = true;
  if (!valid)
    return true;
  return vq_need_event (vq_load16 (vq->avail, AVAIL_RING + 2ull * vq->size, __ATOMIC_RELAXED),
                        vq->used_idx, old);
}

bool
vq_enable_notify (Virtqueue *vq)
{
  if (!vq->ready || vq->broken)
    return false;
  if (vq->event_idx)
    vq_store16 (vq->used, USED_RING + 8ull * vq->size, vq->last_avail, __ATOMIC_RELAXED);
  __atomic_thread_fence (__ATOMIC_SEQ_CST);
  return vq_load16 (vq->avail, AVAIL_IDX, __ATOMIC_ACQUIRE) != vq->last_avail;
}

int
vq_chain_slice (const VqChain *chain, bool in, uint64_t offset, uint64_t len, struct iovec *segs,
                int max)
{
  const struct iovec *iov = chain->iov + (in ? chain->n_out : 0);
  unsigned n = in ? chain->n_in : chain->n_out;
  int count = 0;

  for (unsigned i = 0; i < n && len > 0; i++)
    {
      uint64_t take;

      if (offset >= iov[i].iov_len)
        {
          offset -= iov[i].iov_len;
          continue;
        }
      if (count == max)
        return -1;
      take = MIN (len, iov[i].iov_len - offset);
      segs[count++] = (struct iovec){ (uint8_t *) iov[i].iov_base + offset, take };
      len -= take;
      offset = 0;
    }
  return len == 0 ? count : -1;
}

static bool
vq_chain_copy (const VqChain *chain, bool in, uint64_t offset, void *buf, uint64_t len)
{
  struct iovec segs[16];
  uint8_t *p = buf;
  int n = vq_chain_slice (chain, in, offset, len, segs, G_N_ELEMENTS (segs));

  if (n < 0)
    return false;
  for (int i = 0; i < n; i++)
    {
      if (in)
        memcpy (segs[i].iov_base, p, segs[i].iov_len);
      else
        memcpy (p, segs[i].iov_base, segs[i].iov_len);
      p += segs[i].iov_len;
    }
  return true;
}

bool
vq_chain_read (const VqChain *chain, uint64_t offset, void *buf, uint64_t len)
{
  return vq_chain_copy (chain, false, offset, buf, len);
}

bool
vq_chain_write (const VqChain *chain, uint64_t offset, const void *buf, uint64_t len)
{
  return vq_chain_copy (chain, true, offset, (void *) buf, len);
}

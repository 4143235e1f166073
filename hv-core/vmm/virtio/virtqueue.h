/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The split virtqueue (virtio 1.x, 2.7), the one implementation every
 * virtio device uses. The rings and every buffer live in guest RAM and are
 * written by an untrusted driver: each address, length, index and chain is
 * checked, and guest memory is only reached through guest_memory_ptr(). A
 * queue the driver corrupted is marked broken; the device then sets
 * NEEDS_RESET and ignores the queue until the driver resets it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "kvm/memory.h"

#define VQ_MAX_SIZE 1024 /* the largest queue a device offers */
/* Segments of one chain, indirect tables included: more is an error. */
#define VQ_MAX_SEGS VQ_MAX_SIZE

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

typedef struct
{
  const GuestMemory *mem;
  uint16_t size; /* entries, a power of two */
  uint64_t desc_gpa, avail_gpa, used_gpa;
  bool indirect;  /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
  bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
  bool ready;     /* the driver enabled the queue */
  bool broken;    /* the driver broke the rules; see error */
  const char *error;

  /* Host pointers into guest RAM, set by vq_start(). */
  void *desc;
  void *avail;
  void *used;

  uint16_t last_avail; /* next avail entry to take */
  uint16_t used_idx;   /* next used entry to fill */
  uint16_t signalled;  /* used_idx at the last interrupt */
  bool signalled_valid;
} Virtqueue;

/* One descriptor chain: readable segments first, then writable ones. */
typedef struct
{
  uint16_t head;
  unsigned n_out; /* readable (device reads) */
  unsigned n_in;  /* writable (device writes) */
  uint64_t out_len, in_len;
  struct iovec iov[VQ_MAX_SEGS];
} VqChain;

typedef enum
{
  VQ_POP_EMPTY,
  VQ_POP_OK,
  VQ_POP_ERROR, /* the queue is now broken */
} VqPopResult;

/* Back to the reset state (not ready, no addresses). */
void vq_reset (Virtqueue *vq, const GuestMemory *mem, uint16_t size);
/* Checks the ring addresses the driver wrote and maps the rings; false
 * (and broken) if they are misaligned or outside RAM. */
bool vq_start (Virtqueue *vq);
/* Takes the next available chain. */
VqPopResult vq_pop (Virtqueue *vq, VqChain *chain);
/* Returns a chain to the driver, LEN bytes written into it. */
void vq_push (Virtqueue *vq, uint16_t head, uint32_t len);
/* After pushes: does the driver want an interrupt now? */
bool vq_should_notify (Virtqueue *vq);
/* Tells the driver which avail index the device waits for (event index),
 * then reports whether more chains came in meanwhile. */
bool vq_enable_notify (Virtqueue *vq);

/* Gathers LEN bytes at OFFSET of the chain's readable part into BUF;
 * false if it is shorter. */
bool vq_chain_read (const VqChain *chain, uint64_t offset, void *buf, uint64_t len);
/* Scatters LEN bytes of BUF at OFFSET of the writable part. */
bool vq_chain_write (const VqChain *chain, uint64_t offset, const void *buf, uint64_t len);
/* Fills SEGS with the slice [OFFSET, OFFSET + LEN) of the readable (IN
 * false) or writable (IN true) part; returns the segment count, or -1 if
 * the part is shorter or more than MAX segments are needed. */
int vq_chain_slice (const VqChain *chain, bool in, uint64_t offset, uint64_t len,
                    struct iovec *segs, int max);

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A synthetic virtio driver for tests, fuzzers and benchmarks: guest RAM
 * in a plain allocation, one split queue laid out in it, and helpers that
 * do what a guest driver does (fill descriptors, publish, reap used).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "virtio/virtqueue.h"

typedef struct
{
  GuestMemory mem;
  Virtqueue vq; /* the device's side */
  uint16_t size;
  uint64_t desc_gpa, avail_gpa, used_gpa;
  uint16_t avail_idx; /* the driver's next avail index */
  uint16_t last_used;
  uint64_t heap; /* bump allocator for buffers, from after the rings */
} VqDriver;

/* MEM_SIZE bytes of RAM at guest address 0; the queue is started. */
void vq_driver_init (VqDriver *d, uint64_t mem_size, uint16_t size, bool indirect, bool event_idx);
void vq_driver_fini (VqDriver *d);
/* Guest memory for buffers; aborts when RAM runs out. */
uint64_t vq_driver_alloc (VqDriver *d, uint64_t len, uint64_t align);
void *vq_driver_host (VqDriver *d, uint64_t gpa);
/* Writes descriptor I of the ring (or of TABLE, a guest address, if not 0). */
void vq_driver_set_desc (VqDriver *d, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
                         uint16_t flags, uint16_t next);
void vq_driver_publish (VqDriver *d, uint16_t head);
/* Sets the avail index the driver shows, for malformed cases. */
void vq_driver_set_avail_idx (VqDriver *d, uint16_t idx);
/* Takes the next used element; false if none. */
bool vq_driver_get_used (VqDriver *d, uint32_t *id, uint32_t *len);
uint16_t vq_driver_used_idx (VqDriver *d);
/* The driver's used_event word (event index). */
void vq_driver_set_used_event (VqDriver *d, uint16_t value);
uint16_t vq_driver_avail_event (VqDriver *d);

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a virtio device model gives its transport (virtio-pci): its
 * identity, features, configuration space and queue handler. The transport
 * owns the queues, feature negotiation and interrupts.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtqueue.h"

#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG     4
#define VIRTIO_ID_INPUT   18

#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1     32

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED      128

#define VIRTIO_BIT(n) (1ull << (n))

typedef struct
{
  uint16_t device_id;
  uint32_t pci_class; /* class, subclass, prog-if */
  unsigned n_queues;
  uint16_t queue_size; /* the largest each queue may have */
  /* Device-specific features; the transport adds its own. */
  uint64_t (*get_features) (void *dev);
  /* Reads of the device configuration space; OFFSET + SIZE is checked. */
  size_t config_size;
  void (*read_config) (void *dev, uint64_t offset, uint8_t *data, unsigned size);
  /* The driver made buffers available on VQ (the device's I/O thread):
   * serve them all. A queue the driver broke is left marked in VQ. */
  void (*handle_queue) (void *dev, Virtqueue *vq, unsigned index);
  /* The driver reset the device (no queue is being handled). */
  void (*reset) (void *dev);
  /* Writes to the device configuration space; NULL: it is read-only.
   * OFFSET + SIZE is checked. */
  void (*write_config) (void *dev, uint64_t offset, const uint8_t *data, unsigned size);
} VirtioDeviceOps;

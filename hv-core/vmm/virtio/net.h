/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * virtio-net (virtio 1.x, 5.1): one receive and one transmit queue, the
 * 12-byte virtio_net_hdr without offloads, frames to and from a
 * NetBackend. Independent of the transport, so that tests drive it with a
 * synthetic queue.
 */
#pragma once

#include "net-backend.h"
#include "virtio.h"

#define VIRTIO_ID_NET 1

#define VIRTIO_NET_F_MAC    5
#define VIRTIO_NET_F_STATUS 16

#define VIRTIO_NET_S_LINK_UP 1

#define VIRTIO_NET_RX_QUEUE 0
#define VIRTIO_NET_TX_QUEUE 1

#define VIRTIO_NET_HDR_LEN 12
/* Frames waiting for the guest's receive buffers, at most. */
#define VIRTIO_NET_RX_PENDING 64

typedef struct virtio_net VirtioNet;

/* Asks the transport to run the device's handler for QUEUE on its I/O
 * thread (virtio_pci_notify () in hv-vmm). */
typedef void (*VirtioNetKickFunc) (void *data, unsigned queue);

typedef struct
{
  uint64_t rx_frames; /* handed to the guest */
  uint64_t rx_bytes;
  uint64_t tx_frames; /* sent for the guest */
  uint64_t tx_bytes;
  uint64_t rx_dropped; /* the guest had no room */
  uint64_t tx_dropped; /* malformed, too long or refused by the back end */
} VirtioNetStats;

extern const VirtioDeviceOps virtio_net_ops;

/* Takes BACKEND and becomes its receiver. */
VirtioNet *virtio_net_new (NetBackend *backend, const uint8_t *mac);
void virtio_net_free (VirtioNet *net);
void virtio_net_set_kick (VirtioNet *net, VirtioNetKickFunc kick, void *data);
NetBackend *virtio_net_get_backend (VirtioNet *net);
void virtio_net_get_mac (VirtioNet *net, uint8_t *mac);
void virtio_net_get_stats (VirtioNet *net, VirtioNetStats *stats);
/* A frame for the guest (the back end's receive function): queued for the
 * receive queue's handler, or dropped when too many wait. */
void virtio_net_receive (const uint8_t *frame, size_t len, void *net);

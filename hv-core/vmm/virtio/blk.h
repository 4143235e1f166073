/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * virtio-blk (virtio 1.x, 5.2): requests parsed from a descriptor chain
 * and carried out on a BlockImage. Independent of the transport, so that
 * tests, fuzzers and the benchmark drive it with a synthetic queue.
 */
#pragma once

#include "block-image.h"
#include "virtio.h"

#define VIRTIO_BLK_T_IN           0
#define VIRTIO_BLK_T_OUT          1
#define VIRTIO_BLK_T_FLUSH        4
#define VIRTIO_BLK_T_GET_ID       8
#define VIRTIO_BLK_T_DISCARD      11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_F_SEG_MAX      2
#define VIRTIO_BLK_F_RO           5
#define VIRTIO_BLK_F_BLK_SIZE     6
#define VIRTIO_BLK_F_FLUSH        9
#define VIRTIO_BLK_F_DISCARD      13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SEG_MAX  (VQ_MAX_SEGS - 2) /* header and status too */

typedef struct virtio_blk VirtioBlk;

extern const VirtioDeviceOps virtio_blk_ops;

/* Takes IMAGE. SERIAL may be NULL; at most 20 bytes of it are used. */
VirtioBlk *virtio_blk_new (BlockImage *image, const char *serial);
void virtio_blk_free (VirtioBlk *blk);
BlockImage *virtio_blk_get_image (VirtioBlk *blk);

/* Carries out one request; returns the bytes written into the chain's
 * writable part (status byte included), for the used ring. */
uint32_t virtio_blk_execute (VirtioBlk *blk, const VqChain *chain);

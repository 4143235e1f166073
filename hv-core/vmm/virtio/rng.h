/* SPDX-License-Identifier: GPL-3.0-or-later */
/* virtio-rng (virtio 1.x, 5.4): the host's getrandom() for the guest. */
#pragma once

#include "virtio.h"

typedef struct virtio_rng VirtioRng;

extern const VirtioDeviceOps virtio_rng_ops;

VirtioRng *virtio_rng_new (void);
void virtio_rng_free (VirtioRng *rng);
/* Fills the chain's writable part; returns the bytes written. */
uint32_t virtio_rng_execute (VirtioRng *rng, const VqChain *chain);

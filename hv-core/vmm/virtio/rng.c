/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rng.h"

#include <errno.h>
#include <glib.h>
#include <sys/random.h>

/* Bytes a request gets at most: enough to seed, small enough to be quick. */
#define RNG_MAX_REQUEST 4096

struct virtio_rng
{
  VqChain chain;
};

VirtioRng *
virtio_rng_new (void)
{
  return g_new0 (VirtioRng, 1);
}

void
virtio_rng_free (VirtioRng *rng)
{
  g_free (rng);
}

static bool
virtio_rng_fill (uint8_t *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = getrandom (buf, len, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      buf += n;
      len -= n;
    }
  return true;
}

uint32_t
virtio_rng_execute (VirtioRng *rng, const VqChain *chain)
{
  struct iovec segs[VQ_MAX_SEGS];
  uint64_t want = MIN (chain->in_len, RNG_MAX_REQUEST);
  int n = vq_chain_slice (chain, true, 0, want, segs, G_N_ELEMENTS (segs));
  uint32_t done = 0;

  for (int i = 0; i < n; i++)
    {
      if (!virtio_rng_fill (segs[i].iov_base, segs[i].iov_len))
        break;
      done += segs[i].iov_len;
    }
  return done;
}

static uint64_t
virtio_rng_get_features (void *dev)
{
  return 0;
}

static void
virtio_rng_handle_queue (void *dev, Virtqueue *vq, unsigned index)
{
  VirtioRng *rng = dev;

  do
    {
      while (vq_pop (vq, &rng->chain) == VQ_POP_OK)
        vq_push (vq, rng->chain.head, virtio_rng_execute (rng, &rng->chain));
    }
  while (vq_enable_notify (vq));
}

static void
virtio_rng_reset (void *dev)
{
}

const VirtioDeviceOps virtio_rng_ops = {
  .device_id = VIRTIO_ID_RNG,
  .pci_class = 0xff0000,
  .n_queues = 1,
  .queue_size = 64,
  .get_features = virtio_rng_get_features,
  .config_size = 0,
  .read_config = NULL,
  .handle_queue = virtio_rng_handle_queue,
  .reset = virtio_rng_reset,
};

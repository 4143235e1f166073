/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "net.h"

#include <glib.h>
#include <string.h>

#include "net-frame.h"

/* The configuration layout of 5.1.4, up to max_virtqueue_pairs. */
typedef struct __attribute__ ((packed))
{
  uint8_t mac[6];
  uint16_t status;
  uint16_t max_virtqueue_pairs;
} NetConfig;

G_STATIC_ASSERT (sizeof (NetConfig) == 10);

/* struct virtio_net_hdr with num_buffers (5.1.6), as VERSION_1 has it. */
typedef struct __attribute__ ((packed))
{
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len;
  uint16_t gso_size;
  uint16_t csum_start;
  uint16_t csum_offset;
  uint16_t num_buffers;
} NetHeader;

G_STATIC_ASSERT (sizeof (NetHeader) == VIRTIO_NET_HDR_LEN);

typedef struct
{
  size_t len;
  uint8_t data[];
} NetFrame;

struct virtio_net
{
  NetBackend *backend;
  NetConfig config;
  VirtioNetKickFunc kick;
  void *kick_data;

  GMutex lock;    /* the pending frames, the statistics and receive_off */
  GQueue pending; /* NetFrame, oldest first */
  bool receive_off;
  VirtioNetStats stats;

  /* Used on the transport's I/O thread only. */
  VqChain chain;
  uint8_t tx_frame[NET_FRAME_MAX];
};

VirtioNet *
virtio_net_new (NetBackend *backend, const uint8_t *mac)
{
  VirtioNet *net = g_new0 (VirtioNet, 1);

  net->backend = backend;
  memcpy (net->config.mac, mac, sizeof net->config.mac);
  net->config.status = VIRTIO_NET_S_LINK_UP;
  net->config.max_virtqueue_pairs = 1;
  g_mutex_init (&net->lock);
  g_queue_init (&net->pending);
  if (backend != NULL)
    net_backend_set_receive_func (backend, (NetBackendReceiveFunc) virtio_net_receive, net);
  return net;
}

void
virtio_net_free (VirtioNet *net)
{
  if (net == NULL)
    return;
  if (net->backend != NULL)
    {
      net_backend_set_receive_func (net->backend, NULL, NULL);
      net_backend_free (net->backend);
    }
  g_queue_clear_full (&net->pending, g_free);
  g_mutex_clear (&net->lock);
  g_free (net);
}

void
virtio_net_set_kick (VirtioNet *net, VirtioNetKickFunc kick, void *data)
{
  net->kick = kick;
  net->kick_data = data;
}

NetBackend *
virtio_net_get_backend (VirtioNet *net)
{
  return net->backend;
}

void
virtio_net_get_mac (VirtioNet *net, uint8_t *mac)
{
  memcpy (mac, net->config.mac, sizeof net->config.mac);
}

void
virtio_net_get_stats (VirtioNet *net, VirtioNetStats *stats)
{
  g_mutex_lock (&net->lock);
  *stats = net->stats;
  g_mutex_unlock (&net->lock);
}

static void
virtio_net_set_receive (VirtioNet *net, bool enabled)
{
  if (net->backend != NULL)
    net_backend_set_receive_enabled (net->backend, enabled);
}

void
virtio_net_receive (const uint8_t *frame, size_t len, void *data)
{
  VirtioNet *net = data;
  bool turn_off = false;

  g_mutex_lock (&net->lock);
  if (net->pending.length >= VIRTIO_NET_RX_PENDING || len > NET_FRAME_MAX)
    {
      net->stats.rx_dropped++;
      turn_off = !net->receive_off;
      net->receive_off = true;
    }
  else
    {
      NetFrame *f = g_malloc (sizeof *f + len);

      f->len = len;
      memcpy (f->data, frame, len);
      g_queue_push_tail (&net->pending, f);
    }
  g_mutex_unlock (&net->lock);
  /* Until the guest gives buffers back, frames wait (or are dropped) in
   * the back end rather than here. */
  if (turn_off)
    virtio_net_set_receive (net, false);
  if (net->kick != NULL)
    net->kick (net->kick_data, VIRTIO_NET_RX_QUEUE);
}

static NetFrame *
virtio_net_take_pending (VirtioNet *net)
{
  NetFrame *f;

  g_mutex_lock (&net->lock);
  f = g_queue_pop_head (&net->pending);
  g_mutex_unlock (&net->lock);
  return f;
}

static void
virtio_net_count (VirtioNet *net, uint64_t *frames, uint64_t *bytes, size_t len)
{
  g_mutex_lock (&net->lock);
  (*frames)++;
  if (bytes != NULL)
    *bytes += len;
  g_mutex_unlock (&net->lock);
}

/* Always false: the driver broke the queue, the transport sets
 * NEEDS_RESET. */
static bool
virtio_net_fail (Virtqueue *vq, const char *why)
{
  if (!vq->broken)
    vq->error = why;
  vq->broken = true;
  return false;
}

/* Copies F behind a zeroed header into the receive chain; false if the
 * chain is malformed. */
static bool
virtio_net_fill (VirtioNet *net, Virtqueue *vq, const VqChain *c, const NetFrame *f)
{
  NetHeader h = { .num_buffers = 1 };

  if (c->n_out > 0)
    return virtio_net_fail (vq, "receive chain with a device-readable buffer");
  if (c->in_len < sizeof h)
    return virtio_net_fail (vq, "receive buffer shorter than the virtio-net header");
  if (c->in_len - sizeof h < f->len)
    {
      /* Buffers too small for this frame: it is lost, the buffer is given
       * back empty. */
      virtio_net_count (net, &net->stats.rx_dropped, NULL, 0);
      vq_push (vq, c->head, 0);
      return true;
    }
  vq_chain_write (c, 0, &h, sizeof h);
  vq_chain_write (c, sizeof h, f->data, f->len);
  vq_push (vq, c->head, sizeof h + f->len);
  virtio_net_count (net, &net->stats.rx_frames, &net->stats.rx_bytes, f->len);
  return true;
}

/* Moves pending frames into the guest's buffers while there are both. */
static void
virtio_net_handle_rx (VirtioNet *net, Virtqueue *vq)
{
  NetFrame *f;
  bool resume;

  while ((f = virtio_net_take_pending (net)) != NULL)
    {
      VqPopResult r = vq_pop (vq, &net->chain);
      bool ok;

      if (r == VQ_POP_EMPTY && vq_enable_notify (vq))
        r = vq_pop (vq, &net->chain);
      if (r != VQ_POP_OK)
        {
          /* No buffers (or a broken queue): the frame waits for the next
           * kick, at the head of the line. */
          g_mutex_lock (&net->lock);
          g_queue_push_head (&net->pending, f);
          g_mutex_unlock (&net->lock);
          return;
        }
      ok = virtio_net_fill (net, vq, &net->chain, f);
      g_free (f);
      if (!ok)
        return;
    }
  vq_enable_notify (vq);
  g_mutex_lock (&net->lock);
  resume = net->receive_off && net->pending.length < VIRTIO_NET_RX_PENDING / 2;
  if (resume)
    net->receive_off = false;
  g_mutex_unlock (&net->lock);
  if (resume)
    virtio_net_set_receive (net, true);
}

/* One transmit chain: header, then the frame; false if malformed. */
static bool
virtio_net_transmit (VirtioNet *net, Virtqueue *vq, const VqChain *c)
{
  uint64_t len;

  if (c->n_in > 0)
    return virtio_net_fail (vq, "transmit chain with a device-writable buffer");
  if (c->out_len < VIRTIO_NET_HDR_LEN)
    return virtio_net_fail (vq, "transmit chain shorter than the virtio-net header");
  len = c->out_len - VIRTIO_NET_HDR_LEN;
  if (!net_frame_is_valid_length (len) ||
      !vq_chain_read (c, VIRTIO_NET_HDR_LEN, net->tx_frame, len) || net->backend == NULL ||
      !net_backend_send (net->backend, net->tx_frame, len))
    {
      virtio_net_count (net, &net->stats.tx_dropped, NULL, 0);
      return true;
    }
  virtio_net_count (net, &net->stats.tx_frames, &net->stats.tx_bytes, len);
  return true;
}

static void
virtio_net_handle_tx (VirtioNet *net, Virtqueue *vq)
{
  do
    {
      while (vq_pop (vq, &net->chain) == VQ_POP_OK)
        {
          if (!virtio_net_transmit (net, vq, &net->chain))
            return;
          vq_push (vq, net->chain.head, 0);
        }
    }
  while (!vq->broken && vq_enable_notify (vq));
}

static void
virtio_net_handle_queue (void *dev, Virtqueue *vq, unsigned index)
{
  VirtioNet *net = dev;

  if (index == VIRTIO_NET_RX_QUEUE)
    virtio_net_handle_rx (net, vq);
  else
    virtio_net_handle_tx (net, vq);
}

static uint64_t
virtio_net_get_features (void *dev)
{
  return VIRTIO_BIT (VIRTIO_NET_F_MAC) | VIRTIO_BIT (VIRTIO_NET_F_STATUS);
}

static void
virtio_net_read_config (void *dev, uint64_t offset, uint8_t *data, unsigned size)
{
  VirtioNet *net = dev;

  memcpy (data, (const uint8_t *) &net->config + offset, size);
}

/* Frames that waited for a driver that went away are lost. */
static void
virtio_net_reset (void *dev)
{
  VirtioNet *net = dev;
  bool resume;

  g_mutex_lock (&net->lock);
  net->stats.rx_dropped += net->pending.length;
  g_queue_clear_full (&net->pending, g_free);
  resume = net->receive_off;
  net->receive_off = false;
  g_mutex_unlock (&net->lock);
  if (resume)
    virtio_net_set_receive (net, true);
}

const VirtioDeviceOps virtio_net_ops = {
  .device_id = VIRTIO_ID_NET,
  .pci_class = 0x020000, /* network, Ethernet */
  .n_queues = 2,
  .queue_size = 256,
  .get_features = virtio_net_get_features,
  .config_size = sizeof (NetConfig),
  .read_config = virtio_net_read_config,
  .handle_queue = virtio_net_handle_queue,
  .reset = virtio_net_reset,
};

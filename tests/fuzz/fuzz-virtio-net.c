/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the split virtqueue and the virtio-net device, fed
 * guest memory that the fuzzer writes (descriptor table, rings, headers,
 * indirect tables, all of it), as its transmit queue or, with frames from
 * the network waiting, its receive queue. AddressSanitizer catches any
 * access outside that memory (buffers may overlap the rings: the driver
 * may write them that way); the assert catches a malformed frame handed
 * to the back end.
 */
#include <glib.h>
#include <string.h>

#include "virtio/net.h"
#include "vmm.h"

/* Small and packed, so that short inputs reach the rings and buffers. */
#define MEM_SIZE  (16 * 1024)
#define QSIZE     4
#define DESC_GPA  0x00 /* 4 x 16 bytes */
#define AVAIL_GPA 0x40 /* flags, idx, ring[4], used_event */
#define USED_GPA  0x50 /* flags, idx, ring[4], avail_event */

/* The back end, reduced to what the device calls: frames are checked for
 * length and forgotten. */
struct NetBackend
{
  int unused;
};

void
net_backend_set_receive_func (NetBackend *self, NetBackendReceiveFunc func, gpointer user_data)
{
}

void
net_backend_set_receive_enabled (NetBackend *self, gboolean enabled)
{
}

gboolean
net_backend_send (NetBackend *self, const guint8 *frame, gsize len)
{
  g_assert (len >= 14 && len <= 65535 + 14);
  return frame[0] != 0xff;
}

void
net_backend_free (NetBackend *self)
{
  g_free (self);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void
run_queue (GuestMemory *mem, uint8_t flags)
{
  VirtioNet *net = virtio_net_new (g_new0 (NetBackend, 1), mac);
  bool rx = (flags & 16) != 0;
  Virtqueue vq;

  vq_reset (&vq, mem, QSIZE);
  vq.desc_gpa = DESC_GPA;
  vq.avail_gpa = AVAIL_GPA;
  vq.used_gpa = USED_GPA;
  vq.indirect = (flags & 1) != 0;
  vq.event_idx = (flags & 2) != 0;
  g_assert (vq_start (&vq));
  if (rx)
    {
      /* Frames of a few sizes, more than there are buffers. */
      static uint8_t frame[2000];

      for (unsigned i = 0; i < 2 * QSIZE; i++)
        virtio_net_receive (frame, 14 + (i * 331 + (flags >> 5) * 97) % 1900, net);
    }
  virtio_net_ops.handle_queue (net, &vq, rx ? VIRTIO_NET_RX_QUEUE : VIRTIO_NET_TX_QUEUE);
  vq_should_notify (&vq);
  virtio_net_ops.reset (net);
  virtio_net_free (net);
}

/* Flag 8: fold descriptor addresses into RAM, so that the fuzzer gets past
 * the bounds checks (which it exercises with the flag clear). */
static void
fold_addresses (GuestMemory *mem)
{
  for (unsigned i = 0; i < QSIZE; i++)
    {
      uint64_t addr;

      memcpy (&addr, mem->host + DESC_GPA + 16 * i, 8);
      addr &= MEM_SIZE - 1;
      memcpy (mem->host + DESC_GPA + 16 * i, &addr, 8);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* An exact-size allocation: ASan flags the first byte past guest RAM. */
  GuestMemory mem = { g_malloc0 (MEM_SIZE), MEM_SIZE, MEM_SIZE, 0 };

  if (size > 0)
    {
      memcpy (mem.host, data + 1, MIN (size - 1, MEM_SIZE));
      if ((data[0] & 8) != 0)
        fold_addresses (&mem);
      run_queue (&mem, data[0]);
    }
  g_free (mem.host);
  return 0;
}

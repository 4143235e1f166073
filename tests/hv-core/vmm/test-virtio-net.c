/* SPDX-License-Identifier: GPL-3.0-or-later */
/* virtio-net through synthetic queues onto a fake back end. */
#include <glib.h>
#include <string.h>

#include "net-backend-private.h"
#include "virtio/net.h"
#include "vq-driver.h"

#define RX_BUF_LEN (VIRTIO_NET_HDR_LEN + 1514)

typedef struct
{
  NetBackend parent;
  GPtrArray *sent; /* GBytes */
  gboolean receive_enabled;
  gboolean refuse;
} FakeBackend;

static gboolean
fake_send (NetBackend *self, const guint8 *frame, gsize len)
{
  FakeBackend *fake = (FakeBackend *) self;

  if (fake->refuse)
    return FALSE;
  g_ptr_array_add (fake->sent, g_bytes_new (frame, len));
  return TRUE;
}

static void
fake_set_receive_enabled (NetBackend *self, gboolean enabled)
{
  ((FakeBackend *) self)->receive_enabled = enabled;
}

static void
fake_finalize (NetBackend *self)
{
  g_ptr_array_unref (((FakeBackend *) self)->sent);
}

static const NetBackendOps fake_ops = { fake_send, fake_set_receive_enabled, fake_finalize };

typedef struct
{
  VqDriver rx, tx;
  FakeBackend *backend; /* owned by net */
  VirtioNet *net;
  unsigned kicks[2];
} Fixture;

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void
count_kick (void *data, unsigned queue)
{
  Fixture *f = data;

  g_assert_cmpuint (queue, <, 2);
  f->kicks[queue]++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  FakeBackend *fake = g_new0 (FakeBackend, 1);

  /* Guest RAM just big enough for the rings and a handful of buffers. */
  vq_driver_init (&f->rx, 1024 * 1024, 128, TRUE, FALSE);
  vq_driver_init (&f->tx, 1024 * 1024, 128, TRUE, FALSE);
  _net_backend_init (&fake->parent, &fake_ops, NULL, NULL);
  fake->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fake->receive_enabled = TRUE;
  f->backend = fake;
  f->net = virtio_net_new (&fake->parent, test_mac);
  virtio_net_set_kick (f->net, count_kick, f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  virtio_net_free (f->net);
  vq_driver_fini (&f->rx);
  vq_driver_fini (&f->tx);
}

static void
make_frame (uint8_t *frame, size_t len, uint8_t seed)
{
  memcpy (frame, test_mac, 6);
  memcpy (frame + 6, "\x52\x54\x00\xaa\xbb\xcc", 6);
  frame[12] = 0x08;
  frame[13] = 0x00;
  for (size_t i = 14; i < len; i++)
    frame[i] = (uint8_t) (i * 13 + seed);
}

/* Publishes one writable buffer of LEN bytes on the receive queue at
 * descriptor DESC; returns its guest address. */
static uint64_t
post_rx (Fixture *f, uint16_t desc, uint32_t len)
{
  uint64_t buf = vq_driver_alloc (&f->rx, len, 16);

  memset (vq_driver_host (&f->rx, buf), 0xaa, len);
  vq_driver_set_desc (&f->rx, 0, desc, buf, len, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->rx, desc);
  return buf;
}

static void
run_queue (Fixture *f, unsigned q)
{
  VqDriver *d = q == VIRTIO_NET_RX_QUEUE ? &f->rx : &f->tx;

  virtio_net_ops.handle_queue (f->net, &d->vq, q);
}

static void
test_config (Fixture *f, gconstpointer data)
{
  uint8_t mac[6];
  uint16_t status;
  uint64_t features = virtio_net_ops.get_features (f->net);

  g_assert_cmpuint (virtio_net_ops.device_id, ==, 1);
  g_assert_cmpuint (virtio_net_ops.n_queues, ==, 2);
  g_assert_true (features & VIRTIO_BIT (VIRTIO_NET_F_MAC));
  g_assert_true (features & VIRTIO_BIT (VIRTIO_NET_F_STATUS));
  /* No checksum or segmentation offloads (bits 0-4 and 7-14). */
  g_assert_cmpuint (features & 0x7f9f, ==, 0);
  virtio_net_ops.read_config (f->net, 0, mac, 6);
  g_assert_cmpmem (mac, 6, test_mac, 6);
  virtio_net_ops.read_config (f->net, 6, (uint8_t *) &status, 2);
  g_assert_cmpuint (status, ==, VIRTIO_NET_S_LINK_UP);
}

static void
test_tx (Fixture *f, gconstpointer data)
{
  uint64_t hdr = vq_driver_alloc (&f->tx, VIRTIO_NET_HDR_LEN, 2);
  uint64_t body = vq_driver_alloc (&f->tx, 60, 2);
  uint32_t id, len;
  VirtioNetStats stats;
  GBytes *sent;

  memset (vq_driver_host (&f->tx, hdr), 0, VIRTIO_NET_HDR_LEN);
  make_frame (vq_driver_host (&f->tx, body), 60, 1);
  vq_driver_set_desc (&f->tx, 0, 0, hdr, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&f->tx, 0, 1, body, 60, 0, 0);
  vq_driver_publish (&f->tx, 0);
  run_queue (f, VIRTIO_NET_TX_QUEUE);

  g_assert_false (f->tx.vq.broken);
  g_assert_true (vq_driver_get_used (&f->tx, &id, &len));
  g_assert_cmpuint (id, ==, 0);
  g_assert_cmpuint (len, ==, 0);
  g_assert_cmpuint (f->backend->sent->len, ==, 1);
  sent = g_ptr_array_index (f->backend->sent, 0);
  g_assert_cmpmem (g_bytes_get_data (sent, NULL), g_bytes_get_size (sent),
                   vq_driver_host (&f->tx, body), 60);
  virtio_net_get_stats (f->net, &stats);
  g_assert_cmpuint (stats.tx_frames, ==, 1);
  g_assert_cmpuint (stats.tx_bytes, ==, 60);
  g_assert_cmpuint (stats.tx_dropped, ==, 0);

  /* Header and frame in one descriptor; the back end refuses it. */
  f->backend->refuse = TRUE;
  body = vq_driver_alloc (&f->tx, VIRTIO_NET_HDR_LEN + 60, 2);
  make_frame ((uint8_t *) vq_driver_host (&f->tx, body) + VIRTIO_NET_HDR_LEN, 60, 2);
  vq_driver_set_desc (&f->tx, 0, 2, body, VIRTIO_NET_HDR_LEN + 60, 0, 0);
  vq_driver_publish (&f->tx, 2);
  run_queue (f, VIRTIO_NET_TX_QUEUE);
  g_assert_true (vq_driver_get_used (&f->tx, &id, &len));
  g_assert_cmpuint (id, ==, 2);
  virtio_net_get_stats (f->net, &stats);
  g_assert_cmpuint (stats.tx_frames, ==, 1);
  g_assert_cmpuint (stats.tx_dropped, ==, 1);
}

static void
test_rx (Fixture *f, gconstpointer data)
{
  uint8_t frame[98];
  uint64_t buf = post_rx (f, 0, RX_BUF_LEN);
  const uint8_t *host = vq_driver_host (&f->rx, buf);
  uint8_t zero[10] = { 0 };
  uint16_t num_buffers;
  uint32_t id, len;
  VirtioNetStats stats;

  make_frame (frame, sizeof frame, 3);
  virtio_net_receive (frame, sizeof frame, f->net);
  g_assert_cmpuint (f->kicks[VIRTIO_NET_RX_QUEUE], ==, 1);
  run_queue (f, VIRTIO_NET_RX_QUEUE);

  g_assert_false (f->rx.vq.broken);
  g_assert_true (vq_driver_get_used (&f->rx, &id, &len));
  g_assert_cmpuint (id, ==, 0);
  g_assert_cmpuint (len, ==, VIRTIO_NET_HDR_LEN + sizeof frame);
  g_assert_cmpmem (host, 10, zero, 10);
  memcpy (&num_buffers, host + 10, 2);
  g_assert_cmpuint (num_buffers, ==, 1);
  g_assert_cmpmem (host + VIRTIO_NET_HDR_LEN, sizeof frame, frame, sizeof frame);
  g_assert_cmpuint (host[VIRTIO_NET_HDR_LEN + sizeof frame], ==, 0xaa);
  virtio_net_get_stats (f->net, &stats);
  g_assert_cmpuint (stats.rx_frames, ==, 1);
  g_assert_cmpuint (stats.rx_bytes, ==, sizeof frame);

  /* A buffer too short for the next frame comes back empty. */
  post_rx (f, 1, VIRTIO_NET_HDR_LEN + 20);
  virtio_net_receive (frame, sizeof frame, f->net);
  run_queue (f, VIRTIO_NET_RX_QUEUE);
  g_assert_false (f->rx.vq.broken);
  g_assert_true (vq_driver_get_used (&f->rx, &id, &len));
  g_assert_cmpuint (id, ==, 1);
  g_assert_cmpuint (len, ==, 0);
  virtio_net_get_stats (f->net, &stats);
  g_assert_cmpuint (stats.rx_dropped, ==, 1);
}

/* With no buffers, frames wait (boundedly), then are dropped and the back
 * end's receive is turned off until buffers come back. */
static void
test_rx_no_buffers (Fixture *f, gconstpointer data)
{
  uint8_t frame[60];
  uint64_t first;
  uint32_t id, len;
  VirtioNetStats stats;

  for (unsigned i = 0; i < VIRTIO_NET_RX_PENDING + 3; i++)
    {
      make_frame (frame, sizeof frame, i);
      virtio_net_receive (frame, sizeof frame, f->net);
      run_queue (f, VIRTIO_NET_RX_QUEUE);
    }
  virtio_net_get_stats (f->net, &stats);
  g_assert_cmpuint (stats.rx_frames, ==, 0);
  g_assert_cmpuint (stats.rx_dropped, ==, 3);
  g_assert_false (f->backend->receive_enabled);
  g_assert_false (vq_driver_get_used (&f->rx, &id, &len));

  /* Buffers come back: the oldest frames first, then receive is on. */
  first = post_rx (f, 0, RX_BUF_LEN);
  for (uint16_t i = 1; i < VIRTIO_NET_RX_PENDING; i++)
    post_rx (f, i, RX_BUF_LEN);
  run_queue (f, VIRTIO_NET_RX_QUEUE);
  g_assert_false (f->rx.vq.broken);
  for (unsigned i = 0; i < VIRTIO_NET_RX_PENDING; i++)
    {
      g_assert_true (vq_driver_get_used (&f->rx, &id, &len));
      g_assert_cmpuint (id, ==, i);
      g_assert_cmpuint (len, ==, VIRTIO_NET_HDR_LEN + sizeof frame);
    }
  make_frame (frame, sizeof frame, 0);
  g_assert_cmpmem ((uint8_t *) vq_driver_host (&f->rx, first) + VIRTIO_NET_HDR_LEN, sizeof frame,
                   frame, sizeof frame);
  virtio_net_get_stats (f->net, &stats);
  g_assert_cmpuint (stats.rx_frames, ==, VIRTIO_NET_RX_PENDING);
  g_assert_true (f->backend->receive_enabled);
}

static void
expect_broken (Virtqueue *vq)
{
  g_assert_true (vq->broken);
  g_assert_nonnull (vq->error);
}

static void
test_malformed_tx_short (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->tx, 8, 2);

  vq_driver_set_desc (&f->tx, 0, 0, buf, 8, 0, 0);
  vq_driver_publish (&f->tx, 0);
  run_queue (f, VIRTIO_NET_TX_QUEUE);
  expect_broken (&f->tx.vq);
  g_assert_cmpuint (f->backend->sent->len, ==, 0);
}

static void
test_malformed_tx_writable (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->tx, 100, 2);

  vq_driver_set_desc (&f->tx, 0, 0, buf, 100, VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&f->tx, 0, 1, buf, 10, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->tx, 0);
  run_queue (f, VIRTIO_NET_TX_QUEUE);
  expect_broken (&f->tx.vq);
}

static void
test_malformed_tx_outside_ram (Fixture *f, gconstpointer data)
{
  vq_driver_set_desc (&f->tx, 0, 0, 0xfff00000, 100, 0, 0);
  vq_driver_publish (&f->tx, 0);
  run_queue (f, VIRTIO_NET_TX_QUEUE);
  expect_broken (&f->tx.vq);
}

static void
test_malformed_tx_loop (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->tx, 100, 2);

  vq_driver_set_desc (&f->tx, 0, 0, buf, 100, VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&f->tx, 0, 1, buf, 100, VIRTQ_DESC_F_NEXT, 0);
  vq_driver_publish (&f->tx, 0);
  run_queue (f, VIRTIO_NET_TX_QUEUE);
  expect_broken (&f->tx.vq);
}

static void
test_malformed_rx (Fixture *f, gconstpointer data)
{
  uint8_t frame[60];
  uint64_t buf = vq_driver_alloc (&f->rx, 8, 2);
  VirtioNetStats stats;

  /* Smaller than the header. */
  vq_driver_set_desc (&f->rx, 0, 0, buf, 8, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->rx, 0);
  make_frame (frame, sizeof frame, 0);
  virtio_net_receive (frame, sizeof frame, f->net);
  run_queue (f, VIRTIO_NET_RX_QUEUE);
  expect_broken (&f->rx.vq);
  /* A broken queue takes nothing more; a reset drops what waited. */
  virtio_net_receive (frame, sizeof frame, f->net);
  run_queue (f, VIRTIO_NET_RX_QUEUE);
  virtio_net_ops.reset (f->net);
  virtio_net_get_stats (f->net, &stats);
  g_assert_cmpuint (stats.rx_frames, ==, 0);
  g_assert_cmpuint (stats.rx_dropped, ==, 1);
}

static void
test_malformed_rx_readable (Fixture *f, gconstpointer data)
{
  uint8_t frame[60];
  uint64_t buf = vq_driver_alloc (&f->rx, RX_BUF_LEN, 2);

  vq_driver_set_desc (&f->rx, 0, 0, buf, RX_BUF_LEN, 0, 0);
  vq_driver_publish (&f->rx, 0);
  make_frame (frame, sizeof frame, 0);
  virtio_net_receive (frame, sizeof frame, f->net);
  run_queue (f, VIRTIO_NET_RX_QUEUE);
  expect_broken (&f->rx.vq);
}

/* The back end delivers through its receive function. */
static void
test_backend_delivery (Fixture *f, gconstpointer data)
{
  uint8_t frame[60];
  uint32_t id, len;
  NetBackendStats stats;

  post_rx (f, 0, RX_BUF_LEN);
  make_frame (frame, sizeof frame, 9);
  _net_backend_deliver (&f->backend->parent, frame, sizeof frame);
  run_queue (f, VIRTIO_NET_RX_QUEUE);
  g_assert_true (vq_driver_get_used (&f->rx, &id, &len));
  g_assert_cmpuint (len, ==, VIRTIO_NET_HDR_LEN + sizeof frame);
  net_backend_get_stats (&f->backend->parent, &stats);
  g_assert_cmpuint (stats.frames_in, ==, 1);
}

#define ADD(path, func) \
  g_test_add ("/vmm/virtio-net/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("config", test_config);
  ADD ("tx", test_tx);
  ADD ("rx", test_rx);
  ADD ("rx-no-buffers", test_rx_no_buffers);
  ADD ("backend-delivery", test_backend_delivery);
  ADD ("malformed/tx-short", test_malformed_tx_short);
  ADD ("malformed/tx-writable", test_malformed_tx_writable);
  ADD ("malformed/tx-outside-ram", test_malformed_tx_outside_ram);
  ADD ("malformed/tx-loop", test_malformed_tx_loop);
  ADD ("malformed/rx-short", test_malformed_rx);
  ADD ("malformed/rx-readable", test_malformed_rx_readable);
  return g_test_run ();
}

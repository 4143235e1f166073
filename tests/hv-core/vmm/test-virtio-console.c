/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * virtio-console with one port: transmitted bytes reach the output
 * function, host input reaches receive buffers (and waits for them), the
 * input bound holds, and malformed chains break the queue without a
 * crash. Synthetic guest memory, no /dev/kvm.
 */
#include <glib.h>
#include <string.h>

#include "virtio/console.h"
#include "vq-driver.h"

#define RXQ 0
#define TXQ 1

typedef struct
{
  VqDriver d;
  VirtioConsole *console;
  GByteArray *output;
  unsigned notified;
} Fixture;

static void
on_output (const uint8_t *bytes, size_t len, void *data)
{
  g_byte_array_append (data, bytes, len);
}

static void
on_notify (void *data, unsigned queue)
{
  Fixture *f = data;

  g_assert_cmpuint (queue, ==, RXQ);
  f->notified++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  vq_driver_init (&f->d, 1 << 20, 64, TRUE, FALSE);
  f->console = virtio_console_new ();
  f->output = g_byte_array_new ();
  virtio_console_set_output_func (f->console, on_output, f->output);
  virtio_console_set_notify_func (f->console, on_notify, f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  virtio_console_free (f->console);
  g_byte_array_unref (f->output);
  vq_driver_fini (&f->d);
}

static uint64_t
put (Fixture *f, const char *s)
{
  uint64_t gpa = vq_driver_alloc (&f->d, strlen (s), 1);

  memcpy (vq_driver_host (&f->d, gpa), s, strlen (s));
  return gpa;
}

static void
test_config (Fixture *f, gconstpointer data)
{
  uint8_t cfg[12];

  memset (cfg, 0xff, sizeof cfg);
  g_assert_cmpuint (virtio_console_ops.device_id, ==, 3);
  g_assert_cmpuint (virtio_console_ops.n_queues, ==, 2);
  g_assert_cmphex (virtio_console_ops.get_features (f->console), ==, 0); /* no multiport */
  virtio_console_ops.read_config (f->console, 0, cfg, sizeof cfg);
  for (unsigned i = 0; i < sizeof cfg; i++)
    g_assert_cmpuint (cfg[i], ==, 0);
}

/* Two chains, the second of two segments: the bytes in order. */
static void
test_transmit (Fixture *f, gconstpointer data)
{
  uint32_t id, len;

  vq_driver_set_desc (&f->d, 0, 0, put (f, "hello, "), 7, 0, 0);
  vq_driver_publish (&f->d, 0);
  vq_driver_set_desc (&f->d, 0, 1, put (f, "hv"), 2, VIRTQ_DESC_F_NEXT, 2);
  vq_driver_set_desc (&f->d, 0, 2, put (f, "c0\n"), 3, 0, 0);
  vq_driver_publish (&f->d, 1);
  virtio_console_ops.handle_queue (f->console, &f->d.vq, TXQ);
  g_assert_false (f->d.vq.broken);
  g_assert_cmpmem (f->output->data, f->output->len, "hello, hvc0\n", 12);
  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  g_assert_cmpuint (id, ==, 0);
  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  g_assert_cmpuint (id, ==, 1);
  g_assert_false (vq_driver_get_used (&f->d, &id, &len));
}

static void
rx_buffer (Fixture *f, uint16_t desc, uint64_t gpa, uint32_t len)
{
  vq_driver_set_desc (&f->d, 0, desc, gpa, len, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->d, desc);
}

/* Input waits for buffers, is split over small ones, and leftovers wait
 * for the next. */
static void
test_receive (Fixture *f, gconstpointer data)
{
  uint64_t a = vq_driver_alloc (&f->d, 16, 8), b = vq_driver_alloc (&f->d, 16, 8);
  uint32_t id, len;

  g_assert_cmpuint (virtio_console_input (f->console, (const uint8_t *) "typed 0123456789", 16), ==,
                    16);
  g_assert_cmpuint (f->notified, ==, 1);
  virtio_console_ops.handle_queue (f->console, &f->d.vq, RXQ); /* no buffers */
  g_assert_false (vq_driver_get_used (&f->d, &id, &len));

  rx_buffer (f, 0, a, 10);
  virtio_console_ops.handle_queue (f->console, &f->d.vq, RXQ);
  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  g_assert_cmpuint (id, ==, 0);
  g_assert_cmpuint (len, ==, 10);
  g_assert_cmpmem (vq_driver_host (&f->d, a), 10, "typed 0123", 10);

  rx_buffer (f, 1, b, 16);
  virtio_console_ops.handle_queue (f->console, &f->d.vq, RXQ);
  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  g_assert_cmpuint (id, ==, 1);
  g_assert_cmpuint (len, ==, 6);
  g_assert_cmpmem (vq_driver_host (&f->d, b), 6, "456789", 6);
  g_assert_false (f->d.vq.broken);
}

static void
test_input_bound (Fixture *f, gconstpointer data)
{
  g_autofree uint8_t *big = g_malloc0 (VIRTIO_CONSOLE_MAX_PENDING + 100);

  g_assert_cmpuint (virtio_console_input (f->console, big, VIRTIO_CONSOLE_MAX_PENDING + 100), ==,
                    VIRTIO_CONSOLE_MAX_PENDING);
  g_assert_cmpuint (virtio_console_input (f->console, big, 1), ==, 0);
}

static void
test_malformed (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);

  /* A chain that loops on the transmit queue. */
  vq_driver_set_desc (&f->d, 0, 0, buf, 8, VIRTQ_DESC_F_NEXT, 0);
  vq_driver_publish (&f->d, 0);
  virtio_console_ops.handle_queue (f->console, &f->d.vq, TXQ);
  g_assert_true (f->d.vq.broken);
  g_assert_cmpuint (f->output->len, ==, 0);

  /* A receive buffer outside guest RAM. */
  vq_reset (&f->d.vq, &f->d.mem, 64);
  vq_driver_fini (&f->d);
  vq_driver_init (&f->d, 1 << 20, 64, TRUE, FALSE);
  virtio_console_input (f->console, (const uint8_t *) "x", 1);
  rx_buffer (f, 0, (1 << 20) - 4, 16);
  virtio_console_ops.handle_queue (f->console, &f->d.vq, RXQ);
  g_assert_true (f->d.vq.broken);
}

#define ADD(path, func) \
  g_test_add ("/vmm/virtio-console/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("config", test_config);
  ADD ("transmit", test_transmit);
  ADD ("receive", test_receive);
  ADD ("input-bound", test_input_bound);
  ADD ("malformed", test_malformed);
  return g_test_run ();
}

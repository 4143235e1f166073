/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "dev/serial.h"

typedef struct
{
  Serial *uart;
  int level;
  unsigned irq;
  unsigned changes;
  GByteArray *out;
} Fixture;

static void
record_irq (void *opaque, unsigned irq, int level)
{
  Fixture *f = opaque;

  f->irq = irq;
  f->level = level;
  f->changes++;
}

static void
record_output (const uint8_t *bytes, size_t len, void *user_data)
{
  Fixture *f = user_data;

  g_byte_array_append (f->out, bytes, len);
}

static void
setup (Fixture *f, gconstpointer data)
{
  f->uart = serial_new ((IrqLine){ record_irq, f }, SERIAL_COM1_IRQ);
  f->out = g_byte_array_new ();
  serial_set_output_func (f->uart, record_output, f);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  serial_free (f->uart);
  g_byte_array_unref (f->out);
}

static uint8_t
rd (Fixture *f, unsigned reg)
{
  return serial_io_ops.read (f->uart, reg, 1);
}

static void
wr (Fixture *f, unsigned reg, uint8_t v)
{
  serial_io_ops.write (f->uart, reg, v, 1);
}

static void
test_scratch_and_ier (Fixture *f, gconstpointer data)
{
  wr (f, 7, 0x5a);
  g_assert_cmphex (rd (f, 7), ==, 0x5a);
  wr (f, 1, 0xff);
  g_assert_cmphex (rd (f, 1), ==, 0x0f); /* only four enable bits exist */
  wr (f, 1, 0);
  g_assert_cmphex (rd (f, 1), ==, 0);
}

static void
test_divisor_latch (Fixture *f, gconstpointer data)
{
  wr (f, 3, 0x83); /* DLAB, 8N1 */
  wr (f, 0, 0x01);
  wr (f, 1, 0x02);
  g_assert_cmphex (rd (f, 0), ==, 0x01);
  g_assert_cmphex (rd (f, 1), ==, 0x02);
  wr (f, 3, 0x03);
  g_assert_cmphex (rd (f, 1), ==, 0); /* IER again */
  g_assert_cmphex (rd (f, 3), ==, 0x03);
  /* DLL writes are not output. */
  g_assert_cmpuint (f->out->len, ==, 0);
}

static void
test_transmit (Fixture *f, gconstpointer data)
{
  g_assert_cmphex (rd (f, 5) & 0x60, ==, 0x60); /* THRE | TEMT */
  wr (f, 0, 'h');
  wr (f, 0, 'i');
  g_assert_cmpuint (f->out->len, ==, 2);
  g_assert_cmpmem (f->out->data, 2, "hi", 2);

  /* THRE interrupt: raised on enable, acknowledged by reading IIR. */
  wr (f, 4, 0x08); /* OUT2 gates the IRQ line */
  wr (f, 1, 0x02);
  g_assert_cmpint (f->level, ==, 1);
  g_assert_cmpuint (f->irq, ==, SERIAL_COM1_IRQ);
  g_assert_cmphex (rd (f, 2) & 0x0f, ==, 0x02);
  g_assert_cmpint (f->level, ==, 0);
  g_assert_cmphex (rd (f, 2) & 0x0f, ==, 0x01); /* none pending */
  wr (f, 0, '!');
  g_assert_cmpint (f->level, ==, 1);
}

static void
test_receive (Fixture *f, gconstpointer data)
{
  g_assert_cmphex (rd (f, 5) & 0x01, ==, 0);
  wr (f, 4, 0x08);
  wr (f, 1, 0x01);
  g_assert_cmpint (f->level, ==, 0);
  serial_input (f->uart, (const uint8_t *) "ab", 2);
  g_assert_cmpint (f->level, ==, 1);
  g_assert_cmphex (rd (f, 5) & 0x01, ==, 0x01);
  g_assert_cmphex (rd (f, 2) & 0x0f, ==, 0x04);
  g_assert_cmphex (rd (f, 0), ==, 'a');
  g_assert_cmpint (f->level, ==, 1);
  g_assert_cmphex (rd (f, 0), ==, 'b');
  g_assert_cmpint (f->level, ==, 0);
  g_assert_cmphex (rd (f, 5) & 0x01, ==, 0);
}

static void
test_out2_gates_irq (Fixture *f, gconstpointer data)
{
  wr (f, 4, 0x00);
  wr (f, 1, 0x01);
  serial_input (f->uart, (const uint8_t *) "x", 1);
  g_assert_cmpint (f->level, ==, 0);
  wr (f, 4, 0x08);
  g_assert_cmpint (f->level, ==, 1);
}

static void
test_overrun (Fixture *f, gconstpointer data)
{
  g_autofree uint8_t *lots = g_malloc0 (SERIAL_INPUT_QUEUE + 1);

  serial_input (f->uart, lots, SERIAL_INPUT_QUEUE + 1);
  g_assert_cmphex (rd (f, 5) & 0x03, ==, 0x03); /* DR | OE */
  g_assert_cmphex (rd (f, 5) & 0x02, ==, 0);    /* OE clears on read */
}

/* Linux's 8250 probe: in loopback, MCR outputs appear as MSR inputs and
 * transmitted bytes come back without reaching the console. */
static void
test_loopback (Fixture *f, gconstpointer data)
{
  wr (f, 4, 0x10 | 0x0a);
  g_assert_cmphex (rd (f, 6) & 0xf0, ==, 0x90);
  wr (f, 4, 0x10 | 0x05);
  g_assert_cmphex (rd (f, 6) & 0xf0, ==, 0x60);
  wr (f, 0, 'z');
  g_assert_cmpuint (f->out->len, ==, 0);
  g_assert_cmphex (rd (f, 0), ==, 'z');
  wr (f, 4, 0x08);
  g_assert_cmphex (rd (f, 6) & 0xb0, ==, 0xb0); /* DCD DSR CTS */
}

static void
test_fifo (Fixture *f, gconstpointer data)
{
  g_assert_cmphex (rd (f, 2) & 0xc0, ==, 0);
  wr (f, 2, 0x07);
  g_assert_cmphex (rd (f, 2) & 0xc0, ==, 0xc0);
  serial_input (f->uart, (const uint8_t *) "abc", 3);
  wr (f, 2, 0x03); /* clear RX */
  g_assert_cmphex (rd (f, 5) & 0x01, ==, 0);
}

static void
test_reset (Fixture *f, gconstpointer data)
{
  wr (f, 7, 0x11);
  wr (f, 3, 0x1f);
  serial_input (f->uart, (const uint8_t *) "abc", 3);
  serial_reset (f->uart);
  g_assert_cmphex (rd (f, 7), ==, 0);
  g_assert_cmphex (rd (f, 3), ==, 0x03);
  g_assert_cmphex (rd (f, 5) & 0x01, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/hv-core/serial/scratch-ier", test_scratch_and_ier);
  ADD ("/hv-core/serial/divisor-latch", test_divisor_latch);
  ADD ("/hv-core/serial/transmit", test_transmit);
  ADD ("/hv-core/serial/receive", test_receive);
  ADD ("/hv-core/serial/out2-gates-irq", test_out2_gates_irq);
  ADD ("/hv-core/serial/overrun", test_overrun);
  ADD ("/hv-core/serial/loopback", test_loopback);
  ADD ("/hv-core/serial/fifo", test_fifo);
  ADD ("/hv-core/serial/reset", test_reset);
  return g_test_run ();
}

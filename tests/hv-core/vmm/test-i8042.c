/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "dev/i8042.h"

typedef struct
{
  I8042 *dev;
  unsigned pulses[16]; /* rising edges per IRQ */
  int resets;
} Fixture;

static void
record_irq (void *opaque, unsigned irq, int level)
{
  Fixture *f = opaque;

  g_assert_cmpuint (irq, <, G_N_ELEMENTS (f->pulses));
  if (level)
    f->pulses[irq]++;
}

static void
record_reset (void *user_data)
{
  Fixture *f = user_data;

  f->resets++;
}

static void
setup (Fixture *f, gconstpointer data)
{
  f->dev = i8042_new ((IrqLine){ record_irq, f }, record_reset, f);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  i8042_free (f->dev);
}

static uint8_t
status (Fixture *f)
{
  return i8042_command_ops.read (f->dev, 0, 1);
}

static void
command (Fixture *f, uint8_t cmd)
{
  i8042_command_ops.write (f->dev, 0, cmd, 1);
}

static uint8_t
read_data (Fixture *f)
{
  return i8042_data_ops.read (f->dev, 0, 1);
}

static void
write_data (Fixture *f, uint8_t v)
{
  i8042_data_ops.write (f->dev, 0, v, 1);
}

static void
test_probe (Fixture *f, gconstpointer data)
{
  /* Present, self-tested, not key-locked, nothing to read. */
  g_assert_cmphex (status (f), !=, 0xff);
  g_assert_cmphex (status (f) & 0x15, ==, 0x14);
  command (f, 0xaa);
  g_assert_cmphex (status (f) & 0x01, ==, 0x01);
  g_assert_cmphex (read_data (f), ==, 0x55);
  g_assert_cmphex (status (f) & 0x01, ==, 0);
  command (f, 0xab);
  g_assert_cmphex (read_data (f), ==, 0x00);
  command (f, 0xa9);
  g_assert_cmphex (read_data (f), ==, 0x00);
}

static void
test_ctr (Fixture *f, gconstpointer data)
{
  command (f, 0x60);
  write_data (f, 0x47);
  command (f, 0x20);
  g_assert_cmphex (read_data (f), ==, 0x47);
}

static void
test_keyboard_reset_with_irq (Fixture *f, gconstpointer data)
{
  command (f, 0x60);
  write_data (f, 0x01); /* keyboard interrupt on */
  write_data (f, 0xff); /* reset the keyboard */
  g_assert_cmpuint (f->pulses[1], ==, 1);
  g_assert_cmphex (read_data (f), ==, 0xfa);
  g_assert_cmpuint (f->pulses[1], ==, 2); /* the next byte interrupts too */
  g_assert_cmphex (read_data (f), ==, 0xaa);
  g_assert_cmphex (status (f) & 0x01, ==, 0);
}

static void
test_aux_loop (Fixture *f, gconstpointer data)
{
  /* Linux checks the AUX port by looping a byte through it. */
  command (f, 0x60);
  write_data (f, 0x02); /* AUX interrupt on */
  command (f, 0xd3);
  write_data (f, 0x5a);
  g_assert_cmphex (status (f) & 0x21, ==, 0x21);
  g_assert_cmpuint (f->pulses[12], ==, 1);
  g_assert_cmphex (read_data (f), ==, 0x5a);
  command (f, 0xd4);
  write_data (f, 0xf2); /* identify the mouse */
  g_assert_cmphex (read_data (f), ==, 0xfa);
  g_assert_cmphex (read_data (f), ==, 0x00);
}

static void
test_reset_line (Fixture *f, gconstpointer data)
{
  command (f, 0xfe);
  g_assert_cmpint (f->resets, ==, 1);
  /* Output port bit 0 low is the same reset line. */
  command (f, 0xd1);
  write_data (f, 0xfe);
  g_assert_cmpint (f->resets, ==, 2);
  command (f, 0xd1);
  write_data (f, 0xff);
  g_assert_cmpint (f->resets, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/hv-core/i8042/probe", test_probe);
  ADD ("/hv-core/i8042/ctr", test_ctr);
  ADD ("/hv-core/i8042/keyboard-reset-irq", test_keyboard_reset_with_irq);
  ADD ("/hv-core/i8042/aux-loop", test_aux_loop);
  ADD ("/hv-core/i8042/reset-line", test_reset_line);
  return g_test_run ();
}

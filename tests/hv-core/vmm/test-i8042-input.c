/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The i8042's host-side input: keyboard bytes, mouse packets, LEDs. */
#include <glib.h>

#include "dev/i8042.h"

typedef struct
{
  I8042 *dev;
  unsigned pulses[16];
  int leds_calls;
  uint8_t leds;
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
record_leds (uint8_t leds, void *user_data)
{
  Fixture *f = user_data;

  f->leds_calls++;
  f->leds = leds;
}

static void
setup (Fixture *f, gconstpointer data)
{
  f->dev = i8042_new ((IrqLine){ record_irq, f }, NULL, NULL);
  i8042_set_leds_func (f->dev, record_leds, f);
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

static void
write_data (Fixture *f, uint8_t byte)
{
  i8042_data_ops.write (f->dev, 0, byte, 1);
}

static uint8_t
read_data (Fixture *f)
{
  return i8042_data_ops.read (f->dev, 0, 1);
}

/* Sends BYTE to the mouse and expects its ACK. */
static void
aux_command (Fixture *f, uint8_t byte)
{
  command (f, 0xd4);
  write_data (f, byte);
  g_assert_cmphex (status (f) & 0x21, ==, 0x21);
  g_assert_cmphex (read_data (f), ==, 0xfa);
}

static void
test_keyboard_bytes (Fixture *f, gconstpointer data)
{
  i8042_kbd_input (f->dev, 0x1e);
  i8042_kbd_input (f->dev, 0x9e);
  g_assert_cmphex (status (f) & 0x21, ==, 0x01);
  g_assert_cmpuint (f->pulses[1], ==, 1);
  g_assert_cmphex (read_data (f), ==, 0x1e);
  g_assert_cmphex (read_data (f), ==, 0x9e);
  g_assert_cmphex (status (f) & 0x01, ==, 0);
}

static void
test_keyboard_disabled (Fixture *f, gconstpointer data)
{
  write_data (f, 0xf5); /* disable scanning */
  g_assert_cmphex (read_data (f), ==, 0xfa);
  i8042_kbd_input (f->dev, 0x1e);
  g_assert_cmphex (status (f) & 0x01, ==, 0);
  write_data (f, 0xf4);
  g_assert_cmphex (read_data (f), ==, 0xfa);
  command (f, 0xad); /* the controller's own keyboard disable */
  i8042_kbd_input (f->dev, 0x1e);
  g_assert_cmphex (status (f) & 0x01, ==, 0);
  command (f, 0xae);
  i8042_kbd_input (f->dev, 0x1e);
  g_assert_cmphex (read_data (f), ==, 0x1e);
}

static void
test_leds (Fixture *f, gconstpointer data)
{
  write_data (f, 0xed);
  g_assert_cmphex (read_data (f), ==, 0xfa);
  write_data (f, 0x04); /* caps lock */
  g_assert_cmphex (read_data (f), ==, 0xfa);
  g_assert_cmpint (f->leds_calls, ==, 1);
  g_assert_cmphex (f->leds, ==, 0x04);
  g_assert_cmphex (i8042_get_leds (f->dev), ==, 0x04);
  /* The same value again is no change. */
  write_data (f, 0xed);
  read_data (f);
  write_data (f, 0x04);
  read_data (f);
  g_assert_cmpint (f->leds_calls, ==, 1);
}

static void
test_mouse_needs_reporting (Fixture *f, gconstpointer data)
{
  /* AUX disabled in the CTR at power-on, and reporting off: nothing. */
  i8042_aux_input (f->dev, 5, 3, 0);
  g_assert_cmphex (status (f) & 0x01, ==, 0);
  command (f, 0xa8);
  i8042_aux_input (f->dev, 5, 3, 0);
  g_assert_cmphex (status (f) & 0x01, ==, 0);
}

static void
test_mouse_packet (Fixture *f, gconstpointer data)
{
  command (f, 0x60);
  write_data (f, 0x47); /* CTR: both interrupts, translation, AUX enabled */
  command (f, 0xa8);
  aux_command (f, 0xf4);
  i8042_aux_input (f->dev, 5, 3, 0x01);
  g_assert_cmphex (status (f) & 0x21, ==, 0x21);
  g_assert_cmpuint (f->pulses[12], >=, 1);
  g_assert_cmphex (read_data (f), ==, 0x29); /* always-1, Y sign, left button */
  g_assert_cmphex (read_data (f), ==, 0x05);
  g_assert_cmphex (read_data (f), ==, 0xfd);
  /* Big moves are clamped to what 9 bits hold. */
  i8042_aux_input (f->dev, -1000, -1000, 0);
  g_assert_cmphex (read_data (f), ==, 0x18);
  g_assert_cmphex (read_data (f), ==, 0x01);
  g_assert_cmphex (read_data (f), ==, 0xff);
}

static void
test_mouse_commands (Fixture *f, gconstpointer data)
{
  command (f, 0xa8);
  aux_command (f, 0xf2); /* identify */
  g_assert_cmphex (read_data (f), ==, 0x00);
  aux_command (f, 0xe8); /* resolution ... */
  aux_command (f, 0x03); /* ... 8 counts/mm */
  aux_command (f, 0xf3); /* sample rate ... */
  aux_command (f, 40);
  aux_command (f, 0xf4);
  aux_command (f, 0xe9); /* status */
  g_assert_cmphex (read_data (f), ==, 0x20);
  g_assert_cmphex (read_data (f), ==, 0x03);
  g_assert_cmphex (read_data (f), ==, 40);
  aux_command (f, 0xf6); /* defaults: reporting off */
  i8042_aux_input (f->dev, 1, 1, 0);
  g_assert_cmphex (status (f) & 0x01, ==, 0);
  aux_command (f, 0xf4);
  aux_command (f, 0xff); /* reset: self-test passed, id, reporting off */
  g_assert_cmphex (read_data (f), ==, 0xaa);
  g_assert_cmphex (read_data (f), ==, 0x00);
  i8042_aux_input (f->dev, 1, 1, 0);
  g_assert_cmphex (status (f) & 0x01, ==, 0);
}

static void
test_queue_full_drops_whole_packets (Fixture *f, gconstpointer data)
{
  unsigned n = 0;

  command (f, 0xa8);
  aux_command (f, 0xf4);
  for (int i = 0; i < 100; i++)
    i8042_aux_input (f->dev, 1, 0, 0);
  while (status (f) & 0x01)
    {
      read_data (f);
      n++;
    }
  g_assert_cmpuint (n % 3, ==, 0);
  g_assert_cmpuint (n, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add ("/i8042-input/" path, Fixture, NULL, setup, func, teardown)
  ADD ("keyboard-bytes", test_keyboard_bytes);
  ADD ("keyboard-disabled", test_keyboard_disabled);
  ADD ("leds", test_leds);
  ADD ("mouse-needs-reporting", test_mouse_needs_reporting);
  ADD ("mouse-packet", test_mouse_packet);
  ADD ("mouse-commands", test_mouse_commands);
  ADD ("queue-full-drops-whole-packets", test_queue_full_drops_whole_packets);
#undef ADD
  return g_test_run ();
}

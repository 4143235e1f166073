/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <string.h>

#include "bus/io.h"

typedef struct
{
  uint64_t last_offset;
  uint64_t last_value;
  unsigned last_size;
  unsigned writes;
} Dev;

static uint64_t
dev_read (void *opaque, uint64_t offset, unsigned size)
{
  return 0x1122334455667788ull >> (8 * offset);
}

static void
dev_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  Dev *d = opaque;

  d->last_offset = offset;
  d->last_value = value;
  d->last_size = size;
  d->writes++;
}

static const IoOps dev_ops = { dev_read, dev_write };

static void
test_dispatch (void)
{
  g_autoptr (IoBus) bus = io_bus_new ();
  g_autoptr (GError) error = NULL;
  Dev d = { 0 };
  uint8_t data[8];

  g_assert_true (io_bus_register (bus, IO_SPACE_PIO, 0x100, 8, &dev_ops, &d, &error));
  g_assert_true (io_bus_register (bus, IO_SPACE_PIO, 0x108, 8, &dev_ops, &d, &error));
  g_assert_true (io_bus_register (bus, IO_SPACE_MMIO, 0x100, 8, &dev_ops, &d, &error));

  io_bus_access (bus, IO_SPACE_PIO, 0x102, data, 2, false);
  g_assert_cmphex (data[0], ==, 0x66);
  g_assert_cmphex (data[1], ==, 0x55);

  memcpy (data, "\x01\x02\x03\x04", 4);
  io_bus_access (bus, IO_SPACE_MMIO, 0x104, data, 4, true);
  g_assert_cmpuint (d.writes, ==, 1);
  g_assert_cmphex (d.last_offset, ==, 4);
  g_assert_cmphex (d.last_value, ==, 0x04030201);
  g_assert_cmpuint (d.last_size, ==, 4);
}

static void
test_unassigned (void)
{
  g_autoptr (IoBus) bus = io_bus_new ();
  Dev d = { 0 };
  uint8_t data[8] = { 0 };

  g_assert_true (io_bus_register (bus, IO_SPACE_PIO, 0x100, 8, &dev_ops, &d, NULL));
  io_bus_access (bus, IO_SPACE_PIO, 0x80, data, 1, false);
  g_assert_cmphex (data[0], ==, 0xff);
  io_bus_access (bus, IO_SPACE_PIO, 0x80, data, 1, true);
  /* An access that straddles the end of a range reaches no device. */
  memset (data, 0, sizeof data);
  io_bus_access (bus, IO_SPACE_PIO, 0x106, data, 4, false);
  g_assert_cmphex (data[0], ==, 0xff);
  g_assert_cmphex (data[3], ==, 0xff);
  io_bus_access (bus, IO_SPACE_PIO, 0x106, data, 4, true);
  g_assert_cmpuint (d.writes, ==, 0);
  /* Bad sizes are ignored. */
  io_bus_access (bus, IO_SPACE_PIO, 0x100, data, 0, true);
  io_bus_access (bus, IO_SPACE_PIO, 0x100, data, 9, true);
  g_assert_cmpuint (d.writes, ==, 0);
  /* The same address in the other space is a different place. */
  io_bus_access (bus, IO_SPACE_MMIO, 0x100, data, 1, false);
  g_assert_cmphex (data[0], ==, 0xff);
}

static void
test_overlap (void)
{
  g_autoptr (IoBus) bus = io_bus_new ();
  g_autoptr (GError) error = NULL;
  Dev d = { 0 };

  g_assert_true (io_bus_register (bus, IO_SPACE_PIO, 0x100, 8, &dev_ops, &d, NULL));
  g_assert_false (io_bus_register (bus, IO_SPACE_PIO, 0x0fc, 8, &dev_ops, &d, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (io_bus_register (bus, IO_SPACE_PIO, 0x107, 1, &dev_ops, &d, &error));
  g_clear_error (&error);
  g_assert_false (io_bus_register (bus, IO_SPACE_PIO, 0x200, 0, &dev_ops, &d, &error));
  g_clear_error (&error);
  g_assert_false (io_bus_register (bus, IO_SPACE_MMIO, UINT64_MAX, 2, &dev_ops, &d, &error));
  g_clear_error (&error);
  g_assert_true (io_bus_register (bus, IO_SPACE_PIO, 0x0f8, 8, &dev_ops, &d, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/io-bus/dispatch", test_dispatch);
  g_test_add_func ("/hv-core/io-bus/unassigned", test_unassigned);
  g_test_add_func ("/hv-core/io-bus/overlap", test_overlap);
  return g_test_run ();
}

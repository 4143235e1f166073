/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * virtio-input: the configuration queries a driver makes, events from the
 * host into the event queue, the queue's bound, malformed buffers, and the
 * transport's notify path end to end (no /dev/kvm: synthetic guest memory).
 */
#include <glib.h>
#include <string.h>

#include "bus/pci.h"
#include "dev/pci-host.h"
#include "virtio/input.h"
#include "virtio/pci.h"
#include "vq-driver.h"

typedef struct
{
  VqDriver d;
  VirtioInput *input;
} Fixture;

typedef struct __attribute__ ((packed))
{
  uint16_t type, code;
  uint32_t value;
} Event;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  vq_driver_init (&f->d, 1 << 20, 64, FALSE, FALSE);
  f->input = virtio_input_new (GPOINTER_TO_INT (data));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  virtio_input_free (f->input);
  vq_driver_fini (&f->d);
}

/* Selects SELECT/SUBSEL as a driver does; returns the size, the answer
 * in U. */
static unsigned
query (Fixture *f, uint8_t select, uint8_t subsel, uint8_t u[128])
{
  uint8_t size;

  virtio_input_ops.write_config (f->input, 0, &select, 1);
  virtio_input_ops.write_config (f->input, 1, &subsel, 1);
  virtio_input_ops.read_config (f->input, 2, &size, 1);
  virtio_input_ops.read_config (f->input, 8, u, 128);
  return size;
}

static bool
bit (const uint8_t *bitmap, unsigned n)
{
  return (bitmap[n / 8] >> (n % 8)) & 1;
}

static void
test_tablet_config (Fixture *f, gconstpointer data)
{
  uint8_t u[128];
  uint32_t absinfo[5];
  uint16_t ids[4];

  g_assert_cmpuint (virtio_input_ops.device_id, ==, 18);
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_ID_NAME, 0, u), ==, strlen ("Hangar virtio tablet"));
  g_assert_cmpmem (u, strlen ("Hangar virtio tablet"), "Hangar virtio tablet", 20);
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_ID_SERIAL, 0, u), >, 0);
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_ID_DEVIDS, 0, u), ==, 8);
  memcpy (ids, u, 8);
  g_assert_cmpuint (ids[0], ==, 0x06); /* BUS_VIRTUAL */
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_PROP_BITS, 0, u), ==, 0);

  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, u), ==, 1);
  g_assert_cmphex (u[0], ==, 0x03); /* ABS_X, ABS_Y */
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, u), ==, 0x23);
  g_assert_true (bit (u, VIRTIO_INPUT_BTN_LEFT));
  g_assert_true (bit (u, VIRTIO_INPUT_BTN_RIGHT));
  g_assert_true (bit (u, VIRTIO_INPUT_BTN_MIDDLE));
  g_assert_false (bit (u, 0x113));
  g_assert_false (bit (u, 30)); /* KEY_A: a tablet has no keys */
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REL, u), ==, 2);
  g_assert_true (bit (u, VIRTIO_INPUT_REL_WHEEL));
  g_assert_false (bit (u, 0)); /* no REL_X: it is absolute */
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_LED, u), ==, 0);
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REP, u), ==, 0);

  for (unsigned axis = 0; axis < 2; axis++)
    {
      g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_ABS_INFO, axis, u), ==, 20);
      memcpy (absinfo, u, sizeof absinfo);
      g_assert_cmpuint (absinfo[0], ==, 0);
      g_assert_cmpuint (absinfo[1], ==, 32767);
    }
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_ABS_INFO, 2, u), ==, 0); /* ABS_Z */
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_UNSET, 0, u), ==, 0);
  g_assert_cmpuint (query (f, 0x7f, 0, u), ==, 0);
}

static void
test_keyboard_config (Fixture *f, gconstpointer data)
{
  uint8_t u[128];

  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_ID_NAME, 0, u), ==,
                    strlen ("Hangar virtio keyboard"));
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, u), ==, 32);
  g_assert_false (bit (u, 0));  /* KEY_RESERVED */
  g_assert_true (bit (u, 1));   /* KEY_ESC */
  g_assert_true (bit (u, 30));  /* KEY_A */
  g_assert_true (bit (u, 125)); /* KEY_LEFTMETA */
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REP, u), >, 0);
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_LED, u), ==, 1);
  g_assert_cmphex (u[0], ==, 0x07);
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, u), ==, 0);
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_REL, u), ==, 0);
  g_assert_cmpuint (query (f, VIRTIO_INPUT_CFG_ABS_INFO, 0, u), ==, 0);
}

/* N event buffers of LEN bytes, descriptors FIRST.., published. */
static uint64_t
give_buffers (Fixture *f, unsigned first, unsigned n, uint32_t len)
{
  uint64_t bufs = vq_driver_alloc (&f->d, (uint64_t) n * 8, 8);

  for (unsigned i = 0; i < n; i++)
    {
      vq_driver_set_desc (&f->d, 0, first + i, bufs + 8 * i, len, VIRTQ_DESC_F_WRITE, 0);
      vq_driver_publish (&f->d, first + i);
    }
  return bufs;
}

static void
expect_event (Fixture *f, uint64_t bufs, uint16_t type, uint16_t code, uint32_t value)
{
  uint32_t id, len;
  Event ev;

  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  g_assert_cmpuint (len, ==, 8);
  memcpy (&ev, vq_driver_host (&f->d, bufs + 8 * id), 8);
  g_assert_cmphex (ev.type, ==, type);
  g_assert_cmphex (ev.code, ==, code);
  g_assert_cmpuint (ev.value, ==, value);
}

static void
test_tablet_position (Fixture *f, gconstpointer data)
{
  uint64_t bufs = give_buffers (f, 0, 16, 8);
  uint32_t id, len;

  virtio_input_tablet_position (f->input, 1234, 40000); /* y clamped */
  virtio_input_key (f->input, VIRTIO_INPUT_BTN_LEFT, true);
  virtio_input_wheel (f->input, -1);
  virtio_input_ops.handle_queue (f->input, &f->d.vq, 0);
  g_assert_false (f->d.vq.broken);
  expect_event (f, bufs, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_X, 1234);
  expect_event (f, bufs, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_Y, 32767);
  expect_event (f, bufs, VIRTIO_INPUT_EV_SYN, 0, 0);
  expect_event (f, bufs, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_BTN_LEFT, 1);
  expect_event (f, bufs, VIRTIO_INPUT_EV_SYN, 0, 0);
  expect_event (f, bufs, VIRTIO_INPUT_EV_REL, VIRTIO_INPUT_REL_WHEEL, (uint32_t) -1);
  expect_event (f, bufs, VIRTIO_INPUT_EV_SYN, 0, 0);
  g_assert_false (vq_driver_get_used (&f->d, &id, &len));
}

/* PC set-1 scancodes as SPICE sends them, to evdev key codes. */
static void
test_keyboard_scancodes (Fixture *f, gconstpointer data)
{
  static const uint8_t bytes[] = {
    0x1e, 0x9e,                         /* A down, up */
    0xe0, 0x48, 0xe0, 0xc8,             /* up arrow down, up */
    0xe0, 0x2a,                         /* a fake shift: nothing */
    0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, /* pause: nothing */
    0xe0, 0x1d,                         /* right ctrl down */
  };
  uint64_t bufs = give_buffers (f, 0, 16, 8);
  uint32_t id, len;

  for (unsigned i = 0; i < sizeof bytes; i++)
    virtio_input_scancode (f->input, bytes[i]);
  virtio_input_ops.handle_queue (f->input, &f->d.vq, 0);
  expect_event (f, bufs, VIRTIO_INPUT_EV_KEY, 30, 1); /* KEY_A */
  expect_event (f, bufs, VIRTIO_INPUT_EV_SYN, 0, 0);
  expect_event (f, bufs, VIRTIO_INPUT_EV_KEY, 30, 0);
  expect_event (f, bufs, VIRTIO_INPUT_EV_SYN, 0, 0);
  expect_event (f, bufs, VIRTIO_INPUT_EV_KEY, 103, 1); /* KEY_UP */
  expect_event (f, bufs, VIRTIO_INPUT_EV_SYN, 0, 0);
  expect_event (f, bufs, VIRTIO_INPUT_EV_KEY, 103, 0);
  expect_event (f, bufs, VIRTIO_INPUT_EV_SYN, 0, 0);
  expect_event (f, bufs, VIRTIO_INPUT_EV_KEY, 97, 1); /* KEY_RIGHTCTRL */
  expect_event (f, bufs, VIRTIO_INPUT_EV_SYN, 0, 0);
  g_assert_false (vq_driver_get_used (&f->d, &id, &len));
}

/* Events wait for buffers; the driver that does not read loses the
 * oldest, never the newest. */
static void
test_queue_bound (Fixture *f, gconstpointer data)
{
  uint64_t bufs;
  uint32_t id, len;

  virtio_input_ops.handle_queue (f->input, &f->d.vq, 0); /* no buffers: waits */
  for (unsigned i = 0; i < VIRTIO_INPUT_MAX_PENDING + 10; i++)
    virtio_input_send (f->input, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_X, i);
  g_assert_cmpuint (virtio_input_get_dropped (f->input), ==, 10);

  bufs = give_buffers (f, 0, 64, 8);
  virtio_input_ops.handle_queue (f->input, &f->d.vq, 0);
  for (unsigned i = 0; i < 64; i++)
    expect_event (f, bufs, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_X, 10 + i);
  g_assert_false (vq_driver_get_used (&f->d, &id, &len));
}

static void
test_short_buffer (Fixture *f, gconstpointer data)
{
  give_buffers (f, 0, 1, 4);
  virtio_input_tablet_position (f->input, 1, 2);
  virtio_input_ops.handle_queue (f->input, &f->d.vq, 0);
  g_assert_true (f->d.vq.broken);
  g_assert_nonnull (f->d.vq.error);
}

static void
test_looping_chain (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);

  vq_driver_set_desc (&f->d, 0, 0, buf, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
  vq_driver_publish (&f->d, 0);
  virtio_input_tablet_position (f->input, 1, 2);
  virtio_input_ops.handle_queue (f->input, &f->d.vq, 0);
  g_assert_true (f->d.vq.broken);
}

/* LED events from the driver are taken and returned. */
static void
test_status_drained (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);
  Event led = { VIRTIO_INPUT_EV_LED, 1, 1 };
  uint32_t id, len;

  memcpy (vq_driver_host (&f->d, buf), &led, 8);
  vq_driver_set_desc (&f->d, 0, 0, buf, 8, 0, 0);
  vq_driver_publish (&f->d, 0);
  virtio_input_ops.handle_queue (f->input, &f->d.vq, 1);
  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  g_assert_cmpuint (id, ==, 0);
  g_assert_cmpuint (len, ==, 0);
}

/* Through the PCI transport: configuration through BAR 0's device
 * window, and a host event reaching a published buffer by
 * virtio_pci_notify () alone, with no doorbell. */
typedef struct
{
  VqDriver d;
  IoBus *io;
  PciBus *bus;
  PciHost *host;
  VirtioInput *input;
  VirtioPci *vp;
  uint64_t bar;
} PciFixture;

#define DEVFN 8

static void
ignore_irq (void *opaque, unsigned irq, int level)
{
}

static uint32_t
cfg_read (PciFixture *f, unsigned reg, unsigned size)
{
  uint32_t addr = 0x80000000u | DEVFN << 8 | (reg & 0xfc), v = 0;
  uint8_t data[4];

  memcpy (data, &addr, 4);
  io_bus_access (f->io, IO_SPACE_PIO, 0xcf8, data, 4, true);
  io_bus_access (f->io, IO_SPACE_PIO, 0xcfc + (reg & 3), data, size, false);
  memcpy (&v, data, size);
  return v;
}

static uint64_t
mmio_read (PciFixture *f, uint64_t addr, unsigned size)
{
  uint8_t data[8] = { 0 };
  uint64_t v = 0;

  io_bus_access (f->io, IO_SPACE_MMIO, addr, data, size, false);
  memcpy (&v, data, size);
  return v;
}

static void
mmio_write (PciFixture *f, uint64_t addr, unsigned size, uint64_t value)
{
  uint8_t data[8];

  memcpy (data, &value, 8);
  io_bus_access (f->io, IO_SPACE_MMIO, addr, data, size, true);
}

static unsigned
find_virtio_cap (PciFixture *f, uint8_t type)
{
  for (unsigned p = cfg_read (f, PCI_CAPABILITY_PTR, 1); p != 0; p = cfg_read (f, p + 1, 1))
    {
      if (cfg_read (f, p, 1) == 0x09 && cfg_read (f, p + 3, 1) == type)
        return cfg_read (f, p + 8, 4);
    }
  g_assert_not_reached ();
}

static void
notify_transport (void *data, unsigned queue)
{
  virtio_pci_notify (data, queue);
}

static void
test_pci_notify (void)
{
  g_autoptr (GError) error = NULL;
  PciFixture fx = { 0 }, *f = &fx;
  uint64_t common, device, bufs;
  uint32_t id = 0, len = 0;
  Event ev;
  bool used = false;

  vq_driver_init (&f->d, 4 << 20, 64, FALSE, FALSE);
  f->io = io_bus_new ();
  f->bus = pci_bus_new ((IrqLine){ ignore_irq, NULL }, 4 << 20);
  f->host = pci_host_new (f->bus, &error);
  g_assert_no_error (error);
  g_assert_true (
      io_bus_register (f->io, IO_SPACE_PIO, 0xcf8, 4, &pci_host_addr_ops, f->host, NULL));
  g_assert_true (
      io_bus_register (f->io, IO_SPACE_PIO, 0xcfc, 4, &pci_host_data_ops, f->host, NULL));
  g_assert_true (pci_bus_register_windows (f->bus, f->io, NULL));
  f->input = virtio_input_new (VIRTIO_INPUT_TABLET);
  f->vp = virtio_pci_new (&virtio_input_ops, f->input, &f->d.mem, -1, NULL, &error);
  g_assert_no_error (error);
  virtio_input_set_notify_func (f->input, notify_transport, f->vp);
  g_assert_true (pci_bus_add (f->bus, virtio_pci_get_pci_device (f->vp), &error));
  pci_bus_reset (f->bus);
  g_assert_cmphex (cfg_read (f, 0, 4), ==, 0x10521af4); /* 0x1040 + 18 */
  f->bar = (cfg_read (f, PCI_BAR0, 4) & ~0xfu) | (uint64_t) cfg_read (f, PCI_BAR0 + 4, 4) << 32;
  common = f->bar + find_virtio_cap (f, 1);
  device = f->bar + find_virtio_cap (f, 4);

  /* ABS_INFO for ABS_Y through the BAR. */
  mmio_write (f, device + 0, 1, VIRTIO_INPUT_CFG_ABS_INFO);
  mmio_write (f, device + 1, 1, VIRTIO_INPUT_ABS_Y);
  g_assert_cmpuint (mmio_read (f, device + 2, 1), ==, 20);
  g_assert_cmpuint (mmio_read (f, device + 12, 4), ==, 32767);

  mmio_write (f, common + 0x14, 1, 0x03);
  mmio_write (f, common + 0x08, 4, 1);
  mmio_write (f, common + 0x0c, 4, 1); /* VERSION_1 */
  mmio_write (f, common + 0x14, 1, 0x0b);
  mmio_write (f, common + 0x16, 2, 0);
  mmio_write (f, common + 0x18, 2, 64);
  mmio_write (f, common + 0x20, 8, f->d.desc_gpa);
  mmio_write (f, common + 0x28, 8, f->d.avail_gpa);
  mmio_write (f, common + 0x30, 8, f->d.used_gpa);
  mmio_write (f, common + 0x1c, 2, 1);
  mmio_write (f, common + 0x14, 1, 0x0f);
  g_assert_cmphex (mmio_read (f, common + 0x14, 1), ==, 0x0f);

  bufs = vq_driver_alloc (&f->d, 8 * 4, 8);
  for (unsigned i = 0; i < 4; i++)
    {
      vq_driver_set_desc (&f->d, 0, i, bufs + 8 * i, 8, VIRTQ_DESC_F_WRITE, 0);
      vq_driver_publish (&f->d, i);
    }
  /* No doorbell: the event alone wakes the device. */
  virtio_input_tablet_position (f->input, 100, 200);
  for (unsigned i = 0; i < 1000 && !used; i++)
    {
      used = vq_driver_used_idx (&f->d) == 3;
      if (!used)
        g_usleep (10000);
    }
  g_assert_true (used);
  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  memcpy (&ev, vq_driver_host (&f->d, bufs + 8 * id), 8);
  g_assert_cmpuint (ev.type, ==, VIRTIO_INPUT_EV_ABS);
  g_assert_cmpuint (ev.code, ==, VIRTIO_INPUT_ABS_X);
  g_assert_cmpuint (ev.value, ==, 100);

  virtio_pci_free (f->vp);
  virtio_input_free (f->input);
  pci_host_free (f->host);
  pci_bus_free (f->bus);
  io_bus_free (f->io);
  vq_driver_fini (&f->d);
}

#define ADD(path, kind, func)                                                                  \
  g_test_add ("/vmm/virtio-input/" path, Fixture, GINT_TO_POINTER (kind), fixture_setup, func, \
              fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("tablet-config", VIRTIO_INPUT_TABLET, test_tablet_config);
  ADD ("keyboard-config", VIRTIO_INPUT_KEYBOARD, test_keyboard_config);
  ADD ("tablet-position", VIRTIO_INPUT_TABLET, test_tablet_position);
  ADD ("keyboard-scancodes", VIRTIO_INPUT_KEYBOARD, test_keyboard_scancodes);
  ADD ("queue-bound", VIRTIO_INPUT_TABLET, test_queue_bound);
  ADD ("short-buffer", VIRTIO_INPUT_TABLET, test_short_buffer);
  ADD ("looping-chain", VIRTIO_INPUT_TABLET, test_looping_chain);
  ADD ("status-drained", VIRTIO_INPUT_KEYBOARD, test_status_drained);
  g_test_add_func ("/vmm/virtio-input/pci-notify", test_pci_notify);
  return g_test_run ();
}

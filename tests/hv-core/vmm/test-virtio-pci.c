/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PCI host bridge and a virtio-blk function end to end, driven the way
 * a guest driver does through port I/O and MMIO on the I/O bus, with the
 * rings in synthetic guest memory (no /dev/kvm: doorbells are MMIO writes
 * and MSI-X vectors are eventfds).
 */
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "bus/pci.h"
#include "dev/pci-host.h"
#include "virtio/blk.h"
#include "virtio/pci.h"
#include "vq-driver.h"

#define VIRTIO_SLOT 1
#define DEVFN       (VIRTIO_SLOT * 8)

typedef struct
{
  int levels[24];
} IrqRecorder;

typedef struct
{
  char *dir, *path;
  IrqRecorder irq;
  IoBus *io;
  PciBus *bus;
  PciHost *host;
  VirtioBlk *blk;
  VirtioPci *vp;
  VqDriver d;
  uint64_t bar;
  unsigned cap_common, cap_notify, cap_isr, cap_msix;
} Fixture;

static void
record_irq (void *opaque, unsigned irq, int level)
{
  IrqRecorder *r = opaque;

  g_assert_cmpuint (irq, <, 24);
  r->levels[irq] = level;
}

static uint32_t
cfg_read (Fixture *f, unsigned devfn, unsigned reg, unsigned size)
{
  uint8_t data[4];
  uint32_t addr = 0x80000000u | devfn << 8 | (reg & 0xfc);
  uint32_t v = 0;

  memcpy (data, &addr, 4);
  io_bus_access (f->io, IO_SPACE_PIO, 0xcf8, data, 4, true);
  io_bus_access (f->io, IO_SPACE_PIO, 0xcfc + (reg & 3), data, size, false);
  memcpy (&v, data, size);
  return v;
}

static void
cfg_write (Fixture *f, unsigned devfn, unsigned reg, unsigned size, uint32_t value)
{
  uint8_t data[4];
  uint32_t addr = 0x80000000u | devfn << 8 | (reg & 0xfc);

  memcpy (data, &addr, 4);
  io_bus_access (f->io, IO_SPACE_PIO, 0xcf8, data, 4, true);
  memcpy (data, &value, 4);
  io_bus_access (f->io, IO_SPACE_PIO, 0xcfc + (reg & 3), data, size, true);
}

static uint64_t
mmio_read (Fixture *f, uint64_t addr, unsigned size)
{
  uint8_t data[8] = { 0 };
  uint64_t v = 0;

  io_bus_access (f->io, IO_SPACE_MMIO, addr, data, size, false);
  memcpy (&v, data, size);
  return v;
}

static void
mmio_write (Fixture *f, uint64_t addr, unsigned size, uint64_t value)
{
  uint8_t data[8];

  memcpy (data, &value, 8);
  io_bus_access (f->io, IO_SPACE_MMIO, addr, data, size, true);
}

/* The BAR offset a virtio capability of TYPE points at. */
static unsigned
find_cap (Fixture *f, uint8_t id, uint8_t type)
{
  for (unsigned p = cfg_read (f, DEVFN, PCI_CAPABILITY_PTR, 1); p != 0;
       p = cfg_read (f, DEVFN, p + 1, 1))
    {
      if (cfg_read (f, DEVFN, p, 1) == id && (id != 0x09 || cfg_read (f, DEVFN, p + 3, 1) == type))
        return p;
    }
  g_assert_not_reached ();
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  int fd;

  f->dir = g_dir_make_tmp ("test-virtio-pci-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "disk.img", NULL);
  fd = open (f->path, O_RDWR | O_CREAT, 0600);
  g_assert_cmpint (ftruncate (fd, 1 << 20), ==, 0);
  close (fd);

  vq_driver_init (&f->d, 4 << 20, 64, FALSE, FALSE);
  f->io = io_bus_new ();
  f->bus = pci_bus_new ((IrqLine){ record_irq, &f->irq }, 4 << 20);
  f->host = pci_host_new (f->bus, &error);
  g_assert_no_error (error);
  g_assert_true (
      io_bus_register (f->io, IO_SPACE_PIO, 0xcf8, 4, &pci_host_addr_ops, f->host, NULL));
  g_assert_true (
      io_bus_register (f->io, IO_SPACE_PIO, 0xcfc, 4, &pci_host_data_ops, f->host, NULL));
  g_assert_true (io_bus_register (f->io, IO_SPACE_MMIO, PCI_ECAM_BASE, PCI_ECAM_SIZE,
                                  &pci_host_ecam_ops, f->host, NULL));
  g_assert_true (pci_bus_register_windows (f->bus, f->io, NULL));
  f->blk = virtio_blk_new (block_image_open (f->path, FALSE, &error), "pci-test");
  g_assert_no_error (error);
  f->vp = virtio_pci_new (&virtio_blk_ops, f->blk, &f->d.mem, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pci_bus_add (f->bus, virtio_pci_get_pci_device (f->vp), &error));
  pci_bus_reset (f->bus);

  f->bar = (cfg_read (f, DEVFN, PCI_BAR0, 4) & ~0xfu) |
           (uint64_t) cfg_read (f, DEVFN, PCI_BAR0 + 4, 4) << 32;
  f->cap_common = cfg_read (f, DEVFN, find_cap (f, 0x09, 1) + 8, 4);
  f->cap_notify = cfg_read (f, DEVFN, find_cap (f, 0x09, 2) + 8, 4);
  f->cap_isr = cfg_read (f, DEVFN, find_cap (f, 0x09, 3) + 8, 4);
  f->cap_msix = find_cap (f, 0x11, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  virtio_pci_free (f->vp);
  virtio_blk_free (f->blk);
  pci_host_free (f->host);
  pci_bus_free (f->bus);
  io_bus_free (f->io);
  vq_driver_fini (&f->d);
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_enumerate (Fixture *f, gconstpointer data)
{
  uint32_t id = cfg_read (f, 0, 0, 4);

  g_assert_cmphex (id, ==, 0x00081b36);
  g_assert_cmphex (cfg_read (f, DEVFN, 0, 4), ==, 0x10421af4);
  g_assert_cmphex (cfg_read (f, 5 * 8, 0, 4), ==, 0xffffffff);     /* empty slot */
  g_assert_cmphex (cfg_read (f, DEVFN + 1, 0, 4), ==, 0xffffffff); /* function 1 */
  /* ECAM sees the same space. */
  g_assert_cmphex (mmio_read (f, PCI_ECAM_BASE + (DEVFN << 12), 4), ==, 0x10421af4);
  g_assert_cmphex (mmio_read (f, PCI_ECAM_BASE + (DEVFN << 12) + 2, 2), ==, 0x1042);
  /* INTA#, routed as the _PRT says. */
  g_assert_cmpuint (cfg_read (f, DEVFN, PCI_INTERRUPT_PIN, 1), ==, 1);
  g_assert_cmpuint (cfg_read (f, DEVFN, PCI_INTERRUPT_LINE, 1), ==, 16 + VIRTIO_SLOT % 4);
}

static void
test_bar_sizing (Fixture *f, gconstpointer data)
{
  uint32_t low = cfg_read (f, DEVFN, PCI_BAR0, 4);

  g_assert_cmphex (f->bar, >=, PCI_MMIO32_BASE);
  g_assert_cmphex (f->bar, <, PCI_MMIO32_BASE + PCI_MMIO32_SIZE);
  g_assert_cmphex (low & 0xf, ==, 0xc); /* 64-bit, prefetchable */
  g_assert_cmphex (cfg_read (f, DEVFN, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY, ==,
                   PCI_COMMAND_MEMORY);

  cfg_write (f, DEVFN, PCI_BAR0, 4, 0xffffffff);
  cfg_write (f, DEVFN, PCI_BAR0 + 4, 4, 0xffffffff);
  g_assert_cmphex (cfg_read (f, DEVFN, PCI_BAR0, 4), ==, 0xffff800c);
  g_assert_cmphex (cfg_read (f, DEVFN, PCI_BAR0 + 4, 4), ==, 0xffffffff);
  /* Moved elsewhere: the registers answer at the new place only. */
  cfg_write (f, DEVFN, PCI_BAR0, 4, 0xd0000000);
  cfg_write (f, DEVFN, PCI_BAR0 + 4, 4, 0);
  g_assert_cmpuint (mmio_read (f, 0xd0000000 + f->cap_common + 0x12, 2), ==, 1); /* num_queues */
  g_assert_cmphex (mmio_read (f, f->bar + f->cap_common + 0x12, 2), ==, 0xffff);
  /* Memory decoding off: nothing answers. */
  cfg_write (f, DEVFN, PCI_COMMAND, 2, 0);
  g_assert_cmphex (mmio_read (f, 0xd0000000 + f->cap_common + 0x12, 2), ==, 0xffff);
}

static void
common_write (Fixture *f, unsigned off, unsigned size, uint64_t v)
{
  mmio_write (f, f->bar + f->cap_common + off, size, v);
}

static uint64_t
common_read (Fixture *f, unsigned off, unsigned size)
{
  return mmio_read (f, f->bar + f->cap_common + off, size);
}

static void
negotiate (Fixture *f)
{
  uint64_t features;

  common_write (f, 0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  common_write (f, 0x00, 4, 0);
  features = common_read (f, 0x04, 4);
  common_write (f, 0x00, 4, 1);
  features |= common_read (f, 0x04, 4) << 32;
  g_assert_true (features & VIRTIO_BIT (VIRTIO_F_VERSION_1));
  g_assert_true (features & VIRTIO_BIT (VIRTIO_BLK_F_FLUSH));

  /* A feature the device does not have: FEATURES_OK does not stick. */
  common_write (f, 0x08, 4, 1);
  common_write (f, 0x0c, 4, 1 | 1u << 20);
  common_write (f, 0x14, 1,
                VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
  g_assert_cmphex (common_read (f, 0x14, 1) & VIRTIO_STATUS_FEATURES_OK, ==, 0);

  common_write (f, 0x0c, 4, 1); /* VERSION_1 only */
  common_write (f, 0x08, 4, 0);
  common_write (f, 0x0c, 4, VIRTIO_BIT (VIRTIO_BLK_F_FLUSH));
  common_write (f, 0x14, 1,
                VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
  g_assert_cmphex (common_read (f, 0x14, 1) & VIRTIO_STATUS_FEATURES_OK, ==,
                   VIRTIO_STATUS_FEATURES_OK);
}

static void
setup_queue (Fixture *f, uint64_t desc, uint16_t vector)
{
  common_write (f, 0x16, 2, 0);
  g_assert_cmpuint (common_read (f, 0x18, 2), ==, 256); /* the maximum */
  common_write (f, 0x18, 2, 64);
  common_write (f, 0x1a, 2, vector);
  common_write (f, 0x20, 4, (uint32_t) desc);
  common_write (f, 0x24, 4, desc >> 32);
  common_write (f, 0x28, 8, f->d.avail_gpa);
  common_write (f, 0x30, 8, f->d.used_gpa);
  common_write (f, 0x1c, 2, 1);
  common_write (f, 0x14, 1, 0x0f);
}

static void
enable_msix (Fixture *f)
{
  uint32_t table = cfg_read (f, DEVFN, f->cap_msix + 4, 4) & ~7u;
  uint64_t entry = f->bar + table + 1 * 16; /* vector 1 */

  cfg_write (f, DEVFN, f->cap_msix + 2, 2, 0x8000);
  mmio_write (f, entry, 4, 0xfee00000);
  mmio_write (f, entry + 4, 4, 0);
  mmio_write (f, entry + 8, 4, 0x41);
  mmio_write (f, entry + 12, 4, 0); /* unmask */
  g_assert_cmphex (mmio_read (f, entry + 8, 4), ==, 0x41);
}

/* A write request of one sector with PATTERN; rings the doorbell. */
static void
submit_write (Fixture *f, uint8_t pattern)
{
  uint64_t hdr = vq_driver_alloc (&f->d, 16, 8);
  uint64_t buf = vq_driver_alloc (&f->d, 512, 512);
  uint64_t status = vq_driver_alloc (&f->d, 1, 1);
  uint32_t type = VIRTIO_BLK_T_OUT;

  memset (vq_driver_host (&f->d, hdr), 0, 16);
  memcpy (vq_driver_host (&f->d, hdr), &type, 4);
  memset (vq_driver_host (&f->d, buf), pattern, 512);
  vq_driver_set_desc (&f->d, 0, 0, hdr, 16, VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&f->d, 0, 1, buf, 512, VIRTQ_DESC_F_NEXT, 2);
  vq_driver_set_desc (&f->d, 0, 2, status, 1, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->d, 0);
  mmio_write (f, f->bar + f->cap_notify + 0, 2, 0);
}

static void
wait_fd (int fd)
{
  struct pollfd p = { fd, POLLIN, 0 };
  uint64_t count;

  g_assert_cmpint (poll (&p, 1, 10000), ==, 1);
  g_assert_cmpint (read (fd, &count, sizeof count), ==, sizeof count);
}

static void
check_disk (Fixture *f, uint8_t pattern)
{
  uint8_t file[512], want[512];
  int fd = open (f->path, O_RDONLY);

  memset (want, pattern, sizeof want);
  g_assert_cmpint (pread (fd, file, sizeof file, 0), ==, 512);
  close (fd);
  g_assert_cmpmem (file, sizeof file, want, sizeof want);
}

static void
test_msix_request (Fixture *f, gconstpointer data)
{
  uint32_t id, len;

  negotiate (f);
  enable_msix (f);
  setup_queue (f, f->d.desc_gpa, 1);
  submit_write (f, 0x5a);
  wait_fd (virtio_pci_get_irq_fd (f->vp, 1));
  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  g_assert_cmpuint (id, ==, 0);
  g_assert_cmpuint (len, ==, 1);
  check_disk (f, 0x5a);
  /* MSI-X on: INTx stays quiet. */
  g_assert_cmpint (f->irq.levels[16 + VIRTIO_SLOT % 4], ==, 0);
}

static void
test_intx_request (Fixture *f, gconstpointer data)
{
  unsigned gsi = 16 + VIRTIO_SLOT % 4;
  uint32_t id, len;

  negotiate (f);
  setup_queue (f, f->d.desc_gpa, 0xffff);
  submit_write (f, 0xa5);
  for (unsigned i = 0; i < 1000 && f->irq.levels[gsi] == 0; i++)
    g_usleep (10000);
  g_assert_cmpint (f->irq.levels[gsi], ==, 1);
  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  check_disk (f, 0xa5);
  /* Reading the ISR acknowledges and lowers the line. */
  g_assert_cmpuint (mmio_read (f, f->bar + f->cap_isr, 1), ==, 1);
  g_assert_cmpint (f->irq.levels[gsi], ==, 0);
  g_assert_cmpuint (mmio_read (f, f->bar + f->cap_isr, 1), ==, 0);
}

static void
test_needs_reset (Fixture *f, gconstpointer data)
{
  negotiate (f);
  /* Descriptors past the end of guest RAM. */
  setup_queue (f, (4 << 20) - 256, 0xffff);
  g_assert_cmphex (virtio_pci_get_status (f->vp) & VIRTIO_STATUS_NEEDS_RESET, ==,
                   VIRTIO_STATUS_NEEDS_RESET);
  common_write (f, 0x14, 1, 0);
  g_assert_cmphex (common_read (f, 0x14, 1), ==, 0);
  g_assert_cmpuint (common_read (f, 0x1c, 2), ==, 0); /* queue disabled again */
}

static void
test_broken_chain (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);

  negotiate (f);
  enable_msix (f);
  common_write (f, 0x10, 2, 1); /* configuration changes on vector 1 too */
  setup_queue (f, f->d.desc_gpa, 1);
  vq_driver_set_desc (&f->d, 0, 0, buf, 8, VIRTQ_DESC_F_NEXT, 0); /* a loop */
  vq_driver_publish (&f->d, 0);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*loops*");
  mmio_write (f, f->bar + f->cap_notify, 2, 0);
  wait_fd (virtio_pci_get_irq_fd (f->vp, 1));
  g_test_assert_expected_messages ();
  g_assert_cmphex (common_read (f, 0x14, 1) & VIRTIO_STATUS_NEEDS_RESET, ==,
                   VIRTIO_STATUS_NEEDS_RESET);
}

/* The PCI_CFG capability: BAR 0 through a window in configuration space. */
static void
test_pci_cfg_window (Fixture *f, gconstpointer data)
{
  unsigned cap = find_cap (f, 0x09, 5);

  cfg_write (f, DEVFN, cap + 4, 1, 0);                    /* BAR 0 */
  cfg_write (f, DEVFN, cap + 8, 4, f->cap_common + 0x12); /* num_queues */
  cfg_write (f, DEVFN, cap + 12, 4, 2);
  g_assert_cmpuint (cfg_read (f, DEVFN, cap + 16, 2), ==, 1);
  /* A write through it: device_status ACKNOWLEDGE. */
  cfg_write (f, DEVFN, cap + 8, 4, f->cap_common + 0x14);
  cfg_write (f, DEVFN, cap + 12, 4, 1);
  cfg_write (f, DEVFN, cap + 16, 1, VIRTIO_STATUS_ACKNOWLEDGE);
  g_assert_cmpuint (common_read (f, 0x14, 1), ==, VIRTIO_STATUS_ACKNOWLEDGE);
  /* A bad length or an offset past the BAR reads nothing new. */
  cfg_write (f, DEVFN, cap + 12, 4, 3);
  cfg_write (f, DEVFN, cap + 16, 4, 0);
  g_assert_cmpuint (common_read (f, 0x14, 1), ==, VIRTIO_STATUS_ACKNOWLEDGE);
  cfg_write (f, DEVFN, cap + 8, 4, 0x7fffffff);
  cfg_write (f, DEVFN, cap + 12, 4, 4);
  g_assert_cmpuint (cfg_read (f, DEVFN, cap + 16, 4), ==, 0);
}

#define ADD(path, func) \
  g_test_add ("/vmm/virtio-pci/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("enumerate", test_enumerate);
  ADD ("bar-sizing", test_bar_sizing);
  ADD ("msix-request", test_msix_request);
  ADD ("intx-request", test_intx_request);
  ADD ("needs-reset", test_needs_reset);
  ADD ("broken-chain", test_broken_chain);
  ADD ("pci-cfg-window", test_pci_cfg_window);
  return g_test_run ();
}

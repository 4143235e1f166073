/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pci-display.h"

#include <glib.h>

/* Red Hat's vendor ID, as for the other devices of hv-vmm's PCI bus; the
 * device ID is one that no driver claims. */
#define PCI_DISPLAY_VENDOR 0x1b36
#define PCI_DISPLAY_DEVICE 0x00ff
#define PCI_DISPLAY_CLASS  0x030000 /* VGA-compatible display controller */

struct pci_display
{
  PciDevice dev;
  Framebuffer *fb;
};

/* Above the framebuffer, inside the BAR's power-of-two size: nothing. */
static uint64_t
pci_display_read (void *opaque, uint64_t offset, unsigned size)
{
  return 0;
}

static void
pci_display_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
}

static const IoOps pci_display_ops = {
  .read = pci_display_read,
  .write = pci_display_write,
};

static void
pci_display_bar_mapped (PciDevice *dev, unsigned bar, uint64_t addr)
{
  PciDisplay *pd = dev->opaque;

  if (bar == 0)
    framebuffer_move (pd->fb, addr);
}

static uint64_t
pci_display_bar_size (Framebuffer *fb)
{
  uint64_t size = 4096;

  while (size < framebuffer_get_size (fb))
    size <<= 1;
  return size;
}

PciDisplay *
pci_display_new (Framebuffer *fb)
{
  PciDisplay *pd = g_new0 (PciDisplay, 1);
  PciBarInfo bar = {
    .size = pci_display_bar_size (fb),
    .ops = &pci_display_ops,
    .opaque = pd,
  };

  pd->fb = fb;
  pci_device_init (&pd->dev, PCI_DISPLAY_VENDOR, PCI_DISPLAY_DEVICE, PCI_DISPLAY_CLASS, 0);
  pci_device_set_bar (&pd->dev, 0, &bar);
  pd->dev.bar_mapped = pci_display_bar_mapped;
  pd->dev.opaque = pd;
  return pd;
}

void
pci_display_free (PciDisplay *pd)
{
  g_free (pd);
}

PciDevice *
pci_display_get_device (PciDisplay *pd)
{
  return &pd->dev;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "pci-host.h"

#define PCI_HOST_VENDOR    0x1b36 /* the "generic PCIe host bridge" IDs */
#define PCI_HOST_DEVICE    0x0008
#define PCI_HOST_CLASS     0x060000 /* bridge, host */
#define CONFIG_ADDR_ENABLE 0x80000000u

struct pci_host
{
  PciDevice dev;
  PciBus *bus;
  GMutex lock;
  uint32_t config_addr; /* the 0xCF8 latch */
};

PciHost *
pci_host_new (PciBus *bus, GError **error)
{
  PciHost *host = g_new0 (PciHost, 1);

  host->bus = bus;
  g_mutex_init (&host->lock);
  pci_device_init (&host->dev, PCI_HOST_VENDOR, PCI_HOST_DEVICE, PCI_HOST_CLASS, 0);
  if (!pci_bus_add (bus, &host->dev, error))
    {
      pci_host_free (host);
      return NULL;
    }
  return host;
}

void
pci_host_free (PciHost *host)
{
  if (host == NULL)
    return;
  g_mutex_clear (&host->lock);
  g_free (host);
}

void
pci_host_reset (PciHost *host)
{
  g_mutex_lock (&host->lock);
  host->config_addr = 0;
  g_mutex_unlock (&host->lock);
}

static uint64_t
pci_host_addr_read (void *opaque, uint64_t offset, unsigned size)
{
  PciHost *host = opaque;
  uint32_t v;

  /* Only whole-dword accesses reach the latch (bytes at 0xCF9 are not ours). */
  if (offset != 0 || size != 4)
    return UINT64_MAX;
  g_mutex_lock (&host->lock);
  v = host->config_addr;
  g_mutex_unlock (&host->lock);
  return v;
}

static void
pci_host_addr_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  PciHost *host = opaque;

  if (offset != 0 || size != 4)
    return;
  g_mutex_lock (&host->lock);
  host->config_addr = value & 0x80fffffcu;
  g_mutex_unlock (&host->lock);
}

/* Bus 0 only: a cycle for another bus finds no device. */
static bool
pci_host_decode (PciHost *host, unsigned *devfn, unsigned *reg)
{
  uint32_t a;

  g_mutex_lock (&host->lock);
  a = host->config_addr;
  g_mutex_unlock (&host->lock);
  if ((a & CONFIG_ADDR_ENABLE) == 0 || ((a >> 16) & 0xff) != 0)
    return false;
  *devfn = (a >> 8) & 0xff;
  *reg = a & 0xfc;
  return true;
}

static uint64_t
pci_host_data_read (void *opaque, uint64_t offset, unsigned size)
{
  PciHost *host = opaque;
  unsigned devfn, reg;

  if (!pci_host_decode (host, &devfn, &reg) || offset + size > 4)
    return UINT64_MAX;
  return pci_bus_config_read (host->bus, devfn, reg + offset, size);
}

static void
pci_host_data_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  PciHost *host = opaque;
  unsigned devfn, reg;

  if (!pci_host_decode (host, &devfn, &reg) || offset + size > 4)
    return;
  pci_bus_config_write (host->bus, devfn, reg + offset, size, value);
}

/* ECAM: bus in bits 20-27 (only bus 0 is mapped), devfn 12-19, register 0-11. */
static uint64_t
pci_host_ecam_read (void *opaque, uint64_t offset, unsigned size)
{
  PciHost *host = opaque;

  if (size > 4 || (offset & (size - 1)) != 0)
    return UINT64_MAX;
  return pci_bus_config_read (host->bus, (offset >> 12) & 0xff, offset & 0xfff, size);
}

static void
pci_host_ecam_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  PciHost *host = opaque;

  if (size > 4 || (offset & (size - 1)) != 0)
    return;
  pci_bus_config_write (host->bus, (offset >> 12) & 0xff, offset & 0xfff, size, value);
}

const IoOps pci_host_addr_ops = { pci_host_addr_read, pci_host_addr_write };
const IoOps pci_host_data_ops = { pci_host_data_read, pci_host_data_write };
const IoOps pci_host_ecam_ops = { pci_host_ecam_read, pci_host_ecam_write };

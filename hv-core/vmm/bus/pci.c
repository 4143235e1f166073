/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pci.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vmm.h"

#define PCI_CAP_START 0x40

typedef struct
{
  PciBus *bus;
  uint64_t base;
} PciWindow;

struct pci_bus
{
  PciWindow windows[2]; /* 32-bit hole, above RAM */
  PciDevice *devices[PCI_MAX_DEVICES];
  IrqLine irq;
  uint64_t mmio64_base;
  /* Config writes move BARs (writer); MMIO and config reads look (reader). */
  GRWLock lock;
  GMutex intx_lock;
};

void
pci_config_set16 (PciDevice *dev, unsigned off, uint16_t value)
{
  dev->config[off] = value;
  dev->config[off + 1] = value >> 8;
}

void
pci_config_set32 (PciDevice *dev, unsigned off, uint32_t value)
{
  for (unsigned i = 0; i < 4; i++)
    dev->config[off + i] = value >> (8 * i);
}

static uint32_t
pci_config_get32 (const PciDevice *dev, unsigned off)
{
  uint32_t v = 0;

  for (unsigned i = 0; i < 4; i++)
    v |= (uint32_t) dev->config[off + i] << (8 * i);
  return v;
}

PciBus *
pci_bus_new (IrqLine irq, uint64_t ram_end)
{
  PciBus *bus = g_new0 (PciBus, 1);

  bus->irq = irq;
  /* 1 GiB aligned above RAM and never below 4 GiB. */
  bus->mmio64_base = MAX ((ram_end + (1ull << 30) - 1) & ~((1ull << 30) - 1), 1ull << 32);
  g_rw_lock_init (&bus->lock);
  g_mutex_init (&bus->intx_lock);
  return bus;
}

void
pci_bus_free (PciBus *bus)
{
  if (bus == NULL)
    return;
  g_rw_lock_clear (&bus->lock);
  g_mutex_clear (&bus->intx_lock);
  g_free (bus);
}

uint64_t
pci_bus_get_mmio64_base (PciBus *bus)
{
  return bus->mmio64_base;
}

void
pci_device_init (PciDevice *dev, uint16_t vendor, uint16_t device, uint32_t class_code,
                 uint8_t revision)
{
  memset (dev, 0, sizeof *dev);
  pci_config_set16 (dev, PCI_VENDOR_ID, vendor);
  pci_config_set16 (dev, PCI_DEVICE_ID, device);
  pci_config_set32 (dev, PCI_REVISION_ID, class_code << 8 | revision);
  dev->wmask[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
  dev->wmask[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
  dev->w1cmask[PCI_STATUS + 1] = 0xf9; /* the error bits */
  dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
  dev->cap_end = PCI_CAP_START;
}

void
pci_device_set_bar (PciDevice *dev, unsigned bar, const PciBarInfo *info)
{
  g_assert (bar < PCI_NUM_BARS && (!info->is64 || bar + 1 < PCI_NUM_BARS));
  g_assert (info->size >= 4096 && (info->size & (info->size - 1)) == 0);
  g_assert (info->is64 || !info->high);
  dev->bars[bar] = *info;
  if (info->is64)
    pci_config_set32 (dev, PCI_BAR0 + 4 * bar, PCI_BAR_MEM_64 | PCI_BAR_PREFETCHABLE);
}

unsigned
pci_device_add_capability (PciDevice *dev, uint8_t id, unsigned len)
{
  unsigned off = dev->cap_end;

  g_assert (len >= 2 && off + len <= PCI_CONFIG_SIZE);
  dev->config[off] = id;
  dev->config[off + 1] = 0;
  if (dev->cap_last == 0)
    dev->config[PCI_CAPABILITY_PTR] = off;
  else
    dev->config[dev->cap_last + 1] = off;
  dev->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
  dev->cap_last = off;
  dev->cap_end = (off + len + 3) & ~3u;
  return off;
}

static PciDevice *
pci_bus_get (PciBus *bus, unsigned devfn)
{
  /* Single-function devices: function 0 only. */
  if ((devfn & 7) != 0 || devfn / 8 >= PCI_MAX_DEVICES)
    return NULL;
  return bus->devices[devfn / 8];
}

gboolean
pci_bus_add (PciBus *bus, PciDevice *dev, GError **error)
{
  for (unsigned slot = 0; slot < PCI_MAX_DEVICES; slot++)
    {
      if (bus->devices[slot] != NULL)
        continue;
      bus->devices[slot] = dev;
      dev->slot = slot;
      dev->bus = bus;
      if (dev->config[PCI_INTERRUPT_PIN] != 0)
        dev->config[PCI_INTERRUPT_LINE] =
            PCI_INTX_GSI_BASE + (slot + dev->config[PCI_INTERRUPT_PIN] - 1) % 4;
      return TRUE;
    }
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
               _ ("The machine has too many PCI devices; at most %u fit."), PCI_MAX_DEVICES);
  return FALSE;
}

/* The address a BAR's registers hold now (flags masked off). */
static uint64_t
pci_bar_read_addr (const PciDevice *dev, unsigned bar)
{
  uint64_t addr = pci_config_get32 (dev, PCI_BAR0 + 4 * bar) & ~0xfull;

  if (dev->bars[bar].is64)
    addr |= (uint64_t) pci_config_get32 (dev, PCI_BAR0 + 4 * (bar + 1)) << 32;
  return addr;
}

static void
pci_bar_write_addr (PciDevice *dev, unsigned bar, uint64_t addr)
{
  uint32_t flags = pci_config_get32 (dev, PCI_BAR0 + 4 * bar) & 0xf;

  pci_config_set32 (dev, PCI_BAR0 + 4 * bar, (uint32_t) addr | flags);
  if (dev->bars[bar].is64)
    pci_config_set32 (dev, PCI_BAR0 + 4 * (bar + 1), addr >> 32);
}

/* Tells the device where each BAR decodes now, where that changed. */
static void
pci_device_update_mappings (PciDevice *dev)
{
  bool enabled = (dev->config[PCI_COMMAND] & PCI_COMMAND_MEMORY) != 0;

  for (unsigned i = 0; i < PCI_NUM_BARS; i++)
    {
      uint64_t size = dev->bars[i].size;
      uint64_t addr = size != 0 && enabled ? pci_bar_read_addr (dev, i) : 0;

      /* A BAR being sized (all ones) or wrapping decodes nothing. */
      if (addr + size < addr)
        addr = 0;
      if (addr == dev->bar_addr[i])
        continue;
      dev->bar_addr[i] = addr;
      if (dev->bar_mapped != NULL)
        dev->bar_mapped (dev, i, addr);
    }
}

/* The firmware's allocator: every BAR naturally aligned in its window. */
void
pci_bus_reset (PciBus *bus)
{
  uint64_t next32 = PCI_MMIO32_BASE;
  uint64_t next64 = bus->mmio64_base;

  g_rw_lock_writer_lock (&bus->lock);
  for (unsigned slot = 0; slot < PCI_MAX_DEVICES; slot++)
    {
      PciDevice *dev = bus->devices[slot];

      if (dev == NULL)
        continue;
      for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        {
          const PciBarInfo *b = &dev->bars[i];
          uint64_t *next = b->high ? &next64 : &next32;

          if (b->size == 0)
            continue;
          *next = (*next + b->size - 1) & ~(b->size - 1);
          pci_bar_write_addr (dev, i, *next);
          *next += b->size;
        }
      g_assert (next32 <= PCI_MMIO32_BASE + PCI_MMIO32_SIZE);
      pci_config_set16 (dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
      pci_config_set16 (dev, PCI_STATUS, pci_config_get16 (dev, PCI_STATUS) & PCI_STATUS_CAP_LIST);
      dev->intx_level = false;
      pci_device_update_mappings (dev);
    }
  g_rw_lock_writer_unlock (&bus->lock);
}

uint32_t
pci_bus_config_read (PciBus *bus, unsigned devfn, unsigned offset, unsigned size)
{
  PciDevice *dev;
  uint32_t value = 0;

  g_rw_lock_reader_lock (&bus->lock);
  dev = pci_bus_get (bus, devfn);
  if (dev == NULL)
    value = UINT32_MAX;
  else if (offset + size <= PCI_CONFIG_SIZE)
    {
      if (dev->config_read != NULL)
        dev->config_read (dev, offset, size);
      for (unsigned i = 0; i < size; i++)
        value |= (uint32_t) dev->config[offset + i] << (8 * i);
    }
  g_rw_lock_reader_unlock (&bus->lock);
  return value;
}

/* A BAR register: only the bits above the BAR's size stick (sizing). */
static bool
pci_write_bar (PciDevice *dev, unsigned offset, unsigned size, uint32_t value)
{
  unsigned reg = (offset - PCI_BAR0) / 4;
  unsigned bar = reg;
  bool upper = false;
  uint64_t mask;
  uint32_t old;
  uint32_t merged;

  if (offset < PCI_BAR0 || offset >= PCI_BAR0 + 4 * PCI_NUM_BARS)
    return false;
  if (reg > 0 && dev->bars[reg].size == 0 && dev->bars[reg - 1].is64)
    {
      bar = reg - 1;
      upper = true;
    }
  if (dev->bars[bar].size == 0)
    return true; /* no BAR: reads as 0 */
  mask = ~(dev->bars[bar].size - 1);
  old = pci_config_get32 (dev, PCI_BAR0 + 4 * reg);
  merged = old;
  for (unsigned i = 0; i < size; i++)
    {
      unsigned shift = 8 * ((offset & 3) + i);

      merged = (merged & ~(0xffu << shift)) | ((value >> (8 * i)) & 0xff) << shift;
    }
  if (upper)
    merged &= mask >> 32;
  else
    merged = (merged & (uint32_t) mask & ~0xfu) | (old & 0xf);
  pci_config_set32 (dev, PCI_BAR0 + 4 * reg, merged);
  return true;
}

static void
pci_write_bytes (PciDevice *dev, unsigned offset, unsigned size, uint32_t value)
{
  for (unsigned i = 0; i < size; i++)
    {
      unsigned o = offset + i;
      uint8_t v = value >> (8 * i);

      dev->config[o] = (dev->config[o] & ~dev->wmask[o]) | (v & dev->wmask[o]);
      dev->config[o] &= ~(v & dev->w1cmask[o]);
    }
}

void
pci_bus_config_write (PciBus *bus, unsigned devfn, unsigned offset, unsigned size, uint32_t value)
{
  PciDevice *dev;

  g_rw_lock_writer_lock (&bus->lock);
  dev = pci_bus_get (bus, devfn);
  if (dev != NULL && offset + size <= PCI_CONFIG_SIZE)
    {
      if (!pci_write_bar (dev, offset, size, value))
        {
          pci_write_bytes (dev, offset, size, value);
          if (dev->config_written != NULL)
            dev->config_written (dev, offset, size);
        }
      pci_device_update_mappings (dev);
    }
  g_rw_lock_writer_unlock (&bus->lock);
  /* INTX_DISABLE may have changed what the line shows. */
  if (dev != NULL && offset <= PCI_COMMAND + 1 && offset + size > PCI_COMMAND)
    pci_device_set_intx (dev, dev->intx_level);
}

/* The BAR that decodes ADDR, or NULL; under the reader lock. */
static const PciBarInfo *
pci_bus_find_bar (PciBus *bus, uint64_t addr, uint64_t *offset)
{
  for (unsigned slot = 0; slot < PCI_MAX_DEVICES; slot++)
    {
      PciDevice *dev = bus->devices[slot];

      for (unsigned i = 0; dev != NULL && i < PCI_NUM_BARS; i++)
        {
          uint64_t base = dev->bar_addr[i];

          if (base != 0 && addr >= base && addr - base < dev->bars[i].size)
            {
              *offset = addr - base;
              return &dev->bars[i];
            }
        }
    }
  return NULL;
}

static uint64_t
pci_window_read (void *opaque, uint64_t offset, unsigned size)
{
  PciWindow *w = opaque;
  const PciBarInfo *bar;
  uint64_t bar_offset;
  uint64_t value = UINT64_MAX;

  g_rw_lock_reader_lock (&w->bus->lock);
  bar = pci_bus_find_bar (w->bus, w->base + offset, &bar_offset);
  if (bar != NULL && bar_offset + size <= bar->size && bar->ops->read != NULL)
    value = bar->ops->read (bar->opaque, bar_offset, size);
  g_rw_lock_reader_unlock (&w->bus->lock);
  return value;
}

static void
pci_window_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  PciWindow *w = opaque;
  const PciBarInfo *bar;
  uint64_t bar_offset;

  g_rw_lock_reader_lock (&w->bus->lock);
  bar = pci_bus_find_bar (w->bus, w->base + offset, &bar_offset);
  if (bar != NULL && bar_offset + size <= bar->size && bar->ops->write != NULL)
    bar->ops->write (bar->opaque, bar_offset, value, size);
  g_rw_lock_reader_unlock (&w->bus->lock);
}

static const IoOps pci_window_ops = { pci_window_read, pci_window_write };

gboolean
pci_bus_register_windows (PciBus *bus, IoBus *io, GError **error)
{
  bus->windows[0] = (PciWindow){ bus, PCI_MMIO32_BASE };
  bus->windows[1] = (PciWindow){ bus, bus->mmio64_base };
  return io_bus_register (io, IO_SPACE_MMIO, PCI_MMIO32_BASE, PCI_MMIO32_SIZE, &pci_window_ops,
                          &bus->windows[0], error) &&
         io_bus_register (io, IO_SPACE_MMIO, bus->mmio64_base, PCI_MMIO64_SIZE, &pci_window_ops,
                          &bus->windows[1], error);
}

static unsigned
pci_intx_gsi (const PciDevice *dev)
{
  return PCI_INTX_GSI_BASE + (dev->slot + dev->config[PCI_INTERRUPT_PIN] - 1) % 4;
}

/* Devices share the four lines: a line is high while any of them holds it. */
void
pci_device_set_intx (PciDevice *dev, bool level)
{
  PciBus *bus = dev->bus;
  unsigned gsi;
  bool line = false;

  if (bus == NULL || dev->config[PCI_INTERRUPT_PIN] == 0)
    return; /* not plugged in yet, or no INTx */
  gsi = pci_intx_gsi (dev);
  g_mutex_lock (&bus->intx_lock);
  dev->intx_level = level;
  if (level)
    dev->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
  else
    dev->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
  for (unsigned slot = 0; slot < PCI_MAX_DEVICES; slot++)
    {
      PciDevice *d = bus->devices[slot];

      if (d != NULL && d->config[PCI_INTERRUPT_PIN] != 0 && pci_intx_gsi (d) == gsi &&
          d->intx_level && (pci_config_get16 (d, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) == 0)
        line = true;
    }
  bus->irq.set_level (bus->irq.opaque, gsi, line);
  g_mutex_unlock (&bus->intx_lock);
}

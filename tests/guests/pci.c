/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PCI configuration mechanism #1 on bus 0, for the guests that find devices. */
#include "guest.h"

#define PCI_ADDR_PORT 0xcf8
#define PCI_DATA_PORT 0xcfc

uint32_t
pci_read (unsigned dev, unsigned reg)
{
  outl (PCI_ADDR_PORT, 0x80000000u | dev << 11 | (reg & 0xfc));
  return inl (PCI_DATA_PORT);
}

void
pci_write (unsigned dev, unsigned reg, uint32_t value)
{
  outl (PCI_ADDR_PORT, 0x80000000u | dev << 11 | (reg & 0xfc));
  outl (PCI_DATA_PORT, value);
}

uint8_t
pci_read8 (unsigned dev, unsigned reg)
{
  return pci_read (dev, reg) >> (8 * (reg & 3));
}

volatile uint8_t *
pci_bar_pointer (unsigned dev, unsigned bar, uint32_t offset)
{
  uint64_t base =
      (pci_read (dev, 0x10 + 4 * bar) & ~0xfu) | (uint64_t) pci_read (dev, 0x14 + 4 * bar) << 32;

  return phys_map (base + offset, 4096, true);
}

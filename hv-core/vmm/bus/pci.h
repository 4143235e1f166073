/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * PCI bus 0: the devices' configuration space, their BARs and the memory
 * windows the BARs live in. The host bridge (dev/pci-host.c) forwards the
 * guest's configuration cycles here; the windows are registered on the I/O
 * bus once and dispatched to whichever BAR covers an address.
 *
 * Memory map (bus/pci.h is the one place that says it; the DSDT and the
 * MCFG table repeat it):
 *   0xC0000000 - 0xDFFFFFFF  32-bit BARs
 *   0xE0000000 - 0xE00FFFFF  ECAM for bus 0
 *   above RAM, 1 GiB aligned  64-bit BARs (PCI_MMIO64_SIZE)
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "io.h"

#define PCI_MMIO32_BASE 0xC0000000ull
#define PCI_MMIO32_SIZE 0x20000000ull
#define PCI_ECAM_BASE   0xE0000000ull
#define PCI_ECAM_SIZE   0x100000ull    /* bus 0: 32 devices x 8 functions x 4 KiB */
#define PCI_MMIO64_SIZE 0x800000000ull /* 32 GiB */
#define PCI_MAX_DEVICES 32
#define PCI_CONFIG_SIZE 256
#define PCI_NUM_BARS    6
/* INTx: pin P of slot S reaches IOAPIC input 16 + (S + P) % 4 (the _PRT). */
#define PCI_INTX_GSI_BASE 16

/* Configuration space registers. */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION_ID    0x08
#define PCI_CLASS_PROG     0x09
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_SUBSYSTEM_VID  0x2c
#define PCI_SUBSYSTEM_ID   0x2e
#define PCI_CAPABILITY_PTR 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d

#define PCI_COMMAND_IO           0x1
#define PCI_COMMAND_MEMORY       0x2
#define PCI_COMMAND_MASTER       0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_INTERRUPT     0x08
#define PCI_STATUS_CAP_LIST      0x10

#define PCI_BAR_MEM_64       0x4
#define PCI_BAR_PREFETCHABLE 0x8

typedef struct pci_bus PciBus;
typedef struct pci_device PciDevice;

typedef struct
{
  uint64_t size; /* a power of two, 4 KiB at least; 0: no BAR */
  bool is64;
  bool high; /* place above RAM rather than in the 32-bit hole */
  const IoOps *ops;
  void *opaque;
} PciBarInfo;

struct pci_device
{
  uint8_t config[PCI_CONFIG_SIZE];
  uint8_t wmask[PCI_CONFIG_SIZE];   /* bits the guest may change */
  uint8_t w1cmask[PCI_CONFIG_SIZE]; /* bits a guest write of 1 clears */
  PciBarInfo bars[PCI_NUM_BARS];
  uint64_t bar_addr[PCI_NUM_BARS]; /* where each BAR is decoded, or 0 */
  unsigned slot;
  PciBus *bus;
  /* After the guest wrote configuration space (not the BARs). */
  void (*config_written) (PciDevice *dev, unsigned offset, unsigned size);
  /* Before the guest reads configuration space: a chance to refresh
   * registers that are windows onto something else. */
  void (*config_read) (PciDevice *dev, unsigned offset, unsigned size);
  /* After a BAR was moved, enabled or disabled: ADDR 0 when not decoded. */
  void (*bar_mapped) (PciDevice *dev, unsigned bar, uint64_t addr);
  void *opaque;
  bool intx_level;
  unsigned cap_end, cap_last; /* where the next capability goes, the last one */
};

/* RAM_END: the first address above guest RAM (the 64-bit window starts
 * above it). */
PciBus *pci_bus_new (IrqLine irq, uint64_t ram_end);
void pci_bus_free (PciBus *bus);
/* Registers the memory windows on IO. */
gboolean pci_bus_register_windows (PciBus *bus, IoBus *io, GError **error);
uint64_t pci_bus_get_mmio64_base (PciBus *bus);

/* Fills the header of a type 0 function. */
void pci_device_init (PciDevice *dev, uint16_t vendor, uint16_t device, uint32_t class_code,
                      uint8_t revision);
/* Adds a BAR; before pci_bus_add(). */
void pci_device_set_bar (PciDevice *dev, unsigned bar, const PciBarInfo *info);
/* Adds a capability of LEN bytes; returns its offset in configuration space. */
unsigned pci_device_add_capability (PciDevice *dev, uint8_t id, unsigned len);
/* Puts DEV into the first free slot; fails when the bus is full. */
gboolean pci_bus_add (PciBus *bus, PciDevice *dev, GError **error);

/* Power-on: the firmware's work of giving every BAR an address and
 * enabling memory decoding. */
void pci_bus_reset (PciBus *bus);

/* Configuration cycles from the host bridge; OFFSET + SIZE inside 4 KiB. */
uint32_t pci_bus_config_read (PciBus *bus, unsigned devfn, unsigned offset, unsigned size);
void pci_bus_config_write (PciBus *bus, unsigned devfn, unsigned offset, unsigned size,
                           uint32_t value);

/* Drives the device's INTx line (level-triggered, shared). */
void pci_device_set_intx (PciDevice *dev, bool level);

static inline uint16_t
pci_config_get16 (const PciDevice *dev, unsigned off)
{
  return dev->config[off] | dev->config[off + 1] << 8;
}

void pci_config_set16 (PciDevice *dev, unsigned off, uint16_t value);
void pci_config_set32 (PciDevice *dev, unsigned off, uint32_t value);

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PCI host bridge: function 00:00.0, and the two ways the guest reaches
 * configuration space, mechanism #1 (an address latch at 0xCF8, data at
 * 0xCFC) and ECAM (a memory window, announced by the MCFG table).
 */
#pragma once

#include "bus/pci.h"

#define PCI_HOST_CONFIG_ADDR_PORT 0xcf8
#define PCI_HOST_CONFIG_DATA_PORT 0xcfc

typedef struct pci_host PciHost;

extern const IoOps pci_host_addr_ops; /* 4 bytes at 0xCF8 */
extern const IoOps pci_host_data_ops; /* 4 bytes at 0xCFC */
extern const IoOps pci_host_ecam_ops; /* PCI_ECAM_SIZE bytes at PCI_ECAM_BASE */

/* Adds the bridge to BUS as its first device. */
PciHost *pci_host_new (PciBus *bus, GError **error);
void pci_host_free (PciHost *host);
void pci_host_reset (PciHost *host);

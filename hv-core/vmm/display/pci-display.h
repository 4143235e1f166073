/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The framebuffer as a PCI display controller (class 0x030000): BAR 0 is the
 * framebuffer's memory. Wherever the firmware (pci_bus_reset) or the guest
 * puts the BAR, the framebuffer's memory slot follows, so that screen_info
 * and the BAR always name the same memory. No driver binds to it: it is
 * there so that the guest sees what owns the framebuffer's addresses
 * (efifb and the VGA arbiter look for the BAR that holds it).
 */
#pragma once

#include "bus/pci.h"
#include "framebuffer.h"

typedef struct pci_display PciDisplay;

PciDisplay *pci_display_new (Framebuffer *fb);
void pci_display_free (PciDisplay *pd);
PciDevice *pci_display_get_device (PciDisplay *pd);

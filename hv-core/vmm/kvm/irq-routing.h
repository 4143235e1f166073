/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * KVM's eventfd plumbing for devices: MSI routes with irqfds (an eventfd
 * write raises an MSI in the guest without a trip through the VMM) and
 * ioeventfds (a guest write to a doorbell wakes a device thread without
 * leaving KVM_RUN).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct irq_routing IrqRouting;

IrqRouting *irq_routing_new (int vm_fd);
void irq_routing_free (IrqRouting *routing);
/* A GSI of its own, routed as an MSI, that EVENTFD raises; -1 on error. */
int irq_routing_add_msi (IrqRouting *routing, int eventfd, GError **error);
/* Points GSI at another MSI address and data (the guest reprogrammed it). */
gboolean irq_routing_set_msi (IrqRouting *routing, unsigned gsi, uint64_t addr, uint32_t data,
                              GError **error);

/* Makes a 2-byte guest write (a virtio queue index) at ADDR (MMIO) signal EVENTFD; with ASSIGN
 * false, undoes it. */
gboolean kvm_ioeventfd (int vm_fd, uint64_t addr, int eventfd, bool assign, GError **error);

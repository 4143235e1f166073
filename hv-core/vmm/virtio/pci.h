/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The virtio over PCI transport, modern interface only (virtio 1.x, 4.1):
 * a PCI function whose BAR 0 holds the common, ISR, device and notify
 * structures and the MSI-X table. Each device gets an I/O thread that
 * waits on the queues' doorbells (ioeventfds where KVM has them) and runs
 * the device model, so no request is served on a vCPU thread.
 */
#pragma once

#include "bus/pci.h"
#include "kvm/irq-routing.h"
#include "virtio.h"

typedef struct virtio_pci VirtioPci;

/* VM_FD and ROUTING may be -1 and NULL (unit tests): then doorbells are
 * MMIO writes and interrupts are eventfd writes nobody reads. */
VirtioPci *virtio_pci_new (const VirtioDeviceOps *ops, void *dev, const GuestMemory *mem, int vm_fd,
                           IrqRouting *routing, GError **error);
/* Stops the I/O thread; the device model DEV stays the caller's. */
void virtio_pci_free (VirtioPci *vp);
PciDevice *virtio_pci_get_pci_device (VirtioPci *vp);
/* Machine reset: the device and its MSI-X state to power-on. */
void virtio_pci_reset (VirtioPci *vp);
uint8_t virtio_pci_get_status (VirtioPci *vp);
/* The eventfd VECTOR's MSI is sent through (an irqfd in hv-vmm). */
int virtio_pci_get_irq_fd (VirtioPci *vp, unsigned vector);
/* Thread-safe: the device has work for queue QUEUE that no kick announced
 * (input arrived from the host side). The I/O thread runs the device's
 * handle_queue for it as if the driver had kicked; a device calls this from
 * any thread after queueing the work under its own lock. */
void virtio_pci_notify (VirtioPci *vp, unsigned queue);

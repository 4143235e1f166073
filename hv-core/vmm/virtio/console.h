/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * virtio-console (virtio 1.x, 5.3) with one port and no multiport: a
 * second byte stream between the guest (/dev/hvc0) and the host. What
 * the guest transmits goes to an output function on the device's I/O
 * thread; host input is buffered (bounded: bytes past the bound are
 * dropped) until the driver gives receive buffers.
 */
#pragma once

#include "virtio.h"

#define VIRTIO_CONSOLE_CONFIG_SIZE 12
/* Host input kept while the guest does not read. */
#define VIRTIO_CONSOLE_MAX_PENDING (64 * 1024)

typedef struct virtio_console VirtioConsole;

typedef void (*VirtioConsoleOutputFunc) (const uint8_t *bytes, size_t len, void *data);
/* Called (any thread) when input waits for QUEUE: virtio_pci_notify (). */
typedef void (*VirtioConsoleNotifyFunc) (void *data, unsigned queue);

extern const VirtioDeviceOps virtio_console_ops;

VirtioConsole *virtio_console_new (void);
void virtio_console_free (VirtioConsole *console);
/* Set before the device runs. */
void virtio_console_set_output_func (VirtioConsole *console, VirtioConsoleOutputFunc func,
                                     void *data);
void virtio_console_set_notify_func (VirtioConsole *console, VirtioConsoleNotifyFunc func,
                                     void *data);
/* Thread-safe: bytes for the guest; returns how many were kept. */
size_t virtio_console_input (VirtioConsole *console, const uint8_t *bytes, size_t len);

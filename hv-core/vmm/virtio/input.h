/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * virtio-input (virtio 1.x, 5.8): a keyboard or an absolute tablet that
 * passes evdev events to the guest. The host side (the display) queues
 * events from any thread; the device hands them to the driver's event
 * buffers on its I/O thread. The queue is bounded: when the driver does
 * not read, the oldest events are dropped. Status events from the driver
 * (keyboard LEDs) are consumed and ignored.
 */
#pragma once

#include "virtio.h"

/* evdev event types and codes the devices use. */
#define VIRTIO_INPUT_EV_SYN 0x00
#define VIRTIO_INPUT_EV_KEY 0x01
#define VIRTIO_INPUT_EV_REL 0x02
#define VIRTIO_INPUT_EV_ABS 0x03
#define VIRTIO_INPUT_EV_LED 0x11
#define VIRTIO_INPUT_EV_REP 0x14

#define VIRTIO_INPUT_ABS_X      0x00
#define VIRTIO_INPUT_ABS_Y      0x01
#define VIRTIO_INPUT_REL_WHEEL  0x08
#define VIRTIO_INPUT_BTN_LEFT   0x110
#define VIRTIO_INPUT_BTN_RIGHT  0x111
#define VIRTIO_INPUT_BTN_MIDDLE 0x112

/* The tablet's coordinates run from 0 to this, whatever the screen size. */
#define VIRTIO_INPUT_ABS_MAX 32767
/* Events kept for a driver that does not read. */
#define VIRTIO_INPUT_MAX_PENDING 256

/* Configuration space selectors (5.8.2). */
#define VIRTIO_INPUT_CFG_UNSET     0x00
#define VIRTIO_INPUT_CFG_ID_NAME   0x01
#define VIRTIO_INPUT_CFG_ID_SERIAL 0x02
#define VIRTIO_INPUT_CFG_ID_DEVIDS 0x03
#define VIRTIO_INPUT_CFG_PROP_BITS 0x10
#define VIRTIO_INPUT_CFG_EV_BITS   0x11
#define VIRTIO_INPUT_CFG_ABS_INFO  0x12

#define VIRTIO_INPUT_CONFIG_SIZE 136

typedef enum
{
  VIRTIO_INPUT_KEYBOARD,
  VIRTIO_INPUT_TABLET,
} VirtioInputKind;

typedef struct virtio_input VirtioInput;

/* Called (any thread, device lock not held) when events were queued for
 * QUEUE: the transport's virtio_pci_notify (). */
typedef void (*VirtioInputNotifyFunc) (void *data, unsigned queue);

/* Called when the driver starts taking events (it gave the event queue
 * buffers: it is bound) or stops (device reset), on the thread that saw
 * it, with the transport's lock held: only schedule work. */
typedef void (*VirtioInputActiveFunc) (bool active, void *data);

extern const VirtioDeviceOps virtio_input_ops;

VirtioInput *virtio_input_new (VirtioInputKind kind);
void virtio_input_free (VirtioInput *input);
void virtio_input_set_notify_func (VirtioInput *input, VirtioInputNotifyFunc func, void *data);
void virtio_input_set_active_func (VirtioInput *input, VirtioInputActiveFunc func, void *data);
bool virtio_input_is_active (VirtioInput *input);
/* Thread-safe. Queues one event; the driver sees it once EV_SYN follows. */
void virtio_input_send (VirtioInput *input, uint16_t type, uint16_t code, uint32_t value);
/* Thread-safe. Queues ABS_X, ABS_Y (0..VIRTIO_INPUT_ABS_MAX) and EV_SYN. */
void virtio_input_tablet_position (VirtioInput *input, uint32_t x, uint32_t y);
/* Thread-safe. Key or button CODE down or up, then EV_SYN. */
void virtio_input_key (VirtioInput *input, uint16_t code, bool pressed);
/* Thread-safe. REL_WHEEL by STEPS (positive: away from the user), EV_SYN. */
void virtio_input_wheel (VirtioInput *input, int steps);
/* Thread-safe. One byte of a PC set-1 scancode stream (0xE0 prefixes
 * included, as SPICE and the i8042 use them) to EV_KEY and EV_SYN: the
 * keyboard's evdev codes. Bytes of codes it does not know are dropped. */
void virtio_input_scancode (VirtioInput *input, uint8_t byte);
/* Events dropped because the queue was full. */
uint64_t virtio_input_get_dropped (VirtioInput *input);

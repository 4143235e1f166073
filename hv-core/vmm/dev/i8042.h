/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The i8042 keyboard controller at 0x60/0x64 with a keyboard (IRQ 1) and a
 * PS/2 mouse (IRQ 12) that answer the commands Linux probes with. Its
 * command 0xFE pulses the CPU reset line.
 */
#pragma once

#include "bus/io.h"

#define I8042_DATA_PORT    0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_KBD_IRQ      1
#define I8042_AUX_IRQ      12

typedef struct i8042 I8042;
typedef void (*I8042ResetFunc) (void *user_data);
/* The keyboard LEDs as the guest set them (bit 0 scroll, 1 num, 2 caps lock);
 * called on the vCPU thread that wrote them. */
typedef void (*I8042LedsFunc) (uint8_t leds, void *user_data);

#define I8042_AUX_BUTTONS 0x07 /* left, right, middle */

I8042 *i8042_new (IrqLine irq, I8042ResetFunc reset, void *reset_data);
void i8042_free (I8042 *dev);
void i8042_reset (I8042 *dev);
/* For io_bus_register() on one port each (OFFSET is always 0). */
extern const IoOps i8042_data_ops;
extern const IoOps i8042_command_ops;

/* Input from the host (any thread). Keyboard bytes are scancode set 1 as
 * the controller hands them to the guest with translation on (the default,
 * which Linux keeps). Mouse motion becomes one 3-byte packet, only while the
 * guest has enabled data reporting; DY counts downwards. */
void i8042_kbd_input (I8042 *dev, uint8_t byte);
void i8042_aux_input (I8042 *dev, int dx, int dy, unsigned buttons);
void i8042_set_leds_func (I8042 *dev, I8042LedsFunc func, void *user_data);
uint8_t i8042_get_leds (I8042 *dev);

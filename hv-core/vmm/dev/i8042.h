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

I8042 *i8042_new (IrqLine irq, I8042ResetFunc reset, void *reset_data);
void i8042_free (I8042 *dev);
void i8042_reset (I8042 *dev);
/* For io_bus_register() on one port each (OFFSET is always 0). */
extern const IoOps i8042_data_ops;
extern const IoOps i8042_command_ops;

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A 16550A UART: COM1 at 0x3f8, IRQ 4. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bus/io.h"

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ  4
#define SERIAL_NR_PORTS  8
/* Console input waiting for the guest; more is dropped. */
#define SERIAL_INPUT_QUEUE 4096

typedef struct serial Serial;
typedef void (*SerialOutputFunc) (const uint8_t *bytes, size_t len, void *user_data);

Serial *serial_new (IrqLine irq, unsigned irq_number);
void serial_free (Serial *serial);
void serial_set_output_func (Serial *serial, SerialOutputFunc func, void *user_data);
/* Port accessors, for io_bus_register() (OFFSET 0..7). */
extern const IoOps serial_io_ops;
/* Queues bytes into the receiver. Thread-safe. */
void serial_input (Serial *serial, const uint8_t *bytes, size_t len);
/* Power-on state; queued input is dropped. */
void serial_reset (Serial *serial);

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ACPI fixed hardware: PM1a event and control blocks, the PM timer, GPE0
 * and the reset register (addresses in acpi/acpi.h). Writing SLP_TYP for
 * S5 with SLP_EN powers off; the reset value resets; the power button
 * raises an SCI.
 */
#pragma once

#include <stdint.h>

#include "bus/io.h"

#define ACPI_PM1_PWRBTN_STS 0x0100
#define ACPI_PM1_PWRBTN_EN  0x0100

typedef enum
{
  ACPI_PM_REQUEST_POWEROFF,
  ACPI_PM_REQUEST_RESET,
} AcpiPmRequest;

typedef struct acpi_pm AcpiPm;
typedef void (*AcpiPmRequestFunc) (AcpiPmRequest request, void *user_data);
/* Nanoseconds of a monotonic clock (tests pass their own). */
typedef int64_t (*AcpiPmClockFunc) (void *user_data);

AcpiPm *acpi_pm_new (IrqLine irq, AcpiPmRequestFunc request, void *request_data,
                     AcpiPmClockFunc clock, void *clock_data);
void acpi_pm_free (AcpiPm *pm);
void acpi_pm_reset (AcpiPm *pm);
/* Presses the power button: PWRBTN_STS, and an SCI if the guest enabled it. */
void acpi_pm_power_button (AcpiPm *pm);
/* The whole block at ACPI_PM_BASE. */
extern const IoOps acpi_pm_io_ops;
